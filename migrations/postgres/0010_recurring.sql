-- Recurring transactions (docs/recurring.md): a definition (amount, category, payee, schedule)
-- and its occurrences. Same change as migrations/sqlite/0010_recurring.sql; conventions in
-- 0001_init.sql.

CREATE TABLE recurring_transactions (
    id                UUID    NOT NULL PRIMARY KEY,
    user_id           UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    amount_cents      BIGINT  NOT NULL CHECK (amount_cents > 0),
    currency          TEXT    NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3 AND currency = upper(currency)),
    category          TEXT    NOT NULL,
    payee             TEXT    NOT NULL,
    description       TEXT,
    notes             TEXT,
    -- monthly (day_of_month), weekly (weekday 0 = Monday), every_n_days (interval_days),
    -- yearly (month, day_of_month); days 29-31 clamp to the month's last day
    frequency         TEXT    NOT NULL CHECK (frequency IN ('monthly', 'weekly', 'every_n_days', 'yearly')),
    day_of_month      INTEGER CHECK (day_of_month IS NULL OR (day_of_month >= 1 AND day_of_month <= 31)),
    weekday           INTEGER CHECK (weekday IS NULL OR (weekday >= 0 AND weekday <= 6)),
    interval_days     INTEGER CHECK (interval_days IS NULL OR (interval_days >= 1 AND interval_days <= 366)),
    month             INTEGER CHECK (month IS NULL OR (month >= 1 AND month <= 12)),
    start_date        DATE    NOT NULL,
    end_date          DATE,
    -- at most this many occurrences (NULL: no limit)
    max_occurrences   INTEGER CHECK (max_occurrences IS NULL OR max_occurrences >= 1),
    occurrences_done  INTEGER NOT NULL DEFAULT 0 CHECK (occurrences_done >= 0),
    -- the next date not materialised yet; NULL once the schedule is over
    next_date         DATE,
    -- the last day of the latest month whose plan reservations were laid out
    reserved_through  DATE,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    deleted_at        BIGINT  -- stops future occurrences; past transactions stay
);
CREATE INDEX idx_recurring_transactions_user_created ON recurring_transactions (user_id, created_at);
-- the background job: definitions with a due date
CREATE INDEX idx_recurring_transactions_next ON recurring_transactions (next_date)
    WHERE deleted_at IS NULL AND next_date IS NOT NULL;

-- One row per (definition, date): a reservation in the plan (transaction_id NULL,
-- reserved_cents added to that day's sacred row) or a materialised transaction. The unique key
-- is what makes materialisation exactly once across instances.
CREATE TABLE recurring_occurrences (
    id               UUID    NOT NULL PRIMARY KEY,
    user_id          UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    definition_id    UUID    NOT NULL REFERENCES recurring_transactions(id) ON DELETE CASCADE,
    occurrence_date  DATE    NOT NULL,
    transaction_id   UUID    REFERENCES transactions(id) ON DELETE SET NULL,
    reserved_cents   BIGINT  NOT NULL DEFAULT 0 CHECK (reserved_cents >= 0),
    created_at       BIGINT  NOT NULL,
    materialised_at  BIGINT
);
CREATE UNIQUE INDEX uq_recurring_occurrences_definition_date ON recurring_occurrences (definition_id, occurrence_date);
CREATE INDEX idx_recurring_occurrences_user ON recurring_occurrences (user_id, occurrence_date);

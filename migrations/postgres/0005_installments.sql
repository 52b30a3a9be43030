-- Installments (docs/installments.md): debts the user repays in instalments, the financial
-- profile the calculator reads, the calculations it made (for the achievements), the payments
-- recorded through the app (each one a transaction), and the installments' reservations in the
-- daily plan (a debt_payments row per due date, BUDGET.md §1). Same change as
-- migrations/sqlite/0005_installments.sql; conventions in 0001_init.sql.

CREATE TABLE installments (
    id                    UUID    NOT NULL PRIMARY KEY,
    user_id               UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_name             TEXT    NOT NULL,
    category              TEXT    NOT NULL
                                  CHECK (category IN ('electronics', 'clothing', 'furniture', 'travel', 'education',
                                                      'health', 'groceries', 'utilities', 'other')),
    -- the total to repay (the sum of every payment); payments 1 .. n-1 are payment_amount, the
    -- last one is what the total leaves
    total_amount_cents    BIGINT  NOT NULL CHECK (total_amount_cents > 0),
    payment_amount_cents  BIGINT  NOT NULL CHECK (payment_amount_cents > 0),
    currency              TEXT    NOT NULL DEFAULT 'USD'
                                  CHECK (length(currency) = 3 AND currency = upper(currency)),
    -- annual rate in basis points (1550 = 15.50 %), informative
    interest_rate_bp      BIGINT  NOT NULL DEFAULT 0 CHECK (interest_rate_bp >= 0),
    total_payments        INTEGER NOT NULL CHECK (total_payments >= 1),
    payments_made         INTEGER NOT NULL DEFAULT 0
                                  CHECK (payments_made >= 0 AND payments_made <= total_payments),
    payment_frequency     TEXT    NOT NULL DEFAULT 'monthly'
                                  CHECK (payment_frequency IN ('monthly', 'biweekly')),
    first_payment_date    DATE    NOT NULL,
    status                TEXT    NOT NULL DEFAULT 'active'
                                  CHECK (status IN ('active', 'completed', 'cancelled')),
    notes                 TEXT,
    -- the last day of the latest month whose plan rows were laid out (a new month lays out its own)
    planned_through       DATE,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    completed_at          BIGINT,
    deleted_at            BIGINT  -- soft delete; every read excludes these
);
CREATE INDEX idx_installments_user_created ON installments (user_id, created_at);

-- One row per payment recorded through the app (PATCH payments_made): the transaction it
-- created and the user-local day it was paid on. Payments counted at creation have no row.
CREATE TABLE installment_payments (
    id              UUID    NOT NULL PRIMARY KEY,
    user_id         UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    installment_id  UUID    NOT NULL REFERENCES installments(id) ON DELETE CASCADE,
    payment_number  INTEGER NOT NULL CHECK (payment_number >= 1),
    amount_cents    BIGINT  NOT NULL CHECK (amount_cents > 0),
    paid_on         DATE    NOT NULL,
    transaction_id  UUID    REFERENCES transactions(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX uq_installment_payments_number ON installment_payments (installment_id, payment_number);
-- accrual leaves these transactions out of the plain rows (they are spent on the installment's row)
CREATE INDEX idx_installment_payments_transaction ON installment_payments (transaction_id)
    WHERE transaction_id IS NOT NULL;

-- The financial profile of the installment calculator (one per user; every amount optional).
CREATE TABLE installment_profiles (
    user_id                      UUID    NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    id                           UUID    NOT NULL,
    monthly_income_cents         BIGINT  CHECK (monthly_income_cents >= 0),
    current_balance_cents        BIGINT,  -- may be negative (overdrawn)
    age_group                    TEXT    CHECK (age_group IS NULL OR age_group IN ('18-24', '25-34', '35-44', '45+')),
    credit_card_debt_cents       BIGINT  CHECK (credit_card_debt_cents >= 0),
    credit_card_payment_cents    BIGINT  CHECK (credit_card_payment_cents >= 0),
    other_loans_payment_cents    BIGINT  CHECK (other_loans_payment_cents >= 0),
    rent_payment_cents           BIGINT  CHECK (rent_payment_cents >= 0),
    subscriptions_payment_cents  BIGINT  CHECK (subscriptions_payment_cents >= 0),
    planning_mortgage            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                   BIGINT  NOT NULL,
    updated_at                   BIGINT  NOT NULL
);

-- Every answer of the calculator (the achievements count them and the risky ones not taken).
CREATE TABLE installment_calculations (
    id                     UUID    NOT NULL PRIMARY KEY,
    user_id                UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purchase_amount_cents  BIGINT  NOT NULL CHECK (purchase_amount_cents > 0),
    category               TEXT    NOT NULL,
    num_payments           INTEGER NOT NULL CHECK (num_payments >= 1),
    interest_rate_bp       BIGINT  NOT NULL CHECK (interest_rate_bp >= 0),
    monthly_payment_cents  BIGINT  NOT NULL CHECK (monthly_payment_cents >= 0),
    total_interest_cents   BIGINT  NOT NULL CHECK (total_interest_cents >= 0),
    risk_level             TEXT    NOT NULL CHECK (risk_level IN ('green', 'yellow', 'orange', 'red')),
    risk_score             INTEGER NOT NULL CHECK (risk_score >= 0 AND risk_score <= 100),
    created_at             BIGINT  NOT NULL
);
CREATE INDEX idx_installment_calculations_user_created ON installment_calculations (user_id, created_at);

-- An installment's reservation rows in the daily plan: category debt_payments with its id. The
-- plan's unique key gains the column (NULL = a plain row), under the same constraint name.
-- Upserts: ON CONFLICT ON CONSTRAINT uq_daily_plan_user_date_category_goal.
ALTER TABLE daily_plan ADD COLUMN installment_id UUID REFERENCES installments(id) ON DELETE CASCADE;
ALTER TABLE daily_plan ADD CONSTRAINT ck_daily_plan_installment_category
    CHECK (installment_id IS NULL OR category = 'debt_payments');
ALTER TABLE daily_plan DROP CONSTRAINT uq_daily_plan_user_date_category_goal;
ALTER TABLE daily_plan ADD CONSTRAINT uq_daily_plan_user_date_category_goal
    UNIQUE NULLS NOT DISTINCT (user_id, date, category, goal_id, installment_id);
-- releasing / laying out an installment's rows, and the ON DELETE CASCADE from installments
CREATE INDEX idx_daily_plan_installment_date ON daily_plan (installment_id, date) WHERE installment_id IS NOT NULL;

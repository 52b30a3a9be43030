-- The planning screens of issue 10 (docs/mood.md, docs/challenges.md, docs/budget-automation.md):
-- a mood per user and day, the user's participations in the challenges of data/challenges.toml
-- (their progress is computed from the user's transactions and plan, stored here when settled),
-- and the budget automation switches. Same change as migrations/sqlite/0006_challenges.sql;
-- conventions in 0001_init.sql.

-- One mood per user and user-local day (the last write of a day wins). 1 = very sad .. 5 = great.
CREATE TABLE moods (
    id          UUID    NOT NULL PRIMARY KEY,
    user_id     UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    date        DATE    NOT NULL,
    mood        INTEGER NOT NULL CHECK (mood >= 1 AND mood <= 5),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX uq_moods_user_date ON moods (user_id, date);

-- The planning screens of issue 10 (docs/mood.md, docs/challenges.md, docs/budget-automation.md):
-- a mood per user and day, the user's participations in the challenges of data/challenges.toml
-- (their progress is computed from the user's transactions and plan, stored here when settled),
-- and the budget automation switches. Same change as migrations/postgres/0006_challenges.sql;
-- conventions in 0001_init.sql.

-- One mood per user and user-local day (the last write of a day wins). 1 = very sad .. 5 = great.
CREATE TABLE moods (
    id          TEXT    NOT NULL PRIMARY KEY CHECK (typeof(id) = 'text' AND length(id) = 36),
    user_id     TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    date        TEXT    NOT NULL CHECK (date IS date(julianday(date))),
    mood        INTEGER NOT NULL CHECK (mood >= 1 AND mood <= 5),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX uq_moods_user_date ON moods (user_id, date);

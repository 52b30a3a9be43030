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

-- A user's attempt at a challenge of the catalogue (data/challenges.toml, by its id). At most
-- one active attempt per user and challenge; a left, completed or failed one stays as history.
CREATE TABLE challenge_participations (
    id            UUID    NOT NULL PRIMARY KEY,
    user_id       UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    challenge_id  TEXT    NOT NULL CHECK (length(challenge_id) >= 1 AND length(challenge_id) <= 64),
    -- the user-local days of the attempt's window, both included
    started_on    DATE    NOT NULL,
    ends_on       DATE    NOT NULL CHECK (ends_on >= started_on),
    status        TEXT    NOT NULL DEFAULT 'active'
                          CHECK (status IN ('active', 'completed', 'failed', 'left')),
    -- the progress value when last settled (docs/challenges.md), and the points it earned
    progress      INTEGER NOT NULL DEFAULT 0 CHECK (progress >= 0),
    points        INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    finished_at   BIGINT,  -- when it was completed, failed or left
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    CHECK ((status = 'active') = (finished_at IS NULL))
);
CREATE UNIQUE INDEX uq_challenge_participations_active
    ON challenge_participations (user_id, challenge_id) WHERE status = 'active';
CREATE INDEX idx_challenge_participations_user ON challenge_participations (user_id, created_at);
-- the leaderboard: completed attempts by completion time
CREATE INDEX idx_challenge_participations_completed
    ON challenge_participations (finished_at) WHERE status = 'completed';

-- The budget automation switches of the budget settings screen (one row per user; a user
-- without a row has the defaults).
CREATE TABLE budget_automation_settings (
    user_id              UUID    NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    auto_redistribution  BOOLEAN NOT NULL DEFAULT TRUE,
    smart_suggestions    BOOLEAN NOT NULL DEFAULT TRUE,
    behavioral_learning  BOOLEAN NOT NULL DEFAULT TRUE,
    realtime_alerts      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL
);

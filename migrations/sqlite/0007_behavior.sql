-- Behaviour screens and product analytics (docs/insights.md, docs/analytics-events.md): the
-- events the app reports (feature used, feature access attempted, paywall shown), bounded per
-- user in size and rate, and each user's behaviour preferences and notification switches.
-- Same change as migrations/postgres/0007_behavior.sql; conventions in 0001_init.sql.

CREATE TABLE app_events (
    id                  TEXT    NOT NULL PRIMARY KEY
                                CHECK (typeof(id) = 'text' AND length(id) = 36),
    user_id             TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind                TEXT    NOT NULL
                                CHECK (kind IN ('feature_usage', 'feature_access_attempt', 'paywall_impression')),
    -- short printable names (at most 100 characters each, checked by the service)
    feature             TEXT    CHECK (feature IS NULL OR length(feature) <= 100),
    screen              TEXT    CHECK (screen IS NULL OR length(screen) <= 100),
    action              TEXT    CHECK (action IS NULL OR length(action) <= 100),
    context             TEXT    CHECK (context IS NULL OR length(context) <= 100),
    session_id          TEXT    CHECK (session_id IS NULL OR length(session_id) <= 100),
    platform            TEXT    CHECK (platform IS NULL OR length(platform) <= 100),
    app_version         TEXT    CHECK (app_version IS NULL OR length(app_version) <= 100),
    has_access          INTEGER CHECK (has_access IS NULL OR has_access IN (0, 1)),
    is_premium_feature  INTEGER CHECK (is_premium_feature IS NULL OR is_premium_feature IN (0, 1)),
    -- the client's free-form metadata object, at most 2048 bytes serialised
    metadata            TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND length(metadata) <= 2048),
    -- the client's own timestamp of the event, when it sent a valid one (epoch ms)
    client_at           BIGINT,
    created_at          BIGINT  NOT NULL
);
CREATE INDEX idx_app_events_user_created ON app_events (user_id, created_at);
CREATE INDEX idx_app_events_user_feature ON app_events (user_id, feature, created_at);

CREATE TABLE behavior_settings (
    user_id                 TEXT    NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    -- the behaviour screen's preferences (known keys only, see docs/insights.md)
    preferences             TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(preferences)),
    -- the four switches of the behaviour notifications
    notification_settings   TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(notification_settings)),
    updated_at              BIGINT  NOT NULL
);

-- Premium subscriptions (docs/premium.md): one row per store purchase, created only by a receipt
-- the store confirmed (POST /api/iap/validate), and the history of every change.
-- Same change as migrations/postgres/0009_premium.sql; conventions in 0001_init.sql.

CREATE TABLE subscriptions (
    id                       TEXT    NOT NULL PRIMARY KEY
                                     CHECK (typeof(id) = 'text' AND length(id) = 36),
    user_id                  TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    platform                 TEXT    NOT NULL CHECK (platform IN ('ios', 'android')),
    product_id               TEXT    NOT NULL CHECK (length(product_id) <= 200),
    -- the store's id of the purchase (Apple original_transaction_id, Google order id): one
    -- purchase belongs to one account
    store_id                 TEXT    NOT NULL CHECK (length(store_id) <= 200),
    status                   TEXT    NOT NULL CHECK (status IN ('active', 'expired', 'cancelled', 'refunded')),
    auto_renew               INTEGER NOT NULL CHECK (auto_renew IN (0, 1)),
    trial_period             INTEGER NOT NULL CHECK (trial_period IN (0, 1)),
    expires_at               BIGINT  NOT NULL,
    created_at               BIGINT  NOT NULL,
    updated_at               BIGINT  NOT NULL
);
CREATE UNIQUE INDEX uq_subscriptions_platform_store_id ON subscriptions (platform, store_id);
CREATE INDEX idx_subscriptions_user ON subscriptions (user_id, expires_at DESC);

CREATE TABLE subscription_events (
    id                       TEXT    NOT NULL PRIMARY KEY
                                     CHECK (typeof(id) = 'text' AND length(id) = 36),
    user_id                  TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subscription_id          TEXT    NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    -- validated (a store answer), status_changed (the app's PUT)
    event                    TEXT    NOT NULL CHECK (event IN ('validated', 'status_changed')),
    status                   TEXT    NOT NULL CHECK (status IN ('active', 'expired', 'cancelled', 'refunded')),
    source                   TEXT    NOT NULL CHECK (source IN ('store', 'app')),
    expires_at               BIGINT  NOT NULL,
    created_at               BIGINT  NOT NULL
);
CREATE INDEX idx_subscription_events_user ON subscription_events (user_id, created_at DESC);

-- Bringing money in (issue 14): personal access tokens (docs/tokens.md) and bank-file imports
-- (docs/import.md). Same change as migrations/sqlite/0008_money_in.sql; conventions in
-- 0001_init.sql.

-- A personal access token: the secret is shown once at creation; only its SHA-256 is kept.
CREATE TABLE personal_access_tokens (
    id             UUID    NOT NULL PRIMARY KEY,
    user_id        UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    -- 'read': GET/HEAD only; 'write': every method
    scope          TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    -- lowercase hex SHA-256 of the whole secret (mita_pat_...)
    token_hash     TEXT    NOT NULL,
    -- the first characters of the secret, shown in lists so the owner can tell tokens apart
    prefix         TEXT    NOT NULL,
    -- users.token_version at creation: a password change or reset ends the token too
    token_version  INTEGER NOT NULL,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT,
    last_used_at   BIGINT,
    revoked_at     BIGINT
);
CREATE UNIQUE INDEX uq_personal_access_tokens_token_hash ON personal_access_tokens (token_hash);
CREATE INDEX idx_personal_access_tokens_user ON personal_access_tokens (user_id, created_at);

-- A categorisation rule (docs/rules.md): conditions (all given ones must hold) and actions,
-- applied in position order to a spend created without a category and to imported rows.
CREATE TABLE categorisation_rules (
    id              UUID    NOT NULL PRIMARY KEY,
    user_id         UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    position        INTEGER NOT NULL,
    -- conditions; NULL = not checked
    payee_contains  TEXT,
    payee_matches   TEXT,
    min_cents       BIGINT,
    max_cents       BIGINT,
    account         TEXT,
    -- actions; NULL = not done
    set_category    TEXT,
    set_description TEXT,
    add_tag         TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX idx_categorisation_rules_user ON categorisation_rules (user_id, position);

-- A parsed bank file waiting for its commit (docs/import.md): the rows it would insert.
CREATE TABLE imports (
    id            UUID    NOT NULL PRIMARY KEY,
    user_id       UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    format        TEXT    NOT NULL CHECK (format IN ('csv')),
    file_name     TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'committed')),
    rows          JSONB   NOT NULL CHECK (jsonb_typeof(rows) = 'array'),
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    committed_at  BIGINT,
    inserted      INTEGER
);
CREATE INDEX idx_imports_user_created ON imports (user_id, created_at);

-- Account hardening (issue 15): confirmed email changes, email verification, the sessions list
-- and two-factor sign-in (TOTP). Same change as migrations/sqlite/0003_account_hardening.sql.

-- A login's last use (sign-in or refresh), shown in GET /api/auth/sessions.
ALTER TABLE refresh_token_families ADD COLUMN last_used_at BIGINT;

-- Single-use links sent by mail: purpose 'verify' proves `email` belongs to the user (sets
-- users.email_verified); purpose 'change' moves the account to `email` (confirmed email change).
-- Only the SHA-256 of the token is stored. A link is bound to its user, its purpose and its
-- address: when the account's address has changed since, a 'verify' link no longer applies.
CREATE TABLE email_tokens (
    id          UUID    NOT NULL PRIMARY KEY,
    user_id     UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('verify', 'change')),
    email       TEXT    NOT NULL CHECK (email = lower(email)),
    token_hash  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE UNIQUE INDEX uq_email_tokens_token_hash ON email_tokens (token_hash);
CREATE INDEX idx_email_tokens_user_id ON email_tokens (user_id, purpose, created_at);
CREATE INDEX idx_email_tokens_expires_at ON email_tokens (expires_at);

-- Two-factor sign-in (TOTP, RFC 6238), one row per user. secret_enc is the shared secret
-- encrypted with auth.totp_key (AES-256-GCM, the user id as associated data). enabled_at is
-- NULL while the enrolment waits for its first code. last_step is the time step of the last
-- accepted code: a code of that step or an earlier one is refused (no replay in its window).
CREATE TABLE user_totp (
    user_id     UUID    NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_enc  TEXT    NOT NULL,
    enabled_at  BIGINT,
    last_step   BIGINT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

-- Recovery codes: ten per enrolment, each usable once, stored as SHA-256 hashes.
CREATE TABLE totp_recovery_codes (
    id          UUID    NOT NULL PRIMARY KEY,
    user_id     UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE UNIQUE INDEX uq_totp_recovery_codes_code_hash ON totp_recovery_codes (code_hash);
CREATE INDEX idx_totp_recovery_codes_user_id ON totp_recovery_codes (user_id);

-- The first step of a two-step login: a short-lived challenge (stored hashed) that the second
-- step trades, with a code, for tokens. attempts counts wrong codes against this challenge.
CREATE TABLE login_challenges (
    id          UUID    NOT NULL PRIMARY KEY,
    user_id     UUID    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);
CREATE UNIQUE INDEX uq_login_challenges_token_hash ON login_challenges (token_hash);
CREATE INDEX idx_login_challenges_user_id ON login_challenges (user_id);
CREATE INDEX idx_login_challenges_expires_at ON login_challenges (expires_at);

-- Each user's invite code (GET /api/referral/code; src/referral.rs, docs/referral.md). Same
-- change as migrations/postgres/0013_referral_code.sql; conventions in 0001_init.sql.
--
-- Made on the first request and kept: eight characters of Crockford's base32 (no I, L, O or U),
-- unique across users. Existing users have none until they ask.
ALTER TABLE users ADD COLUMN referral_code TEXT
    CHECK (referral_code IS NULL OR length(referral_code) = 8);
CREATE UNIQUE INDEX uq_users_referral_code ON users (referral_code)
    WHERE referral_code IS NOT NULL;

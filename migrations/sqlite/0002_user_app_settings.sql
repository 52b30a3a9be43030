-- The mobile app's settings screen (biometric sign-in, auto sync, offline mode, language, date
-- format, budget alert threshold): kept as one JSON object per user, read with the profile.
-- Same change as migrations/postgres/0002_user_app_settings.sql.
ALTER TABLE users ADD COLUMN app_settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(app_settings));

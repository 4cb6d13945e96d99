-- Multi-factor sign-in: a session is usable only once every factor is in; TOTP enrolment is two-step.

-- 'full' = usable; 'verify' = password checked, second factor pending; 'configure' = the user must enrol first.
ALTER TABLE auth_session ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
-- Wrong codes entered through this pending session (it ends after a few).
ALTER TABLE auth_session ADD COLUMN mfa_failures BIGINT NOT NULL DEFAULT 0;

-- A secret / a set of backup codes generated but not yet confirmed by the user.
ALTER TABLE user_mfa ADD COLUMN pending_secret TEXT;
ALTER TABLE user_mfa ADD COLUMN pending_codes TEXT;
ALTER TABLE user_mfa ADD COLUMN pending_time BIGINT NOT NULL DEFAULT 0;
-- The pending sign-in that enrolled the TOTP: only that one may complete an enforced enrolment with it.
ALTER TABLE user_mfa ADD COLUMN enrolled_session TEXT;
-- Which factor the sign-in page offers first.
ALTER TABLE user_mfa ADD COLUMN default_provider TEXT;
-- Code checks in the current rate-limit window.
ALTER TABLE user_mfa ADD COLUMN window_start BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_mfa ADD COLUMN window_checks BIGINT NOT NULL DEFAULT 0;

-- Account lifecycle: re-displayable activation links, password resets, lockout, MFA, audit log, user settings.

-- The activation secret is derived from this nonce with a server key, so the same link can be shown again while it
-- is valid; only the secret's hash is looked up.
ALTER TABLE user_credentials ADD COLUMN activate_nonce TEXT;
-- When the last failed sign-in was counted toward a lockout.
ALTER TABLE user_credentials ADD COLUMN locked_by_failures BIGINT NOT NULL DEFAULT 0;

-- "Log in as user": the session acts as its user on behalf of this one.
ALTER TABLE auth_session ADD COLUMN impersonated_by TEXT;

-- Password-reset links: hashed, single use, a few per user per hour.
CREATE TABLE password_reset (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES tb_user (id) ON DELETE CASCADE,
    created_time BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX password_reset_user ON password_reset (user_id, created_time);

-- TOTP and backup codes per user (JSON as the ThingsBoard API shows it, secrets inside).
CREATE TABLE user_mfa (
    user_id      TEXT PRIMARY KEY REFERENCES tb_user (id) ON DELETE CASCADE,
    totp_secret  TEXT,
    backup_codes TEXT,
    last_step    BIGINT NOT NULL DEFAULT 0,
    failures     BIGINT NOT NULL DEFAULT 0
);

-- Per-user settings by type (general, quick_links, …), deep-merged JSON.
CREATE TABLE user_settings (
    user_id TEXT NOT NULL REFERENCES tb_user (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Who did what to what, and whether it worked. No foreign keys: entries outlive what they name.
CREATE TABLE audit_log (
    id                     TEXT PRIMARY KEY,
    created_time           BIGINT NOT NULL,
    tenant_id              TEXT,
    customer_id            TEXT,
    entity_type            TEXT,
    entity_id              TEXT,
    entity_name            TEXT,
    user_id                TEXT,
    user_name              TEXT,
    action_type            TEXT NOT NULL,
    action_data            TEXT,
    action_status          TEXT NOT NULL,
    action_failure_details TEXT
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, created_time, id);
CREATE INDEX audit_log_user ON audit_log (user_id, created_time, id);
CREATE INDEX audit_log_customer ON audit_log (customer_id, created_time, id);
CREATE INDEX audit_log_entity ON audit_log (entity_id, created_time, id);

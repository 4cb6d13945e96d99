-- Foundation: settings, tenants, users, credentials, sessions, login throttling.
-- One portable schema for SQLite and PostgreSQL: UUID text ids, epoch-millisecond times, 0/1 flags.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tenant (
    id              TEXT PRIMARY KEY,
    created_time    BIGINT NOT NULL,
    title           TEXT NOT NULL,
    title_lower     TEXT NOT NULL,
    region          TEXT,
    country         TEXT,
    state           TEXT,
    city            TEXT,
    address         TEXT,
    address2        TEXT,
    zip             TEXT,
    phone           TEXT,
    email           TEXT,
    additional_info TEXT,
    version         BIGINT NOT NULL
);
CREATE UNIQUE INDEX tenant_title_unq ON tenant (title_lower);
CREATE INDEX tenant_created ON tenant (created_time, id);

CREATE TABLE tb_user (
    id              TEXT PRIMARY KEY,
    created_time    BIGINT NOT NULL,
    tenant_id       TEXT REFERENCES tenant (id) ON DELETE CASCADE,
    customer_id     TEXT,
    authority       TEXT NOT NULL,
    email           TEXT NOT NULL,
    email_lower     TEXT NOT NULL,
    first_name      TEXT,
    last_name       TEXT,
    phone           TEXT,
    additional_info TEXT,
    version         BIGINT NOT NULL
);
CREATE UNIQUE INDEX tb_user_email_unq ON tb_user (email_lower);
CREATE INDEX tb_user_tenant ON tb_user (tenant_id, authority, email_lower);

CREATE TABLE user_credentials (
    user_id             TEXT PRIMARY KEY REFERENCES tb_user (id) ON DELETE CASCADE,
    password_hash       TEXT,
    enabled             BIGINT NOT NULL,
    activate_token_hash TEXT,
    activate_expires    BIGINT,
    last_login_ts       BIGINT,
    failed_attempts     BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX user_credentials_activate ON user_credentials (activate_token_hash);

-- One row per login (API pair or browser cookie). Tokens carry the session id; revoking the row ends them.
CREATE TABLE auth_session (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES tb_user (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    created_time BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    refresh_jti  TEXT,
    cookie_hash  TEXT,
    revoked      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX auth_session_user ON auth_session (user_id);
CREATE UNIQUE INDEX auth_session_cookie ON auth_session (cookie_hash);

-- Failed password guesses per account in the current hour window.
CREATE TABLE login_throttle (
    account      TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures     BIGINT NOT NULL
);

-- Client addresses that signed in to an account successfully; they keep working while the account's cap is hit.
CREATE TABLE login_trusted (
    account TEXT NOT NULL,
    ip_hash TEXT NOT NULL,
    expires BIGINT NOT NULL,
    PRIMARY KEY (account, ip_hash)
);

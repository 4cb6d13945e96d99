-- What customers own: devices, assets, dashboards, edges. Every table has the same core (owner, name, type, label,
-- additional info, version) so one service and one authorization rule serve all four; `details` holds the
-- kind's fields nothing queries by. `owner_id` is the tenant or a customer (a node of owner_closure).

CREATE TABLE device (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    owner_id        TEXT NOT NULL,
    created_time    BIGINT NOT NULL,
    name            TEXT NOT NULL,
    name_lower      TEXT NOT NULL,
    type            TEXT NOT NULL,
    label           TEXT,
    additional_info TEXT,
    details         TEXT,
    version         BIGINT NOT NULL
);
CREATE UNIQUE INDEX device_name_unq ON device (tenant_id, name_lower);
CREATE INDEX device_owner ON device (owner_id, name_lower, id);
CREATE INDEX device_created ON device (tenant_id, created_time, id);

CREATE TABLE device_credentials (
    id                TEXT PRIMARY KEY,
    device_id         TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    created_time      BIGINT NOT NULL,
    credentials_type  TEXT NOT NULL,
    credentials_id    TEXT NOT NULL,
    credentials_value TEXT,
    version           BIGINT NOT NULL
);
CREATE UNIQUE INDEX device_credentials_device ON device_credentials (device_id);
CREATE UNIQUE INDEX device_credentials_token ON device_credentials (credentials_type, credentials_id);

CREATE TABLE asset (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    owner_id        TEXT NOT NULL,
    created_time    BIGINT NOT NULL,
    name            TEXT NOT NULL,
    name_lower      TEXT NOT NULL,
    type            TEXT NOT NULL,
    label           TEXT,
    additional_info TEXT,
    details         TEXT,
    version         BIGINT NOT NULL
);
CREATE UNIQUE INDEX asset_name_unq ON asset (tenant_id, name_lower);
CREATE INDEX asset_owner ON asset (owner_id, name_lower, id);
CREATE INDEX asset_created ON asset (tenant_id, created_time, id);

-- Dashboards: `name` is the title; the configuration can be large, so lists never read it.
CREATE TABLE dashboard (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    owner_id        TEXT NOT NULL,
    created_time    BIGINT NOT NULL,
    name            TEXT NOT NULL,
    name_lower      TEXT NOT NULL,
    type            TEXT NOT NULL,
    label           TEXT,
    additional_info TEXT,
    details         TEXT,
    configuration   TEXT,
    version         BIGINT NOT NULL
);
CREATE INDEX dashboard_name ON dashboard (tenant_id, name_lower, id);
CREATE INDEX dashboard_owner ON dashboard (owner_id, name_lower, id);
CREATE INDEX dashboard_created ON dashboard (tenant_id, created_time, id);

-- Edges: the routing key is how an edge instance finds itself when it connects, so it is unique everywhere.
CREATE TABLE edge (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    owner_id        TEXT NOT NULL,
    created_time    BIGINT NOT NULL,
    name            TEXT NOT NULL,
    name_lower      TEXT NOT NULL,
    type            TEXT NOT NULL,
    label           TEXT,
    additional_info TEXT,
    details         TEXT,
    routing_key     TEXT NOT NULL,
    version         BIGINT NOT NULL
);
CREATE UNIQUE INDEX edge_name_unq ON edge (tenant_id, name_lower);
CREATE UNIQUE INDEX edge_routing_key ON edge (routing_key);
CREATE INDEX edge_owner ON edge (owner_id, name_lower, id);
CREATE INDEX edge_created ON edge (tenant_id, created_time, id);

-- Public customers: one hidden customer per owner holds the "Public Users" group that public entity groups are
-- shared with. They are all titled "Public", so the title index covers the others only.
ALTER TABLE customer ADD COLUMN is_public BIGINT NOT NULL DEFAULT 0;
DROP INDEX customer_title_unq;
CREATE UNIQUE INDEX customer_title_unq ON customer (tenant_id, title_lower) WHERE is_public = 0;

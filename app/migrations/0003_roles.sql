-- Roles (Generic: resource → operations; Group: operations on one entity group) and group permissions, which bind
-- a role to a user group, generically or for one entity group.

CREATE TABLE role (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    customer_id           TEXT REFERENCES customer (id) ON DELETE CASCADE,
    created_time          BIGINT NOT NULL,
    name                  TEXT NOT NULL,
    name_lower            TEXT NOT NULL,
    role_type             TEXT NOT NULL,
    permissions           TEXT NOT NULL,
    excluded_permissions  TEXT,
    additional_info       TEXT,
    version               BIGINT NOT NULL
);
CREATE INDEX role_owner ON role (tenant_id, customer_id, name_lower, id);

CREATE TABLE group_permission (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    user_group_id   TEXT NOT NULL REFERENCES entity_group (id) ON DELETE CASCADE,
    role_id         TEXT NOT NULL REFERENCES role (id) ON DELETE CASCADE,
    entity_group_id TEXT REFERENCES entity_group (id) ON DELETE CASCADE,
    is_public       BIGINT NOT NULL DEFAULT 0,
    created_time    BIGINT NOT NULL
);
CREATE UNIQUE INDEX group_permission_unq ON group_permission (user_group_id, role_id, COALESCE(entity_group_id, ''));
CREATE INDEX group_permission_role ON group_permission (role_id);
CREATE INDEX group_permission_entity_group ON group_permission (entity_group_id);

-- Bumped in the same transaction as any change that can alter someone's permissions in the tenant; cached merged
-- permissions carry the epoch they were built at, so every node notices on its next request.
CREATE TABLE permission_epoch (
    tenant_id TEXT PRIMARY KEY REFERENCES tenant (id) ON DELETE CASCADE,
    epoch     BIGINT NOT NULL
);

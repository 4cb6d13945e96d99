-- Owners: tenant → customers → sub-customers, with a closure table so "is X inside Y's subtree" is one probe.
-- Entity groups: every owner has an "All" group per type; membership is owner-scoped.

CREATE TABLE customer (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    parent_customer_id TEXT REFERENCES customer (id),
    created_time       BIGINT NOT NULL,
    title              TEXT NOT NULL,
    title_lower        TEXT NOT NULL,
    country            TEXT,
    state              TEXT,
    city               TEXT,
    address            TEXT,
    address2           TEXT,
    zip                TEXT,
    phone              TEXT,
    email              TEXT,
    additional_info    TEXT,
    version            BIGINT NOT NULL
);
CREATE UNIQUE INDEX customer_title_unq ON customer (tenant_id, title_lower);
CREATE INDEX customer_parent ON customer (tenant_id, parent_customer_id, title_lower, id);
CREATE INDEX customer_created ON customer (tenant_id, created_time, id);

-- Every (ancestor, descendant) pair of the owner tree, each owner with itself at depth 0; the tenant is the root.
CREATE TABLE owner_closure (
    tenant_id  TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    ancestor   TEXT NOT NULL,
    descendant TEXT NOT NULL,
    depth      BIGINT NOT NULL,
    PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX owner_closure_descendant ON owner_closure (descendant, ancestor);

CREATE TABLE entity_group (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    owner_id        TEXT NOT NULL,
    owner_type      TEXT NOT NULL,
    group_type      TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_lower      TEXT NOT NULL,
    created_time    BIGINT NOT NULL,
    additional_info TEXT,
    configuration   TEXT,
    version         BIGINT NOT NULL
);
CREATE UNIQUE INDEX entity_group_name_unq ON entity_group (owner_id, group_type, name_lower);

CREATE TABLE entity_group_member (
    group_id  TEXT NOT NULL REFERENCES entity_group (id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (group_id, entity_id)
);
CREATE INDEX entity_group_member_entity ON entity_group_member (entity_id, group_id);

-- Tenants created before this migration become roots of their own tree.
INSERT INTO owner_closure (tenant_id, ancestor, descendant, depth) SELECT id, id, id, 0 FROM tenant;

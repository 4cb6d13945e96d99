-- What keeps lists and checks fast at a million entities.

-- Bumped (with `epoch`) whenever a part of the owner tree moves or goes away, so nodes drop their cached copy
-- of the tree; adding a customer needs no bump (a node that has not seen it yet asks the database).
ALTER TABLE permission_epoch ADD COLUMN tree_epoch BIGINT NOT NULL DEFAULT 0;

-- How many things of each kind every owner's subtree holds (the owner itself included), so that "all of it"
-- pages know their total without counting. Kept by triggers installed per engine (backend/counts.rs), and
-- moved with whole subtrees by backend/owners.rs.
CREATE TABLE subtree_count (
    tenant_id TEXT NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    owner_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (owner_id, kind)
);
INSERT INTO subtree_count (tenant_id, owner_id, kind, n)
    SELECT c.tenant_id, c.ancestor, 'DEVICE', COUNT(*) FROM device t JOIN owner_closure c ON c.descendant = t.owner_id
    GROUP BY c.tenant_id, c.ancestor;
INSERT INTO subtree_count (tenant_id, owner_id, kind, n)
    SELECT c.tenant_id, c.ancestor, 'ASSET', COUNT(*) FROM asset t JOIN owner_closure c ON c.descendant = t.owner_id
    GROUP BY c.tenant_id, c.ancestor;
INSERT INTO subtree_count (tenant_id, owner_id, kind, n)
    SELECT c.tenant_id, c.ancestor, 'DASHBOARD', COUNT(*) FROM dashboard t JOIN owner_closure c ON c.descendant = t.owner_id
    GROUP BY c.tenant_id, c.ancestor;
INSERT INTO subtree_count (tenant_id, owner_id, kind, n)
    SELECT c.tenant_id, c.ancestor, 'EDGE', COUNT(*) FROM edge t JOIN owner_closure c ON c.descendant = t.owner_id
    GROUP BY c.tenant_id, c.ancestor;

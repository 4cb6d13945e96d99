-- Role names are unique per owner (the tenant or one customer), as group and customer names are: two roles called
-- "Customer Administrator" under one owner cannot be told apart anywhere. Existing duplicates keep their first
-- holder's name; the later ones get their id appended.
UPDATE role SET name = name || ' (' || id || ')', name_lower = name_lower || ' (' || id || ')'
WHERE EXISTS (
    SELECT 1 FROM role o
    WHERE o.tenant_id = role.tenant_id
      AND COALESCE(o.customer_id, '') = COALESCE(role.customer_id, '')
      AND o.name_lower = role.name_lower
      AND (o.created_time < role.created_time OR (o.created_time = role.created_time AND o.id < role.id))
);
CREATE UNIQUE INDEX role_name_unq ON role (tenant_id, COALESCE(customer_id, ''), name_lower);

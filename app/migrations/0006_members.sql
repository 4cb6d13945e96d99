-- Bumped (by triggers installed from backend/authz/members.rs) whenever a member joins or leaves an entity group
-- that some group permission points at, so nodes drop their in-memory member sets of shared groups. Changes in
-- groups nobody is granted (a tenant's "All" devices while it provisions) leave it alone.
ALTER TABLE permission_epoch ADD COLUMN member_epoch BIGINT NOT NULL DEFAULT 0;

-- Remapping a load (crm-dashboard remap, the import page): the new load supersedes the old
-- one. The old load's rows move to the archives as replaced by the new load, and the old load
-- records which load superseded it, so undoing the remap brings the old load back whole.
alter table loads add column superseded_by integer;

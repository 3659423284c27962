-- Issue 16 §1: the key worker's planned next contact with the family, while it is open (the
-- board's FAMILY column and a key worker's overdue view). Cases written before this migration
-- get it on their next write.
ALTER TABLE cases ADD COLUMN family_due_at BIGINT;

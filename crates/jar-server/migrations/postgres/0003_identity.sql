-- Issue 15: a withdrawn notification or a case closed as a duplicate leaves the board (it
-- stays readable by reference and in the audit trail); key-worker cover periods.
ALTER TABLE cases ADD COLUMN withdrawn BIGINT NOT NULL DEFAULT 0;
CREATE TABLE covers (
    id BIGSERIAL PRIMARY KEY,
    covered TEXT NOT NULL,
    cover TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
CREATE INDEX covers_cover ON covers (cover, ends_at);

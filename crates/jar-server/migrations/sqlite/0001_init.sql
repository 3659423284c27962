-- jarterm case store, SQLite flavour. Records are JSON text; the columns beside them exist to
-- filter, sort and scope without parsing JSON. Times are milliseconds since the Unix epoch (UTC).
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    areas TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user ON tokens (username);
CREATE TABLE ref_seq (
    year BIGINT PRIMARY KEY,
    next BIGINT NOT NULL
);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    area TEXT NOT NULL,
    stage TEXT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    lead_paediatrician TEXT,
    police_lead TEXT,
    social_worker TEXT,
    key_worker TEXT,
    next_due_at BIGINT,
    sort_due BIGINT NOT NULL,
    search TEXT NOT NULL,
    record TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX cases_sort ON cases (sort_due, reference);
CREATE INDEX cases_area_sort ON cases (area, sort_due, reference);
CREATE INDEX cases_key_worker ON cases (key_worker, sort_due, reference);
CREATE INDEX cases_lead_paediatrician ON cases (lead_paediatrician);
CREATE INDEX cases_police_lead ON cases (police_lead);
CREATE INDEX cases_social_worker ON cases (social_worker);
CREATE INDEX cases_stage ON cases (stage, sort_due, reference);
CREATE TABLE identities (
    case_id BIGINT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX timeline_case ON timeline (case_id, id);
CREATE TABLE checklists (
    case_id BIGINT NOT NULL,
    template TEXT NOT NULL,
    template_version BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, template)
);
CREATE TABLE items (
    case_id BIGINT NOT NULL,
    template TEXT NOT NULL,
    item_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (case_id, template, item_id)
);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL,
    occurred_at BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX contacts_case ON contacts (case_id, id);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    case_ref TEXT,
    area TEXT,
    category TEXT,
    version BIGINT,
    item TEXT,
    key_worker TEXT,
    restricted BIGINT NOT NULL DEFAULT 0,
    at BIGINT NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    case_ref TEXT,
    detail TEXT NOT NULL,
    remote TEXT NOT NULL
);
CREATE INDEX audit_case ON audit (case_ref, id);
CREATE INDEX audit_user ON audit (username, id);
CREATE TABLE idempotency (
    username TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    etag TEXT,
    location TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (username, idem_key)
);

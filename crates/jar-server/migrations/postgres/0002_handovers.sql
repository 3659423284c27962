-- Issue 17 §1: on-call shift handovers. `record` is the JSON list of cases (I-PASS parts and
-- each case's acknowledgement); the columns beside it decide who may read it.
CREATE TABLE handovers (
    id BIGSERIAL PRIMARY KEY,
    outgoing TEXT NOT NULL,
    incoming TEXT NOT NULL,
    areas TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX handovers_outgoing ON handovers (outgoing, id);
CREATE INDEX handovers_incoming ON handovers (incoming, id);

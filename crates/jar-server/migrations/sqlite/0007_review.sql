-- Issue 16 §2 and §4: the family's questions, the review track (post-mortem, inquest,
-- criminal proceedings, the CDRM and feedback to the family) and the professionals involved
-- with their agency reports. Records are JSON; `agency` beside a question decides who reads it.
CREATE TABLE family_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL,
    agency TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX family_questions_case ON family_questions (case_id, id);
CREATE TABLE review_tracks (
    case_id BIGINT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE involvements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX involvements_case ON involvements (case_id, id);

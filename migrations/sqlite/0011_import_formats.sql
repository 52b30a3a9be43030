-- Import of OFX/QFX and QIF files and bank ids for duplicates (issue 14, docs/import.md). Same
-- change as migrations/postgres/0011_import_formats.sql; conventions in 0001_init.sql.

-- The bank's own id of an imported spend (OFX: ACCTID:FITID, or the FITID alone; CSV: the
-- mapping's `id` column). A row whose id is already there is a duplicate; deleted spends keep
-- theirs, so the same file imported again does not bring a deleted spend back.
ALTER TABLE transactions ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX uq_transactions_user_external_id ON transactions (user_id, external_id)
    WHERE external_id IS NOT NULL;

-- imports.format gains 'ofx' and 'qif'. SQLite cannot change a CHECK constraint: the table is
-- rebuilt (nothing references it).
CREATE TABLE imports_new (
    id            TEXT    NOT NULL PRIMARY KEY CHECK (typeof(id) = 'text' AND length(id) = 36),
    user_id       TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    format        TEXT    NOT NULL CHECK (format IN ('csv', 'ofx', 'qif')),
    file_name     TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'committed')),
    rows          TEXT    NOT NULL CHECK (json_valid(rows) AND json_type(rows) = 'array'),
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    committed_at  BIGINT,
    inserted      INTEGER
);
INSERT INTO imports_new (id, user_id, format, file_name, status, rows, created_at, expires_at,
                         committed_at, inserted)
    SELECT id, user_id, format, file_name, status, rows, created_at, expires_at, committed_at,
           inserted
    FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
CREATE INDEX idx_imports_user_created ON imports (user_id, created_at);
-- the housekeeping purge of expired previews
CREATE INDEX idx_imports_pending_expires ON imports (expires_at) WHERE status = 'pending';

-- Import of OFX/QFX and QIF files and bank ids for duplicates (issue 14, docs/import.md). Same
-- change as migrations/sqlite/0011_import_formats.sql; conventions in 0001_init.sql.

-- The bank's own id of an imported spend (OFX: ACCTID:FITID, or the FITID alone; CSV: the
-- mapping's `id` column). A row whose id is already there is a duplicate; deleted spends keep
-- theirs, so the same file imported again does not bring a deleted spend back.
ALTER TABLE transactions ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX uq_transactions_user_external_id ON transactions (user_id, external_id)
    WHERE external_id IS NOT NULL;

-- imports.format gains 'ofx' and 'qif'.
ALTER TABLE imports DROP CONSTRAINT imports_format_check;
ALTER TABLE imports ADD CONSTRAINT imports_format_check CHECK (format IN ('csv', 'ofx', 'qif'));
-- the housekeeping purge of expired previews
CREATE INDEX idx_imports_pending_expires ON imports (expires_at) WHERE status = 'pending';

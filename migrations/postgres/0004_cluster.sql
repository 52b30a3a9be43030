-- Coordination of several `mita serve` instances on one database. Same change as
-- migrations/sqlite/0004_cluster.sql.

-- Shared rate limits (GCRA): the theoretical arrival time of the next request per bucket key
-- (`<group>:<client address>`), epoch milliseconds.
CREATE TABLE rate_limit_buckets (
    bucket  TEXT    NOT NULL PRIMARY KEY,
    tat     BIGINT  NOT NULL
);

-- Jobs that must run once per cluster take a lease: the holder runs the job while the lease
-- has not expired; another instance takes it over once it has.
CREATE TABLE cluster_leases (
    name        TEXT    NOT NULL PRIMARY KEY,
    holder      TEXT    NOT NULL,
    expires_at  BIGINT  NOT NULL
);

-- Instances check that they share the receipt image directory: each writes a marker file there
-- and records it here; the others look for the file.
CREATE TABLE instance_markers (
    instance    TEXT    NOT NULL PRIMARY KEY,
    marker      TEXT    NOT NULL,
    seen_at     BIGINT  NOT NULL
);

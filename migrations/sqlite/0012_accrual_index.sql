-- A covering index for the plan's accrual (issue 16, docs/performance.md). Same change as
-- migrations/postgres/0012_accrual_index.sql; conventions in 0001_init.sql.
--
-- Every spend re-sums its (user, day, plan category) from `transactions`
-- (src/budget/store.rs, `accrue`). With (user_id, local_date) alone each of the day's spends
-- was a table lookup for its category and amount; this index answers the sum by itself
-- (`deleted_at` is in it so that SQLite sees it as covering), and it serves every query the
-- old index served (same leading columns, same condition), so it replaces it.
CREATE INDEX idx_transactions_user_local_date_spend
    ON transactions (user_id, local_date, category, amount_cents, id, deleted_at)
    WHERE deleted_at IS NULL;
DROP INDEX idx_transactions_user_local_date;

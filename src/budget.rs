//! The budget engine (BUDGET.md): one category vocabulary, income → monthly allocation → daily
//! plan, accrual of spends and realtime redistribution of overspend. All arithmetic is in
//! integer cents; the pure functions here are property-tested against the invariants.

pub mod adapt;
pub mod advice;
pub mod allocation;
pub mod automation;
pub mod category;
pub mod days;
pub mod redistribute;
pub mod status;
pub mod store;
pub mod views;

pub use category::{Kind, PlanCategory, TxCategory};

/// Splits `total` into `parts` amounts that differ by at most one cent and sum to `total`
/// exactly; the extra cents go to the first parts.
pub fn split_even(total: i64, parts: usize) -> Vec<i64> {
    if parts == 0 {
        return Vec::new();
    }
    let n = i64::try_from(parts).unwrap_or(i64::MAX);
    let base = total.div_euclid(n);
    let extra = usize::try_from(total.rem_euclid(n)).unwrap_or(0);
    (0..parts).map(|i| base + i64::from(i < extra)).collect()
}

/// Splits `total` in proportion to `weights` with the largest-remainder method: the parts sum to
/// `total` exactly and each part is within one cent of its exact share (ties go to the earlier
/// weight). All weights zero → everything stays unassigned (all parts 0).
pub fn split_proportional(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    if sum == 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let total = i128::from(total);
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = total * i128::from((*w).max(0));
        parts.push(i64::try_from(exact / sum).unwrap_or(i64::MAX));
        remainders.push((exact % sum, i));
    }
    let assigned: i128 = parts.iter().map(|p| i128::from(*p)).sum();
    let mut left = total - assigned;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (rem, i) in remainders {
        if left <= 0 || rem == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_splits_give_the_extra_cents_to_the_first_parts() {
        assert_eq!(split_even(100, 3), vec![34, 33, 33]);
        assert_eq!(split_even(2, 3), vec![1, 1, 0]);
        assert_eq!(split_even(0, 2), vec![0, 0]);
    }

    #[test]
    fn proportional_splits_add_up_exactly() {
        let parts = split_proportional(1000, &[1, 1, 1]);
        assert_eq!(parts.iter().sum::<i64>(), 1000);
        assert_eq!(parts, vec![334, 333, 333]);
        assert_eq!(split_proportional(10, &[0, 0]), vec![0, 0]);
        assert_eq!(split_proportional(7, &[3, 0, 1]), vec![5, 0, 2]);
    }
}

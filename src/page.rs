//! Pagination rules of API.md: `limit` defaults to 50 and is capped per list (1000 for
//! transactions, 100 elsewhere); out of range is 422 `VALIDATION_2003`, never silently clamped.

use crate::error::{Code, Error, Result};

/// The page size of a list: `given` or `default`, which must lie in `1..=max`.
pub fn limit(given: Option<i64>, default: i64, max: i64) -> Result<i64> {
    let limit = given.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(Error::invalid(
            Code::Validation2003,
            "query.limit",
            "range",
            format!("must be between 1 and {max}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_and_refuse_out_of_range() {
        assert_eq!(limit(None, 50, 100).unwrap(), 50);
        assert_eq!(limit(Some(100), 50, 100).unwrap(), 100);
        assert!(limit(Some(0), 50, 100).is_err());
        assert!(limit(Some(101), 50, 100).is_err());
    }
}

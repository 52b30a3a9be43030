//! The API error codes (API.md §1): one variant per code, named after its wire string
//! (`Auth1001` is `AUTH_1001`). docs/error-codes.md lists them for clients; a test keeps the
//! two in step.

use std::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $wire:literal,)*) => {
        /// An API error code: what the client reads in `error.code`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $name,)*
        }

        impl Code {
            /// Every code, in the order of docs/error-codes.md.
            pub const ALL: &[Code] = &[$(Code::$name,)*];

            /// The wire string, e.g. `VALIDATION_2006`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $wire,)*
                }
            }
        }
    };
}

codes! {
    /// Wrong email or password (sign-in, or the current password of a change).
    Auth1001 = "AUTH_1001",
    /// The token has expired.
    Auth1002 = "AUTH_1002",
    /// The token is invalid or of the wrong type; also a used, expired or unknown emailed link.
    Auth1003 = "AUTH_1003",
    /// No token where one is required (access or refresh token).
    Auth1004 = "AUTH_1004",
    /// The token has been revoked.
    Auth1005 = "AUTH_1005",
    /// The refresh token is invalid, used or revoked.
    Auth1006 = "AUTH_1006",
    /// Authenticated but not allowed (e.g. admin routes).
    Auth1007 = "AUTH_1007",
    /// The account is locked after repeated failed sign-ins (`details.locked_until`).
    Auth1008 = "AUTH_1008",
    /// An account with an unverified address may not do this (`auth.unverified_blocked`).
    Auth1009 = "AUTH_1009",
    /// The two-factor sign-in challenge is invalid or expired: sign in again.
    Auth1010 = "AUTH_1010",
    /// Google sign-in failed (the ID token was refused or names another account).
    Auth1011 = "AUTH_1011",
    /// The two-factor code (or recovery code) is wrong.
    Auth1012 = "AUTH_1012",
    /// A session-only route called with a personal access token.
    Auth1013 = "AUTH_1013",
    /// A write called with a personal access token of the `read` scope.
    Auth1014 = "AUTH_1014",
    /// A field is missing, too long or not one of the allowed values (the general input rule).
    Validation2001 = "VALIDATION_2001",
    /// The request itself is unusable: bad query string, method, content type, body size or
    /// multipart form, or a state change that is not allowed.
    Validation2002 = "VALIDATION_2002",
    /// A number, month, page or count is out of range or not a number.
    Validation2003 = "VALIDATION_2003",
    /// An invalid email address (or a different one where the current one is expected).
    Validation2004 = "VALIDATION_2004",
    /// The password is too weak.
    Validation2005 = "VALIDATION_2005",
    /// An invalid amount of money (missing, not a number, too many decimals, out of range).
    Validation2006 = "VALIDATION_2006",
    /// An invalid date or time, or one out of the allowed range.
    Validation2007 = "VALIDATION_2007",
    /// Not one of the transaction (or budget) categories.
    Validation2009 = "VALIDATION_2009",
    /// The body is not well-formed JSON.
    Validation2010 = "VALIDATION_2010",
    /// A malformed id (not a UUID).
    Validation2011 = "VALIDATION_2011",
    /// An import file that is too large or cannot be read.
    Validation2012 = "VALIDATION_2012",
    /// The app store refused the purchase receipt.
    Validation2020 = "VALIDATION_2020",
    /// No such object, or it belongs to someone else.
    Resource3001 = "RESOURCE_3001",
    /// A duplicate (e.g. email taken) or a conflict with the object's current state.
    Resource3002 = "RESOURCE_3002",
    /// A request with this Idempotency-Key is still in progress.
    Resource3003 = "RESOURCE_3003",
    /// The store purchase is already linked to another account.
    Resource4009 = "RESOURCE_4009",
    /// The fixed expenses are larger than the income.
    Business4001 = "BUSINESS_4001",
    /// No receipt could be read from the image.
    Business4002 = "BUSINESS_4002",
    /// The user's receipt image storage is full.
    Business4003 = "BUSINESS_4003",
    /// Too many personal access tokens: revoke one first.
    Business4010 = "BUSINESS_4010",
    /// Too many categorisation rules: delete one first.
    Business4011 = "BUSINESS_4011",
    /// Too many recurring transactions.
    Business4012 = "BUSINESS_4012",
    /// An external provider (Google, OCR, LLM) is unavailable or its circuit is open.
    External6001 = "EXTERNAL_6001",
    /// Too many requests: try again after `Retry-After`.
    RateLimit7001 = "RATE_LIMIT_7001",
    /// An unexpected server error (the answer says nothing more).
    System8001 = "SYSTEM_8001",
    /// The service (usually the database) is unavailable or overloaded, or the request timed out.
    System8003 = "SYSTEM_8003",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::BTreeSet;

    #[test]
    fn every_code_is_unique_and_area_nnnn() {
        let mut seen = BTreeSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} appears twice");
            let (area, number) = s.rsplit_once('_').unwrap();
            assert!(
                !area.is_empty()
                    && area.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
                    && !area.starts_with('_')
                    && number.len() == 4
                    && number.bytes().all(|b| b.is_ascii_digit()),
                "{s} is not AREA_NNNN"
            );
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(s));
            assert_eq!(code.to_string(), s);
        }
    }

    /// docs/error-codes.md lists every code (a row starting with `` | `CODE` ``) and no other.
    #[test]
    fn docs_list_exactly_the_codes() {
        let docs = include_str!("../../docs/error-codes.md");
        let listed: Vec<&str> = docs
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(c, _)| c))
            .collect();
        let listed_set: BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(listed.len(), listed_set.len(), "a code is listed twice");
        let ours: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let undocumented: Vec<_> = ours.difference(&listed_set).collect();
        let unknown: Vec<_> = listed_set.difference(&ours).collect();
        assert!(
            undocumented.is_empty() && unknown.is_empty(),
            "docs/error-codes.md is out of step with error::Code: undocumented {undocumented:?}, \
             not a code {unknown:?}"
        );
    }
}

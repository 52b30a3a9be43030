//! Invite codes (docs/referral.md): each user has one code to share, made on first request and
//! kept (`users.referral_code`). Eight characters of Crockford's base32 — digits and capital
//! letters without I, L, O and U, so a code read aloud or typed is not mistaken — unique across
//! users (a unique index; a clash, about one in 10¹² per existing code, draws again).
//!
//! Rewards for invitations are not part of this: the reference server answers 501 for them too.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::{on_db, on_write};

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code (32⁸ ≈ 1.1 × 10¹² codes).
pub const LEN: usize = 8;

/// Draws before giving up on finding a free code (each clash is about one in 10¹² per user).
const ATTEMPTS: usize = 8;

/// A random code.
pub fn random_code() -> String {
    let raw: [u8; LEN] = rand::random();
    raw.iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect()
}

/// Whether `code` has the form of an invite code.
pub fn is_code(code: &str) -> bool {
    code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b))
}

/// The user's code, made now if they have none.
pub async fn code(db: &Db, user: Id) -> Result<String> {
    code_with(db, user, random_code).await
}

/// [`code`] with the draws of `draw` (tests pass clashing codes).
pub async fn code_with(db: &Db, user: Id, mut draw: impl FnMut() -> String) -> Result<String> {
    for _ in 0..ATTEMPTS {
        if let Some(code) = stored(db, user).await? {
            return Ok(code);
        }
        let candidate = draw();
        // Only a user without a code gets one: two first requests at once keep one code (the
        // loser's update changes nothing and it reads the winner's).
        let set = on_write!(db, pool => sqlx::query(
            "UPDATE users SET referral_code = $2 WHERE id = $1 AND referral_code IS NULL")
            .bind(user).bind(&candidate).execute(pool).await.map(|done| done.rows_affected()));
        match set {
            Ok(1) => return Ok(candidate),
            Ok(_) => {}
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Unavailable {
        reason: "no free invite code found: try again".into(),
        retry_after_secs: 1,
    })
}

/// The user's stored code; a user that no longer exists is 404.
async fn stored(db: &Db, user: Id) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT referral_code FROM users WHERE id = $1")
        .bind(user).fetch_optional(pool).await)?;
    row.map(|(code,)| code).ok_or(Error::NotFound("user"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_codes_are_eight_characters_of_the_alphabet_and_differ() {
        let codes: std::collections::HashSet<String> = (0..1000).map(|_| random_code()).collect();
        assert_eq!(codes.len(), 1000, "1000 draws, no repeat");
        for c in &codes {
            assert!(is_code(c), "{c}");
            assert!(!c.contains(['I', 'L', 'O', 'U']), "{c}");
        }
        // Every character of the alphabet is drawn (32 of them over 8000 characters).
        let seen: std::collections::HashSet<char> = codes.iter().flat_map(|c| c.chars()).collect();
        assert_eq!(seen.len(), 32);
    }

    #[test]
    fn only_the_alphabet_at_the_right_length_is_a_code() {
        assert!(is_code("7K3M9XQ2"));
        for bad in [
            "7K3M9XQ",
            "7K3M9XQ2A",
            "7k3m9xq2",
            "7K3M9XQI",
            "7K3M9XO2",
            "7K3M 9XQ",
        ] {
            assert!(!is_code(bad), "{bad}");
        }
    }
}

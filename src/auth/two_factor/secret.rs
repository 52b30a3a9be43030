//! The cryptography of two-factor sign-in: TOTP secrets sealed with AES-256-GCM under
//! `auth.totp_key` (the user id as associated data, so a sealed secret cannot be moved to
//! another account), RFC 6238 codes through `totp-rs`, and recovery codes.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

use crate::config::{AuthSettings, parse_totp_key};
use crate::error::{Error, Result};
use crate::id::Id;

/// Seconds per time step (RFC 6238's recommended 30).
pub const PERIOD_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// Steps accepted either side of the current one (clock drift): RFC 6238 §5.2 recommends 1.
pub const SKEW_STEPS: u16 = 1;
/// Bytes of a new shared secret (160 bits, RFC 4226 §4).
const SECRET_BYTES: usize = 20;
/// Recovery codes per enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Prefix of the sealed form, so the format can change later.
const SEALED_PREFIX: &str = "v1:";

/// Seals and opens TOTP secrets.
pub struct SecretBox {
    key: LessSafeKey,
}

impl SecretBox {
    /// The box of `auth.totp_key`, or `None` when no key is configured.
    pub fn from_settings(settings: &AuthSettings) -> Result<Option<SecretBox>> {
        let Some(raw) = &settings.totp_key else {
            return Ok(None);
        };
        let bytes = parse_totp_key(raw.expose())?;
        let key = UnboundKey::new(&AES_256_GCM, &bytes)
            .map_err(|_| Error::Config("auth.totp_key is not a usable AES-256 key".into()))?;
        Ok(Some(SecretBox {
            key: LessSafeKey::new(key),
        }))
    }

    /// `v1:` + base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, user: Id, secret: &[u8]) -> Result<String> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let mut in_out = secret.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(user.to_string().as_bytes()),
                &mut in_out,
            )
            .map_err(|_| Error::Internal("cannot seal a TOTP secret".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&in_out);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD_NO_PAD.encode(out)))
    }

    /// The secret of a sealed value; fails when the key or the user is not the one it was
    /// sealed with.
    pub fn open(&self, user: Id, sealed: &str) -> Result<Vec<u8>> {
        let unusable = || {
            Error::Internal(
                "a stored TOTP secret cannot be opened (was auth.totp_key changed?)".into(),
            )
        };
        let raw = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b| STANDARD_NO_PAD.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(unusable)?;
        let (nonce, body) = raw.split_at(NONCE_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| unusable())?;
        let mut in_out = body.to_vec();
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(user.to_string().as_bytes()),
                &mut in_out,
            )
            .map_err(|_| unusable())?;
        Ok(plain.to_vec())
    }
}

/// A fresh random shared secret.
pub fn new_secret() -> Vec<u8> {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    bytes.to_vec()
}

/// The RFC 6238 generator of a secret (SHA-1, 6 digits, 30 s, ±1 step: what every
/// authenticator app understands).
pub fn totp(secret: Vec<u8>, issuer: &str, account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(PERIOD_SECS)
        .with_skew(SKEW_STEPS)
        .with_secret(secret)
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|e| Error::Internal(format!("totp: {e}")))
}

/// The time step a code matches at `now_ms` (within the skew), if any.
pub fn matching_step(totp: &Totp, code: &str, now_ms: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = u64::try_from(now_ms / 1000).ok()?;
    totp.check(&code, now).and_then(|s| i64::try_from(s).ok())
}

/// Ten new recovery codes, `xxxx-xxxx-xxxx-xxxx` (80 random bits each, base32 lower case).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes: [u8; 16] = rand::random();
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed: case, spaces and dashes do not matter.
pub fn normalize_recovery_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The stored form of a recovery code: SHA-256 of the user id and the normalised code (the
/// code has 80 random bits, so a fast hash is enough; the user id keeps equal codes of two
/// users apart).
pub fn recovery_code_hash(user: Id, code: &str) -> String {
    let digest = Sha256::digest(format!("{user}:{}", normalize_recovery_code(code)).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn sealer() -> SecretBox {
        let settings = AuthSettings {
            totp_key: Some(Secret::new("11".repeat(32))),
            ..Default::default()
        };
        SecretBox::from_settings(&settings).unwrap().unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_user() {
        let (a, b) = (Id::new(), Id::new());
        let sealed = sealer().seal(a, b"0123456789abcdefghij").unwrap();
        assert!(!sealed.contains("0123456789"));
        assert_eq!(sealer().open(a, &sealed).unwrap(), b"0123456789abcdefghij");
        assert!(sealer().open(b, &sealed).is_err(), "bound to the user");
        let other = AuthSettings {
            totp_key: Some(Secret::new("22".repeat(32))),
            ..Default::default()
        };
        let other = SecretBox::from_settings(&other).unwrap().unwrap();
        assert!(other.open(a, &sealed).is_err(), "bound to the key");
    }

    #[test]
    fn rfc_6238_sha1_vectors_match() {
        // RFC 6238 appendix B (8 digits there; the last 6 digits here).
        let t = totp(b"12345678901234567890".to_vec(), "MITA", "a@x.io").unwrap();
        for (secs, code) in [
            (59_i64, "287082"),
            (1_111_111_109, "081804"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(
                matching_step(&t, code, secs * 1000),
                Some(secs / 30),
                "{secs}"
            );
        }
        assert_eq!(matching_step(&t, "28708", 59_000), None, "too short");
        assert_eq!(matching_step(&t, "abcdef", 59_000), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalised_when_hashed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        let user = Id::new();
        let c = &codes[0];
        assert_eq!(c.len(), 19);
        assert_eq!(
            recovery_code_hash(user, c),
            recovery_code_hash(user, &c.to_uppercase().replace('-', " "))
        );
        assert_ne!(
            recovery_code_hash(user, c),
            recovery_code_hash(Id::new(), c)
        );
    }
}

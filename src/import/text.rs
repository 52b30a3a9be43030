//! Bytes to text (docs/import.md "Encoding"): a byte-order mark wins (UTF-8, UTF-16 LE/BE);
//! else the encoding the caller names (an WHATWG label: `utf-8`, `windows-1252`, `latin1`,
//! `utf-16le`...); else UTF-16 without a mark when every other byte of the start is zero; else
//! UTF-8 when the bytes are valid UTF-8; else Windows-1252 (a superset of Latin-1's printable
//! characters, what older banking software writes).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::{file_error, mapping_error};
use crate::error::Result;

/// The text of a file and the name of the encoding it was read with.
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// The 1-based line of the byte offset `at` in `bytes` (counting `\n`).
fn line_at(text: &str) -> u64 {
    1 + text.bytes().filter(|b| *b == b'\n').count() as u64
}

/// UTF-16 without a byte-order mark: text that is mostly ASCII has a zero in every other
/// byte. Looks at the first 4 KiB.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zero_even = head.iter().step_by(2).filter(|b| **b == 0).count();
    let zero_odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if zero_even == 0 && zero_odd * 10 >= pairs * 3 {
        Some(UTF_16LE)
    } else if zero_odd == 0 && zero_even * 10 >= pairs * 3 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes `bytes` (see the module documentation). `label` is the mapping's `encoding`.
pub fn decode<'a>(bytes: &'a [u8], label: Option<&str>) -> Result<Decoded<'a>> {
    let named = match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => Some(Encoding::for_label(l.as_bytes()).ok_or_else(|| {
            mapping_error(
                "body.mapping.encoding",
                format!("unknown encoding {l:?} (e.g. utf-8, utf-16le, windows-1252, latin1)"),
            )
        })?),
        None => None,
    };
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, &bytes[len..]),
        None => match named {
            Some(enc) => (enc, bytes),
            None => match sniff_utf16(bytes) {
                Some(enc) => (enc, bytes),
                None if std::str::from_utf8(bytes).is_ok() => (UTF_8, bytes),
                None => (WINDOWS_1252, bytes),
            },
        },
    };
    if encoding == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(Decoded {
                text: Cow::Borrowed(text),
                encoding: UTF_8.name(),
            }),
            Err(e) => {
                let valid = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("");
                Err(file_error(line_at(valid), "not UTF-8 text"))
            }
        };
    }
    match encoding.decode_without_bom_handling_and_without_replacement(body) {
        Some(text) => Ok(Decoded {
            text,
            encoding: encoding.name(),
        }),
        None => {
            let (lossy, _) = encoding.decode_without_bom_handling(body);
            let at = lossy.find('\u{FFFD}').unwrap_or(lossy.len());
            Err(file_error(
                line_at(&lossy[..at]),
                format!("not {} text", encoding.name()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_labels_and_the_latin1_fallback() {
        let d = decode(b"\xEF\xBB\xBFcaf\xC3\xA9", None).ok().unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("café", "UTF-8"));
        let d = decode(b"caf\xE9", None).ok().unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("café", "windows-1252"));
        let d = decode(b"\xFF\xFEc\0a\0f\0\xE9\0", None).ok().unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("café", "UTF-16LE"));
        let d = decode(b"\xFE\xFF\0c\0a\0f\0\xE9", None).ok().unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("café", "UTF-16BE"));
        let d = decode(b"d\0a\0t\0e\0\n\0", None).ok().unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("date\n", "UTF-16LE"));
        let d = decode(b"caf\xE9", Some("latin1")).ok().unwrap();
        assert_eq!(d.text, "café");
        assert!(decode(b"a\nb\n\xFF", Some("utf-8")).is_err());
        assert!(decode(b"a", Some("klingon")).is_err());
    }
}

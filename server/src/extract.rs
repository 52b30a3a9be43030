//! Extractors whose rejections use our error envelope.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use mita::error::FieldError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `axum::Json`, but malformed JSON → 400 `VALIDATION_2010`, a missing or wrong content type
/// → 415, a body over the limit → 413, and a well-formed body of the wrong shape → 422 naming the
/// field — always in our envelope, never echoing the input.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "VALIDATION_2002",
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::for_status(rejection.status()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Parses a JSON body into `T` with our error rules.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = match parsed {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            return Err(json_error(&path, &inner));
        }
    };
    de.end().map_err(|e| json_error("", &e))?;
    Ok(value)
}

fn json_error(path: &str, e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            StatusCode::BAD_REQUEST,
            "VALIDATION_2010",
            format!("Malformed JSON at line {} column {}", e.line(), e.column()),
        ),
        Category::Data => {
            let field = if path.is_empty() || path == "." {
                "body".to_string()
            } else {
                format!("body.{path}")
            };
            let (kind, message) = describe(&e.to_string());
            ApiError::validation(
                vec![FieldError::new(field, kind, message)],
                "VALIDATION_2001",
            )
        }
    }
}

/// Turns a serde message into one that never contains the submitted value.
fn describe(raw: &str) -> (&'static str, String) {
    // serde_json appends " at line L column C"; drop it.
    let msg = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => raw,
    };
    let expected = msg
        .find(", expected ")
        .map(|i| &msg[i + ", expected ".len()..]);
    if let Some(field) = msg.strip_prefix("missing field ") {
        let _ = field;
        return ("missing", "field required".to_string());
    }
    if msg.starts_with("invalid type") {
        return (
            "type",
            format!("must be {}", expected.unwrap_or("of another type")),
        );
    }
    if msg.starts_with("invalid value") || msg.starts_with("invalid length") {
        return (
            "value",
            format!("must be {}", expected.unwrap_or("a valid value")),
        );
    }
    if msg.starts_with("unknown variant") {
        return (
            "enum",
            format!(
                "must be {}",
                expected.unwrap_or("one of the allowed values")
            ),
        );
    }
    if msg.starts_with("unknown field") {
        return ("unknown_field", "is not an accepted field".to_string());
    }
    if msg.starts_with("duplicate field") {
        return ("duplicate", "is given more than once".to_string());
    }
    // Messages produced by our own Deserialize impls are written to be safe to show.
    if let Some(own) = msg.strip_prefix("mita: ") {
        return ("value", own.to_string());
    }
    ("value", "is invalid".to_string())
}

/// The client's address as the server sees it: the TCP peer, or the right-most untrusted
/// `X-Forwarded-For` hop when the peer is a configured trusted proxy.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientIp>()
            .copied()
            .unwrap_or(ClientIp(std::net::IpAddr::from([127, 0, 0, 1]))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_contain_the_submitted_value() {
        for raw in [
            "invalid type: string \"sekrit\", expected u32 at line 1 column 10",
            "invalid value: integer `-5`, expected u8",
            "unknown variant `sekrit`, expected one of `a`, `b`",
            "something odd with sekrit",
        ] {
            let (_, m) = describe(raw);
            assert!(!m.contains("sekrit") && !m.contains("-5"), "{m}");
        }
        assert_eq!(
            describe("invalid type: string \"x\", expected u32").1,
            "must be u32"
        );
    }
}

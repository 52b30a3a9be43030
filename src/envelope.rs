//! The JSON text of the API's success envelope (API.md §1). It lives in the core because an
//! idempotent write stores the exact answer it gave, to replay it byte for byte.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// `{"success": true, "message", "data", "timestamp", "request_id", "meta"?}` as JSON text.
pub fn success_json<T: Serialize>(
    message: &str,
    data: &T,
    meta: Option<&Value>,
    request_id: &str,
    timestamp: &str,
) -> Result<String> {
    #[derive(Serialize)]
    struct Body<'a, T> {
        success: bool,
        message: &'a str,
        data: &'a T,
        timestamp: &'a str,
        request_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        meta: Option<&'a Value>,
    }
    serde_json::to_string(&Body {
        success: true,
        message,
        data,
        timestamp,
        request_id,
        meta,
    })
    .map_err(|e| Error::Internal(format!("envelope: {e}")))
}

/// The success envelope around `data_json`, JSON text the caller vouches for (built by the
/// database or another serializer), without parsing it again.
pub fn success_json_raw(
    message: &str,
    data_json: &str,
    request_id: &str,
    timestamp: &str,
) -> Result<String> {
    let text =
        |s: &str| serde_json::to_string(s).map_err(|e| Error::Internal(format!("envelope: {e}")));
    let (message, request_id, timestamp) = (text(message)?, text(request_id)?, text(timestamp)?);
    Ok(format!(
        "{{\"success\":true,\"message\":{message},\"data\":{data_json},\"timestamp\":{timestamp},\"request_id\":{request_id}}}"
    ))
}

/// Now as RFC 3339 UTC with a single `Z` (second precision), the envelope's timestamp.
pub fn timestamp_of(ms: i64) -> String {
    crate::clock::ms_to_datetime(ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

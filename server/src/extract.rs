//! Extractors whose rejections use our error envelope.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use mita::error::{Code, FieldError};
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
                Code::Validation2002,
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::for_status(rejection.status()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub fn is_json(headers: &axum::http::HeaderMap) -> bool {
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
            Code::Validation2010,
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
                Code::Validation2001,
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

/// The client address given the TCP peer and the `X-Forwarded-For` header lines in order (a
/// proxy may append a line of its own rather than extend the client's): the header is believed
/// only when the peer is a trusted proxy, and then its right-most untrusted hop is the client.
/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) count as the IPv4 address they carry.
pub fn client_ip(
    peer: std::net::IpAddr,
    forwarded_for: &[&str],
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<std::net::IpAddr> = forwarded_for
        .iter()
        .flat_map(|line| line.split(','))
        .filter_map(|h| h.trim().parse::<std::net::IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

/// The authenticated caller (`Authorization: Bearer <access token>`), checked completely.
pub struct Authed(pub mita::auth::AuthUser);

/// The raw bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<crate::state::AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = bearer(parts) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                Code::Auth1004,
                "Authentication required",
            ));
        };
        let user = state.auth.authenticate(token).await?;
        if let Some(grant) = user.pat {
            pat_allowed(grant, &parts.method, parts.uri.path())?;
        }
        state
            .metrics
            .note_active_user(user.id.0.as_u128(), state.clock.now_ms());
        if !user.email_verified
            && let Some(blocked) = mita::auth::email_links::unverified_block(
                &state.settings.auth.unverified_blocked,
                parts.method.as_str(),
                parts.uri.path(),
            )
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                Code::Auth1009,
                "Verify your email address first (POST /api/auth/resend-verification sends a new link)",
            )
            .with_details(serde_json::json!({ "blocked": blocked })));
        }
        Ok(Authed(user))
    }
}

/// Paths a personal access token never opens (docs/tokens.md): signing in and out, sessions,
/// passwords, two-factor, the tokens themselves, the address, the data export and the admin
/// routes need a real session.
const SESSION_ONLY: &[&str] = &[
    "/api/auth/",
    "/api/tokens",
    "/api/admin/",
    "/api/users/me/email",
    "/api/users/me/export",
];

/// Whether a request made with a personal access token may go on: 403 `AUTH_1013` on a
/// session-only route, 403 `AUTH_1014` for a write (any method but GET/HEAD/OPTIONS) with a
/// `read` token.
pub fn pat_allowed(
    grant: mita::auth::pat::PatGrant,
    method: &axum::http::Method,
    path: &str,
) -> Result<(), ApiError> {
    let path = path.trim_end_matches('/');
    if SESSION_ONLY
        .iter()
        .any(|p| path.starts_with(p) || p.trim_end_matches('/') == path)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Code::Auth1013,
            "This route needs a signed-in session; personal access tokens are not accepted here",
        ));
    }
    let reads = matches!(
        *method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if !reads && grant.scope == mita::auth::pat::Scope::Read {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Code::Auth1014,
            "This token has the read scope; writes need a token with the write scope",
        ));
    }
    Ok(())
}

/// The caller of a public route, when a valid access token came with the request; a missing,
/// stale or invalid token is no error here (the app sends whatever token it holds).
pub struct MaybeAuthed(pub Option<mita::auth::AuthUser>);

impl FromRequestParts<crate::state::AppState> for MaybeAuthed {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = match bearer(parts) {
            Some(token) => state.auth.authenticate(token).await.ok().filter(|u| {
                u.pat
                    .is_none_or(|g| pat_allowed(g, &parts.method, parts.uri.path()).is_ok())
            }),
            None => None,
        };
        Ok(MaybeAuthed(user))
    }
}

/// An authenticated caller with role `admin` (403 otherwise).
pub struct Admin(pub mita::auth::AuthUser);

impl FromRequestParts<crate::state::AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let Authed(user) = Authed::from_request_parts(parts, state).await?;
        if !user.is_admin() {
            return Err(mita::Error::Forbidden.into());
        }
        Ok(Admin(user))
    }
}

/// Who is asking, for audit events: client IP, user agent, request id.
pub struct Meta(pub mita::auth::RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect());
        let request_id = Some(crate::envelope::current_request_id()).filter(|s| !s.is_empty());
        Ok(Meta(mita::auth::RequestMeta {
            client_ip: Some(ip.to_string()),
            user_agent,
            request_id,
            actor: "api".into(),
        }))
    }
}

/// A body that may come as JSON or, for the routes where the old app sent them so, as query
/// parameters: JSON when the request has a JSON body, the query string otherwise.
pub struct JsonOrQuery<T>(pub T);

impl<S, T> FromRequest<S> for JsonOrQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_json = is_json(req.headers());
        let query = req.uri().query().unwrap_or_default().to_string();
        if has_json {
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|r| ApiError::for_status(r.status()))?;
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                return parse_json(&bytes).map(JsonOrQuery);
            }
        }
        parse_query(&query).map(JsonOrQuery)
    }
}

/// Parses a query string into `T`; problems are 422 naming the parameter, never echoing values.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." {
            "query".to_string()
        } else {
            format!("query.{path}")
        };
        let (kind, message) = describe(&e.into_inner().to_string());
        // API.md: a query string that does not parse is a 400 (a well-formed one that breaks a
        // rule, e.g. a month of 13, is the handler's 422).
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Code::Validation2002,
            "Invalid query parameters",
        )
        .with_details(serde_json::json!({
            "validation_errors": [FieldError::new(field, kind, message)]
        }))
    })
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// The JSON body of a write that honours `Idempotency-Key`, and the key fingerprinted with the
/// route and the exact body bytes: a missing or wrong content type → 415, malformed JSON → 400,
/// a key that is not 1–255 printable characters → 400.
pub fn idempotent_json<T: DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
    route: &str,
) -> Result<(T, Option<mita::idempotency::IdempotencyKey>), ApiError> {
    if !is_json(headers) {
        return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    let input = parse_json(body)?;
    let key = match headers.get("idempotency-key") {
        Some(v) => {
            let text = v.to_str().map_err(|_| mita::Error::BadRequest {
                code: Code::Validation2002,
                message: "Idempotency-Key must be printable text".into(),
            })?;
            Some(mita::idempotency::IdempotencyKey::new(text, route, body)?)
        }
        None => None,
    };
    Ok((input, key))
}

/// A path id: malformed → 422 `VALIDATION_2011`.
pub struct PathId(pub mita::id::Id);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| {
                    ApiError::validation(
                        vec![FieldError::new("path.id", "format", "must be a UUID")],
                        Code::Validation2011,
                    )
                })?;
        raw.parse().map(PathId).map_err(|_| {
            ApiError::validation(
                vec![FieldError::new("path.id", "format", "must be a UUID")],
                Code::Validation2011,
            )
        })
    }
}

/// Query parameters with our error envelope.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let peer: std::net::IpAddr = "10.1.2.3".parse().unwrap();
        let outsider: std::net::IpAddr = "198.51.100.9".parse().unwrap();
        assert_eq!(
            client_ip(outsider, &["1.2.3.4"], &trusted),
            outsider,
            "spoofed header ignored"
        );
        assert_eq!(
            client_ip(peer, &["1.2.3.4, 10.0.0.7"], &trusted).to_string(),
            "1.2.3.4"
        );
        assert_eq!(
            client_ip(peer, &["6.6.6.6, 1.2.3.4"], &trusted).to_string(),
            "1.2.3.4",
            "right-most untrusted"
        );
        assert_eq!(client_ip(peer, &[], &trusted), peer);
    }

    #[test]
    fn every_forwarded_line_counts_and_mapped_addresses_are_ipv4() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let peer: std::net::IpAddr = "10.1.2.3".parse().unwrap();
        // HAProxy appends its own line: the client's own first line must not win.
        assert_eq!(
            client_ip(peer, &["6.6.6.6", "1.2.3.4"], &trusted).to_string(),
            "1.2.3.4"
        );
        // A proxy seen as an IPv4-mapped IPv6 peer is still the trusted IPv4 proxy.
        let mapped: std::net::IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(
            client_ip(mapped, &["1.2.3.4"], &trusted).to_string(),
            "1.2.3.4"
        );
        assert_eq!(
            client_ip(peer, &["1.2.3.4, ::ffff:10.0.0.9"], &trusted).to_string(),
            "1.2.3.4",
            "a mapped trusted hop is skipped"
        );
        let outsider: std::net::IpAddr = "::ffff:198.51.100.9".parse().unwrap();
        assert_eq!(
            client_ip(outsider, &[], &trusted).to_string(),
            "198.51.100.9"
        );
    }

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

//! Fakes of the services that live outside this machine, served on loopback and speaking their
//! real protocols, one copy for every crate's tests: Google Vision's `images:annotate` and
//! Google's `tokeninfo`. Tests point the service's configurable base URL at them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Value, json};

/// Serves `app` on a free loopback port for the rest of the test; returns its base URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// How a fake answers its next calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Healthy,
    /// 500 to every call.
    Failing,
    /// Answers after 30 s: longer than any client timeout.
    Slow,
}

/// What a test sees of a running fake: the calls it received, and its mode.
#[derive(Debug, Default)]
pub struct Control {
    calls: AtomicUsize,
    mode: AtomicU8,
}

impl Control {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    /// Counts the call and plays the mode: `Some` is the answer of a failing service.
    async fn enter(&self) -> Option<Response> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        match self.mode.load(Ordering::SeqCst) {
            m if m == Mode::Failing as u8 => {
                Some((StatusCode::INTERNAL_SERVER_ERROR, "backend error").into_response())
            }
            m if m == Mode::Slow as u8 => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                None
            }
            _ => None,
        }
    }
}

/// The API key [`vision`] accepts.
pub const VISION_KEY: &str = "vision-key";

/// Google Vision: `POST {base}/v1/images:annotate?key=VISION_KEY` with one PNG and the
/// `DOCUMENT_TEXT_DETECTION` feature reads `lines`; a wrong key is 403, a malformed request 400.
pub async fn vision(lines: &'static [&'static str]) -> (String, Arc<Control>) {
    async fn annotate(
        State((control, lines)): State<(Arc<Control>, &'static [&'static str])>,
        Query(q): Query<HashMap<String, String>>,
        Json(body): Json<Value>,
    ) -> Response {
        if let Some(failed) = control.enter().await {
            return failed;
        }
        if q.get("key").map(String::as_str) != Some(VISION_KEY) {
            let error = json!({"error": {"code": 403, "message": "API key not valid"}});
            return (StatusCode::FORBIDDEN, Json(error)).into_response();
        }
        let request = &body["requests"][0];
        let image = base64::engine::general_purpose::STANDARD
            .decode(request["image"]["content"].as_str().unwrap_or_default())
            .unwrap_or_default();
        if !image.starts_with(b"\x89PNG")
            || request["features"][0]["type"] != "DOCUMENT_TEXT_DETECTION"
        {
            return StatusCode::BAD_REQUEST.into_response();
        }
        let text = lines.join("\n");
        Json(json!({"responses": [{
            "textAnnotations": [{"locale": "en", "description": text}],
            "fullTextAnnotation": {"text": text},
        }]}))
        .into_response()
    }
    let control = Arc::new(Control::default());
    let app = Router::new()
        .route("/v1/images:annotate", post(annotate))
        .with_state((control.clone(), lines));
    (serve(app).await, control)
}

/// Google's `GET {url}?id_token=...`: 200 with the claims `claims` gives for the token (Google
/// sends them as strings), or 400 `invalid_token` when it gives none. Returns the full URL.
pub async fn google_tokeninfo(claims: fn(&str) -> Option<Value>) -> (String, Arc<Control>) {
    type Claims = fn(&str) -> Option<Value>;
    async fn tokeninfo(
        State((control, claims)): State<(Arc<Control>, Claims)>,
        Query(q): Query<HashMap<String, String>>,
    ) -> Response {
        if let Some(failed) = control.enter().await {
            return failed;
        }
        match q.get("id_token").and_then(|t| claims(t)) {
            Some(c) => Json(c).into_response(),
            None => {
                let error = json!({"error": "invalid_token", "error_description": "Invalid Value"});
                (StatusCode::BAD_REQUEST, Json(error)).into_response()
            }
        }
    }
    let control = Arc::new(Control::default());
    let app = Router::new()
        .route("/tokeninfo", get(tokeninfo))
        .with_state((control.clone(), claims));
    (format!("{}/tokeninfo", serve(app).await), control)
}

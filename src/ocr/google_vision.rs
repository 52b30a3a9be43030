//! Google Cloud Vision as an engine: `POST {base_url}/v1/images:annotate?key=...` with the image
//! inline (base64) and `DOCUMENT_TEXT_DETECTION`; the text is
//! `responses[0].fullTextAnnotation.text` (or `textAnnotations[0].description`).
//!
//! The API key is in the URL: reqwest errors are stripped of their URL before they are logged or
//! stored, and redirects are not followed.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::json;

use super::engine::{EngineError, EngineFuture, OcrEngine};
use crate::config::{GoogleVisionSettings, Secret};
use crate::error::{Error, Result};

/// Google's `Code.INVALID_ARGUMENT`: the image itself was refused.
const INVALID_ARGUMENT: i64 = 3;

/// The Cloud Vision client.
pub struct GoogleVision {
    client: reqwest::Client,
    url: Url,
    api_key: Secret,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    responses: Vec<ImageAnswer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImageAnswer {
    full_text_annotation: Option<FullText>,
    #[serde(default)]
    text_annotations: Vec<TextAnnotation>,
    error: Option<Status>,
}

#[derive(Deserialize)]
struct FullText {
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct TextAnnotation {
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    message: String,
}

impl GoogleVision {
    /// Fails on an unparsable base URL or a missing key.
    pub fn new(settings: &GoogleVisionSettings) -> Result<Self> {
        let base = settings.base_url.trim_end_matches('/');
        let url = Url::parse(&format!("{base}/v1/images:annotate")).map_err(|e| {
            Error::Config(format!(
                "ocr.google_vision.base_url {:?}: {e}",
                settings.base_url
            ))
        })?;
        let api_key = settings
            .api_key
            .clone()
            .ok_or_else(|| Error::Config("ocr.google_vision.api_key is not set".into()))?;
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("google vision http client: {e}")))?;
        Ok(GoogleVision {
            client,
            url,
            api_key,
        })
    }

    async fn read(&self, image: &Path) -> Result<String, EngineError> {
        let bytes = tokio::fs::read(image)
            .await
            .map_err(|e| EngineError::Failed(format!("cannot read the image: {e}")))?;
        // Base64 of up to 10 MB is a few milliseconds of CPU: off the async workers.
        let body = tokio::task::spawn_blocking(move || {
            let content = base64::engine::general_purpose::STANDARD.encode(bytes);
            json!({"requests": [{
                "image": {"content": content},
                "features": [{"type": "DOCUMENT_TEXT_DETECTION"}],
            }]})
        })
        .await
        .map_err(|e| EngineError::Failed(format!("encoding task failed: {e}")))?;
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("key", self.api_key.expose());
        let sent = async {
            let response = self.client.post(url).json(&body).send().await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        }
        .await;
        let (status, bytes) = sent.map_err(|e| {
            if e.is_timeout() {
                EngineError::Timeout
            } else {
                EngineError::Failed(format!("request failed: {}", e.without_url()))
            }
        })?;
        if status != StatusCode::OK {
            return Err(EngineError::Failed(format!(
                "images:annotate answered {}",
                status.as_u16()
            )));
        }
        let answer: Answer = serde_json::from_slice(&bytes)
            .map_err(|e| EngineError::Failed(format!("unreadable answer: {e}")))?;
        let Some(first) = answer.responses.into_iter().next() else {
            return Ok(String::new());
        };
        if let Some(err) = first.error.filter(|s| s.code != 0) {
            let message: String = err.message.chars().take(300).collect();
            return Err(if err.code == INVALID_ARGUMENT {
                EngineError::UnreadableImage(message)
            } else {
                EngineError::Failed(format!("error {}: {message}", err.code))
            });
        }
        Ok(first
            .full_text_annotation
            .map(|f| f.text)
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                first
                    .text_annotations
                    .into_iter()
                    .next()
                    .map(|t| t.description)
            })
            .unwrap_or_default())
    }
}

impl OcrEngine for GoogleVision {
    fn recognize<'a>(&'a self, image: &'a Path, _mime: &'a str) -> EngineFuture<'a> {
        Box::pin(self.read(image))
    }
}

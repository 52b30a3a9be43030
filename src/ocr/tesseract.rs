//! The `tesseract` program as an engine: one process per image (`--psm 6`, a uniform block of
//! text, suits receipts), run with `tokio::process`, killed at the deadline, and capped by a
//! semaphore because each process keeps a core busy (model load alone is ~0.4 s per page).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::engine::{EngineError, EngineFuture, OcrEngine};
use crate::config::OcrSettings;

/// Stderr lines worth keeping in a job's error (tesseract can be chatty).
const MAX_ERROR_CHARS: usize = 300;

/// The local `tesseract` program.
pub struct Tesseract {
    program: PathBuf,
    lang: String,
    timeout: Duration,
    permits: Arc<Semaphore>,
}

impl Tesseract {
    /// From `ocr.tesseract_path`, `ocr.tesseract_lang`, `ocr.timeout_ms`, `ocr.concurrency`.
    pub fn new(settings: &OcrSettings) -> Self {
        Tesseract {
            program: settings.tesseract_path.clone(),
            lang: settings.tesseract_lang.clone(),
            timeout: Duration::from_millis(settings.timeout_ms.max(1)),
            permits: Arc::new(Semaphore::new(settings.concurrency.max(1))),
        }
    }

    async fn read(&self, image: &Path) -> Result<String, EngineError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| EngineError::Unavailable("shutting down".into()))?;
        let child = tokio::process::Command::new(&self.program)
            .arg(image)
            .arg("stdout")
            .args(["--psm", "6", "-l", &self.lang])
            // One thread per process: the cap above is the parallelism.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    EngineError::Unavailable(format!(
                        "cannot run {} (ocr.tesseract_path): {e}",
                        self.program.display()
                    ))
                }
                _ => EngineError::Failed(format!("cannot start tesseract: {e}")),
            })?;
        // Dropping the child on timeout kills the process (kill_on_drop).
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| EngineError::Timeout)?
            .map_err(|e| EngineError::Failed(format!("tesseract did not finish: {e}")))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message: String = stderr.trim().chars().take(MAX_ERROR_CHARS).collect();
        if is_unreadable(&stderr) {
            Err(EngineError::UnreadableImage(message))
        } else {
            Err(EngineError::Failed(format!(
                "tesseract exited with {}: {message}",
                output.status
            )))
        }
    }
}

/// Leptonica's messages for an image it cannot decode (e.g. HEIC, or a corrupt file).
fn is_unreadable(stderr: &str) -> bool {
    [
        "pixRead",
        "cannot be read",
        "Unknown format",
        "Unsupported image",
    ]
    .iter()
    .any(|needle| stderr.contains(needle))
}

impl OcrEngine for Tesseract {
    fn recognize<'a>(&'a self, image: &'a Path, _mime: &'a str) -> EngineFuture<'a> {
        Box::pin(self.read(image))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leptonica_decode_errors_mean_an_unreadable_image() {
        assert!(is_unreadable(
            "Error in pixReadStream: Unknown format: no pix returned\nError in pixRead: pix not read"
        ));
        assert!(is_unreadable("Image file /x.heic cannot be read!"));
        assert!(!is_unreadable("Failed loading language 'eng'"));
    }

    #[tokio::test]
    async fn a_missing_program_is_an_unavailable_engine() {
        let settings = OcrSettings {
            tesseract_path: PathBuf::from("/nonexistent/tesseract"),
            ..OcrSettings::default()
        };
        let engine = Tesseract::new(&settings);
        let err = engine
            .recognize(Path::new("/tmp/none.png"), "image/png")
            .await
            .unwrap_err();
        assert!(matches!(err, EngineError::Unavailable(_)), "{err:?}");
    }
}

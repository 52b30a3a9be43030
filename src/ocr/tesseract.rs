//! The `tesseract` program as an engine: one process per image (`--psm 6`, a uniform block of
//! text, suits receipts), run with `tokio::process`, killed at the deadline, and capped by a
//! semaphore because each process keeps a core busy (model load alone is ~0.4 s per page).
//! With `ocr.tesseract_memory_mb` the process runs under `sh -c 'ulimit -v …; exec tesseract …'`,
//! so an image that decodes into gigabytes kills tesseract, not the server's memory.

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
    /// Address-space cap in KiB (0 = none).
    memory_kib: u64,
}

/// `sh`'s exit status when it cannot execute the program (not found, not executable).
const SH_CANNOT_EXEC: [i32; 2] = [126, 127];

impl Tesseract {
    /// From `ocr.tesseract_path`, `ocr.tesseract_lang`, `ocr.timeout_ms`, `ocr.concurrency`.
    pub fn new(settings: &OcrSettings) -> Self {
        Tesseract {
            program: settings.tesseract_path.clone(),
            lang: settings.tesseract_lang.clone(),
            timeout: Duration::from_millis(settings.timeout_ms.max(1)),
            permits: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            memory_kib: settings.tesseract_memory_mb.saturating_mul(1024),
        }
    }

    async fn read(&self, image: &Path) -> Result<String, EngineError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| EngineError::Unavailable("shutting down".into()))?;
        let mut command = if self.memory_kib > 0 {
            let mut sh = tokio::process::Command::new("sh");
            sh.arg("-c")
                .arg(r#"ulimit -v "$0" && exec "$@""#)
                .arg(self.memory_kib.to_string())
                .arg(&self.program);
            sh
        } else {
            tokio::process::Command::new(&self.program)
        };
        let child = command
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
        if self.memory_kib > 0
            && output
                .status
                .code()
                .is_some_and(|c| SH_CANNOT_EXEC.contains(&c))
        {
            return Err(EngineError::Unavailable(format!(
                "cannot run {} (ocr.tesseract_path): {message}",
                self.program.display()
            )));
        }
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
        for memory in [0, 1024] {
            let settings = OcrSettings {
                tesseract_path: PathBuf::from("/nonexistent/tesseract"),
                tesseract_memory_mb: memory,
                ..OcrSettings::default()
            };
            let engine = Tesseract::new(&settings);
            let err = engine
                .recognize(Path::new("/tmp/none.png"), "image/png")
                .await
                .unwrap_err();
            assert!(
                matches!(err, EngineError::Unavailable(_)),
                "{memory}: {err:?}"
            );
        }
    }

    #[tokio::test]
    async fn tesseract_runs_under_the_memory_cap_and_fails_above_it() {
        if !crate::testing::tesseract_or_skip("tesseract memory cap") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("r.png");
        std::fs::write(
            &image,
            crate::testing::receipt_image::receipt_png(&["SHOP", "TOTAL 1.00"]),
        )
        .unwrap();
        let run = |mb: u64| {
            let engine = Tesseract::new(&OcrSettings {
                tesseract_memory_mb: mb,
                ..OcrSettings::default()
            });
            let image = image.clone();
            async move { engine.read(&image).await }
        };
        let text = run(1024).await.unwrap();
        assert!(text.contains("TOTAL"), "{text}");
        // 16 MiB of address space cannot even load the model: the cap is really applied.
        assert!(run(16).await.is_err());
    }
}

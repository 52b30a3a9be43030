//! `mita doctor`: the checks a support engineer runs first — secrets, database, migrations,
//! tesseract, room for receipts, the external services and the clock — each an `ok`, `warn` or
//! `fail` with a sentence saying what was found. Nothing is changed (the disk probe writes and
//! removes one file).

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::config::{Environment, OcrEngineKind, Settings};
use crate::db::{Backend, Db};

/// How long each network check may take.
const TIMEOUT: Duration = Duration::from_secs(3);
/// Free space under which receipts are a warning, and a failure.
const DISK_WARN: u64 = 1024 * 1024 * 1024;
const DISK_FAIL: u64 = 100 * 1024 * 1024;
/// Clock skew against the database that is a warning, and a failure.
const SKEW_WARN_MS: i64 = 5_000;
const SKEW_FAIL_MS: i64 = 60_000;

/// The verdict of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub status: Status,
    pub detail: String,
}

fn check(check: &'static str, status: Status, detail: impl Into<String>) -> Check {
    Check {
        check,
        status,
        detail: detail.into(),
    }
}

/// Runs every check against `settings` (already loaded and valid).
pub async fn run(settings: &Settings) -> Vec<Check> {
    let production = settings.env == Environment::Production;
    let mut out = vec![check(
        "configuration",
        Status::Ok,
        format!(
            "loaded ({} environment)",
            if production {
                "production"
            } else {
                "development"
            }
        ),
    )];
    out.push(secrets(settings, production));
    out.extend(database(settings).await);
    out.push(tesseract(settings).await);
    out.push(receipts_disk(&settings.ocr_image_dir()).await);
    out.push(smtp(settings, production).await);
    out.push(google(settings).await);
    out.push(llm(settings).await);
    out
}

/// True when no check failed.
pub fn passed(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.status != Status::Fail)
}

fn secrets(settings: &Settings, production: bool) -> Check {
    match settings.check_serving_secret() {
        Err(e) => check("secrets", Status::Fail, e.to_string()),
        Ok(()) if settings.auth.jwt_secret.is_none() && !production => check(
            "secrets",
            Status::Warn,
            "JWT_SECRET is not set: `mita serve` uses a development secret kept in the data directory",
        ),
        Ok(()) => check(
            "secrets",
            Status::Ok,
            "JWT_SECRET set and long enough; production keys present where required",
        ),
    }
}

/// Reachable, migrations current and the clock against the database's.
async fn database(settings: &Settings) -> Vec<Check> {
    let db = match Db::connect(&settings.database).await {
        Ok(db) => db,
        Err(e) => return vec![check("database", Status::Fail, e.to_string())],
    };
    let mut out = Vec::new();
    let reached = tokio::time::timeout(TIMEOUT, db.ping()).await;
    match reached {
        Ok(Ok(())) => out.push(check(
            "database",
            Status::Ok,
            format!("{} answers", db.backend().name()),
        )),
        Ok(Err(e)) => {
            out.push(check("database", Status::Fail, e.to_string()));
            db.close().await;
            return out;
        }
        Err(_) => {
            out.push(check(
                "database",
                Status::Fail,
                format!("no answer within {} s", TIMEOUT.as_secs()),
            ));
            db.close().await;
            return out;
        }
    }
    out.push(match db.migrations_current().await {
        Ok(true) => check("migrations", Status::Ok, "current"),
        Ok(false) => check(
            "migrations",
            Status::Fail,
            "pending migrations: run `mita migrate`",
        ),
        Err(e) => check("migrations", Status::Fail, e.to_string()),
    });
    out.push(clock(&db).await);
    db.close().await;
    out
}

async fn clock(db: &Db) -> Check {
    let local = chrono::Utc::now().timestamp_millis();
    if db.backend() != Backend::Postgres {
        // One machine: the database has no clock of its own to compare with.
        return if chrono::Datelike::year(&chrono::Utc::now()) >= 2026 {
            check("clock", Status::Ok, "system clock plausible")
        } else {
            check("clock", Status::Fail, "the system clock is in the past")
        };
    }
    let theirs: crate::error::Result<i64> = crate::on_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)").fetch_one(pool).await)
    .map_err(Into::into);
    match theirs {
        Err(e) => check(
            "clock",
            Status::Warn,
            format!("cannot read the database's clock: {e}"),
        ),
        Ok(theirs) => {
            let skew = (theirs - local).abs();
            let status = if skew > SKEW_FAIL_MS {
                Status::Fail
            } else if skew > SKEW_WARN_MS {
                Status::Warn
            } else {
                Status::Ok
            };
            check(
                "clock",
                status,
                format!("{skew} ms apart from the database's clock"),
            )
        }
    }
}

async fn tesseract(settings: &Settings) -> Check {
    let ocr = &settings.ocr;
    if ocr.engine != OcrEngineKind::Tesseract || ocr.workers == 0 {
        return check(
            "tesseract",
            Status::Ok,
            "not needed here (another engine, or no OCR workers)",
        );
    }
    let ran = tokio::time::timeout(
        TIMEOUT,
        tokio::process::Command::new(&ocr.tesseract_path)
            .arg("--version")
            .output(),
    )
    .await;
    match ran {
        Ok(Ok(out)) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let version = text
                .lines()
                .next()
                .unwrap_or("tesseract")
                .trim()
                .to_string();
            check("tesseract", Status::Ok, version)
        }
        _ => check(
            "tesseract",
            Status::Fail,
            format!(
                "cannot run {} (ocr.tesseract_path); install tesseract-ocr and tesseract-ocr-eng",
                ocr.tesseract_path.display()
            ),
        ),
    }
}

async fn receipts_disk(dir: &Path) -> Check {
    if let Err(e) = tokio::fs::create_dir_all(dir).await {
        return check(
            "receipts",
            Status::Fail,
            format!("cannot create {}: {e}", dir.display()),
        );
    }
    let probe = dir.join(".mita-doctor-probe");
    if let Err(e) = tokio::fs::write(&probe, b"probe").await {
        return check(
            "receipts",
            Status::Fail,
            format!("cannot write in {}: {e}", dir.display()),
        );
    }
    let _ = tokio::fs::remove_file(&probe).await;
    match fs4::available_space(dir) {
        Err(e) => check("receipts", Status::Warn, format!("free space unknown: {e}")),
        Ok(free) => {
            let status = if free < DISK_FAIL {
                Status::Fail
            } else if free < DISK_WARN {
                Status::Warn
            } else {
                Status::Ok
            };
            check(
                "receipts",
                status,
                format!(
                    "{} writable, {} MiB free",
                    dir.display(),
                    free / (1024 * 1024)
                ),
            )
        }
    }
}

async fn smtp(settings: &Settings, production: bool) -> Check {
    let Some(host) = settings.smtp.host.as_deref().filter(|h| !h.is_empty()) else {
        return check(
            "smtp",
            if production { Status::Warn } else { Status::Ok },
            "no smtp.host: mails are written to <data_dir>/outbox (development)",
        );
    };
    let addr = format!("{host}:{}", settings.smtp.port);
    match tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(&addr)).await {
        Ok(Ok(_)) => check("smtp", Status::Ok, format!("{addr} accepts connections")),
        Ok(Err(e)) => check("smtp", Status::Fail, format!("{addr}: {e}")),
        Err(_) => check("smtp", Status::Fail, format!("{addr}: no answer")),
    }
}

/// Any HTTP answer from `url` means the service can be reached.
async fn reachable(name: &'static str, url: &str) -> Check {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => return check(name, Status::Warn, e.to_string()),
    };
    match client.get(url).send().await {
        Ok(resp) => check(
            name,
            Status::Ok,
            format!("{url} answers (HTTP {})", resp.status().as_u16()),
        ),
        Err(e) => check(name, Status::Fail, format!("{url}: {}", short(&e))),
    }
}

fn short(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    }
}

async fn google(settings: &Settings) -> Check {
    if settings.google.client_ids.is_empty() {
        return check("google", Status::Ok, "Google sign-in is off");
    }
    reachable("google", &settings.google.tokeninfo_url).await
}

async fn llm(settings: &Settings) -> Check {
    let Some(base) = settings.llm.base_url.as_deref() else {
        return check("llm", Status::Ok, "no LLM configured: rule-based answers");
    };
    reachable("llm", &format!("{}/models", base.trim_end_matches('/'))).await
}

//! The JSON-lines fallback file: where audit events go when the database cannot take them (or the
//! queue is full or closed). One object per line, with the column names of `audit_events` plus
//! `time` (RFC 3339 UTC), so the lines can be re-imported or grepped.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

use super::AuditEvent;
use crate::clock::rfc3339;
use crate::id::Id;

/// An event stamped at record time with its id and instant.
#[derive(Clone, Debug)]
pub(super) struct Stamped {
    pub id: Id,
    pub created_at: i64,
    pub event: AuditEvent,
}

/// The fallback file. Appends are serialised so lines from the writer and from `record` never
/// interleave.
#[derive(Debug)]
pub(super) struct Fallback {
    path: PathBuf,
    lock: Mutex<()>,
}

impl Fallback {
    pub fn new(path: PathBuf) -> Self {
        Fallback {
            path,
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line per event in a single write, creating the file (mode 0600: it holds IP
    /// addresses) and its parent directories as needed. `sync` also forces the data to disk.
    pub fn append(&self, events: &[Stamped], sync: bool) -> io::Result<()> {
        let buf = lines(events);
        // A poisoned lock only means another append panicked; the file is still usable.
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path)?;
        file.write_all(buf.as_bytes())?;
        if sync {
            file.sync_data()?;
        }
        Ok(())
    }
}

/// The events as JSON lines, each ending with `\n`.
pub(super) fn lines(events: &[Stamped]) -> String {
    let mut buf = String::new();
    for e in events {
        buf.push_str(&line(e).to_string());
        buf.push('\n');
    }
    buf
}

fn line(s: &Stamped) -> Value {
    let e = &s.event;
    json!({
        "id": s.id,
        "time": rfc3339(s.created_at),
        "created_at": s.created_at,
        "event_type": e.event_type.as_str(),
        "outcome": e.outcome.as_str(),
        "user_id": e.user_id,
        "actor": e.actor,
        "client_ip": e.client_ip,
        "user_agent": e.user_agent,
        "request_id": e.request_id,
        "details": e.details,
    })
}

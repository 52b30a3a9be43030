//! Liveness and readiness facts about the database, shared by `/health`, `/ready` and the CLI.

use std::time::Duration;

use serde::Serialize;

use crate::db::Db;

/// What the process knows about its database right now.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DbHealth {
    /// `connected` or `disconnected`.
    pub database: &'static str,
    /// `current`, `pending` or `unknown` (when the database cannot be asked).
    pub migrations: &'static str,
}

impl DbHealth {
    /// Ready to serve traffic: the database answers and the schema is current.
    pub fn is_ready(&self) -> bool {
        self.database == "connected" && self.migrations == "current"
    }

    /// Why the process is not ready, for the 503 body.
    pub fn reason(&self) -> Option<&'static str> {
        if self.database != "connected" {
            Some("database unreachable")
        } else if self.migrations != "current" {
            Some("migrations pending")
        } else {
            None
        }
    }
}

/// Asks the database, bounded by `timeout` so a hung database cannot hang a health probe.
pub async fn check_db(db: &Db, timeout: Duration) -> DbHealth {
    let probe = async {
        db.ping().await?;
        db.migrations_current().await
    };
    match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(true)) => DbHealth {
            database: "connected",
            migrations: "current",
        },
        Ok(Ok(false)) => DbHealth {
            database: "connected",
            migrations: "pending",
        },
        Ok(Err(_)) | Err(_) => DbHealth {
            database: "disconnected",
            migrations: "unknown",
        },
    }
}

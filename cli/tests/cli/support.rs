//! Running the real binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A `mita` command with a clean environment (no stray MITA_* or DATABASE_URL from the caller),
/// run in a scratch directory: a command without a data directory writes its defaults
/// (`./.mita-jwt-secret`, `./outbox/`...) there, never into the source tree.
pub fn mita() -> Command {
    clean_command(env!("CARGO_BIN_EXE_mita"))
}

/// `program` with the environment and working directory of [`mita`]: for a wrapper that execs
/// the binary (e.g. `prlimit`).
pub fn clean_command(program: &str) -> Command {
    static SCRATCH: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let scratch = SCRATCH.get_or_init(|| tempfile::tempdir().expect("a scratch directory"));
    let mut cmd = Command::new(program);
    cmd.current_dir(scratch.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("MITA_")
            || matches!(
                key.as_str(),
                "DATABASE_URL"
                    | "JWT_SECRET"
                    | "JWT_PREVIOUS_SECRET"
                    | "METRICS_TOKEN"
                    | "SENTRY_DSN"
                    | "SENTRY_ENVIRONMENT"
                    | "GOOGLE_VISION_API_KEY"
            )
        {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("mita runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running `mita serve`, killed on drop if still alive.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// The server's data directory (receipt images, markers): never the source tree. Kept
    /// until the server is dropped.
    _data_dir: tempfile::TempDir,
}

impl Server {
    /// Starts `mita serve --bind 127.0.0.1:0` with `args` and waits for its "listening on" line.
    pub fn start(db_url: &str, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let data_dir = tempfile::tempdir().unwrap();
        let mut cmd = mita();
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--database-url", db_url])
            .args(args)
            .env("MITA_DATA_DIR", data_dir.path())
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("mita serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!(
                    "mita serve did not start: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        };
        Server {
            child,
            base,
            _data_dir: data_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (bounded) for the process to exit and returns its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "mita serve did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Registers `email` over HTTP (`url`: the server's `/api/auth/register`) and returns the access
/// token; a registration that is not a 201 fails the test.
pub async fn register(client: &reqwest::Client, url: &str, email: &str, password: &str) -> String {
    let resp = client
        .post(url)
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "registering {email}");
    let body: serde_json::Value = resp.json().await.unwrap();
    body["data"]["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

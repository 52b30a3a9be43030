//! `mita completions` and `mita man`.

use crate::support::{mita, run, stdout};

const SUBCOMMANDS: &[&str] = &[
    "admin",
    "serve",
    "migrate",
    "metrics",
    "config",
    "completions",
    "man",
];

#[test]
fn bash_completions_mention_every_subcommand() {
    let out = run(mita().args(["completions", "bash"]));
    assert!(out.status.success());
    let script = stdout(&out);
    for sub in SUBCOMMANDS {
        assert!(script.contains(sub), "bash completion lacks {sub}");
    }
}

#[test]
fn committed_completions_and_man_pages_are_fresh() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let c = run(mita().args(["completions", "--check", &format!("{root}/completions")]));
    assert!(
        c.status.success(),
        "run `mita completions --dir completions`: {}",
        String::from_utf8_lossy(&c.stderr)
    );
    let m = run(mita().args(["man", "--check", &format!("{root}/docs/man")]));
    assert!(
        m.status.success(),
        "run `mita man docs/man`: {}",
        String::from_utf8_lossy(&m.stderr)
    );
}

#[test]
fn check_reports_a_stale_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(mita().args(["completions", "--check", dir.path().to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stale or missing"));
}

//! Money never passes through a float: every line of the money modules that mentions `f64` must
//! be a timing measurement (`as_secs_f64`) or carry an explicit `f64-ok:` justification.

use std::path::Path;

const MONEY_MODULES: &[&str] = &[
    "src/money.rs",
    "src/budget.rs",
    "src/budget",
    "src/transactions.rs",
    "src/transactions",
    "src/onboarding.rs",
    "src/idempotency.rs",
    "src/ocr/parser.rs",
    "src/ocr/parser",
    "src/fixed.rs",
    "src/goals.rs",
    "src/goals",
    "src/notifications.rs",
    "src/notifications",
    "src/config/notifications.rs",
    "src/insights.rs",
    "src/insights",
    "src/installments.rs",
    "src/installments",
    "src/financial.rs",
    "src/financial",
    "src/challenges.rs",
    "src/challenges",
    "src/mood.rs",
];

fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap().flatten() {
            rust_files(&entry.path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

#[test]
fn money_modules_use_no_floats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for m in MONEY_MODULES {
        rust_files(&root.join(m), &mut files);
    }
    assert!(files.len() >= 8, "the money modules were found: {files:?}");
    let mut offenders = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let mentions_float = line.contains("f64") || line.contains("f32");
            // rustfmt moves a comment after `{` to the next line.
            let next = lines.get(n + 1).copied().unwrap_or_default();
            let justified = line.contains("as_secs_f64()")
                || line.contains("f64-ok:")
                || next.trim_start().starts_with("// f64-ok:");
            if mentions_float && !justified {
                offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "floats on a money path:\n{}",
        offenders.join("\n")
    );
}

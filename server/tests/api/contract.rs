//! The project's copy of the mobile app's call list (`tests/contract/app-calls.tsv`) against the
//! running server: a row marked served has a route (no "Route not found", no 405), a row marked
//! not served has none (so the list stays true when routes are added), and a row marked checked
//! names a test that exists.

use serde_json::Value;

use crate::support::spawn_app;

struct Row {
    method: String,
    path: String,
    served: bool,
    checked: String,
}

fn rows() -> Vec<Row> {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/contract/app-calls.tsv"
    );
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "six columns: {l}");
            assert!(["yes", "no"].contains(&f[2]), "served is yes or no: {l}");
            Row {
                method: f[0].to_string(),
                path: f[1].to_string(),
                served: f[2] == "yes",
                checked: f[4].to_string(),
            }
        })
        .collect()
}

/// The source of every test module under `server/tests/api/`.
fn test_sources() -> String {
    fn walk(dir: &std::path::Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = String::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api")),
        &mut out,
    );
    out
}

#[tokio::test]
async fn every_call_of_the_app_is_where_the_list_says() {
    let app = spawn_app().await;
    let rows = rows();
    assert!(rows.len() >= 159, "the whole list");
    let mut wrong = Vec::new();
    for row in &rows {
        // Path parameters: a well-formed id; no token and no body, so nothing is changed.
        let path = row
            .path
            .replace("{id}", "0b7f7a39-8a6e-4a3c-9d2e-3f1c2b4a5d6e");
        let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
        let resp = app
            .client
            .request(method, app.url(&path))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let no_route =
            status == 405 || (status == 404 && body["error"]["message"] == "Route not found");
        if no_route == row.served {
            wrong.push(format!(
                "{} {}: listed served={}, answered {status}",
                row.method, row.path, row.served
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "update tests/contract/app-calls.tsv:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn every_checked_row_names_a_test_that_exists() {
    let sources = test_sources();
    for row in rows().iter().filter(|r| r.checked != "-") {
        let name = row.checked.rsplit("::").next().unwrap();
        assert!(
            sources.contains(&format!("fn {name}(")),
            "{} {}: no test named {}",
            row.method,
            row.path,
            row.checked
        );
    }
}

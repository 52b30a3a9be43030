//! Import of OFX/QFX and QIF files, bank ids (FITID) for duplicates, text encodings and the
//! purge of expired previews (docs/import.md), through the real routes. The samples are the
//! hand-written files in tests/fixtures/import/.

use mita::testing::multipart::Form;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, spawn_at};
use crate::onboarding::onboard;
use crate::support::{TestApp, error_body};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// POST /api/import with `file`, and `format` / `mapping` when given.
async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    file: &[u8],
    format: Option<&str>,
    mapping: Option<&Value>,
) -> reqwest::Response {
    let mut form = Form::new();
    if let Some(f) = format {
        form = form.text("format", f);
    }
    if let Some(m) = mapping {
        form = form.text("mapping", &m.to_string());
    }
    let (content_type, body) = form
        .file("file", name, "application/octet-stream", file)
        .finish();
    app.authed(Method::POST, "/api/import", token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn preview_ok(resp: reqwest::Response) -> Value {
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["data"].clone()
}

async fn commit(app: &TestApp, token: &str, preview: &Value) -> reqwest::Response {
    let id = preview["import_id"].as_str().unwrap();
    app.authed(Method::POST, &format!("/api/import/{id}/commit"), token)
        .send()
        .await
        .unwrap()
}

async fn committed(app: &TestApp, token: &str, preview: &Value) -> Value {
    let resp = commit(app, token, preview).await;
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["data"].clone()
}

async fn spends(app: &TestApp, token: &str) -> Vec<Value> {
    let listed: Value = app
        .get_as("/api/transactions", token)
        .await
        .json()
        .await
        .unwrap();
    listed["data"].as_array().unwrap().clone()
}

fn lines(v: &Value) -> Vec<i64> {
    v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect()
}

/// The message of the first validation error, and its field.
async fn first_error(resp: reqwest::Response) -> (String, String) {
    assert_eq!(resp.status(), 422);
    let err: Value = resp.json().await.unwrap();
    let e = &err["error"]["details"]["validation_errors"][0];
    (
        e["field"].as_str().unwrap_or_default().to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn ofx_sgml_by_fitid_the_same_file_twice_adds_nothing() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (ana, _, ana_id) = app.user("ofx-ana@example.com").await;
    onboard(&app, &ana).await;
    let file = fixture("checking-sgml.ofx");
    // No format, no mapping: detected from the content.
    let p = preview_ok(upload(&app, &ana, "checking.ofx", &file, None, None).await).await;
    assert_eq!(p["format"], "ofx", "{p}");
    assert_eq!(p["encoding"], "UTF-8");
    assert_eq!(p["rows_parsed"], 4, "{p}");
    assert_eq!(p["new_rows"], 4);
    // The salary (a credit) is left out, named by the line of its <STMTTRN>.
    assert_eq!(lines(&p), vec![47], "{p}");
    assert!(
        p["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("credit")
    );
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows[0]["payee"], "STARBUCKS #123");
    assert_eq!(rows[0]["description"], "Card purchase");
    assert_eq!(rows[0]["amount"], 4.5);
    assert_eq!(rows[0]["date"], "2026-11-18");
    assert_eq!(rows[0]["currency"], "USD");
    assert_eq!(rows[0]["external_id"], "0123456789:202611180001");
    assert_eq!(rows[1]["payee"], "FRESH MARKET & DELI");
    assert_eq!(rows[1]["amount"], 1234.56);
    // Two equal spends on one day with their own FITIDs are two spends.
    assert_eq!(rows[2]["payee"], "CORNER SHOP");
    assert_eq!(rows[3]["payee"], "CORNER SHOP");

    let done = committed(&app, &ana, &p).await;
    assert_eq!(done["inserted"], 4, "{done}");
    assert_eq!(done["days_affected"], 2);
    let ids: Vec<String> = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT external_id FROM transactions WHERE user_id = $1 AND external_id IS NOT NULL ORDER BY external_id")
        .bind(ana_id.parse::<mita::id::Id>().unwrap()).fetch_all(pool).await)
    .unwrap();
    assert_eq!(
        ids,
        [
            "0123456789:202611180001",
            "0123456789:202611190001",
            "0123456789:202611190002",
            "0123456789:202611190003"
        ]
    );

    // The same file again: every row is a duplicate by its FITID; the commit adds nothing.
    let again = preview_ok(upload(&app, &ana, "checking.ofx", &file, None, None).await).await;
    assert_eq!(again["duplicates"], 4, "{again}");
    assert_eq!(again["new_rows"], 0);
    let done = committed(&app, &ana, &again).await;
    assert_eq!(done["inserted"], 0);
    assert_eq!(spends(&app, &ana).await.len(), 4);

    // A spend the user deleted does not come back with the same file.
    let coffee = spends(&app, &ana)
        .await
        .into_iter()
        .find(|s| s["merchant"] == "STARBUCKS #123")
        .unwrap();
    let resp = app
        .authed(
            Method::DELETE,
            &format!("/api/transactions/{}", coffee["id"].as_str().unwrap()),
            &ana,
        )
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let third = preview_ok(upload(&app, &ana, "checking.ofx", &file, None, None).await).await;
    assert_eq!(third["duplicates"], 4, "{third}");

    // A new FITID whose (date, amount, payee) matches a spend with another FITID is new: it is
    // another bank transaction (a third corner-shop purchase that day).
    let text = String::from_utf8(file.clone())
        .unwrap()
        .replace("<FITID>202611190003", "<FITID>202611190009");
    let fourth =
        preview_ok(upload(&app, &ana, "checking.ofx", text.as_bytes(), None, None).await).await;
    assert_eq!(fourth["new_rows"], 1, "{fourth}");
    assert_eq!(
        fourth["rows"][3]["external_id"], "0123456789:202611190009",
        "{fourth}"
    );

    // The same spends as a CSV (no bank ids): duplicates by fingerprint.
    let csv = "Date,Payee,Amount\n2026-11-19,FRESH MARKET & DELI,-1234.56\n2026-11-19,Corner Shop,-12.00\n";
    let p = preview_ok(
        upload(
            &app,
            &ana,
            "bank.csv",
            csv.as_bytes(),
            None,
            Some(&json!({"date": "Date", "payee": "Payee", "amount": "Amount"})),
        )
        .await,
    )
    .await;
    assert_eq!(p["format"], "csv");
    assert_eq!(p["duplicates"], 2, "{p}");
}

#[tokio::test]
async fn qfx_xml_with_its_currencies_and_the_rules_on_the_account() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("qfx-user@example.com").await;
    onboard(&app, &t).await;
    let resp = app
        .authed(Method::POST, "/api/rules", &t)
        .json(&json!({"name": "card travel", "account": "4111000011112222", "payee_contains": "hotel", "set_category": "travel"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let p = preview_ok(
        upload(
            &app,
            &t,
            "card.qfx",
            &fixture("card-xml.qfx"),
            Some("qfx"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(p["format"], "ofx", "{p}");
    assert_eq!(p["rows_parsed"], 2, "{p}");
    assert_eq!(lines(&p), vec![38]);
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows[0]["payee"], "Café Lumière");
    assert_eq!(rows[0]["currency"], "EUR");
    assert_eq!(rows[0]["amount"], 23.9);
    assert_eq!(rows[0]["date"], "2026-11-17");
    assert_eq!(rows[0]["external_id"], "4111000011112222:CC-9001");
    assert_eq!(rows[1]["currency"], "GBP");
    assert_eq!(rows[1]["category"], "travel", "{p}");
    let done = committed(&app, &t, &p).await;
    assert_eq!(done["inserted"], 2);
    let again = preview_ok(
        upload(
            &app,
            &t,
            "card.qfx",
            &fixture("card-xml.qfx"),
            Some("qfx"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(again["duplicates"], 2, "{again}");
}

#[tokio::test]
async fn qif_records_dates_and_the_same_file_twice() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("qif-user@example.com").await;
    onboard(&app, &t).await;
    let file = fixture("checking.qif");
    let p = preview_ok(upload(&app, &t, "checking.qif", &file, None, None).await).await;
    assert_eq!(p["format"], "qif", "{p}");
    assert_eq!(p["rows_parsed"], 4, "{p}");
    // The payroll (money in) is left out, named by its first line.
    assert_eq!(lines(&p), vec![8], "{p}");
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["date"], "2026-11-18");
    assert_eq!(rows[0]["payee"], "STARBUCKS #123");
    assert_eq!(rows[0]["description"], "Morning coffee");
    assert_eq!(rows[1]["amount"], 1234.56);
    assert_eq!(rows[2]["payee"], "Corner Shop");
    // A split record counts once, with its total.
    assert_eq!(rows[3]["payee"], "Bookshop");
    assert_eq!(rows[3]["amount"], 30.0);
    assert_eq!(rows[3]["date"], "2026-11-09");
    let done = committed(&app, &t, &p).await;
    assert_eq!(done["inserted"], 4);
    let again = preview_ok(upload(&app, &t, "checking.qif", &file, None, None).await).await;
    assert_eq!(again["duplicates"], 4, "{again}");
    assert_eq!(committed(&app, &t, &again).await["inserted"], 0);
    assert_eq!(spends(&app, &t).await.len(), 4);
    // Day-first dates with the mapping's date_format.
    let uk = "!Type:CCard\nD02/11/2026\nT-9.99\nPStreaming\n^\n";
    let p = preview_ok(
        upload(
            &app,
            &t,
            "uk.qif",
            uk.as_bytes(),
            None,
            Some(&json!({"date_format": "%d/%m/%Y"})),
        )
        .await,
    )
    .await;
    assert_eq!(p["rows"][0]["date"], "2026-11-02", "{p}");
}

#[tokio::test]
async fn malformed_ofx_and_qif_are_422_naming_the_line_and_store_nothing() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("bad-formats@example.com").await;
    let sgml = String::from_utf8(fixture("checking-sgml.ofx")).unwrap();
    // A </STMTTRN> missing: the next <STMTTRN> (line 47) is named.
    let broken = sgml.replacen("</STMTTRN>", "", 1);
    let (field, message) =
        first_error(upload(&app, &t, "a.ofx", broken.as_bytes(), None, None).await).await;
    assert_eq!(field, "body.file");
    assert!(message.starts_with("line 47:"), "{message}");
    // An unterminated tag.
    let broken = sgml.replace(
        "<TRNAMT>-12.00\r\n<FITID>202611190003",
        "<TRNAMT>-12.00\r\n<FITID",
    );
    let (_, message) =
        first_error(upload(&app, &t, "b.ofx", broken.as_bytes(), Some("ofx"), None).await).await;
    assert!(message.starts_with("line 72:"), "{message}");
    // Said to be OFX, but is not.
    let (_, message) =
        first_error(upload(&app, &t, "c.ofx", b"Date,Payee\n", Some("ofx"), None).await).await;
    assert!(message.starts_with("line 1:"), "{message}");
    // A QIF line that is no field.
    let qif = "!Type:Bank\nD11/18'26\nT-4.50\nthis is not qif\n^\n";
    let (_, message) =
        first_error(upload(&app, &t, "d.qif", qif.as_bytes(), None, None).await).await;
    assert!(message.starts_with("line 4:"), "{message}");
    // A bad format name, and a CSV without its mapping.
    let (field, _) = first_error(upload(&app, &t, "e", b"x", Some("xls"), None).await).await;
    assert_eq!(field, "body.format");
    let (field, _) =
        first_error(upload(&app, &t, "f.csv", b"Date,Payee\n", None, None).await).await;
    assert_eq!(field, "body.mapping.date");
    let (field, _) = first_error(
        upload(
            &app,
            &t,
            "g.csv",
            b"Date,Payee\n",
            None,
            Some(&json!({"date": "Date", "payee": "Payee", "amount": "Payee", "encoding": "ebcdic-martian"})),
        )
        .await,
    )
    .await;
    assert_eq!(field, "body.mapping.encoding");
    let stored: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM imports").fetch_one(pool).await).unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn csv_encodings_latin1_utf16_and_given() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("encodings@example.com").await;
    let m = json!({"date": "Date", "payee": "Payee", "amount": "Amount"});
    // Latin-1 (not valid UTF-8): read as Windows-1252.
    let latin1 = b"Date,Payee,Amount\n2026-11-18,Caf\xE9 du Coin,-3.20\n";
    let p = preview_ok(upload(&app, &t, "latin1.csv", latin1, None, Some(&m)).await).await;
    assert_eq!(p["encoding"], "windows-1252", "{p}");
    assert_eq!(p["rows"][0]["payee"], "Café du Coin");
    // The same bytes said to be Latin-1.
    let given = json!({"date": "Date", "payee": "Payee", "amount": "Amount", "encoding": "latin1"});
    let p = preview_ok(upload(&app, &t, "latin1.csv", latin1, None, Some(&given)).await).await;
    assert_eq!(p["rows"][0]["payee"], "Café du Coin");
    // UTF-16 LE and BE with their byte-order marks; UTF-8 with one.
    let text = "Date;Payee;Amount\r\n2026-11-18;Café;-3,20\r\n";
    let semi = json!({"date": "Date", "payee": "Payee", "amount": "Amount", "decimal": ","});
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        le.extend_from_slice(&unit.to_le_bytes());
        be.extend_from_slice(&unit.to_be_bytes());
    }
    let mut utf8 = vec![0xEF, 0xBB, 0xBF];
    utf8.extend_from_slice(text.as_bytes());
    for (bytes, encoding) in [(le, "UTF-16LE"), (be, "UTF-16BE"), (utf8, "UTF-8")] {
        let p = preview_ok(upload(&app, &t, "u.csv", &bytes, None, Some(&semi)).await).await;
        assert_eq!(p["encoding"], encoding, "{p}");
        assert_eq!(p["rows"][0]["payee"], "Café", "{p}");
        assert_eq!(p["rows"][0]["amount"], 3.2);
    }
}

#[tokio::test]
async fn expired_previews_are_purged_and_cannot_be_committed() {
    let (app, clock) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("purge@example.com").await;
    onboard(&app, &t).await;
    let file = fixture("checking.qif");
    let old = preview_ok(upload(&app, &t, "a.qif", &file, None, None).await).await;
    let done = preview_ok(upload(&app, &t, "b.qif", &file, None, None).await).await;
    committed(&app, &t, &done).await;
    clock.advance_ms(mita::import::PREVIEW_TTL_MS - 1);
    let fresh = preview_ok(upload(&app, &t, "c.qif", &file, None, None).await).await;
    // An hour after the upload the first preview has expired: the commit is 404 even before
    // the purge, and the purge removes it (not the committed one, not the fresh one).
    clock.advance_ms(1);
    error_body(commit(&app, &t, &old).await, 404, "RESOURCE_3001").await;
    let purged = mita::import::purge_expired(&app.db, clock.now_ms())
        .await
        .unwrap();
    assert_eq!(purged, 1);
    let left: Vec<String> = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT status FROM imports ORDER BY created_at").fetch_all(pool).await)
    .unwrap();
    assert_eq!(left, ["committed", "pending"]);
    error_body(commit(&app, &t, &old).await, 404, "RESOURCE_3001").await;
    // The fresh one still commits (its rows are duplicates of the committed file by now).
    assert_eq!(committed(&app, &t, &fresh).await["inserted"], 0);
    assert_eq!(
        mita::import::purge_expired(&app.db, clock.now_ms())
            .await
            .unwrap(),
        0
    );
}

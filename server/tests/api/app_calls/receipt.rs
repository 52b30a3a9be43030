//! M6 `POST /api/transactions/receipt` (api_service.dart:2465-2477, ocr_service.dart:228-245,
//! 466-482): the app uploads the field `file`, never polls, and reads `merchant`, `total`, `date`,
//! `category`, `items[{name, price}]`, `raw_text`, `receipt_image_path` from `data`.

use mita::testing::receipt_image::{RECEIPT, encode_png, receipt_png};
use serde_json::{Value, json};

use crate::ocr::upload;
use crate::support::{NO_OCR_WORKERS, error_body, spawn_app, spawn_without};

#[tokio::test]
async fn the_upload_answers_the_parsed_receipt_in_the_apps_names() {
    if !mita::testing::tesseract_or_skip("synchronous receipt upload") {
        return;
    }
    let app = spawn_app().await;
    let (token, _, _) = app.user("m6@example.com").await;
    let resp = upload(
        &app,
        "/api/transactions/receipt",
        &token,
        "file",
        &receipt_png(RECEIPT),
    )
    .await;
    assert_eq!(resp.status(), 200, "waited for the result");
    let data = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(data["status"], "completed");
    assert_eq!(
        data["merchant"].as_str().unwrap().to_uppercase(),
        "CORNER MARKET"
    );
    assert_eq!(data["total"], json!(10.15), "{data}");
    assert_eq!(data["date"], "2026-03-14");
    assert_eq!(data["category"], "groceries");
    let items = data["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["price"], json!(4.99));
    assert!(items.iter().all(|i| i["name"].is_string()));
    assert!(
        data["raw_text"].as_str().unwrap().contains("TOTAL 10.15"),
        "{data}"
    );
    let image = data["receipt_image_path"].as_str().unwrap();
    assert_eq!(app.get_as(image, &token).await.status(), 200);
}

#[tokio::test]
async fn a_job_that_does_not_finish_in_time_answers_202_and_stays_queued() {
    // No workers: the job cannot finish; a short wait keeps the test fast.
    let app = spawn_without(NO_OCR_WORKERS, |s| s.ocr.wait_timeout_ms = 100).await;
    let (token, _, _) = app.user("m6-slow@example.com").await;
    let png = receipt_png(&["SHOP", "TOTAL 1.00"]);
    let resp = upload(&app, "/api/transactions/receipt", &token, "file", &png).await;
    assert_eq!(resp.status(), 202);
    let data = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(data["status"], "pending");
    assert!(
        data.get("total").is_none(),
        "no total until it is read: {data}"
    );
    let id = data["job_id"].as_str().unwrap();
    let status: Value = app
        .get_as(&format!("/api/transactions/receipt/status/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["status"], "pending", "kept and queued");
}

#[tokio::test]
async fn an_image_without_text_is_a_422_and_the_job_is_kept() {
    if !mita::testing::tesseract_or_skip("blank receipt upload") {
        return;
    }
    let app = spawn_app().await;
    let (token, _, _) = app.user("m6-blank@example.com").await;
    let blank = encode_png(200, 100, &vec![255u8; 200 * 100]);
    let resp = upload(&app, "/api/transactions/receipt", &token, "file", &blank).await;
    let body = error_body(resp, 422, "BUSINESS_4002").await;
    assert_eq!(body["error"]["details"]["error_reason"], "no_text");
    let id = body["error"]["details"]["job_id"].as_str().unwrap();
    let status: Value = app
        .get_as(&format!("/api/transactions/receipt/status/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["status"], "failed", "kept for replay");
}

/// M7 `GET /api/transactions/receipt/{id}/image` (api_service.dart:2555-2562) reads
/// `data.url`; the url answers the bytes. `DELETE` on the same path (api_service.dart:2564-2571)
/// removes a finished job's image.
#[tokio::test]
async fn the_receipt_image_route_answers_where_the_image_is_and_deletes_it() {
    // No workers: the job stays queued, so its image cannot be deleted yet.
    let app = spawn_without(NO_OCR_WORKERS, |s| s.ocr.wait_timeout_ms = 100).await;
    let (token, _, _) = app.user("m7@example.com").await;
    let png = receipt_png(&["SHOP", "TOTAL 1.00"]);
    let resp = upload(
        &app,
        "/api/transactions/receipt?wait=false",
        &token,
        "file",
        &png,
    )
    .await;
    let id = resp.json::<Value>().await.unwrap()["data"]["job_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/transactions/receipt/{id}/image");
    let resp = app.get_as(&path, &token).await;
    assert_eq!(resp.status(), 200);
    let data = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(data["content_type"], "image/png");
    let bytes = app
        .get_as(data["url"].as_str().unwrap(), &token)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), png.as_slice());
    // Still queued: its image is needed.
    let resp = app
        .authed(reqwest::Method::DELETE, &path, &token)
        .send()
        .await
        .unwrap();
    error_body(resp, 409, "RESOURCE_3002").await;
}

//! Reading a receipt upload: a `multipart/form-data` body whose image is in the field `receipt`
//! (the app) or `file`, at most `limits.upload_bytes`. These routes switch the global body limit
//! off and count the bytes themselves, so an oversized upload is a 413 in our envelope.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use mita::error::{Code, FieldError};

use crate::error::ApiError;

/// Field names that carry the image.
const FIELDS: [&str; 2] = ["receipt", "file"];

/// The image bytes of the upload.
pub async fn read_image(req: Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    if !is_multipart(&req) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Validation2002,
            "Expected a multipart/form-data upload with the image in the field `receipt` or `file`",
        ));
    }
    // Far beyond the limit: refuse without reading (multipart framing adds little).
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit.saturating_mul(2).saturating_add(1 << 20)) {
        return Err(too_large(limit));
    }
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| bad_multipart())?;
    let mut image: Option<Vec<u8>> = None;
    let mut read = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let wanted = image.is_none() && field.name().is_some_and(|n| FIELDS.contains(&n));
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            read = read.saturating_add(chunk.len());
            if read > limit {
                // Read (and drop) the rest of this field, bounded, so the client is not cut off
                // mid-request and sees the 413 rather than a reset connection.
                while read <= limit.saturating_mul(2) {
                    match field.chunk().await {
                        Ok(Some(more)) => read = read.saturating_add(more.len()),
                        _ => break,
                    }
                }
                return Err(too_large(limit));
            }
            if wanted {
                buf.extend_from_slice(&chunk);
            }
        }
        if wanted {
            image = Some(buf);
        }
    }
    let image = image.ok_or_else(|| {
        ApiError::validation(
            vec![FieldError::new(
                "body.receipt",
                "missing",
                "an image is required in the field `receipt` or `file`",
            )],
            Code::Validation2002,
        )
    })?;
    if image.is_empty() {
        return Err(ApiError::validation(
            vec![FieldError::new("body.receipt", "size", "must not be empty")],
            Code::Validation2002,
        ));
    }
    Ok(image)
}

fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        Code::Validation2002,
        format!("The upload is larger than {limit} bytes"),
    )
}

fn bad_multipart() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        Code::Validation2002,
        "Malformed multipart/form-data body",
    )
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE)
    } else {
        bad_multipart()
    }
}

/// Field names of a batch's images (the app sends `files`).
const BATCH_FIELDS: [&str; 5] = ["files", "files[]", "file", "receipt", "receipts"];

/// The images of a batch upload, in order: at most `max_count`, each at most `limit` bytes
/// (413 beyond), none empty (422 naming `body.files[i]`).
pub async fn read_images(
    req: Request,
    limit: usize,
    max_count: usize,
) -> Result<Vec<Vec<u8>>, ApiError> {
    if !is_multipart(&req) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Validation2002,
            "Expected a multipart/form-data upload with the images in the field `files`",
        ));
    }
    let total_limit = limit.saturating_mul(max_count);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > total_limit.saturating_add(1 << 20)) {
        return Err(too_large(total_limit));
    }
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| bad_multipart())?;
    let mut images: Vec<Vec<u8>> = Vec::new();
    let mut read = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let wanted = field.name().is_some_and(|n| BATCH_FIELDS.contains(&n));
        if wanted && images.len() == max_count {
            return Err(ApiError::validation(
                vec![FieldError::new(
                    "body.files",
                    "length",
                    format!("at most {max_count} images per batch"),
                )],
                Code::Validation2002,
            ));
        }
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            read = read.saturating_add(chunk.len());
            if read > total_limit || (wanted && buf.len() + chunk.len() > limit) {
                return Err(too_large(limit));
            }
            if wanted {
                buf.extend_from_slice(&chunk);
            }
        }
        if wanted {
            if buf.is_empty() {
                return Err(ApiError::validation(
                    vec![FieldError::new(
                        format!("body.files[{}]", images.len()),
                        "size",
                        "must not be empty",
                    )],
                    Code::Validation2002,
                ));
            }
            images.push(buf);
        }
    }
    if images.is_empty() {
        return Err(ApiError::validation(
            vec![FieldError::new(
                "body.files",
                "missing",
                "at least one image is required in the field `files`",
            )],
            Code::Validation2002,
        ));
    }
    Ok(images)
}

//! The OCR job queue against a real database (SQLite, or PostgreSQL with
//! MITA_TEST_DATABASE_URL), with fake engines and an injected clock: leases, expiry, racing
//! workers, shutdown, replays and the breaker. The real engines are tested over HTTP in
//! `server/tests/api/ocr*.rs` and end to end in `cli/tests/cli/ocr.rs`.

mod fakes;

use std::collections::HashSet;
use std::time::Duration;

use mita::config::OcrEngineKind;
use mita::ocr::{JobStatus, Processed, ReplaySelection, reason};
use mita::testing::receipt_image::receipt_png;

use fakes::{Behaviour, fixture, fixture_with};

#[tokio::test]
async fn a_job_of_a_dead_worker_is_processed_once_after_its_lease_expires() {
    let f = fixture(Behaviour::Text).await;
    let user = f.user("dead@example.com").await;
    let job = f
        .ocr
        .submit(user, false, &receipt_png(&["SHOP", "TOTAL 5.00"]))
        .await
        .unwrap();

    // Worker A claims the job and dies (it never heartbeats or finishes).
    let stale = f.ocr.claim("worker-a").await.unwrap().unwrap();
    assert_eq!(stale.id, job.job_id);
    assert!(
        f.ocr.run_once("worker-b").await.unwrap().is_none(),
        "leased: not claimable"
    );

    // Its lease runs out on the injected clock; worker B takes the job over and finishes it.
    f.clock.advance_ms(f.settings.ocr.lease_ms as i64 + 1);
    let (id, processed) = f.ocr.run_once("worker-b").await.unwrap().unwrap();
    assert_eq!(
        (id, processed),
        (job.job_id, Processed::Finished(JobStatus::Completed))
    );

    // Worker A comes back to life too late: its outcome is discarded.
    let late = f
        .ocr
        .process(stale, "worker-a", f.never_stop())
        .await
        .unwrap();
    assert_eq!(late, Processed::LeaseLost);

    let view = f.ocr.status(user, job.job_id).await.unwrap();
    assert_eq!(view.status, JobStatus::Completed);
    assert_eq!(view.attempts, 2);
    let completed = f.completed(OcrEngineKind::Tesseract);
    assert_eq!(completed, 1, "one completion counted");
    assert_eq!(
        f.engine.calls(),
        2,
        "the dead worker's call was not recorded twice"
    );
}

#[tokio::test]
async fn racing_workers_never_take_the_same_job() {
    let f = fixture(Behaviour::Text).await;
    let user = f.user("race@example.com").await;
    let png = receipt_png(&["SHOP", "TOTAL 1.00"]);
    let mut ids = HashSet::new();
    for _ in 0..24 {
        ids.insert(f.ocr.submit(user, false, &png).await.unwrap().job_id);
    }
    let mut claimers = Vec::new();
    for w in 0..6 {
        let ocr = f.ocr.clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = ocr.claim(&format!("racer-{w}")).await.unwrap() {
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for c in claimers {
        claimed.extend(c.await.unwrap());
    }
    let unique: HashSet<_> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), unique.len(), "a job was claimed twice");
    assert_eq!(unique, ids, "every job was claimed");
}

#[tokio::test]
async fn shutdown_returns_a_job_in_progress_to_the_queue() {
    let f = fixture(Behaviour::Hang).await;
    let user = f.user("stop@example.com").await;
    let job = f
        .ocr
        .submit(user, false, &receipt_png(&["SHOP"]))
        .await
        .unwrap();
    let row = f.ocr.claim("worker").await.unwrap().unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let ocr = f.ocr.clone();
    let running = tokio::spawn(async move { ocr.process(row, "worker", stopped).await });
    f.engine.wait_for_calls(1).await;
    stop.send(true).unwrap();
    let processed = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(processed, Processed::Released);
    let view = f.ocr.status(user, job.job_id).await.unwrap();
    assert_eq!(view.status, JobStatus::Pending, "not stuck in processing");
    assert_eq!(view.attempts, 0, "an interrupted attempt does not count");
}

#[tokio::test]
async fn a_job_whose_workers_keep_dying_fails_after_its_attempts() {
    let f = fixture(Behaviour::Text).await;
    let user = f.user("poison@example.com").await;
    let job = f
        .ocr
        .submit(user, false, &receipt_png(&["SHOP"]))
        .await
        .unwrap();
    for _ in 0..f.settings.ocr.max_attempts {
        assert!(f.ocr.claim("doomed").await.unwrap().is_some());
        f.clock.advance_ms(f.settings.ocr.lease_ms as i64 + 1);
        f.ocr.requeue_expired().await.unwrap();
    }
    let view = f.ocr.status(user, job.job_id).await.unwrap();
    assert_eq!(view.status, JobStatus::Failed);
    assert_eq!(view.error_reason.as_deref(), Some(reason::LEASE_EXPIRED));
    assert!(f.ocr.claim("next").await.unwrap().is_none());
}

#[tokio::test]
async fn an_open_breaker_fails_jobs_fast_and_a_replay_completes_them() {
    let f = fixture(Behaviour::Fail).await;
    let user = f.user("breaker@example.com").await;
    let png = receipt_png(&["SHOP", "TOTAL 2.00"]);
    let threshold = f.settings.ocr.breaker_failure_threshold as usize;
    let mut jobs = Vec::new();
    for _ in 0..threshold + 3 {
        let job = f.ocr.submit(user, false, &png).await.unwrap();
        f.ocr.run_once("w").await.unwrap().unwrap();
        jobs.push(job.job_id);
    }
    let reasons = failure_reasons(&f, user, &jobs).await;
    assert!(
        reasons[..threshold]
            .iter()
            .all(|r| r.as_deref() == Some(reason::ENGINE_ERROR))
    );
    assert!(
        reasons[threshold..]
            .iter()
            .all(|r| r.as_deref() == Some(reason::CIRCUIT_OPEN))
    );
    assert_eq!(
        f.engine.calls(),
        threshold,
        "open: the engine was not called again"
    );

    // The engine recovers and the breaker's open time passes; replay every failed job.
    f.engine.set(Behaviour::Text);
    f.clock.advance_ms(f.settings.ocr.breaker_open_ms + 1);
    let selection = ReplaySelection {
        all_failed: true,
        limit: 100,
        ..Default::default()
    };
    let candidates = f.ocr.replay_candidates(&selection).await.unwrap();
    assert_eq!(candidates.len(), jobs.len());
    for c in &candidates {
        assert!(c.skip.is_none());
        assert!(
            f.ocr
                .replay_job(c.job_id, Some("engine back"))
                .await
                .unwrap()
        );
    }
    while f.ocr.run_once("w").await.unwrap().is_some() {}
    for id in &jobs {
        let view = f.ocr.status(user, *id).await.unwrap();
        assert_eq!(view.status, JobStatus::Completed, "{view:?}");
        assert_eq!(
            view.attempts, 2,
            "history kept: one failed attempt, one replayed"
        );
    }
    let again = f.ocr.replay_candidates(&selection).await.unwrap();
    assert!(again.is_empty(), "nothing left to replay");
    let summary = f.ocr.get(jobs[0]).await.unwrap();
    assert_eq!(summary.replay_count, 1);
    assert_eq!(summary.replay_reason.as_deref(), Some("engine back"));
}

#[tokio::test]
async fn replay_explains_what_it_skips() {
    let f = fixture(Behaviour::Text).await;
    let user = f.user("skip@example.com").await;
    let done = f
        .ocr
        .submit(user, false, &receipt_png(&["SHOP"]))
        .await
        .unwrap();
    f.ocr.run_once("w").await.unwrap();
    let unknown = mita::id::Id::new();
    let selection = ReplaySelection {
        job_ids: vec![done.job_id, unknown],
        limit: 100,
        ..Default::default()
    };
    let candidates = f.ocr.replay_candidates(&selection).await.unwrap();
    assert_eq!(
        candidates[0].skip.as_deref(),
        Some("it is completed, not failed")
    );
    assert_eq!(candidates[1].skip.as_deref(), Some("no such job"));
    assert!(!f.ocr.replay_job(done.job_id, None).await.unwrap());
}

#[tokio::test]
async fn premium_users_get_google_vision_when_it_is_configured() {
    let f = fixture(Behaviour::Text).await;
    let user = f.user("premium@example.com").await;
    let png = receipt_png(&["SHOP"]);
    let basic = f.ocr.submit(user, false, &png).await.unwrap();
    let premium = f.ocr.submit(user, true, &png).await.unwrap();
    assert_eq!(basic.engine.as_deref(), Some("tesseract"));
    assert_eq!(
        premium.engine.as_deref(),
        Some(OcrEngineKind::GoogleVision.as_str())
    );
}

#[tokio::test]
async fn queue_gauges_follow_the_database() {
    let f = fixture(Behaviour::Text).await;
    let user = f.user("gauge@example.com").await;
    f.ocr
        .submit(user, false, &receipt_png(&["SHOP"]))
        .await
        .unwrap();
    f.ocr.refresh_gauges().await;
    let gauge = || [JobStatus::Pending, JobStatus::Processing].map(|s| f.metrics.ocr_jobs.get(s));
    assert_eq!(gauge(), [1, 0]);
    f.ocr.claim("w").await.unwrap();
    f.ocr.refresh_gauges().await;
    assert_eq!(gauge(), [0, 1]);
}

async fn failure_reasons(
    f: &fakes::Fixture,
    user: mita::id::Id,
    jobs: &[mita::id::Id],
) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for id in jobs {
        let view = f.ocr.status(user, *id).await.unwrap();
        assert_eq!(view.status, JobStatus::Failed);
        out.push(view.error_reason);
    }
    out
}

/// Issue 18 §7: failed jobs' images are removed after the same retention as completed ones.
#[tokio::test]
async fn failed_jobs_images_are_purged_after_the_retention() {
    let f = fixture(Behaviour::Fail).await;
    let user = f.user("purge@example.com").await;
    let job = f
        .ocr
        .submit(user, false, &receipt_png(&["SHOP"]))
        .await
        .unwrap();
    f.ocr.run_once("w").await.unwrap().unwrap();
    assert_eq!(
        f.ocr.status(user, job.job_id).await.unwrap().status,
        JobStatus::Failed
    );
    let names = f.ocr.image_names_of(user).await.unwrap();
    assert_eq!(names.len(), 1);
    let file = f.settings.ocr_image_dir().join(&names[0]);
    assert!(file.exists());
    let retention_ms = f.settings.ocr.completed_image_retention_hours as i64 * 3_600_000;
    f.clock.advance_ms(retention_ms - 1);
    assert_eq!(
        f.ocr.purge_images().await.unwrap(),
        0,
        "kept within the retention"
    );
    f.clock.advance_ms(2);
    assert_eq!(f.ocr.purge_images().await.unwrap(), 1);
    assert!(!file.exists());
    assert!(f.ocr.image_names_of(user).await.unwrap().is_empty());
}

/// Issue 18 §7: uploads per user and hour, and stored bytes per user, are limited (the counts
/// come from the database, so every instance agrees).
#[tokio::test]
async fn uploads_are_limited_per_user_by_rate_and_by_stored_bytes() {
    let png = receipt_png(&["SHOP", "TOTAL 1.00"]);
    let size = png.len() as u64;
    let f = fixture_with(Behaviour::Text, |s| {
        s.ocr.uploads_per_user_per_hour = 2;
        s.ocr.stored_bytes_per_user = 0;
    })
    .await;
    let user = f.user("rate@example.com").await;
    for _ in 0..2 {
        f.ocr.submit(user, false, &png).await.unwrap();
    }
    let err = f.ocr.submit(user, false, &png).await.unwrap_err();
    assert!(matches!(err, mita::Error::RateLimited { .. }), "{err:?}");
    let other = f.user("rate-other@example.com").await;
    assert!(f.ocr.submit(other, false, &png).await.is_ok(), "per user");
    f.clock.advance_ms(3_600_001);
    assert!(f.ocr.submit(user, false, &png).await.is_ok(), "a new hour");

    let f = fixture_with(Behaviour::Text, |s| {
        s.ocr.uploads_per_user_per_hour = 0;
        s.ocr.stored_bytes_per_user = size * 2;
    })
    .await;
    let user = f.user("bytes@example.com").await;
    let first = f.ocr.submit(user, false, &png).await.unwrap();
    f.ocr.submit(user, false, &png).await.unwrap();
    let err = f.ocr.submit(user, false, &png).await.unwrap_err();
    assert!(
        matches!(
            err,
            mita::Error::Business {
                code: mita::error::Code::Business4003,
                ..
            }
        ),
        "{err:?}"
    );
    // Deleting a stored image makes room again.
    f.ocr.run_once("w").await.unwrap().unwrap();
    f.ocr.delete_image(user, first.job_id).await.unwrap();
    assert!(f.ocr.submit(user, false, &png).await.is_ok());
}

/// Issue 18 §7: the header must hold together and the pixel count stay under the cap before a
/// job is queued (a few bytes can claim gigapixels).
#[tokio::test]
async fn images_are_checked_for_a_sane_header_and_pixel_count_before_queueing() {
    let f = fixture(Behaviour::Text).await;
    let user = f.user("bomb@example.com").await;
    // A PNG header that claims 100,000 × 100,000 pixels.
    let mut bomb = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    bomb.extend_from_slice(b"IHDR");
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0, 0]);
    bomb.extend(std::iter::repeat_n(0u8, 1000));
    let err = f.ocr.submit(user, false, &bomb).await.unwrap_err();
    match &err {
        mita::Error::Validation { fields, .. } => assert_eq!(fields[0].kind, "size", "{err:?}"),
        other => panic!("{other:?}"),
    }
    // The right magic over junk: no header to read.
    let mut junk = vec![0xFF, 0xD8, 0xFF];
    junk.extend(std::iter::repeat_n(0x42u8, 10_000));
    let err = f.ocr.submit(user, false, &junk).await.unwrap_err();
    assert!(matches!(err, mita::Error::Validation { .. }), "{err:?}");
    assert!(
        f.ocr.image_names_of(user).await.unwrap().is_empty(),
        "nothing stored"
    );
    assert!(
        f.ocr
            .submit(user, false, &receipt_png(&["OK"]))
            .await
            .is_ok()
    );
}

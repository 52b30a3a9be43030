//! SMTP through lettre against a fake SMTP server on loopback that speaks the protocol: a mail is
//! delivered and counted; a dead server is counted as errors and opens the breaker.

use std::sync::{Arc, Mutex};

use mita::clock::Clock;
use mita::config::Settings;
use mita::email::Mailer;
use mita::metrics::{ExternalService, ExternalStatus, Metrics};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts SMTP sessions and keeps each message's DATA.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake.test ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(data.take().unwrap_or_default());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-fake.test\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

fn mailer(port: u16, metrics: Arc<Metrics>) -> Mailer {
    let mut settings = Settings::default();
    settings.smtp.host = Some("127.0.0.1".into());
    settings.smtp.port = port;
    settings.smtp.security = "none".into();
    settings.smtp.timeout_ms = 2_000;
    Mailer::new(&settings, Clock::system(), metrics).unwrap()
}

fn counter(metrics: &Metrics, status: ExternalStatus) -> u64 {
    let requests = &metrics.external_api_requests_total;
    requests.get((ExternalService::Smtp, status))
}

#[tokio::test]
async fn a_mail_is_delivered_over_smtp_and_counted() {
    let (port, received) = fake_smtp().await;
    let metrics = Arc::new(Metrics::new().unwrap());
    let m = mailer(port, metrics.clone());
    m.send("ann@example.com", "Reset your MITA password", "the body")
        .await
        .unwrap();
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("Subject: Reset your MITA password"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("the body"));
    assert_eq!(counter(&metrics, ExternalStatus::Ok), 1);
    assert!(m.outbox().is_none());
}

#[tokio::test]
async fn a_dead_smtp_server_is_counted_and_opens_the_breaker() {
    // A port with nothing listening.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics = Arc::new(Metrics::new().unwrap());
    let m = mailer(port, metrics.clone());
    for _ in 0..5 {
        assert!(m.send("ann@example.com", "s", "b").await.is_err());
    }
    assert_eq!(counter(&metrics, ExternalStatus::Error), 5);
    assert!(m.send("ann@example.com", "s", "b").await.is_err());
    assert_eq!(
        counter(&metrics, ExternalStatus::CircuitOpen),
        1,
        "the sixth call fails fast"
    );
    assert_eq!(metrics.circuit_breaker_state.get(ExternalService::Smtp), 1);
}

//! What an operator relies on: a request id on every answer and in the logs, `/readyz` that
//! tells a load balancer when the database or the file store is gone, Prometheus metrics on
//! their own listener, and a stop on SIGTERM that lets requests in flight finish.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use casia_services::db_test;
use casia_services::entity::notice;
use casia_services::testing::s3::S3Server;
use common::{Browser, PDF, authorisation_numbered, cookie_named, serve, serve_demo};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, Set};

fn request_id(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-request-id")
        .expect("x-request-id on the answer")
        .to_str()
        .unwrap()
        .to_owned()
}

db_test!(
    every_answer_names_its_request_and_clients_cannot_choose_it,
    |s| {
        let base = serve(s.clone()).await.base;
        let http = Browser::new(&base);
        let first = request_id(&http.fetch("/healthz").await);
        let second = request_id(&http.fetch("/acceso").await);
        assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first}");
        assert_ne!(first, second, "one id per request");
        // Refusals made before any handler runs carry one too (the CSRF layer's 403).
        let refused = Browser::on(&base, "https://otro.example")
            .call("my_authorisations")
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        request_id(&refused);
        // A client is not a trusted proxy: its id is replaced, so it cannot write into the logs.
        let r = http
            .get(format!("{base}/healthz"))
            .header("x-request-id", "elegido-por-el-cliente")
            .send()
            .await
            .unwrap();
        let id = request_id(&r);
        assert_ne!(id, "elegido-por-el-cliente");
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    }
);

db_test!(readiness_follows_the_database, |s| {
    let base = serve(s.clone()).await.base;
    let r = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "ready");
    s.db.close_by_ref().await.unwrap();
    let r = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.text().await.unwrap(), "database unavailable");
});

db_test!(readiness_follows_the_file_store, |s| {
    let Some(mut bucket) = S3Server::start() else {
        return;
    };
    let s = casia_services::testing::with_s3(&s, &bucket);
    let base = serve(s.clone()).await.base;
    let r = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    bucket.stop();
    let r = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.text().await.unwrap(), "storage unavailable");
    // Still alive: a restart would not bring the bucket back.
    let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
});

/// Serves the metrics router on a local port, as `metrics.listen` does.
async fn serve_metrics(s: &casia_services::Services) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = casia_server::metrics::router(s.clone());
    let http = s.config.http.clone();
    tokio::spawn(async move {
        casia_server::web::serve_on(listener, app, &http, std::future::pending()).await
    });
    format!("http://{addr}/metrics")
}

/// The value of the sample whose line starts with `name{` and has every label in `labels`
/// (the process's recorder is shared by every test server in it: counts only grow).
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

db_test!(metrics_count_requests_and_show_the_outbox, |s| {
    let base = serve_demo(&s).await;
    let metrics = serve_metrics(&s).await;
    let scrape = || async { reqwest::get(&metrics).await.unwrap().text().await.unwrap() };
    let before = scrape().await;
    let count = |text: &str, route: &str, status: &str| {
        sample(
            text,
            "casia_http_requests_total",
            &[
                &format!("route=\"{route}\""),
                &format!("status=\"{status}\""),
            ],
        )
        .unwrap_or(0.0)
    };
    let http = Browser::new(&base);
    for _ in 0..3 {
        assert_eq!(http.fetch("/healthz").await.status(), StatusCode::OK);
    }
    assert_eq!(
        http.fetch("/api/documentos/999999").await.status(),
        StatusCode::UNAUTHORIZED
    );
    http.fetch("/no-existe/1234").await;
    let after = scrape().await;
    assert!(count(&after, "/healthz", "200") - count(&before, "/healthz", "200") >= 3.0);
    assert!(
        count(&after, "/api/documentos/{id}", "401") >= 1.0,
        "{after}"
    );
    // An unknown path is counted under one label, never under the path itself.
    assert!(!after.contains("no-existe"), "{after}");
    assert!(
        sample(
            &after,
            "casia_http_request_duration_seconds_bucket",
            &["route=\"/healthz\"", "le=\"+Inf\""]
        )
        .unwrap_or(0.0)
            >= 3.0,
        "{after}"
    );
    assert!(sample(&after, "casia_db_pool_max_connections", &[]).unwrap() >= 1.0);
    assert!(sample(&after, "casia_db_pool_connections", &["state=\"idle\""]).is_some());

    // A notice whose email has waited 90 s: the backlog and its age.
    let auth = authorisation_numbered(&s, "0654321").await;
    let written = casia_services::clock::now() - chrono::Duration::seconds(90);
    notice::ActiveModel {
        authorisation_id: Set(auth.id),
        case_id: Set(None),
        kind: Set(casia_domain::model::NoticeKind::CaseOpened),
        lang: Set("es".into()),
        payload: Set("{}".into()),
        created_at: Set(written),
        email_status: Set(casia_services::notices::EmailStatus::Pending),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(&s.db)
    .await
    .unwrap();
    let text = scrape().await;
    let pending = casia_services::mail::backlog(&s.db).await.unwrap().0;
    assert!(pending >= 1);
    assert_eq!(
        sample(&text, "casia_outbox_pending", &[]),
        Some(pending as f64)
    );
    let age = sample(&text, "casia_outbox_oldest_age_seconds", &[]).unwrap();
    assert!((90.0..3600.0).contains(&age), "{age}");
    // Not on the public listener.
    assert_eq!(http.fetch("/metrics").await.status(), StatusCode::NOT_FOUND);
});

/// `casia serve` as an operator starts it, on a fresh SQLite database with the demo accounts,
/// logging JSON to stdout.
struct Process {
    child: Child,
    base: String,
    lines: std::sync::mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Process {
    fn start(grace_seconds: u64) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_casia"))
            .arg("serve")
            .env("CASIA_DATA_DIR", dir.path())
            .env("CASIA_LISTEN", format!("127.0.0.1:{port}"))
            .env("CASIA_DEMO_DATA", "true")
            .env("CASIA_LOG_FORMAT", "json")
            .env(
                "CASIA_HTTP__SHUTDOWN_GRACE_SECONDS",
                grace_seconds.to_string(),
            )
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "casia serve did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Process {
            child,
            base,
            lines,
            _dir: dir,
        }
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Every line written so far (and for `wait` more).
    fn lines(&self, wait: Duration) -> Vec<String> {
        let mut all = Vec::new();
        let until = Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => all.push(l),
                Err(_) => return all,
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id() {
    let casia = Process::start(5);
    let http = Browser::new(&casia.base);
    // A failed login logs a warning inside the request.
    let r = http.login_to("autorizado2", "no-es-la-clave", "").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let id = request_id(&r);
    let lines = casia.lines(Duration::from_millis(500));
    let of_the_request: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["span"]["request_id"] == id.as_str())
        .collect();
    assert!(
        !of_the_request.is_empty(),
        "no JSON line with request_id {id}:\n{}",
        lines.join("\n")
    );
    for line in &of_the_request {
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{line}"
        );
        assert_eq!(line["span"]["path"], "/api/login");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_in_flight_finish_and_refuses_new_ones() {
    let casia = Process::start(20);
    let login = Browser::new(&casia.base).login("autorizado2").await;
    let cookie = cookie_named(&login, "casia_session").expect("session cookie");
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let addr = casia.base.trim_start_matches("http://").to_owned();

    // An upload whose body is half sent when the signal comes.
    let mut body = PDF.to_vec();
    body.resize(256 * 1024, b' ');
    let mut upload = TcpStream::connect(&addr).unwrap();
    write!(
        upload,
        "POST /api/uploads?name=anexo.pdf HTTP/1.1\r\nHost: {addr}\r\nOrigin: {base}\r\nCookie: {cookie}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n",
        base = casia.base,
        len = body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    upload.write_all(first).unwrap();
    upload.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    casia.terminate();
    std::thread::sleep(Duration::from_millis(500));
    // No new connections once stopping.
    assert!(
        TcpStream::connect(&addr).is_err(),
        "the listener is closed after SIGTERM"
    );
    // The request in flight completes.
    upload.write_all(rest).unwrap();
    let mut answer = String::new();
    upload
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    upload.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"token\""), "{answer}");

    // And the process ends by itself, well within the grace period, saying so.
    let mut casia = casia;
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = casia.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    let lines = casia.lines(Duration::from_millis(200)).join("\n");
    assert!(lines.contains("mail delivery stopped"), "{lines}");
    assert!(lines.contains("\"stopped\""), "{lines}");
}

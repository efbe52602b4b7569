//! Live updates over HTTP (`GET /api/eventos`, Server-Sent Events), on both databases: a
//! change reaches the streams of those who may see it within 2 s, and only theirs; a
//! reconnecting page catches up from `Last-Event-ID`; bad input is a 4xx.

mod common;

use std::time::Duration;

use casia_services::db_test;
use common::{Browser, authorisation_numbered, serve_demo};
use reqwest::StatusCode;

/// A page's event stream, read chunk by chunk.
struct Stream {
    res: reqwest::Response,
    text: String,
}

impl Stream {
    async fn open(http: &Browser, last_event_id: Option<&str>) -> Stream {
        let mut r = http.get(format!("{}/api/eventos", http.base));
        if let Some(id) = last_event_id {
            r = r.header("last-event-id", id);
        }
        let res = r.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Stream {
            res,
            text: String::new(),
        }
    }

    /// Waits up to `within` for an event naming `case`; returns its `id:`.
    async fn event_for(&mut self, case: &str, within: Duration) -> Option<String> {
        let until = tokio::time::Instant::now() + within;
        loop {
            if let Some(id) = self.find(case) {
                return Some(id);
            }
            match tokio::time::timeout_at(until, self.res.chunk()).await {
                Ok(Ok(Some(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    fn find(&self, case: &str) -> Option<String> {
        self.text.split("\n\n").find_map(|event| {
            let named =
                event.contains("event: case") && event.contains(&format!("\"case\":\"{case}\""));
            named.then(|| {
                event
                    .lines()
                    .find_map(|l| l.strip_prefix("id: ").or_else(|| l.strip_prefix("id:")))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
        })
    }
}

/// Opens a Consulta as `user` through the server function; its number as displayed.
async fn open_consulta(s: &casia_services::Services, user: &Browser, key: &str) -> String {
    let tree = casia_services::taxonomy::load(&s.db, casia_domain::Lang::Es)
        .await
        .unwrap();
    let subject = tree.subjects(casia_domain::CaseType::Consulta)[0].id;
    let category = tree.children(subject)[0].id;
    let subcategory = tree.children(category).first().map(|n| n.id);
    let form = serde_json::json!({ "form": {
        "case_type": "consulta", "subject_id": subject, "category_id": category, "subcategory_id": subcategory,
        "affects_current_period": false, "title": "Duda sobre una baja", "description": "¿Qué fecha pongo?",
        "documents": [], "idempotency_key": key,
    }});
    let r = user.call_json("open_case", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let opened: serde_json::Value = r.json().await.unwrap();
    opened["number_display"].as_str().unwrap().to_owned()
}

/// The demo, served, with this instance's event pump running.
async fn serve_live(s: &casia_services::Services) -> String {
    let base = serve_demo(s).await;
    let mut jobs = tokio::task::JoinSet::new();
    casia_services::live::spawn(s, &mut jobs);
    // The pump lives as long as the test's runtime.
    std::mem::forget(jobs);
    base
}

db_test!(a_change_reaches_the_streams_allowed_to_see_it, |s| {
    let base = serve_live(&s).await;
    let owner = Browser::signed_in(&base, "autorizado2").await;
    let processor = Browser::signed_in(&base, "tramitador1").await;
    // autorizado1 works for the other authorisation.
    let other = Browser::signed_in(&base, "autorizado1").await;
    let gestoria = authorisation_numbered(&s, "0123456").await;
    other
        .call_form(
            "choose_authorisation",
            &[("authorisation_id", gestoria.id.to_string())],
        )
        .await;

    let mut owners = Stream::open(&owner, None).await;
    let mut processors = Stream::open(&processor, None).await;
    let mut others = Stream::open(&other, None).await;
    let number = open_consulta(&s, &owner, "live-1").await;
    let id = owners
        .event_for(&number, Duration::from_secs(2))
        .await
        .expect("the owner's page hears of the new case within 2 s");
    assert!(
        processors
            .event_for(&number, Duration::from_secs(2))
            .await
            .is_some()
    );
    assert!(
        others
            .event_for(&number, Duration::from_millis(800))
            .await
            .is_none(),
        "another authorisation's page hears nothing"
    );

    // A reconnecting page gets what it missed after its last event, at once.
    let second = open_consulta(&s, &owner, "live-2").await;
    let mut again = Stream::open(&owner, Some(&id)).await;
    assert!(
        again
            .event_for(&second, Duration::from_secs(2))
            .await
            .is_some()
    );
    assert!(
        again.find(&number).is_none(),
        "what it had already heard is not repeated"
    );
});

db_test!(the_stream_refuses_what_it_cannot_serve, |s| {
    let base = serve_live(&s).await;
    assert_eq!(
        Browser::new(&base).fetch("/api/eventos").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let admin = Browser::signed_in(&base, "admin").await;
    assert_eq!(
        admin.fetch("/api/eventos").await.status(),
        StatusCode::FORBIDDEN
    );
    let owner = Browser::signed_in(&base, "autorizado2").await;
    let r = owner
        .get(format!("{base}/api/eventos"))
        .header("last-event-id", "ayer")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Last-Event-ID"));
    let r = owner.fetch("/api/eventos?number=1").await;
    assert!(r.status().is_client_error(), "{}", r.status());
    // Ten tabs at most per person: the eleventh is told to wait.
    let mut open = Vec::new();
    for _ in 0..s.config.live.max_streams_per_user {
        open.push(Stream::open(&owner, None).await);
    }
    let r = owner.fetch("/api/eventos").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    drop(open);
    tokio::time::sleep(Duration::from_millis(300)).await;
    Stream::open(&owner, None).await;
});

//! Notice emails against a real SMTP server on 127.0.0.1, and the in-app inbox.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use casia_domain::model::NoticeKind;
use casia_domain::{CaseType, Lang, Role};
use casia_services::accounts::Caller;
use casia_services::authorisations;
use casia_services::cases::user_actions;
use casia_services::entity::notice;
use casia_services::error::ServiceError;
use casia_services::mail::{
    self, DeliveryReport, FileSender, MailSender, OutgoingMail, SmtpSender,
};
use casia_services::notices::{self, EmailStatus};
use casia_services::{Config, Services};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::fixtures;
use crate::smtp_server::{SmtpServer, free_port};
use casia_services::db_test;

const CONTACT: &str = "avisos@gestoria-ejemplo.es";

/// How many of the authorisation's notices the user has not read.
async fn unread(s: &Services, authorisation_id: i64, user_id: i64) -> u64 {
    notices::unread_count(&s.db, authorisation_id, user_id)
        .await
        .unwrap()
}

/// A Consulta of Ana's (see `ana_of_the_contact`) and Tram, a processor: (ana, tram, number).
async fn consulta_and_processor(s: &Services) -> (Caller, Caller, i64) {
    let ana = ana_of_the_contact(s).await;
    let tram = fixtures::staff(s, "tram", Role::Tramitador).await;
    let number = fixtures::open(s, &ana, CaseType::Consulta).await;
    (ana, tram, number)
}

/// Ana, main user of an authorisation whose notices go to `CONTACT`.
async fn ana_of_the_contact(s: &Services) -> Caller {
    let auth = fixtures::authorisation(s, "1000001", Some(CONTACT), true).await;
    fixtures::member(s, "ana", &auth, true).await
}

async fn cancel(s: &Services, who: &Caller, number: i64, reason: &str) {
    let version = fixtures::version_of(s, number).await;
    user_actions::request_cancellation(s, who, number, reason, version)
        .await
        .unwrap();
}

async fn deliver(s: &Services, sender: &dyn MailSender) -> DeliveryReport {
    mail::deliver_pending(s, sender, 50)
        .await
        .expect("delivery round")
}

async fn all_notices(s: &Services) -> Vec<notice::Model> {
    notice::Entity::find()
        .order_by_asc(notice::Column::Id)
        .all(&s.db)
        .await
        .unwrap()
}

/// Makes every pending notice due now (instead of waiting for its backoff).
async fn make_due(s: &Services) {
    notice::Entity::update_many()
        .col_expr(
            notice::Column::NextAttemptAt,
            Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(notice::Column::EmailStatus.eq(EmailStatus::Pending))
        .exec(&s.db)
        .await
        .unwrap();
}

fn case_number(n: i64) -> String {
    casia_domain::model::case_number::format(n)
}

db_test!(
    each_milestone_sends_exactly_one_mail_to_the_contact_address,
    |s| {
        let server = SmtpServer::start().await;
        let sender = SmtpSender::new(&server.config()).unwrap();
        let (ana, tram, info) = consulta_and_processor(&s).await;
        // Information requested.
        fixtures::acts(
            &s,
            &tram,
            info,
            &[
                ("take", ""),
                ("add_internal_note", "NOTA INTERNA: no debe salir"),
                (
                    "request_information",
                    "Aporte el modelo TA.2/S firmado <b>hoy</b>.",
                ),
            ],
        )
        .await;
        // Reclassification requested, then resolved.
        let reclass = fixtures::open(&s, &ana, CaseType::Incidencia).await;
        fixtures::acts(
            &s,
            &tram,
            reclass,
            &[
                ("take", ""),
                (
                    "request_reclassification",
                    "Debe darse de alta como Trámite.",
                ),
                ("resolve", "Baja tramitada con efectos del día 31."),
            ],
        )
        .await;
        // Cancelled at once (nobody had taken it).
        let auto = fixtures::open(&s, &ana, CaseType::Consulta).await;
        cancel(&s, &ana, auto, "Abierto por error").await;
        // Cancellation approved.
        let approved = fixtures::open(&s, &ana, CaseType::Consulta).await;
        fixtures::act(&s, &tram, approved, "take", "").await;
        cancel(&s, &ana, approved, "Ya no es necesario").await;
        fixtures::act(&s, &tram, approved, "approve_cancellation", "").await;
        // Cancellation rejected with reasons.
        let rejected = fixtures::open(&s, &ana, CaseType::Consulta).await;
        fixtures::act(&s, &tram, rejected, "take", "").await;
        cancel(&s, &ana, rejected, "Prefiero anularlo").await;
        fixtures::act(
            &s,
            &tram,
            rejected,
            "reject_cancellation",
            "La baja ya se ha comunicado a la TGSS y debe completarse.",
        )
        .await;

        let report = deliver(&s, &sender).await;
        assert_eq!((report.claimed, report.sent, report.failed), (11, 11, 0));
        let received = server.wait_for(11, Duration::from_secs(10)).await;
        assert_eq!(received.len(), 11);
        // A second round finds nothing left: one mail per milestone.
        assert_eq!(deliver(&s, &sender).await, DeliveryReport::default());
        assert_eq!(server.received().len(), 11);

        let notices = all_notices(&s).await;
        assert_eq!(notices.len(), 11);
        let by_id = server.count_by_message_id();
        for n in &notices {
            assert_eq!(n.email_status, EmailStatus::Sent);
            assert!(n.sent_at.is_some() && n.locked_until.is_none());
            assert_eq!(
                by_id.get(&format!("casia-notice-{}@127.0.0.1", n.id)),
                Some(&1),
                "notice {}",
                n.id
            );
        }
        for m in &received {
            assert_eq!(m.to, [CONTACT]);
            assert!(m.from.contains("no-responder@casia.localhost"));
            let all = format!("{}\n{}\n{}", m.subject(), m.text(), m.html());
            assert!(!all.contains("NOTA INTERNA"), "internal notes never leave");
        }

        // The right words for each event, with its case number and the processor's text.
        let mail_of = |number: i64, kind: NoticeKind| {
            let n = notices
                .iter()
                .find(|n| n.kind == kind && n.payload.contains(&case_number(number)))
                .unwrap_or_else(|| panic!("notice {kind:?} of {number}"));
            let id = format!("casia-notice-{}@127.0.0.1", n.id);
            received
                .iter()
                .find(|m| m.message_id() == id)
                .cloned()
                .unwrap()
        };
        for number in [info, reclass, auto, approved, rejected] {
            let m = mail_of(number, NoticeKind::CaseOpened);
            assert_eq!(
                m.subject(),
                format!("Caso {}: Alta de caso", case_number(number))
            );
            assert!(m.text().contains(&format!(
                "El número de caso asignado es {}",
                case_number(number)
            )));
            assert!(
                m.text()
                    .contains(&format!("/casia/casos/{}", case_number(number)))
            );
        }
        let m = mail_of(info, NoticeKind::InformationRequested);
        assert_eq!(
            m.subject(),
            format!("Caso {}: Solicitud de información", case_number(info))
        );
        assert!(
            m.text()
                .contains("Aporte el modelo TA.2/S firmado <b>hoy</b>.")
        );
        assert!(
            m.text()
                .contains("Gestión de Casos → Modificar Información")
        );
        assert!(
            m.html()
                .contains("Aporte el modelo TA.2/S firmado &lt;b&gt;hoy&lt;/b&gt;.")
        );
        let m = mail_of(reclass, NoticeKind::ReclassificationRequested);
        assert!(m.subject().ends_with("Solicitud de reclasificación"));
        assert!(m.text().contains("Debe darse de alta como Trámite."));
        let m = mail_of(reclass, NoticeKind::Resolved);
        assert!(m.subject().ends_with("Caso resuelto"));
        assert!(
            m.text()
                .contains("Resolución:\nBaja tramitada con efectos del día 31.")
        );
        let m = mail_of(auto, NoticeKind::CancelledAutomatically);
        assert!(m.text().contains("anulado") && m.text().contains(&case_number(auto)));
        let m = mail_of(approved, NoticeKind::CancellationApproved);
        assert!(m.subject().ends_with("Anulación aprobada"));
        let m = mail_of(rejected, NoticeKind::CancellationRejected);
        assert!(m.subject().ends_with("Anulación rechazada"));
        assert!(m.text().contains(
            "Motivos del rechazo:\nLa baja ya se ha comunicado a la TGSS y debe completarse."
        ));
        assert!(
            m.html()
                .contains("La baja ya se ha comunicado a la TGSS y debe completarse.")
        );
    }
);

db_test!(a_user_who_works_in_english_gets_english_mail, |s| {
    let server = SmtpServer::start().await;
    let sender = SmtpSender::new(&server.config()).unwrap();
    let ana = ana_of_the_contact(&s).await;
    casia_services::accounts::set_language(&s.db, &ana, Lang::En)
        .await
        .unwrap();
    let number = fixtures::open(&s, &ana, CaseType::Consulta).await;
    deliver(&s, &sender).await;
    let m = &server.wait_for(1, Duration::from_secs(10)).await[0];
    assert_eq!(
        m.subject(),
        format!("Case {}: Case opened", case_number(number))
    );
    assert!(m.text().contains("The case number assigned to it is"));
});

db_test!(no_mail_without_consent_or_address, |s| {
    let server = SmtpServer::start().await;
    let sender = SmtpSender::new(&server.config()).unwrap();
    let no_consent = fixtures::authorisation(&s, "1000001", Some(CONTACT), false).await;
    let no_address = fixtures::authorisation(&s, "1000002", None, false).await;
    let ana = fixtures::member(&s, "ana", &no_consent, true).await;
    let bea = fixtures::member(&s, "bea", &no_address, true).await;
    fixtures::open(&s, &ana, CaseType::Consulta).await;
    let n = fixtures::open(&s, &bea, CaseType::Consulta).await;
    cancel(&s, &bea, n, "").await;

    assert_eq!(deliver(&s, &sender).await, DeliveryReport::default());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.received().is_empty());
    let notices = all_notices(&s).await;
    assert_eq!(notices.len(), 3, "the inbox still gets every notice");
    for n in notices {
        assert_eq!(n.email_status, EmailStatus::Skipped);
        assert_eq!(
            (n.email_to, n.attempts, n.locked_until, n.sent_at),
            (None, 0, None, None)
        );
    }
});

db_test!(nothing_is_lost_while_the_mail_server_is_down, |s| {
    let mut server = SmtpServer::down(free_port());
    let sender = SmtpSender::new(&server.config()).unwrap();
    let ana = ana_of_the_contact(&s).await;
    for _ in 0..3 {
        fixtures::open(&s, &ana, CaseType::Consulta).await;
    }

    // Connection refused: every notice stays pending, with its error and a retry time.
    let before = Utc::now();
    let report = deliver(&s, &sender).await;
    assert_eq!((report.claimed, report.sent, report.failed), (3, 0, 3));
    for n in all_notices(&s).await {
        assert_eq!(n.email_status, EmailStatus::Pending);
        assert_eq!(n.attempts, 1);
        assert!(
            n.last_error.as_deref().is_some_and(|e| e.contains("smtp")),
            "{:?}",
            n.last_error
        );
        assert!(n.locked_until.is_none(), "the lease is given back");
        let next = n.next_attempt_at.unwrap();
        // backoff_seconds (10) after the failure.
        assert!(
            next >= before + chrono::Duration::seconds(9)
                && next <= Utc::now() + chrono::Duration::seconds(11),
            "{next}"
        );
    }
    // Not due yet: nothing is tried before the backoff.
    assert_eq!(deliver(&s, &sender).await, DeliveryReport::default());

    // A second failure doubles the delay.
    make_due(&s).await;
    let before = Utc::now();
    assert_eq!(deliver(&s, &sender).await.failed, 3);
    for n in all_notices(&s).await {
        assert_eq!(n.attempts, 2);
        assert!(n.next_attempt_at.unwrap() >= before + chrono::Duration::seconds(19));
    }

    // The server comes back; once the retry time is reached, everything goes out once.
    server.resume().await;
    assert_eq!(
        deliver(&s, &sender).await,
        DeliveryReport::default(),
        "still backing off"
    );
    make_due(&s).await;
    let report = deliver(&s, &sender).await;
    assert_eq!((report.sent, report.failed), (3, 0));
    server.wait_for(3, Duration::from_secs(10)).await;
    make_due(&s).await;
    assert_eq!(deliver(&s, &sender).await, DeliveryReport::default());
    let counts = server.count_by_message_id();
    assert_eq!(counts.len(), 3);
    assert!(counts.values().all(|c| *c == 1));
    for n in all_notices(&s).await {
        assert_eq!((n.email_status, n.attempts), (EmailStatus::Sent, 3));
    }

    // Down again mid-life: a later notice waits, and nothing already sent is resent.
    server.stop().await;
    fixtures::open(&s, &ana, CaseType::Consulta).await;
    assert_eq!(deliver(&s, &sender).await.failed, 1);
    server.resume().await;
    make_due(&s).await;
    assert_eq!(deliver(&s, &sender).await.sent, 1);
    server.wait_for(4, Duration::from_secs(10)).await;
    assert!(server.count_by_message_id().values().all(|c| *c == 1));
    assert_eq!(server.received().len(), 4);
});

db_test!(a_notice_held_by_a_dead_worker_waits_for_its_lease, |s| {
    let server = SmtpServer::start().await;
    let sender = SmtpSender::new(&server.config()).unwrap();
    let ana = ana_of_the_contact(&s).await;
    fixtures::open(&s, &ana, CaseType::Consulta).await;
    // Another instance claimed it and died.
    let lease = |at: chrono::DateTime<Utc>| {
        notice::Entity::update_many()
            .col_expr(notice::Column::LockedUntil, Expr::value(at))
            .exec(&s.db)
    };
    lease(Utc::now() + chrono::Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(deliver(&s, &sender).await.claimed, 0);
    lease(Utc::now() - chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(deliver(&s, &sender).await.sent, 1);
    assert_eq!(server.wait_for(1, Duration::from_secs(10)).await.len(), 1);
});

/// Fails the first try of every third notice, to mix retries into the concurrent rounds.
struct Flaky<'a> {
    inner: &'a SmtpSender,
    failed_once: Mutex<HashSet<i64>>,
    sends: AtomicUsize,
}

#[async_trait::async_trait]
impl MailSender for Flaky<'_> {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), ServiceError> {
        self.sends.fetch_add(1, Ordering::SeqCst);
        if mail.notice_id % 3 == 0 && self.failed_once.lock().unwrap().insert(mail.notice_id) {
            return Err(ServiceError::Internal("smtp: 451 try again later".into()));
        }
        self.inner.send(mail).await
    }
}

/// Runs rounds until a round finds nothing to do; returns (sent, failed).
async fn drain(s: &Services, sender: &dyn MailSender) -> (usize, usize) {
    let (mut sent, mut failed) = (0, 0);
    loop {
        let r = mail::deliver_pending(s, sender, 5)
            .await
            .expect("delivery round");
        sent += r.sent;
        failed += r.failed;
        if r.claimed == 0 {
            return (sent, failed);
        }
    }
}

db_test!(two_workers_never_send_one_notice_twice, |s| {
    let server = SmtpServer::start().await;
    let smtp_a = SmtpSender::new(&server.config()).unwrap();
    let smtp_b = SmtpSender::new(&server.config()).unwrap();
    let a = Flaky {
        inner: &smtp_a,
        failed_once: Mutex::new(HashSet::new()),
        sends: AtomicUsize::new(0),
    };
    let b = Flaky {
        inner: &smtp_b,
        failed_once: Mutex::new(HashSet::new()),
        sends: AtomicUsize::new(0),
    };
    let ana = ana_of_the_contact(&s).await;
    let number = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let c = casia_services::cases::find_by_number(&s.db, number)
        .await
        .unwrap();

    let mut total = 1;
    let (mut sent, mut failed) = (0, 0);
    for round in 0..4 {
        for i in 0..30 {
            notices::record(
                &s.db,
                &c,
                NoticeKind::ALL[i % NoticeKind::ALL.len()],
                Some(format!("ronda {round}, aviso {i}")),
            )
            .await
            .unwrap();
        }
        total += 30;
        // Both workers at once, then again for the retries (a notice fails at most once in
        // each worker, so three passes leave nothing pending).
        for _ in 0..3 {
            let ((sa, fa), (sb, fb)) = tokio::join!(drain(&s, &a), drain(&s, &b));
            sent += sa + sb;
            failed += fa + fb;
            make_due(&s).await;
        }
    }
    let received = server.wait_for(total, Duration::from_secs(20)).await;
    assert_eq!(sent, total, "each notice sent once");
    assert_eq!(received.len(), total);
    let counts = server.count_by_message_id();
    assert_eq!(counts.len(), total);
    assert!(
        counts.values().all(|c| *c == 1),
        "a notice was sent twice: {counts:?}"
    );
    assert!(failed > 0, "the retries were exercised");
    assert!(
        a.sends.load(Ordering::SeqCst) > 0 && b.sends.load(Ordering::SeqCst) > 0,
        "both workers took part"
    );
    assert_eq!(
        a.sends.load(Ordering::SeqCst) + b.sends.load(Ordering::SeqCst),
        total + failed
    );
    assert!(
        all_notices(&s)
            .await
            .iter()
            .all(|n| n.email_status == EmailStatus::Sent)
    );
});

db_test!(the_file_sender_writes_whole_eml_files, |s, dir| {
    let (_, tram, number) = consulta_and_processor(&s).await;
    fixtures::acts(
        &s,
        &tram,
        number,
        &[
            ("take", ""),
            ("resolve", "Resuelto: <consulte> la sede & la guía."),
        ],
    )
    .await;

    // No [smtp] in the configuration: the outbox directory.
    assert!(s.config.smtp.is_none());
    let sender = mail::sender_for(&s.config).unwrap();
    let report = mail::deliver_pending(&s, sender.as_ref(), 10)
        .await
        .unwrap();
    assert_eq!(report.sent, 2);
    let outbox = dir.join("outbox");
    assert_eq!(outbox, s.config.outbox_dir());
    let mut names: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let ids: Vec<i64> = all_notices(&s).await.iter().map(|n| n.id).collect();
    assert_eq!(
        names,
        [
            format!("{}-case_opened.eml", ids[0]),
            format!("{}-resolved.eml", ids[1])
        ],
        "no temporary files left"
    );

    let raw = std::fs::read(outbox.join(&names[1])).unwrap();
    let m = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("parseable");
    assert_eq!(
        m.subject(),
        Some(format!("Caso {}: Caso resuelto", case_number(number)).as_str())
    );
    assert_eq!(
        m.message_id(),
        Some(format!("casia-notice-{}@127.0.0.1", ids[1]).as_str())
    );
    assert_eq!(
        m.to().and_then(|a| a.first()).and_then(|a| a.address()),
        Some(CONTACT)
    );
    assert!(
        m.body_text(0)
            .unwrap()
            .contains("Resuelto: <consulte> la sede & la guía.")
    );
    assert!(
        m.body_html(0)
            .unwrap()
            .contains("Resuelto: &lt;consulte&gt; la sede &amp; la guía.")
    );
    assert_eq!(m.text_body_count(), 1);
    assert_eq!(m.html_body_count(), 1);

    // Another FileSender into any directory: one file per notice, overwritten on a resend.
    let other = dir.join("elsewhere");
    let files = FileSender::new(other.clone());
    let n = &all_notices(&s).await[0];
    let mail = mail::compose(n, &s.config).unwrap();
    files.send(&mail).await.unwrap();
    files.send(&mail).await.unwrap();
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);
});

db_test!(the_worker_wakes_when_a_milestone_commits, |s| {
    let server = SmtpServer::start().await;
    // Polling once an hour: only the wake-up can explain a prompt delivery.
    let mut config: Config = (*s.config).clone();
    config.mail.poll_seconds = 3600;
    config.smtp = Some(server.config());
    let worker_services = Services {
        config: Arc::new(config),
        ..s.clone()
    };
    let sender = mail::sender_for(&worker_services.config).unwrap();
    let worker = tokio::spawn(mail::run_worker(worker_services, sender));

    let ana = ana_of_the_contact(&s).await;
    tokio::time::sleep(Duration::from_millis(200)).await; // the worker's first round is over
    fixtures::open(&s, &ana, CaseType::Consulta).await;
    server.wait_for(1, Duration::from_secs(10)).await;
    let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let n = fixtures::open(&s, &ana, CaseType::Consulta).await;
    server.wait_for(2, Duration::from_secs(10)).await;
    fixtures::acts(&s, &tram, n, &[("take", ""), ("resolve", "Hecho.")]).await;
    server.wait_for(3, Duration::from_secs(10)).await;
    worker.abort();
});

db_test!(the_inbox_lists_counts_and_marks_read_per_person, |s| {
    let a = fixtures::authorisation(&s, "1000001", Some(CONTACT), true).await;
    let b = fixtures::authorisation(&s, "1000002", None, false).await;
    let ana = fixtures::member(&s, "ana", &a, true).await;
    let bea = fixtures::member(&s, "bea", &a, false).await;
    let carlos = fixtures::member(&s, "carlos", &b, true).await;
    let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
    let first = fixtures::open(&s, &ana, CaseType::Consulta).await;
    let second = fixtures::open(&s, &bea, CaseType::Consulta).await;
    fixtures::acts(
        &s,
        &tram,
        second,
        &[("take", ""), ("resolve", "Se ha corregido el dato.")],
    )
    .await;
    fixtures::open(&s, &carlos, CaseType::Consulta).await;

    let page = notices::inbox(&s.db, &ana, Lang::Es, None, 50)
        .await
        .unwrap();
    assert_eq!(page.len(), 3, "only the authorisation's own notices");
    assert!(page.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(page[0].kind, NoticeKind::Resolved);
    assert_eq!(
        page[0].case_number.as_deref(),
        Some(case_number(second).as_str())
    );
    assert_eq!(
        page[0].subject,
        format!("Caso {}: Caso resuelto", case_number(second))
    );
    assert!(
        page[0]
            .body
            .contains("Resolución:\nSe ha corregido el dato.")
    );
    assert_eq!(
        page[2].case_number.as_deref(),
        Some(case_number(first).as_str())
    );
    assert!(page.iter().all(|n| !n.read && !n.created_at.is_empty()));
    let english = notices::inbox(&s.db, &ana, Lang::En, None, 50)
        .await
        .unwrap();
    assert_eq!(
        english[0].subject,
        format!("Case {}: Case resolved", case_number(second))
    );

    // Keyset pages.
    let next = notices::inbox(&s.db, &ana, Lang::Es, Some(page[0].id), 1)
        .await
        .unwrap();
    assert_eq!(next.iter().map(|n| n.id).collect::<Vec<_>>(), [page[1].id]);

    // Reading is per person, and idempotent.
    assert_eq!(unread(&s, a.id, ana.user.id).await, 3);
    notices::mark_read(&s.db, &ana, page[0].id).await.unwrap();
    notices::mark_read(&s.db, &ana, page[0].id).await.unwrap();
    assert_eq!(unread(&s, a.id, ana.user.id).await, 2);
    assert_eq!(unread(&s, a.id, bea.user.id).await, 3);
    assert!(
        notices::inbox(&s.db, &ana, Lang::Es, None, 50)
            .await
            .unwrap()[0]
            .read
    );
    assert!(
        !notices::inbox(&s.db, &bea, Lang::Es, None, 50)
            .await
            .unwrap()[0]
            .read
    );

    // Another authorisation's notice does not exist for this caller.
    let theirs = notices::inbox(&s.db, &carlos, Lang::Es, None, 50)
        .await
        .unwrap();
    assert_eq!(theirs.len(), 1);
    assert!(matches!(
        notices::mark_read(&s.db, &ana, theirs[0].id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        notices::mark_read(&s.db, &ana, 999_999).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(unread(&s, b.id, carlos.user.id).await, 1);

    assert_eq!(notices::mark_all_read(&s.db, &ana).await.unwrap(), 2);
    assert_eq!(notices::mark_all_read(&s.db, &ana).await.unwrap(), 0);
    assert_eq!(unread(&s, a.id, ana.user.id).await, 0);
    assert!(
        notices::inbox(&s.db, &ana, Lang::Es, None, 50)
            .await
            .unwrap()
            .iter()
            .all(|n| n.read)
    );
    assert_eq!(unread(&s, a.id, bea.user.id).await, 3);
    assert_eq!(unread(&s, b.id, carlos.user.id).await, 1);

    // Staff have no inbox of an authorisation.
    assert!(matches!(
        notices::inbox(&s.db, &tram, Lang::Es, None, 50).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        notices::mark_all_read(&s.db, &tram).await,
        Err(ServiceError::Forbidden)
    ));
});

db_test!(
    consent_and_address_are_read_again_when_the_notice_is_sent,
    |s| {
        let mut server = SmtpServer::down(free_port());
        let sender = SmtpSender::new(&server.config()).unwrap();
        let moves = fixtures::authorisation(&s, "1000001", Some(CONTACT), true).await;
        let withdraws =
            fixtures::authorisation(&s, "1000002", Some("avisos@otra-gestoria.es"), true).await;
        let ana = fixtures::member(&s, "ana", &moves, true).await;
        let bea = fixtures::member(&s, "bea", &withdraws, true).await;
        fixtures::open(&s, &ana, CaseType::Consulta).await;
        fixtures::open(&s, &bea, CaseType::Consulta).await;
        // The mail server is down: both wait.
        assert_eq!(deliver(&s, &sender).await.failed, 2);

        // Meanwhile one main user moves the notices to a new address, the other withdraws consent.
        fixtures::update_contact(
            &s,
            &ana,
            "nuevo-buzon@gestoria-ejemplo.es",
            true,
            fixtures::PASSWORD,
        )
        .await
        .unwrap();
        fixtures::update_contact(&s, &bea, "avisos@otra-gestoria.es", false, "")
            .await
            .unwrap();

        server.resume().await;
        make_due(&s).await;
        let report = deliver(&s, &sender).await;
        assert_eq!((report.sent, report.skipped, report.failed), (1, 1, 0));
        let received = server.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(
            received[0].to,
            ["nuevo-buzon@gestoria-ejemplo.es"],
            "the address of now, not of the event"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            server.received().len(),
            1,
            "nothing to the authorisation that withdrew consent"
        );

        let notices = all_notices(&s).await;
        let sent = notices
            .iter()
            .find(|n| n.authorisation_id == moves.id)
            .unwrap();
        assert_eq!(
            (sent.email_status, sent.email_to.as_deref()),
            (EmailStatus::Sent, Some("nuevo-buzon@gestoria-ejemplo.es"))
        );
        let skipped = notices
            .iter()
            .find(|n| n.authorisation_id == withdraws.id)
            .unwrap();
        assert_eq!(skipped.email_status, EmailStatus::Skipped);
        assert!(skipped.last_error.as_deref().unwrap().contains("consent"));
        // Both stay in the inbox; nothing is left to deliver.
        make_due(&s).await;
        assert_eq!(deliver(&s, &sender).await, DeliveryReport::default());
    }
);

db_test!(
    a_refusal_for_good_ends_the_notice_and_a_temporary_one_is_retried,
    |s| {
        use crate::smtp_server::{FULL_MAILBOX, UNKNOWN_MAILBOX};
        let server = SmtpServer::start().await;
        let sender = SmtpSender::new(&server.config()).unwrap();
        let unknown = fixtures::authorisation(&s, "1000001", Some(UNKNOWN_MAILBOX), true).await;
        let full = fixtures::authorisation(&s, "1000002", Some(FULL_MAILBOX), true).await;
        let ana = fixtures::member(&s, "ana", &unknown, true).await;
        let bea = fixtures::member(&s, "bea", &full, true).await;
        fixtures::open(&s, &ana, CaseType::Consulta).await;
        fixtures::open(&s, &bea, CaseType::Consulta).await;

        let report = deliver(&s, &sender).await;
        assert_eq!((report.sent, report.given_up, report.failed), (0, 1, 1));
        let notices = all_notices(&s).await;
        // The permanent refusal fails for good; the full mailbox waits for another try.
        for (authorisation, status, reply) in [
            (unknown.id, EmailStatus::Failed, "550"),
            (full.id, EmailStatus::Pending, "452"),
        ] {
            let notice = notices
                .iter()
                .find(|n| n.authorisation_id == authorisation)
                .unwrap();
            assert_eq!((notice.email_status, notice.attempts), (status, 1));
            assert!(
                notice.last_error.as_deref().unwrap().contains(reply),
                "{:?}",
                notice.last_error
            );
        }

        // Only the temporary one is tried again.
        make_due(&s).await;
        let report = deliver(&s, &sender).await;
        assert_eq!((report.claimed, report.failed, report.given_up), (1, 1, 0));
        assert!(server.received().is_empty());
    }
);

db_test!(
    contact_data_is_changed_by_the_main_user_with_the_password,
    |s| {
        let auth = fixtures::authorisation(&s, "1000001", Some(CONTACT), true).await;
        let main = fixtures::member(&s, "ana", &auth, true).await;
        let other = fixtures::member(&s, "bea", &auth, false).await;

        // Every member may look; only the main user may change.
        let seen = authorisations::get_contact(&other).await.unwrap();
        assert_eq!(
            (seen.email.as_str(), seen.consent, seen.editable),
            (CONTACT, true, false)
        );
        assert!(authorisations::get_contact(&main).await.unwrap().editable);
        assert!(matches!(
            fixtures::update_contact(&s, &other, "otro@gestoria.es", true, fixtures::PASSWORD)
                .await,
            Err(ServiceError::Forbidden)
        ));

        // A new address needs the password; consent alone does not.
        let Err(ServiceError::Invalid(e)) =
            fixtures::update_contact(&s, &main, "otro@gestoria.es", true, "mala").await
        else {
            panic!()
        };
        assert_eq!(e[0].field, "password");
        let changed = fixtures::update_contact(&s, &main, CONTACT, false, "")
            .await
            .unwrap();
        assert!(!changed.consent && changed.updated_at.is_some());
        // Consent needs an address, and the address must be one a mail server accepts.
        let Err(ServiceError::Invalid(e)) =
            fixtures::update_contact(&s, &main, "", true, fixtures::PASSWORD).await
        else {
            panic!()
        };
        assert_eq!(e[0].field, "email");
        let Err(ServiceError::Invalid(e)) =
            fixtures::update_contact(&s, &main, "a,b@gestoria.es", true, fixtures::PASSWORD).await
        else {
            panic!()
        };
        assert_eq!(e[0].field, "email");
        let changed =
            fixtures::update_contact(&s, &main, " nuevo@gestoria.es ", true, fixtures::PASSWORD)
                .await
                .unwrap();
        assert_eq!(
            (changed.email.as_str(), changed.consent),
            ("nuevo@gestoria.es", true)
        );
        // Removing the address (and consent) is allowed too.
        let cleared = fixtures::update_contact(&s, &main, "", false, fixtures::PASSWORD)
            .await
            .unwrap();
        assert_eq!(cleared.email, "");

        // Processors have no contact data of an authorisation.
        let tram = fixtures::staff(&s, "tram", Role::Tramitador).await;
        assert!(authorisations::get_contact(&tram).await.is_err());
    }
);

/// Sends through `inner`, and asks the process to stop (SIGTERM) during its first send.
struct StopsDuringTheFirstSend<'a> {
    inner: &'a SmtpSender,
    stop: tokio_util::sync::CancellationToken,
}

#[async_trait::async_trait]
impl MailSender for StopsDuringTheFirstSend<'_> {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), ServiceError> {
        self.stop.cancel();
        self.inner.send(mail).await
    }
}

db_test!(a_stopping_worker_gives_back_what_it_has_not_sent, |s| {
    let server = SmtpServer::start().await;
    let smtp = SmtpSender::new(&server.config()).unwrap();
    let ana = ana_of_the_contact(&s).await;
    for _ in 0..3 {
        fixtures::open(&s, &ana, CaseType::Consulta).await;
    }
    let stopping = Services {
        shutdown: tokio_util::sync::CancellationToken::new(),
        ..s.clone()
    };
    let sender = StopsDuringTheFirstSend {
        inner: &smtp,
        stop: stopping.shutdown.clone(),
    };
    let report = mail::deliver_pending(&stopping, &sender, 50).await.unwrap();
    assert_eq!((report.claimed, report.sent, report.released), (3, 1, 2));
    let waiting: Vec<notice::Model> = all_notices(&s)
        .await
        .into_iter()
        .filter(|n| n.email_status == EmailStatus::Pending)
        .collect();
    assert_eq!(waiting.len(), 2);
    for n in &waiting {
        assert!(n.locked_until.is_none(), "lease given back at once");
        assert_eq!(n.attempts, 0, "not counted as a failed try");
    }
    // Another instance (or the next start) sends them now, not after the lease.
    let report = deliver(&s, &smtp).await;
    assert_eq!(report.sent, 2);
    assert_eq!(server.wait_for(3, Duration::from_secs(10)).await.len(), 3);
    assert!(server.count_by_message_id().values().all(|c| *c == 1));
});

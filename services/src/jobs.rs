//! Background work of a running server: housekeeping, deadline reminders and expiry (Plazos),
//! and delivery of notice emails.

use std::time::Duration;

use tokio::task::JoinSet;

use crate::Services;

/// The running jobs; each ends once `Services::shutdown` is cancelled.
pub struct BackgroundJobs(JoinSet<()>);

impl BackgroundJobs {
    /// Waits until every job has ended (the mail worker after giving back its leases).
    pub async fn finished(mut self) {
        while self.0.join_next().await.is_some() {}
    }
}

/// `interval`'s next tick, or `None` once the process is stopping.
async fn next_tick(tick: &mut tokio::time::Interval, s: &Services) -> Option<()> {
    tokio::select! {
        _ = tick.tick() => Some(()),
        () = s.shutdown.cancelled() => None,
    }
}

pub fn spawn_background_jobs(services: &Services) -> BackgroundJobs {
    let mut jobs = JoinSet::new();
    let s = services.clone();
    jobs.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        while next_tick(&mut tick, &s).await.is_some() {
            match crate::accounts::purge_expired(&s.db, &s.config.session, &s.config.login).await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
            // Files uploaded for a form that was never sent: they would fill the disk.
            match crate::files::purge_stale_uploads(&s.db, &s.storage, s.config.uploads.stale_hours)
                .await
            {
                Ok(n) if n > 0 => tracing::info!(uploads = n, "unattached uploads removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "removing unattached uploads failed"),
            }
            if let Err(e) = crate::live::purge_old(&s.db).await {
                tracing::warn!(error = %e, "removing old live events failed");
            }
        }
    });
    crate::live::spawn(services, &mut jobs);

    // Plazos: every instance runs it; each step is claimed by a conditional UPDATE, so a
    // reminder goes out once however many instances run.
    let s = services.clone();
    jobs.spawn(async move {
        let every = Duration::from_secs(s.config.plazos.poll_seconds.max(1));
        let mut tick = tokio::time::interval(every);
        while next_tick(&mut tick, &s).await.is_some() {
            match crate::plazos::worker::run_once(&s.db).await {
                Ok(r) if r.reminders > 0 || r.expired > 0 => {
                    tracing::info!(reminders = r.reminders, expired = r.expired, "deadlines");
                    s.mail_wakeup.notify_one();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline reminders and expiry failed"),
            }
        }
    });

    // Webhooks: every instance runs it; each delivery is claimed by a conditional UPDATE.
    jobs.spawn(crate::webhooks::worker::run_worker(services.clone()));

    match crate::mail::sender_for(&services.config) {
        Ok(sender) => {
            jobs.spawn(crate::mail::run_worker(services.clone(), sender));
        }
        // Notices keep accumulating as pending: once the configuration is fixed and the
        // server restarted, they all go out.
        Err(e) => {
            tracing::error!(error = %e, "mail delivery not started: check the [smtp] configuration")
        }
    }
    BackgroundJobs(jobs)
}

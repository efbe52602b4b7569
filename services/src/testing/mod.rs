//! Test support (feature `test-support`): every database test runs twice: on a fresh SQLite file and on a fresh PostgreSQL database,
//! both migrated from scratch. PostgreSQL is required (the test command starts it); a missing
//! server fails the tests instead of skipping them.

pub mod s3;

use std::future::Future;

use crate::{Config, Services};
use sea_orm::{ConnectionTrait, Database};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn postgres_admin_url() -> String {
    std::env::var("CASIA_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub struct TestEnv {
    pub services: Services,
    pub dir: tempfile::TempDir,
    pg_database: Option<String>,
}

pub async fn start(backend: Backend) -> TestEnv {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        demo_data: false,
        ..Config::default()
    };
    // The tests of staff journeys sign in with a password alone, as the demo does; the
    // second factor's own tests turn `required` (the default) back on with [`with_staff_mfa`].
    config.auth.staff_mfa = crate::config::StaffMfa::Optional;
    let mut pg_database = None;
    match backend {
        Backend::Sqlite => {
            config.database_url =
                format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        }
        Backend::Postgres => {
            let name = format!("casia_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(format!("{}/postgres", postgres_admin_url()))
                .await
                .expect("PostgreSQL must be running for the tests (see scripts/test.sh)");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            config.database_url = format!("{}/{name}", postgres_admin_url());
            pg_database = Some(name);
        }
    }
    config.fill_derived();
    let services = Services::start(config).await.expect("start services");
    TestEnv {
        services,
        dir,
        pg_database,
    }
}

impl TestEnv {
    pub async fn finish(self) {
        let TestEnv {
            services,
            dir,
            pg_database,
        } = self;
        services.db.close().await.ok();
        if let Some(name) = pg_database
            && let Ok(admin) = Database::connect(format!("{}/postgres", postgres_admin_url())).await
        {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
            admin.close().await.ok();
        }
        drop(dir);
    }
}

/// The same services with another `auth.staff_mfa`.
pub fn with_staff_mfa(s: &Services, policy: crate::config::StaffMfa) -> Services {
    let mut config = (*s.config).clone();
    config.auth.staff_mfa = policy;
    Services {
        config: std::sync::Arc::new(config),
        ..s.clone()
    }
}

/// Runs `body` against a fresh database and removes the database afterwards, even when
/// the body panics (the panic is then re-raised).
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Services, std::path::PathBuf) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let env = start(backend).await;
    let outcome = tokio::spawn(body(env.services.clone(), env.dir.path().to_path_buf())).await;
    env.finish().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `db_test!(name, |services, dir| { ... })` defines `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$svc:ident, $dir:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            // One thread per test, as `casia serve` runs: Leptos 0.8 can deadlock two worker
            // threads rendering one page (leptos-rs/leptos#4673; server/tests/render_concurrency.rs).
            #[tokio::test(flavor = "current_thread")]
            async fn sqlite() {
                $crate::testing::run($crate::testing::Backend::Sqlite, |$svc, $dir| async move {
                    let _ = &$dir;
                    $body
                })
                .await
            }

            #[tokio::test(flavor = "current_thread")]
            async fn postgres() {
                $crate::testing::run(
                    $crate::testing::Backend::Postgres,
                    |$svc, $dir| async move {
                        let _ = &$dir;
                        $body
                    },
                )
                .await
            }
        }
    };
    ($name:ident, |$svc:ident| $body:block) => {
        $crate::db_test!($name, |$svc, _dir| $body);
    };
}

/// The same services with their files in `server`'s bucket instead of the test's directory.
pub fn with_s3(s: &Services, server: &s3::S3Server) -> Services {
    let mut config = (*s.config).clone();
    config.storage = server.config();
    let storage = crate::files::Storage::from_config(&config.storage, &config.storage_dir())
        .expect("S3 storage from the test server's settings");
    Services {
        config: std::sync::Arc::new(config),
        storage,
        ..s.clone()
    }
}

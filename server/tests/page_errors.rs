//! What a signed-in page shows when the database fails: an error page, never the login page.
//!
//! Its own test binary: it closes its server's database pool, and in the shared binary
//! (`http.rs`, thirty servers on their own runtimes in one process) its first page load was
//! seen to hang until the request deadline now and then (2 of 4 runs at eight threads, never
//! alone: 0 of 12). Not understood yet; see the closing note of issue 11.

mod common;

use casia_services::db_test;
use common::{Browser, location, serve_demo};
use reqwest::StatusCode;

db_test!(
    a_database_failure_shows_an_error_page_not_the_login_page,
    |s| {
        let base = serve_demo(&s).await;
        let user = Browser::signed_in(&base, "autorizado2").await;
        assert_eq!(user.page("/casia").await.status(), StatusCode::OK);
        // The database goes away: the session cannot be checked, which is not "signed out".
        s.db.close_by_ref().await.unwrap();
        for path in ["/casia", "/"] {
            let r = user.page(path).await;
            assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
            assert_eq!(location(&r), "", "{path}: not sent to the login page");
            let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
            let html = r.text().await.unwrap();
            let told = casia_domain::Msg::ErrInternal.t(casia_domain::Lang::Es);
            assert!(html.contains(told.as_str()), "{path}: {html}");
            // The reference to quote to the help desk is the one in the server's logs.
            assert!(
                html.contains(&format!("<code>{id}")),
                "{path}: {id} in {html}"
            );
        }
    }
);

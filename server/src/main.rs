#![recursion_limit = "512"]
//! `casia`: the HTTP server and the operator's command line.

use clap::Parser;

// One thread serves every request (blocking work such as password hashing and file writes
// goes to tokio's blocking pool). On a multi-threaded runtime Leptos 0.8 can deadlock two
// workers rendering one page, for good (leptos-rs/leptos#4673, reproduced by
// server/tests/render_concurrency.rs): a server that is slower on many cores beats one that
// stops. Several instances behind a proxy use more cores.
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args = casia_server::cli::Cli::parse();
    match casia_server::cli::run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("casia: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#![recursion_limit = "512"]
//! `casia`: the HTTP server and the operator's command line.

use clap::Parser;

#[tokio::main]
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

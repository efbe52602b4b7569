//! A real S3-compatible server for the tests: `s3s-fs` (crates.io, `scripts/setup.sh --tests`
//! installs it) on a free local port over a temporary directory, with SigV4 credentials.
//! Not a mock: object_store's S3 client talks HTTP to it exactly as to a provider.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::{StorageBackend, StorageConfig};

pub const ACCESS_KEY: &str = "casia-test-key";
pub const SECRET_KEY: &str = "casia-test-secret-0123456789";
pub const BUCKET: &str = "casia";

/// Set to `1` to let the S3 tests pass without running when `s3s-fs` is not installed (a
/// developer's machine); without it a missing server fails them, as in CI.
pub const SKIP_VARIABLE: &str = "CASIA_TEST_SKIP_S3";

pub struct S3Server {
    process: Child,
    pub endpoint: String,
    /// The server's files: one directory per bucket, one file per object.
    pub root: tempfile::TempDir,
}

fn binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| {
        std::env::split_paths(&p)
            .map(|dir| dir.join("s3s-fs"))
            .collect::<Vec<_>>()
    });
    let cargo_bin = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/s3s-fs"));
    on_path.chain(cargo_bin).find(|p| p.is_file())
}

impl S3Server {
    /// Starts a server with an empty bucket, or `None` (after saying so) when `s3s-fs` is
    /// missing and [`SKIP_VARIABLE`] allows it. Panics when it is missing otherwise.
    pub fn start() -> Option<S3Server> {
        let Some(binary) = binary() else {
            if std::env::var(SKIP_VARIABLE).as_deref() == Ok("1") {
                eprintln!(
                    "SKIPPED: s3s-fs is not installed and {SKIP_VARIABLE}=1; this S3 test did not run"
                );
                return None;
            }
            panic!(
                "s3s-fs is needed by the S3 tests: `cargo install s3s-fs --version 0.14.1 --features binary --locked` \
                 (scripts/setup.sh --tests does it), or set {SKIP_VARIABLE}=1 to skip them"
            );
        };
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join(BUCKET)).expect("bucket directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let process = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        let server = S3Server {
            process,
            endpoint: format!("http://127.0.0.1:{port}"),
            root,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// `storage.*` for this server's bucket.
    pub fn config(&self) -> StorageConfig {
        StorageConfig {
            backend: StorageBackend::S3,
            bucket: BUCKET.into(),
            endpoint: self.endpoint.clone(),
            region: "us-east-1".into(),
            path_style: true,
            access_key_id: ACCESS_KEY.into(),
            secret_access_key: SECRET_KEY.into(),
        }
    }

    /// Stops the server (to see what Casia does without its storage).
    pub fn stop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

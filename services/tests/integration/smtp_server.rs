//! A real SMTP server for the mail tests: mailin's SMTP state machine over tokio sockets on
//! 127.0.0.1, keeping every message it accepts. It can be stopped (listener and open
//! connections closed) and started again on the same port, for the "server down" tests.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use casia_services::config::SmtpConfig;
use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// One message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parseable RFC 5322 message")
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().expect("a Message-ID").to_owned()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    /// The plain-text part, with the wire's CRLF line ends made `\n`.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .expect("a text part")
            .replace("\r\n", "\n")
    }

    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .expect("an HTML part")
            .into_owned()
    }
}

type Mailbox = Arc<Mutex<Vec<Received>>>;

pub struct SmtpServer {
    pub port: u16,
    mailbox: Mailbox,
    task: Option<JoinHandle<()>>,
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::start_on(free_port()).await
    }

    /// A server that is not running yet (connections to `port` are refused).
    pub fn down(port: u16) -> SmtpServer {
        SmtpServer {
            port,
            mailbox: Mailbox::default(),
            task: None,
        }
    }

    pub async fn start_on(port: u16) -> SmtpServer {
        let mut server = Self::down(port);
        server.resume().await;
        server
    }

    /// Starts listening (again), keeping what was received before.
    pub async fn resume(&mut self) {
        assert!(self.task.is_none(), "already running");
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind the SMTP port");
        let mailbox = self.mailbox.clone();
        self.task = Some(tokio::spawn(async move {
            // Owned by the accept loop: aborting it closes every open session too.
            let mut sessions = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, peer)) = accepted {
                            sessions.spawn(serve(stream, peer.ip(), mailbox.clone()));
                        }
                    }
                    Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
                }
            }
        }));
    }

    /// Closes the listener and every open connection.
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            task.await.ok();
        }
    }

    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            username: None,
            password: None,
            tls: "none".into(),
            timeout_seconds: 5,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.mailbox.lock().unwrap().clone()
    }

    /// How many messages arrived per Message-ID.
    pub fn count_by_message_id(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for m in self.received() {
            *counts.entry(m.message_id()).or_insert(0) += 1;
        }
        counts
    }

    /// Waits until at least `n` messages arrived (or fails after `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} messages, got {}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Collects one session's messages.
struct Collector {
    mailbox: Mailbox,
    current: Option<Received>,
}

/// Recipients this server refuses, as real ones do: for good (550) or for now (452).
pub const UNKNOWN_MAILBOX: &str = "no-existe@gestoria-ejemplo.es";
pub const FULL_MAILBOX: &str = "buzon-lleno@gestoria-ejemplo.es";

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        match to {
            UNKNOWN_MAILBOX => mailin::response::NO_MAILBOX,
            FULL_MAILBOX => mailin::response::OUT_OF_SPACE,
            _ => mailin::response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = self.current.as_mut() {
            m.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(m) = self.current.take() {
            self.mailbox.lock().unwrap().push(m);
        }
        mailin::response::OK
    }
}

async fn serve(stream: TcpStream, peer: IpAddr, mailbox: Mailbox) {
    let mut session = SessionBuilder::new("smtp.test.localhost").build(
        peer,
        Collector {
            mailbox,
            current: None,
        },
    );
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    if writer
        .write_all(&session.greeting().buffer().unwrap())
        .await
        .is_err()
    {
        return;
    }
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let response = session.process(&line);
        match response.action {
            Action::NoReply => {}
            Action::Reply => {
                if writer.write_all(&response.buffer().unwrap()).await.is_err() {
                    return;
                }
            }
            Action::Close | Action::UpgradeTls => {
                writer.write_all(&response.buffer().unwrap()).await.ok();
                return;
            }
        }
    }
}

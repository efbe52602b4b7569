//! `casia-bench-driver open BASE_URL --users u1,u2,… --password P --workers N --seconds S
//! --doc-bytes B`: each worker signs in as one of the users, then, until the time is up, opens
//! Trámite cases the way the browser does: `POST /api/uploads` with a document of B bytes, then
//! `POST /api/open_case` with its token. Prints one JSON object with the throughput and the
//! latency percentiles of the whole opening (upload + Finalizar Alta).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Args {
    base: String,
    users: Vec<String>,
    password: String,
    workers: usize,
    seconds: u64,
    doc_bytes: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    if it.next().as_deref() != Some("open") {
        return Err("usage: casia-bench-driver open BASE_URL --users U1,U2 --password P [--workers 16] [--seconds 20] [--doc-bytes 102400]".into());
    }
    let base = it
        .next()
        .ok_or("BASE_URL missing")?
        .trim_end_matches('/')
        .to_owned();
    let mut args = Args {
        base,
        users: Vec::new(),
        password: String::new(),
        workers: 16,
        seconds: 20,
        doc_bytes: 100 * 1024,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--users" => args.users = value.split(',').map(str::to_owned).collect(),
            "--password" => args.password = value,
            "--workers" => args.workers = value.parse().map_err(|e| format!("--workers: {e}"))?,
            "--seconds" => args.seconds = value.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--doc-bytes" => {
                args.doc_bytes = value.parse().map_err(|e| format!("--doc-bytes: {e}"))?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.users.is_empty() {
        return Err("--users is required".into());
    }
    Ok(args)
}

/// A PDF-looking document of `size` bytes (the server checks the content's kind).
fn document(size: usize) -> Vec<u8> {
    let mut doc = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut x: u32 = 0x9e37_79b9;
    while doc.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        doc.push(b'0' + (x % 10) as u8);
        if doc.len() % 80 == 0 {
            doc.push(b'\n');
        }
    }
    doc.truncate(size);
    doc
}

async fn sign_in(base: &str, user: &str, password: &str) -> Result<reqwest::Client, String> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| e.to_string())?;
    let r = client
        .post(format!("{base}/api/login"))
        .header("Accept", "application/json")
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !(r.status().is_success() || r.status().is_redirection()) {
        return Err(format!("login {user}: {}", r.status()));
    }
    Ok(client)
}

/// A Trámite classification and a document type the server accepts.
async fn choices(
    client: &reqwest::Client,
    base: &str,
) -> Result<(i64, i64, Option<i64>, i64), String> {
    let v: Value = client
        .post(format!("{base}/api/new_case_options"))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let nodes = v["taxonomy"]["nodes"]
        .as_array()
        .ok_or("no taxonomy in the options")?;
    let active = |n: &&Value| n["active"].as_bool() == Some(true);
    let subject = nodes
        .iter()
        .filter(active)
        .find(|n| n["depth"] == 1 && n["case_type"] == "tramite")
        .ok_or("no Trámite subject")?["id"]
        .as_i64()
        .unwrap_or_default();
    let category = nodes
        .iter()
        .filter(active)
        .find(|n| n["parent_id"] == subject)
        .ok_or("no category")?["id"]
        .as_i64()
        .unwrap_or_default();
    let subcategory = nodes
        .iter()
        .filter(active)
        .find(|n| n["parent_id"] == category)
        .and_then(|n| n["id"].as_i64());
    let doc_type = v["document_types"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["active"].as_bool() == Some(true)))
        .and_then(|t| t["id"].as_i64())
        .ok_or("no document type")?;
    Ok((subject, category, subcategory, doc_type))
}

async fn open_one(
    client: &reqwest::Client,
    base: &str,
    doc: &[u8],
    classification: (i64, i64, Option<i64>, i64),
    key: String,
) -> Result<(), String> {
    let r = client
        .post(format!("{base}/api/uploads?name=contrato.pdf"))
        .header("Content-Type", "application/octet-stream")
        .body(doc.to_vec())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!(
            "upload: {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        ));
    }
    let uploaded: Value = r.json().await.map_err(|e| e.to_string())?;
    let token = uploaded["token"].as_str().ok_or("no upload token")?;
    let (subject, category, subcategory, doc_type) = classification;
    let form = json!({ "form": {
        "case_type": "tramite",
        "subject_id": subject,
        "category_id": category,
        "subcategory_id": subcategory,
        "affects_current_period": false,
        "title": "Alta de trabajador fuera de plazo",
        "description": "Solicitud generada por la prueba de carga con un documento anexado.",
        "documents": [{ "document_type_id": doc_type, "title": "Contrato de trabajo", "upload_token": token }],
        "idempotency_key": key,
    }});
    let r = client
        .post(format!("{base}/api/open_case"))
        .header("Accept", "application/json")
        .json(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!(
            "open_case: {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        ));
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let doc = std::sync::Arc::new(document(args.doc_bytes));
    let mut clients = Vec::new();
    for w in 0..args.workers {
        match sign_in(
            &args.base,
            &args.users[w % args.users.len()],
            &args.password,
        )
        .await
        {
            Ok(c) => clients.push(c),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let classification = match choices(&clients[0], &args.base).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for (w, client) in clients.into_iter().enumerate() {
        let base = args.base.clone();
        let doc = doc.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let t = Instant::now();
                match open_one(
                    &client,
                    &base,
                    &doc,
                    classification,
                    format!("bench-{w}-{n}-{}", started.elapsed().as_nanos()),
                )
                .await
                {
                    Ok(()) => latencies.push(t.elapsed().as_secs_f64() * 1000.0),
                    Err(e) => errors.push(e),
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for t in tasks {
        let (l, e) = t.await.expect("worker");
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let out = json!({
        "workers": args.workers,
        "seconds": elapsed,
        "opened": latencies.len(),
        "errors": errors.len(),
        "first_error": errors.first(),
        "per_second": latencies.len() as f64 / elapsed,
        "p50_ms": percentile(&latencies, 50.0),
        "p99_ms": percentile(&latencies, 99.0),
        "max_ms": latencies.last().copied().unwrap_or(0.0),
    });
    println!("{out}");
}

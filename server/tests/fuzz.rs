//! Malformed requests to every endpoint as every caller, on SQLite and PostgreSQL: wrong
//! types, missing and extra fields, huge strings, invalid UTF-8, deep nesting, bad numbers,
//! dates and case numbers, bad files, in every encoding. A client's mistake is never a 5xx,
//! nothing panics, and nothing is written. Deterministic: a seeded generator per input.

mod common;

use std::time::Instant;

use casia_services::db_test;
use common::{EVERYONE, Fixture, Who};
use futures::StreamExt;
use reqwest::Method;

/// Inputs per endpoint and caller (the endpoint count × 6 callers × this ≥ 10 000).
const PER_ENDPOINT_AND_CALLER: usize = 36;
/// Requests in flight at once.
const CONCURRENCY: usize = 12;
/// The body limit of server functions (axum's default).
const BODY_CAP: usize = 2 * 1024 * 1024;

/// SplitMix64: small, fast, and the same numbers on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn seed_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Values that are wrong for some field: never a small positive id (those exist) nor a
/// boolean literal, so a malformed request cannot turn into a valid one by chance.
fn nasty_text(rng: &mut Rng) -> String {
    const FIXED: &[&str] = &[
        "",
        " ",
        "abc",
        "-1",
        "-9223372036854775808",
        "9223372036854775807",
        "99999999999999999999999",
        "1.5",
        "-0.0",
        "1e309",
        "NaN",
        "0x1F",
        "+-3",
        "2026-02-30",
        "31/13/2026",
        "0000-00-00",
        "9999-99-99",
        "2026-11-01T25:61",
        "2026-0000000",
        "0-1",
        "2026/",
        "-2026-1",
        "20269999999",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u{202e}fdp.exe",
        "\0",
        "a\u{0}b",
        "😀😀😀",
        "\r\n\r\nX-Inyectada: 1",
        "%s%s%n",
        "null",
        "[]",
        "{}",
    ];
    match rng.below(12) {
        0 => "x".repeat(10_000 + rng.below(10_000)),
        1 if rng.below(8) == 0 => "ñ".repeat(100_000),
        _ => rng.pick(FIXED).to_string(),
    }
}

fn nasty_json(rng: &mut Rng, depth: usize) -> serde_json::Value {
    use serde_json::json;
    match rng.below(14) {
        0 => json!(null),
        1 => json!(-1),
        2 => json!(i64::MIN),
        3 => json!(u64::MAX),
        4 => json!(1.5),
        5 => json!(1e300),
        6 => json!(true),
        7 => json!([]),
        8 => json!({}),
        9 if depth < 3 => json!([nasty_json(rng, depth + 1), nasty_json(rng, depth + 1)]),
        10 if depth < 3 => json!({ "inesperado": nasty_json(rng, depth + 1) }),
        _ => json!(nasty_text(rng)),
    }
}

/// Field names the server functions use, for requests that guess.
const FIELDS: &[&str] = &[
    "number",
    "id",
    "authorisation_id",
    "user_id",
    "username",
    "password",
    "next",
    "lang",
    "back",
    "path",
    "cea",
    "form",
    "cursor",
    "query",
    "before",
    "email",
    "consent",
    "reason",
    "version",
    "score",
    "observations",
    "input",
    "case_type",
    "parent_id",
    "name_es",
    "name_en",
    "active",
    "main",
    "form[state]",
    "form[from]",
    "query[queue]",
    "input[action]",
];

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~[]".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form_body(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A query string no longer than URLs get (the arguments' values cut short).
fn query_of(pairs: &[(String, String)]) -> String {
    let short: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), v.chars().take(1000).collect()))
        .collect();
    form_body(&short)
}

fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.replace('+', " "))
        })
        .collect()
}

/// Replaces one leaf of a JSON value (chosen by the generator) with a wrong one, or
/// removes a field, or adds one.
fn mutate_json(rng: &mut Rng, value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = rng.pick(&keys).clone();
            match rng.below(5) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert("campo_extra".into(), nasty_json(rng, 0));
                }
                2 | 3 => mutate_json(rng, map.get_mut(&key).unwrap()),
                _ => {
                    map.insert(key, nasty_json(rng, 0));
                }
            }
        }
        serde_json::Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len());
            mutate_json(rng, &mut items[i]);
        }
        leaf => *leaf = nasty_json(rng, 0),
    }
}

/// A request to send: what the report shows when it fails.
struct Input {
    who: Who,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    what: &'static str,
}

impl Input {
    /// A maker of `who`'s inputs.
    fn by(
        who: Who,
    ) -> impl Fn(Method, String, Option<&'static str>, Vec<u8>, &'static str) -> Input {
        move |method, path, content_type, body, what| Input {
            who,
            method,
            path,
            content_type,
            body,
            what,
        }
    }
}

/// How the fuzz calls a server function: its arguments as a form or as JSON. Writes are
/// wrong in two ways at once (ids that do not exist, values no rule accepts), so no single
/// change makes them valid; reads use the fixture's real ids so deeper code runs.
enum Template {
    Form(&'static str),
    Json(&'static str),
}
use Template::{Form, Json};

#[rustfmt::skip]
const TEMPLATES: &[(&str, Template)] = &[
    ("login", Form("username=nadie&password=x&next=/")),
    ("context", Form("path=/casia")),
    ("set_language", Form("lang=xx&back=/")),
    ("verify_cea", Form("cea=ABCD1234EFGH")),
    ("choose_authorisation", Form("authorisation_id=9223372036854775807")),
    ("open_case", Json(r#"{"form": {"case_type": "nope", "subject_id": 9223372036854775807, "category_id": 9223372036854775807, "subcategory_id": null, "affects_current_period": false, "title": "", "description": "", "documents": [], "idempotency_key": "fuzz"}}"#)),
    ("case_opened", Form("number={case}")),
    ("search_cases", Form("form[state]=todos&form[from]=2026-11-01&form[to]=2026-11-30&cursor=")),
    ("case_detail", Form("number={case}")),
    ("case_history", Form("number={case}")),
    ("request_cancellation", Form("number={case}&reason=&version=-1")),
    ("rate_case", Form("number={case}&score=99&observations=")),
    ("modify_information", Json(r#"{"number": "{case}", "form": {"information": "", "documents": [], "reclassification": null, "version": -1, "idempotency_key": "fuzz"}}"#)),
    ("get_inbox", Form("before=9223372036854775807")),
    ("mark_notice_read", Form("id=9223372036854775807")),
    ("update_contact", Form("email=no-es-un-correo&consent=quizas&password=x")),
    ("get_queue", Form("query[queue]=unassigned&query[from]=2026-11-01&cursor=")),
    ("get_processor_case", Form("number={case}")),
    ("processor_act", Json(r#"{"number": "{case}", "input": {"action": "nope", "version": -1, "text": "", "target_user_id": 9223372036854775807, "documents": []}}"#)),
    ("admin_node", Form("id={subject}")),
    ("admin_add_node", Json(r#"{"case_type": "nope", "parent_id": 9223372036854775807, "input": {"name_es": "", "name_en": "", "help_es": "", "help_en": "", "technical": false}}"#)),
    ("admin_update_node", Json(r#"{"id": 9223372036854775807, "input": {"name_es": "", "name_en": "", "help_es": "", "help_en": "", "technical": false}}"#)),
    ("admin_set_node_active", Form("id=9223372036854775807&active=false")),
    ("admin_delete_node", Form("id=9223372036854775807")),
    ("admin_add_document_type", Form("name_es=&name_en=")),
    ("admin_update_document_type", Form("id=9223372036854775807&name_es=&name_en=&active=false")),
    ("admin_create_account", Json(r#"{"input": {"username": "", "full_name": "", "email": "no-es-un-correo", "role": "nope", "password": "x"}}"#)),
    ("admin_set_account_active", Form("id=9223372036854775807&active=false")),
    ("admin_reset_password", Form("id=9223372036854775807&password=x")),
    ("admin_set_authorisation_active", Form("id=9223372036854775807&active=false")),
    ("admin_create_authorisation", Json(r#"{"input": {"number": "abc", "company_name": "", "nif": "", "contact_email": "no-es-un-correo", "consent": false}}"#)),
    ("admin_add_member", Form("authorisation_id=9223372036854775807&username=nadie&main=false")),
    ("admin_remove_member", Form("authorisation_id=9223372036854775807&user_id=9223372036854775807")),
    ("admin_set_main_user", Form("authorisation_id=9223372036854775807&user_id=9223372036854775807")),
    ("admin_accounts", Form("filter=&page=18446744073709551615")),
    ("admin_authorisations", Form("filter=&page=18446744073709551615")),
    ("admin_audit_log", Form("filter[from]=ayer&filter[to]=2026-13-45")),
    ("admin_plazos", Form("calendar_id=9223372036854775807&year=99999")),
    ("admin_change_plazos", Json(r#"{"form": {"change": {"AddHoliday": {"calendar_id": 9223372036854775807, "day": "2026-13-45", "name": ""}}, "apply_to_open": true}}"#)),
    ("change_password", Form("current_password=x&new_password=corta&repeat_password=otra")),
    ("end_session", Form("id=no-es-una-sesion")),
    ("confirm_second_factor", Form("code=abc")),
    ("renew_recovery_codes", Form("code=abc")),
    ("disable_second_factor", Form("password=x&code=abc")),
    ("verify_second_factor", Form("code=abc&next=//evil.example")),
];

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const JSON: Option<&str> = Some("application/json");

/// One malformed call of a server function.
fn server_fn_input(f: &Fixture, rng: &mut Rng, who: Who, name: &str) -> Input {
    let path = format!("/api/{name}");
    let template = TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| t);
    let (form_pairs, json) = match template {
        Some(Form(t)) => (parse_form(&f.fill(t)), None),
        Some(Json(t)) => (
            Vec::new(),
            Some(serde_json::from_str::<serde_json::Value>(&f.fill(t)).unwrap()),
        ),
        // No template (no arguments, or a function the fuzz does not know yet): guesses.
        None => (Vec::new(), None),
    };
    let input = Input::by(who);
    let guessed = |rng: &mut Rng| -> Vec<(String, String)> {
        (0..1 + rng.below(4))
            .map(|_| (rng.pick(FIELDS).to_string(), nasty_text(rng)))
            .collect()
    };
    match rng.below(16) {
        // One argument with a wrong value.
        0..=3 if !form_pairs.is_empty() => {
            let mut pairs = form_pairs.clone();
            let i = rng.below(pairs.len());
            pairs[i].1 = nasty_text(rng);
            input(
                Method::POST,
                path,
                FORM,
                form_body(&pairs).into_bytes(),
                "form: a wrong value",
            )
        }
        // One argument missing, or given twice, or an extra one.
        4 if !form_pairs.is_empty() => {
            let mut pairs = form_pairs.clone();
            let i = rng.below(pairs.len());
            match rng.below(3) {
                0 => {
                    pairs.remove(i);
                }
                1 => pairs.push((pairs[i].0.clone(), nasty_text(rng))),
                _ => pairs.push(("campo_extra".into(), nasty_text(rng))),
            }
            input(
                Method::POST,
                path,
                FORM,
                form_body(&pairs).into_bytes(),
                "form: missing, repeated or extra",
            )
        }
        // The arguments in the query string instead of the body.
        5 => {
            let mut pairs = if form_pairs.is_empty() {
                guessed(rng)
            } else {
                form_pairs.clone()
            };
            let i = rng.below(pairs.len());
            pairs[i].1 = nasty_text(rng).chars().take(2000).collect();
            input(
                Method::POST,
                format!("{path}?{}", query_of(&pairs)),
                None,
                Vec::new(),
                "query string",
            )
        }
        // Invalid UTF-8 and broken percent-encoding.
        6 => {
            let mut body = form_body(&form_pairs).into_bytes();
            body.extend_from_slice(if body.is_empty() {
                b"a=%FF%FE%ZZ&b=\xff\xfe"
            } else {
                b"&x=%C3%28%E2%82&\xc3\x28=1"
            });
            input(Method::POST, path, FORM, body, "invalid UTF-8")
        }
        // Nesting deeper than any decoder allows.
        7 => {
            if rng.below(2) == 0 {
                let body = format!(
                    "{}{}=1",
                    "form".to_owned(),
                    "[a]".repeat(2_000 + rng.below(2_000))
                );
                input(
                    Method::POST,
                    path,
                    FORM,
                    body.into_bytes(),
                    "deep form nesting",
                )
            } else {
                let depth = 10_000 + rng.below(50_000);
                let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
                input(
                    Method::POST,
                    path,
                    JSON,
                    body.into_bytes(),
                    "deep JSON nesting",
                )
            }
        }
        // A JSON body with one field wrong, missing or extra.
        8..=10 if json.is_some() => {
            let mut value = json.clone().unwrap();
            mutate_json(rng, &mut value);
            input(
                Method::POST,
                path,
                JSON,
                serde_json::to_vec(&value).unwrap(),
                "JSON: a wrong, missing or extra field",
            )
        }
        // A JSON body to a form function, or form to a JSON one, or neither.
        11 => {
            let (ct, body): (Option<&'static str>, Vec<u8>) = match rng.below(5) {
                0 => (JSON, serde_json::to_vec(&nasty_json(rng, 0)).unwrap()),
                1 => (FORM, form_body(&guessed(rng)).into_bytes()),
                2 => (Some("text/plain"), nasty_text(rng).into_bytes()),
                3 => (
                    Some("multipart/form-data; boundary=x"),
                    b"--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n1\r\n--x--"
                        .to_vec(),
                ),
                _ => (JSON, b"{\"form\": [1, 2".to_vec()),
            };
            input(Method::POST, path, ct, body, "wrong encoding")
        }
        // Not a POST.
        12 => {
            let method = rng
                .pick(&[Method::GET, Method::PUT, Method::DELETE, Method::PATCH])
                .clone();
            input(
                method,
                format!("{path}?{}", query_of(&guessed(rng))),
                None,
                Vec::new(),
                "wrong method",
            )
        }
        // Random bytes.
        13 => {
            let n = rng.below(4096);
            input(
                Method::POST,
                path,
                *rng.pick(&[FORM, JSON, None]),
                rng.bytes(n),
                "random bytes",
            )
        }
        // Guessed field names with wrong values, form or JSON.
        _ => {
            let pairs = guessed(rng);
            if rng.below(2) == 0 {
                input(
                    Method::POST,
                    path,
                    FORM,
                    form_body(&pairs).into_bytes(),
                    "guessed fields (form)",
                )
            } else {
                let map: serde_json::Map<String, serde_json::Value> = pairs
                    .into_iter()
                    .map(|(k, _)| (k, nasty_json(rng, 0)))
                    .collect();
                input(
                    Method::POST,
                    path,
                    JSON,
                    serde_json::to_vec(&map).unwrap(),
                    "guessed fields (JSON)",
                )
            }
        }
    }
}

/// A file that is none of the accepted kinds: it starts with a NUL byte (so it is neither
/// text nor any accepted signature), or is empty, or is cut short.
fn bad_file(rng: &mut Rng) -> Vec<u8> {
    match rng.below(6) {
        0 => Vec::new(),
        1 => b"\0MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec(),
        2 => b"\0PK\x03\x04\x14\0\x06\0".to_vec(),
        3 => {
            let mut b = vec![0u8];
            let n = rng.below(64 * 1024);
            b.extend(rng.bytes(n));
            b
        }
        4 => b"\0<script>alert(1)</script>".to_vec(),
        _ => vec![0u8; 1 + rng.below(100_000)],
    }
}

/// A file to verify: anything at all, PDFs that are broken in many ways included.
fn bad_receipt(rng: &mut Rng) -> Vec<u8> {
    match rng.below(7) {
        0 => Vec::new(),
        1 => b"%PDF-1.4\n".to_vec(),
        2 => b"%PDF-1.7\n1 0 obj\n<< /Length 99999999999 >>\nstream\nxx\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF".to_vec(),
        3 => format!("%PDF-1.4\n1 0 obj\n{}{}\nendobj\n%%EOF", "<< /A ".repeat(5_000), ">>".repeat(5_000)).into_bytes(),
        4 => b"%PDF-1.4\nxref\n0 99999999\n0000000000 65535 f \ntrailer\n<< /Size -1 /Root 0 0 R >>\nstartxref\n-5\n%%EOF".to_vec(),
        5 => {
            let n = rng.below(64 * 1024);
            rng.bytes(n)
        }
        _ => {
            let mut b = common::PDF.to_vec();
            let n = b.len();
            b.truncate(rng.below(n));
            b
        }
    }
}

/// POST, or now and then `other` (a method the route does not take).
fn mostly_post(rng: &mut Rng, other: Method) -> Method {
    if rng.below(12) == 0 {
        other
    } else {
        Method::POST
    }
}

/// One malformed call of a plain route.
fn route_input(f: &Fixture, rng: &mut Rng, who: Who, method: &Method, route: &str) -> Input {
    let input = Input::by(who);
    const IDS: &[&str] = &[
        "abc",
        "-1",
        "0",
        "9223372036854775807",
        "99999999999999999999",
        "1.5",
        "%00",
        "%FF%FE",
        "1e3",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "{document}",
    ];
    match route {
        "/api/uploads" => {
            let name = match rng.below(8) {
                0 => None,
                1 => Some(String::new()),
                2 => Some("%FF%FE.pdf".to_owned()),
                3 => Some(url_encode(&"a".repeat(5_000)) + ".pdf"),
                4 => Some("..%2F..%2Fetc%2Fpasswd".to_owned()),
                5 => Some(url_encode("\u{202e}fdp.exe")),
                _ => {
                    let name = *rng.pick(&[
                        "contrato.pdf",
                        "hoja.xlsx",
                        "nota.txt",
                        "datos.csv",
                        "sin-extension",
                        "foto.JPG",
                        "x.exe",
                    ]);
                    Some(url_encode(name))
                }
            };
            let query = name.map(|n| format!("?name={n}")).unwrap_or_default();
            let method = mostly_post(rng, Method::GET);
            input(
                method,
                format!("/api/uploads{query}"),
                None,
                bad_file(rng),
                "bad upload",
            )
        }
        "/api/verificacion/fichero" => {
            let method = mostly_post(rng, Method::PUT);
            input(
                method,
                route.to_owned(),
                *rng.pick(&[None, Some("application/pdf"), FORM]),
                bad_receipt(rng),
                "bad receipt file",
            )
        }
        _ => {
            // `{id}` and the like replaced with a wrong id; junk in the query; a wrong method.
            let mut path = route.to_owned();
            while let (Some(open), Some(close)) = (path.find('{'), path.find('}')) {
                let id = *rng.pick(IDS);
                let id = f.fill(id);
                path.replace_range(open..=close, &id);
            }
            let query = format!(
                "?{}",
                query_of(&[(rng.pick(FIELDS).to_string(), nasty_text(rng))])
            );
            let method = if rng.below(6) == 0 {
                Method::POST
            } else {
                method.clone()
            };
            input(
                method,
                format!("{path}{query}"),
                None,
                Vec::new(),
                "bad path, query or method",
            )
        }
    }
}

fn every_input(f: &Fixture) -> Vec<Input> {
    let functions: Vec<String> = {
        let mut v: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(p, _)| p.trim_start_matches("/api/").to_owned())
            .collect();
        v.sort();
        v
    };
    let routes = app::api::route_list();
    let mut inputs = Vec::new();
    for who in EVERYONE {
        for name in &functions {
            let mut rng = Rng::new(seed_of(&format!("{who:?} {name}")));
            for _ in 0..PER_ENDPOINT_AND_CALLER {
                inputs.push(server_fn_input(f, &mut rng, who, name));
            }
        }
        for (method, route) in &routes {
            let mut rng = Rng::new(seed_of(&format!("{who:?} {method} {route}")));
            for _ in 0..PER_ENDPOINT_AND_CALLER {
                inputs.push(route_input(f, &mut rng, who, method, route));
            }
        }
    }
    // Bodies at the server functions' size limit, and over it (one per function).
    for (i, name) in functions.iter().enumerate() {
        let who = EVERYONE[i % EVERYONE.len()];
        let path = format!("/api/{name}");
        let near = format!("a={}", "x".repeat(BODY_CAP - 1024)).into_bytes();
        inputs.push(Input {
            who,
            method: Method::POST,
            path: path.clone(),
            content_type: FORM,
            body: near,
            what: "a body just under the limit",
        });
        if i % 8 == 0 {
            let over = format!("a={}", "x".repeat(BODY_CAP + 1024)).into_bytes();
            inputs.push(Input {
                who,
                method: Method::POST,
                path,
                content_type: FORM,
                body: over,
                what: "a body over the limit",
            });
        }
    }
    inputs
}

/// Sessions end at a successful logout, so the fuzz calls `logout` without one (the other
/// functions with the caller's session).
fn session_for<'a>(f: &'a Fixture, input: &Input) -> &'a common::Client {
    if input.path.starts_with("/api/logout") {
        f.client(Who::Anonymous)
    } else {
        f.client(input.who)
    }
}

db_test!(
    malformed_requests_are_client_errors_and_change_nothing,
    |s| {
        common::count_panics();
        let f = common::fixture(&s).await;
        // Every notice already read: `mark_all_notices_read`, which takes no arguments, has
        // nothing left to write.
        for who in [Who::Owner, Who::Other] {
            assert!(
                f.client(who)
                    .post_form("/api/mark_all_notices_read", "")
                    .await
                    .status()
                    .is_success()
            );
        }
        // Likewise for the other writers without arguments: each caller's other sessions are
        // already ended, and a pending second factor already started (starting again replaces it).
        for who in EVERYONE.iter().copied().filter(|w| *w != Who::Anonymous) {
            assert!(
                f.client(who)
                    .post_form("/api/end_other_sessions", "")
                    .await
                    .status()
                    .is_success()
            );
            assert!(
                f.client(who)
                    .post_form("/api/start_second_factor", "")
                    .await
                    .status()
                    .is_success()
            );
        }
        let before = common::table_counts(&s).await;
        let panics_before = common::panics();
        let inputs = every_input(&f);
        let total = inputs.len();
        assert!(total >= 10_000, "only {total} inputs");
        let started = Instant::now();
        // Built beforehand: the stream then owns every request it sends.
        let requests: Vec<(reqwest::RequestBuilder, String, bool)> = inputs
            .into_iter()
            .map(|input| {
                let mut r = session_for(&f, &input).request(input.method.clone(), &input.path);
                if let Some(ct) = input.content_type {
                    r = r.header("content-type", ct);
                }
                let body = String::from_utf8_lossy(&input.body)
                    .chars()
                    .take(80)
                    .collect::<String>();
                let describe = format!(
                    "{:?} {} {} ({}, {} bytes: {body:?})",
                    input.who,
                    input.method,
                    input.path.chars().take(120).collect::<String>(),
                    input.what,
                    input.body.len()
                );
                let over_the_limit = input.body.len() > BODY_CAP;
                (r.body(input.body), describe, over_the_limit)
            })
            .collect();
        let outcomes: Vec<Option<String>> = futures::stream::iter(requests)
            .map(|(request, describe, over_the_limit)| async move {
                // A kept-alive connection the server has just closed (after an answer that did
                // not read the whole body) fails the next request sent on it before the server
                // sees it: sent again once, on a fresh connection. A handler that kills its
                // connection fails both times (and a panic is counted anyway).
                let again = request.try_clone();
                let sent = match (request.send().await, again) {
                    (Err(e), Some(again))
                        if !over_the_limit && (e.is_request() || e.is_connect()) =>
                    {
                        again.send().await
                    }
                    (result, _) => result,
                };
                match sent {
                    Ok(res) if res.status().is_server_error() => {
                        let status = res.status();
                        let text = res.text().await.unwrap_or_default();
                        Some(format!(
                            "{status} for {describe} -> {}",
                            text.chars().take(200).collect::<String>()
                        ))
                    }
                    Ok(res) => {
                        // Read the answer to the end (keeps the connection reusable).
                        let _ = res.bytes().await;
                        None
                    }
                    // The server may close the connection on a body over the limit while it is
                    // still being sent; any other transport failure is a fault.
                    Err(_) if over_the_limit => None,
                    Err(e) => Some(format!("no answer for {describe}: {e}")),
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let elapsed = started.elapsed();
        let failures: Vec<String> = outcomes.into_iter().flatten().collect();
        println!(
            "fuzz: {total} malformed requests in {:.1} s, {} failures",
            elapsed.as_secs_f64(),
            failures.len()
        );
        assert!(
            failures.is_empty(),
            "{} of {total} malformed requests were server errors:\n{}",
            failures.len(),
            failures
                .iter()
                .take(40)
                .map(|f| f.chars().take(400).collect::<String>())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(common::panics(), panics_before, "the server panicked");
        assert!(!f.server.task.is_finished(), "the server stopped");
        let health = f.client(Who::Anonymous).get("/healthz").await;
        assert!(health.status().is_success(), "the server no longer answers");
        assert_eq!(
            common::table_counts(&s).await,
            before,
            "a malformed request wrote something"
        );
    }
);

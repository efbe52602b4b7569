//! `GET /api/v1/reference`: the OpenAPI document rendered as a page a person reads, written
//! here from the document itself (nothing fetched from the internet, no script at all).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use casia_domain::Lang;
use serde_json::Value;
use utoipa::OpenApi;

use super::ApiDoc;
use crate::server::{LANG_COOKIE, cookie};

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `` `code` `` spans of a description as `<code>`, the rest escaped.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

struct Labels {
    title: &'static str,
    intro: &'static str,
    parameters: &'static str,
    body: &'static str,
    responses: &'static str,
    scope: &'static str,
    schemas: &'static str,
    name: &'static str,
    place: &'static str,
    kind: &'static str,
    required: &'static str,
    yes: &'static str,
    document: &'static str,
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Es => Labels {
            title: "Referencia de la API de Casia",
            intro: "La API de integración aplica las mismas reglas que las páginas. Autentíquese con la cabecera Authorization: Bearer y un token de acceso (los crea el operador con casia create-token).",
            parameters: "Parámetros",
            body: "Cuerpo de la petición",
            responses: "Respuestas",
            scope: "Permiso necesario",
            schemas: "Esquemas",
            name: "Nombre",
            place: "Dónde",
            kind: "Tipo",
            required: "Obligatorio",
            yes: "sí",
            document: "Documento OpenAPI 3.1",
        },
        Lang::En => Labels {
            title: "Casia API reference",
            intro: "The integration API applies the same rules as the pages. Authenticate with the Authorization: Bearer header and an access token (the operator creates them with casia create-token).",
            parameters: "Parameters",
            body: "Request body",
            responses: "Responses",
            scope: "Scope required",
            schemas: "Schemas",
            name: "Name",
            place: "In",
            kind: "Type",
            required: "Required",
            yes: "yes",
            document: "OpenAPI 3.1 document",
        },
    }
}

/// A schema's type in a word: `Case`, `array of Receipt`, `string (date-time)`, …
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", type_of(items));
    }
    for combined in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = schema.get(combined).and_then(Value::as_array) {
            return list.iter().map(type_of).collect::<Vec<_>>().join(" | ");
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".to_owned(),
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(f) => format!("{} ({})", escape(&kind), escape(f)),
        None => escape(&kind),
    }
}

fn operation(html: &mut String, l: &Labels, method: &str, path: &str, op: &Value) {
    let id = format!("{method}-{path}").replace(['/', '{', '}'], "-");
    html.push_str(&format!(
        "<section class=\"op\" id=\"{}\"><h3><span class=\"method\">{}</span> <code>{}</code></h3>",
        escape(&id),
        method.to_uppercase(),
        escape(path)
    ));
    if let Some(d) = op
        .get("description")
        .or(op.get("summary"))
        .and_then(Value::as_str)
    {
        for para in d.split("\n\n") {
            html.push_str(&format!("<p>{}</p>", prose(para)));
        }
    }
    if let Some(scopes) = op
        .get("security")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(|s| s.get("bearer"))
        .and_then(Value::as_array)
    {
        let names: Vec<String> = scopes
            .iter()
            .filter_map(Value::as_str)
            .map(|s| format!("<code>{}</code>", escape(s)))
            .collect();
        html.push_str(&format!("<p>{}: {}</p>", l.scope, names.join(", ")));
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        html.push_str(&format!(
            "<h4>{}</h4><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>",
            l.parameters, l.name, l.place, l.kind, l.required
        ));
        for p in params {
            let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
            html.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(text("name")),
                escape(text("in")),
                p.get("schema").map(type_of).unwrap_or_default(),
                if p.get("required").and_then(Value::as_bool) == Some(true) {
                    l.yes
                } else {
                    ""
                },
                prose(text("description")),
            ));
        }
        html.push_str("</table>");
    }
    if let Some(content) = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
    {
        html.push_str(&format!("<h4>{}</h4><ul>", l.body));
        for (media, c) in content {
            html.push_str(&format!(
                "<li><code>{}</code>: {}</li>",
                escape(media),
                c.get("schema").map(type_of).unwrap_or_default()
            ));
        }
        html.push_str("</ul>");
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        html.push_str(&format!("<h4>{}</h4><ul>", l.responses));
        for (code, r) in responses {
            let described = r.get("description").and_then(Value::as_str).unwrap_or("");
            let body = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|c| c.get("schema"))
                .map(|s| format!(" — {}", type_of(s)))
                .unwrap_or_default();
            html.push_str(&format!(
                "<li><strong>{}</strong> {}{}</li>",
                escape(code),
                prose(described),
                body
            ));
        }
        html.push_str("</ul>");
    }
    html.push_str("</section>");
}

fn schema(html: &mut String, l: &Labels, name: &str, s: &Value) {
    html.push_str(&format!(
        "<section class=\"schema\" id=\"schema-{0}\"><h3>{0}</h3>",
        escape(name)
    ));
    if let Some(d) = s.get("description").and_then(Value::as_str) {
        html.push_str(&format!("<p>{}</p>", prose(d)));
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        html.push_str(&format!(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th></th></tr>",
            l.name, l.kind, l.required
        ));
        for (field, p) in props {
            html.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(field),
                type_of(p),
                if required.contains(&field.as_str()) {
                    l.yes
                } else {
                    ""
                },
                prose(p.get("description").and_then(Value::as_str).unwrap_or("")),
            ));
        }
        html.push_str("</table>");
    }
    html.push_str("</section>");
}

/// The whole page, from the document.
pub fn render(lang: Lang) -> String {
    let l = labels(lang);
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/pkg/casia.css\"></head>\
         <body class=\"api-reference\"><main><h1>{}</h1><p>{}</p>\
         <p><a href=\"{}\">{}</a></p>",
        lang.code(),
        l.title,
        l.title,
        l.intro,
        super::OPENAPI_PATH,
        l.document,
    );
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "delete"] {
                if let Some(op) = item.get(method) {
                    operation(&mut html, &l, method, path, op);
                }
            }
        }
    }
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        html.push_str(&format!("<h2>{}</h2>", l.schemas));
        for (name, s) in schemas {
            schema(&mut html, &l, name, s);
        }
    }
    html.push_str("</main></body></html>");
    html
}

/// The reader's language: the language cookie, else the browser's.
pub async fn page(headers: HeaderMap) -> Response {
    let lang = cookie(&headers, LANG_COOKIE)
        .and_then(|c| Lang::from_code(&c))
        .unwrap_or_else(|| super::problem::lang_of(&headers));
    let mut res = Html(render(lang)).into_response();
    // No scripts at all on this page.
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_lists_every_operation_and_escapes_the_document() {
        let html = render(Lang::En);
        for path in [
            "/api/v1/cases",
            "/api/v1/cases/{number}/information",
            "/api/v1/webhooks",
        ] {
            assert!(html.contains(&format!("<code>{path}</code>")), "{path}");
        }
        assert!(html.contains("id=\"schema-Problem\""));
        assert!(!html.contains("<script"), "no scripts");
        assert!(
            !html.contains("http://") && !html.contains("https://cdn"),
            "nothing from elsewhere"
        );
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert!(render(Lang::Es).contains("Referencia de la API de Casia"));
    }
}

//! Every page's server-rendered HTML names its screen (and the case) in `<title>`, in the
//! caller's language, on SQLite and PostgreSQL (WCAG 2.4.2). The browser side (the title after
//! client navigation, the focus on the heading) is end2end/tests/a11y_titles.spec.ts.

mod common;

use casia_services::db_test;
use common::{Client, Fixture, Who};

/// The `<title>` of the page at `path` as `client` gets it, with the answer's status.
async fn title_of(client: &Client, path: &str) -> (u16, String) {
    let r = client.get(path).await;
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    let title = html
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(t, _)| t.to_owned())
        .unwrap_or_else(|| panic!("{path}: no <title> in {}", &html[..html.len().min(300)]));
    (status, title)
}

/// (caller, path, expected title) for every route; `{case}` is the owner's case.
const PAGES: &[(Who, &str, &str)] = &[
    (Who::Anonymous, "/acceso", "Acceso al servicio · Casia"),
    (
        Who::Anonymous,
        "/verificacion",
        "Verificación de Documentos · Casia",
    ),
    (
        Who::Anonymous,
        "/acceso/segundo-factor",
        "Verificación en dos pasos · Casia",
    ),
    (
        Who::Owner,
        "/casia",
        "Selección de la acción a realizar · Casia",
    ),
    (
        Who::Owner,
        "/autorizaciones",
        "Identificación y selección del autorizado · Casia",
    ),
    (Who::Owner, "/casia/nuevo", "Nuevo Caso · Casia"),
    (Who::Owner, "/casia/casos", "Gestión de Casos · Casia"),
    (
        Who::Owner,
        "/casia/casos/{case}",
        "Detalle del caso {case} · Casia",
    ),
    (
        Who::Owner,
        "/casia/casos/{case}/alta",
        "Alta Confirmada {case} · Casia",
    ),
    (
        Who::Owner,
        "/casia/casos/{case}/historico",
        "Detalle de los Históricos de un Caso {case} · Casia",
    ),
    (
        Who::Owner,
        "/casia/casos/{case}/modificar",
        "Modificar Información {case} · Casia",
    ),
    (
        Who::Owner,
        "/casia/casos/{case}/anular",
        "Solicitar Anulación {case} · Casia",
    ),
    (
        Who::Owner,
        "/casia/casos/{case}/valorar",
        "Valoración {case} · Casia",
    ),
    (Who::Owner, "/casia/buzon", "Buzón · Casia"),
    (
        Who::Owner,
        "/casia/contacto",
        "Consulta/Modificación de datos de contacto · Casia",
    ),
    (Who::Owner, "/cuenta", "Mi cuenta · Casia"),
    (Who::Owner, "/cuenta/tokens", "Tokens de acceso · Casia"),
    (
        Who::Owner,
        "/cuenta/segundo-factor",
        "Verificación en dos pasos · Casia",
    ),
    (
        Who::Tramitador,
        "/tramitacion",
        "Área de tramitación · Casia",
    ),
    (
        Who::Tramitador,
        "/tramitacion/casos/{case}",
        "Detalle del caso {case} · Casia",
    ),
    (
        Who::Supervisor,
        "/tramitacion/panel",
        "Panel de supervisión · Casia",
    ),
    (
        Who::Administrador,
        "/administracion",
        "Taxonomía · Administración · Casia",
    ),
    (
        Who::Administrador,
        "/administracion?seccion=documentos",
        "Tipos de documento · Administración · Casia",
    ),
    (
        Who::Administrador,
        "/administracion?seccion=cuentas",
        "Cuentas · Administración · Casia",
    ),
    (
        Who::Administrador,
        "/administracion?seccion=autorizaciones",
        "Autorizaciones · Administración · Casia",
    ),
    (
        Who::Administrador,
        "/administracion?seccion=auditoria",
        "Registro de auditoría · Administración · Casia",
    ),
    // Pages that refuse name the refusal, not the screen.
    (Who::Anonymous, "/no-existe", "Página no encontrada · Casia"),
    (
        Who::Tramitador,
        "/administracion",
        "Acceso no permitido · Casia",
    ),
];

db_test!(every_page_is_titled_on_the_server, |s| {
    let f: Fixture = common::fixture(&s).await;
    let mut wrong = Vec::new();
    for (who, path, expected) in PAGES {
        let (path, expected) = (f.fill(path), f.fill(expected));
        let (status, title) = title_of(f.client(*who), &path).await;
        if title != expected {
            wrong.push(format!(
                "{path} as {who:?} ({status}): {title:?}, expected {expected:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
});

db_test!(titles_follow_the_language, |s| {
    let f = common::fixture(&s).await;
    let owner = f.client(Who::Owner);
    let r = owner
        .post_form("/api/set_language", "lang=en&back=%2Fcasia")
        .await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    for (path, expected) in [
        ("/casia/casos", "Case Management · Casia".to_owned()),
        ("/casia/casos/{case}", f.fill("Case {case} · Casia")),
        ("/casia/buzon", "Inbox · Casia".to_owned()),
    ] {
        let (_, title) = title_of(owner, &f.fill(path)).await;
        assert_eq!(title, expected, "{path}");
    }
});

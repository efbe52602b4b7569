//! Page identity: the document's `<title>` names the screen (and the case, where there is
//! one), on the server's first render and after each navigation in the browser, and after a
//! navigation the keyboard focus moves to the new page's heading (WCAG 2.4.2, 2.4.3).

use casia_domain::{Lang, Msg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::context::use_lang;

/// The screen at `path` (with its query string, `seccion=` of the administration): its name
/// and the case number in the path, if any. `None` for `/`, which only redirects.
pub fn screen(path: &str, query: &str) -> Option<(Vec<Msg>, Option<String>)> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let one = |m: Msg| Some((vec![m], None));
    let case = |m: Msg, n: &str| Some((vec![m], Some(n.to_owned())));
    match parts.as_slice() {
        [""] => None,
        ["acceso"] => one(Msg::LoginTitle),
        ["acceso" | "cuenta", "segundo-factor"] => one(Msg::SegundoFactor),
        ["cuenta"] => one(Msg::MiCuenta),
        ["cuenta", "tokens"] => one(Msg::TokensAcceso),
        ["autorizaciones"] => one(Msg::PickerTitle),
        ["verificacion"] => one(Msg::VerificacionDocumentos),
        ["casia"] => one(Msg::ActionTitle),
        ["casia", "nuevo"] => one(Msg::NuevoCaso),
        ["casia", "casos"] => one(Msg::GestionCasos),
        ["casia", "buzon"] => one(Msg::Buzon),
        ["casia", "contacto"] => one(Msg::DatosContacto),
        ["casia" | "tramitacion", "casos", n] => case(Msg::DetalleCaso, n),
        ["casia", "casos", n, "alta"] => case(Msg::AltaConfirmada, n),
        ["casia", "casos", n, "historico"] => case(Msg::DetalleHistoricos, n),
        ["casia", "casos", n, "modificar"] => case(Msg::ModificarInformacion, n),
        ["casia", "casos", n, "anular"] => case(Msg::SolicitarAnulacion, n),
        ["casia", "casos", n, "valorar"] => case(Msg::Valoracion, n),
        ["tramitacion"] => one(Msg::WorkspaceTitle),
        ["tramitacion", "panel"] => one(Msg::Dashboard),
        ["administracion"] => {
            let section = query
                .trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("seccion="))
                .unwrap_or("taxonomia");
            let name = match section {
                "documentos" => Msg::TiposDocumento,
                "cuentas" => Msg::Cuentas,
                "autorizaciones" => Msg::Autorizaciones,
                "auditoria" => Msg::RegistroAuditoria,
                _ => Msg::Taxonomia,
            };
            Some((vec![name, Msg::AdminTitle], None))
        }
        _ => one(Msg::NotFoundTitle),
    }
}

/// The title's text before " · Casia": `Detalle del caso 2026-0000012`, `Cuentas · Administración`.
pub fn title_text(path: &str, query: &str, lang: Lang) -> String {
    let Some((names, number)) = screen(path, query) else {
        return String::new();
    };
    let mut text = names
        .iter()
        .map(|m| m.text(lang))
        .collect::<Vec<_>>()
        .join(" · ");
    if let Some(n) = number {
        // The path's number as the person reads it (percent-decoding is not needed: digits
        // and a dash; anything else is a case that does not exist, shown as it was typed).
        text.push(' ');
        text.push_str(&n);
    }
    text
}

/// The whole title, as the browser shows it.
pub fn format_title(text: String) -> String {
    if text.is_empty() {
        "Casia".to_owned()
    } else {
        format!("{text} · Casia")
    }
}

/// The `<title>` of the current route, and the focus move after each client navigation.
#[component]
pub fn PageIdentity() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    // leptos_meta may read the title after the route's signals are gone (on the server it
    // renders `<head>` once the body is done; two requests at once showed it): the title of
    // the page as it was rendered stays the answer then.
    let rendered = title_text(
        &location.pathname.get_untracked(),
        &location.search.get_untracked(),
        lang.get_untracked(),
    );
    let text = move || match (
        location.pathname.try_get(),
        location.search.try_get(),
        lang.try_get(),
    ) {
        (Some(path), Some(search), Some(lang)) => title_text(&path, &search, lang),
        _ => rendered.clone(),
    };
    let pathname = Memo::new(move |_| location.pathname.get());
    Effect::new(move |previous: Option<String>| {
        let now = pathname.get();
        if previous.as_ref().is_some_and(|p| *p != now) {
            focus_heading();
        }
        now
    });
    view! { <Title formatter=format_title text/> }
}

/// A 403/404/error page names itself instead of the route's screen.
#[component]
pub fn StatusTitle(title: Msg) -> impl IntoView {
    let lang = use_lang();
    view! { <Title text=move || title.text(lang.get()).to_owned()/> }
}

/// Moves focus to the page's first heading once the new page has rendered it (the page may
/// still be loading its code or data, and the old page's heading may still be on screen). A
/// field the page focused by itself (`autofocus`) keeps the focus.
fn focus_heading() {
    #[cfg(feature = "hydrate")]
    {
        let old = heading();
        try_focus_heading(old, 60);
    }
}

#[cfg(feature = "hydrate")]
fn heading() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("main h1").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
}

#[cfg(feature = "hydrate")]
fn try_focus_heading(old: Option<web_sys::HtmlElement>, tries_left: u32) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let field_focused = document.active_element().is_some_and(|el| {
        el.matches("main input, main select, main textarea")
            .unwrap_or(false)
    });
    if field_focused {
        return;
    }
    let new = heading().filter(|h| {
        let node: &web_sys::Node = h;
        tries_left == 0 || old.as_ref().is_none_or(|o| !o.is_same_node(Some(node)))
    });
    match new {
        Some(h) => {
            focus_element(&h);
            keep_heading_focus(KEEP_TICKS);
        }
        None if tries_left > 0 => set_timeout(
            move || try_focus_heading(old, tries_left - 1),
            std::time::Duration::from_millis(50),
        ),
        None => {}
    }
}

/// How many 50 ms ticks after the move the heading gets the focus back if it was lost.
#[cfg(feature = "hydrate")]
const KEEP_TICKS: u32 = 40;

#[cfg(feature = "hydrate")]
fn focus_element(h: &web_sys::HtmlElement) {
    let _ = h.set_attribute("tabindex", "-1");
    let _ = h.focus();
}

/// The page may render its content once more just after the move (its data or the page
/// context arriving): the focused heading is then replaced, and the focus falls to `<body>`.
/// For a short while the new heading gets it back; whatever the person focused stays.
#[cfg(feature = "hydrate")]
fn keep_heading_focus(ticks_left: u32) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let lost = document
        .active_element()
        .is_none_or(|el| el.tag_name().eq_ignore_ascii_case("body"));
    if lost && let Some(h) = heading() {
        focus_element(&h);
    }
    if ticks_left > 0 {
        set_timeout(
            move || keep_heading_focus(ticks_left - 1),
            std::time::Duration::from_millis(50),
        );
    }
}

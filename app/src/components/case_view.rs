//! The case's fields, records and history, shared by the authorised user's screens and the
//! processor's view.

use casia_domain::dto::{CaseDetail, CaseHistory, MessageKind};
use casia_domain::i18n::{case_type_name, channel_name, state_name, substate_name};
use casia_domain::{Lang, Msg};
use leptos::prelude::*;

use crate::context::{t, use_lang};

fn yes_no(v: bool, lang: Lang) -> &'static str {
    if v {
        Msg::Yes.text(lang)
    } else {
        Msg::No.text(lang)
    }
}

pub fn message_kind_name(k: MessageKind, lang: Lang) -> &'static str {
    let m = match k {
        MessageKind::UserInformation => Msg::MsgUserInformation,
        MessageKind::InformationRequest => Msg::MsgInformationRequest,
        MessageKind::ReclassificationRequest => Msg::MsgReclassificationRequest,
        MessageKind::CancellationRequest => Msg::MsgCancellationRequest,
        MessageKind::CancellationRejection => Msg::MsgCancellationRejection,
        MessageKind::Resolution => Msg::MsgResolution,
    };
    m.text(lang)
}

/// The fields of the guide's detail screen, shared with the processor's view.
#[component]
pub fn CaseFields(detail: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let d = detail;
    let (st, sub, ty, ch) = (d.state, d.substate, d.case_type, d.channel);
    view! {
        <dl class="dl-grid" data-testid="case-fields">
            <div><dt>{t(Msg::Autorizado)}</dt><dd>{d.opened_by.clone()}</dd></div>
            <div><dt>{t(Msg::NumeroCaso)}</dt><dd class="num" data-testid="detail-number">{d.number_display.clone()}</dd></div>
            <div><dt>{t(Msg::FechaHoraAlta)}</dt><dd class="num">{d.opened_at.clone()}</dd></div>
            <div><dt>{t(Msg::CanalEntrada)}</dt><dd>{move || channel_name(ch, lang.get())}</dd></div>
            <div><dt>{t(Msg::Estado)}</dt><dd data-testid="detail-state">{move || state_name(st, lang.get())}</dd></div>
            <div><dt>{t(Msg::Subestado)}</dt><dd data-testid="detail-substate">{move || substate_name(sub, lang.get())}</dd></div>
            <div><dt>{t(Msg::FechaHoraSubestado)}</dt><dd class="num">{d.substate_at.clone()}</dd></div>
            <div><dt>{t(Msg::TipoCaso)}</dt><dd>{move || case_type_name(ty, lang.get())}</dd></div>
            <div><dt>{t(Msg::Materia)}</dt><dd>{d.subject.clone()}</dd></div>
            <div><dt>{t(Msg::Categoria)}</dt><dd>{d.category.clone()}</dd></div>
            <div><dt>{t(Msg::Subcategoria)}</dt><dd>{d.subcategory.clone().unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{t(Msg::AfectaPeriodo)}</dt><dd>{move || yes_no(d.affects_current_period, lang.get())}</dd></div>
            <div class="wide"><dt>{t(Msg::Titulo)}</dt><dd>{d.title.clone()}</dd></div>
            <div class="wide"><dt>{t(Msg::Descripcion)}</dt><dd class="prewrap">{d.description.clone()}</dd></div>
        </dl>
    }
}

/// Documents, receipts and the conversation, shared with the processor's view.
#[component]
pub fn CaseRecords(detail: CaseDetail) -> impl IntoView {
    // The document shown in `Vista previa`, if any: (id, file name).
    let preview = RwSignal::new(None::<(i64, String)>);
    let lang = use_lang();
    let d = detail;
    view! {
        {d.capped.then(|| view! { <p class="alert alert-info" role="status" data-testid="records-capped">{t(Msg::ListaRecortada)}</p> })}
        {(!d.messages.is_empty()).then(|| view! {
            <h2 class="section-title">{t(Msg::Comunicaciones)}</h2>
            <div class="table-wrap">
                <table class="table stack" data-testid="messages">
                    <thead><tr>
                        <th scope="col">{t(Msg::FechaHora)}</th>
                        <th scope="col">{t(Msg::Tipo)}</th>
                        <th scope="col">{t(Msg::Autor)}</th>
                        <th scope="col">{t(Msg::Texto)}</th>
                    </tr></thead>
                    <tbody>
                        {d.messages.clone().into_iter().map(|m| {
                            let kind = m.kind;
                            view! {
                                <tr>
                                    <td class="num" data-label=move || Msg::FechaHora.text(lang.get())>{m.at}</td>
                                    <td data-label=move || Msg::Tipo.text(lang.get())>{move || message_kind_name(kind, lang.get())}</td>
                                    <td data-label=move || Msg::Autor.text(lang.get())>{m.author}</td>
                                    <td class="prewrap" data-label=move || Msg::Texto.text(lang.get())>{m.body}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <h2 class="section-title">{t(Msg::Documentacion)}</h2>
        {if d.documents.is_empty() {
            view! { <p class="muted">{t(Msg::SinDocumentos)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table stack" data-testid="documents">
                        <thead><tr>
                            <th scope="col">{t(Msg::FechaHoraAnexado)}</th>
                            <th scope="col">{t(Msg::Tipo)}</th>
                            <th scope="col">{t(Msg::Titulo)}</th>
                            <th scope="col">{t(Msg::Documento)}</th>
                        </tr></thead>
                        <tbody>
                            {d.documents.clone().into_iter().map(|doc| view! {
                                <tr>
                                    <td class="num" data-label=move || Msg::FechaHoraAnexado.text(lang.get())>{doc.attached_at}</td>
                                    <td data-label=move || Msg::Tipo.text(lang.get())>{doc.type_name}{doc.from_processor.then(|| view! { <span class="tag">"TGSS"</span> })}</td>
                                    <td data-label=move || Msg::Titulo.text(lang.get())>{doc.title}</td>
                                    <td data-label=move || Msg::Documento.text(lang.get())>
                                        <a href=format!("/api/documentos/{}", doc.id) download="">{doc.file_name.clone()}</a>
                                        <span class="muted small">" ("{casia_domain::dto::human_size(doc.size)}")"</span>
                                        {casia_domain::dto::previewable(&doc.media_type).then(|| {
                                            let (id, name) = (doc.id, doc.file_name.clone());
                                            view! {
                                                " "<button type="button" class="link-button" data-testid="preview"
                                                    aria-pressed=move || (preview.get().map(|p| p.0) == Some(id)).to_string()
                                                    on:click=move |_| preview.set(Some((id, name.clone())))>{t(Msg::VistaPrevia)}</button>
                                            }
                                        })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {move || preview.get().map(|(id, name)| view! { <DocumentPreview id name preview/> })}
        {(!d.receipts.is_empty()).then(|| view! {
            <h2 class="section-title">{t(Msg::Justificantes)}</h2>
            <ul class="receipts" data-testid="receipts">
                {d.receipts.clone().into_iter().map(|r| {
                    let kind = r.kind;
                    view! {
                        <li>
                            <a href=format!("/api/justificantes/{}", r.id) target="_blank" rel="noopener">
                                {move || receipt_kind_name(kind, lang.get())}
                            </a>
                            " · "{r.issued_at}" · CEA "<code>{r.cea}</code>
                            {r.classification.map(|c| view! {
                                <br/><span class="muted small" data-testid="receipt-classification">{t(Msg::ClasificacionEnJustificante)}": "{c}</span>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

/// `Vista previa`: the document in a sandboxed frame beside the case (the server adds
/// `Content-Security-Policy: sandbox` and sends it inline only for kinds the browser shows
/// without running them), with the download and a way to close it.
#[component]
fn DocumentPreview(
    id: i64,
    name: String,
    preview: RwSignal<Option<(i64, String)>>,
) -> impl IntoView {
    let src = format!("/api/documentos/{id}/vista");
    view! {
        <section class="preview" aria-labelledby="preview-title" data-testid="preview-panel">
            <div class="panel-head">
                <h3 id="preview-title">{t(Msg::VistaPrevia)}": "{name.clone()}</h3>
                <div class="actions">
                    <a class="button button-secondary" href=format!("/api/documentos/{id}") download="">{t(Msg::Descargar)}</a>
                    <button type="button" class="button button-secondary" on:click=move |_| preview.set(None)>{t(Msg::CerrarVistaPrevia)}</button>
                </div>
            </div>
            <iframe class="preview-frame" sandbox="" src=src title=name referrerpolicy="no-referrer"></iframe>
        </section>
    }
}

pub fn receipt_kind_name(k: casia_domain::dto::ReceiptKind, lang: Lang) -> &'static str {
    match k {
        casia_domain::dto::ReceiptKind::Solicitud => Msg::JustificanteSolicitud.text(lang),
        casia_domain::dto::ReceiptKind::Complementaria => {
            Msg::JustificanteComplementaria.text(lang)
        }
    }
}

/// `Atrás` returns to the previous page (a search keeps its filters) when there is one.
pub fn back_in_history(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window()
        && let Ok(h) = w.history()
        && h.length().unwrap_or(0) > 1
    {
        ev.prevent_default();
        let _ = h.back();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// The history table: a page of its own with its `Atrás` (`back`), or, without it, a section
/// of the processor's case page (under that page's heading).
#[component]
pub fn HistoryTable(history: CaseHistory, #[prop(optional)] back: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let with_actor = history.rows.iter().any(|r| r.actor.is_some());
    view! {
        <div class="panel">
            {match back {
                Some(_) => view! { <h1>{t(Msg::DetalleHistoricos)}</h1> }.into_any(),
                None => view! { <h2 class="section-title">{t(Msg::DetalleHistoricos)}</h2> }.into_any(),
            }}
            <dl class="dl-grid">
                <div><dt>{t(Msg::NumeroCaso)}</dt><dd class="num">{history.number_display.clone()}</dd></div>
                <div><dt>{t(Msg::FechaHoraAlta)}</dt><dd class="num">{history.opened_at.clone()}</dd></div>
            </dl>
            {history.capped.then(|| view! { <p class="alert alert-info" role="status" data-testid="records-capped">{t(Msg::ListaRecortada)}</p> })}
            <div class="table-wrap">
                <table class="table stack" data-testid="history">
                    <caption class="visually-hidden">{t(Msg::HistoricoCaption)}</caption>
                    <thead><tr>
                        <th scope="col">{t(Msg::Estado)}</th>
                        <th scope="col">{t(Msg::Subestado)}</th>
                        <th scope="col">{t(Msg::FechaHoraEstado)}</th>
                        <th scope="col">{t(Msg::Observaciones)}</th>
                        {with_actor.then(|| view! { <th scope="col">{t(Msg::Autor)}</th> })}
                    </tr></thead>
                    <tbody>
                        {history.rows.into_iter().map(|r| {
                            let (st, sub) = (r.state, r.substate);
                            let obs = if r.observations.is_empty() { r.action.note().map(|m| m.text(lang.get_untracked())).unwrap_or_default().to_owned() } else { r.observations.clone() };
                            view! {
                                <tr>
                                    <td data-label=move || Msg::Estado.text(lang.get())>{move || state_name(st, lang.get())}</td>
                                    <td data-label=move || Msg::Subestado.text(lang.get())>{move || substate_name(sub, lang.get())}</td>
                                    <td class="num" data-label=move || Msg::FechaHoraEstado.text(lang.get())>{r.at}</td>
                                    <td class="prewrap" data-label=move || Msg::Observaciones.text(lang.get())>{obs}</td>
                                    {with_actor.then(|| view! { <td data-label=move || Msg::Autor.text(lang.get())>{r.actor.clone().unwrap_or_default()}</td> })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {back.clone().map(|back| view! {
                <div class="actions"><a class="button button-secondary" href=back>{t(Msg::Atras)}</a></div>
            })}
        </div>
    }
}

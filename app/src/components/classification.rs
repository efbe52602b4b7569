//! Tipo de Caso → Materia → Categoría → Subcategoría as cascading choices (guide §4.1):
//! each level offers the children of the one above; changing a level clears those below.
//! `Ayuda Documentación` appears for Trámite and technical Error/Incidencia cases.

use casia_domain::dto::Taxonomy;
use casia_domain::i18n::case_type_name;
use casia_domain::model::CaseType;
use casia_domain::{FieldError, Msg};
use leptos::prelude::*;

use crate::components::FieldMessage;
use crate::components::forms::has_problem;
use crate::context::{t, use_lang};

/// The chosen path; all four are signals so a form can read and reset them.
#[derive(Clone, Copy)]
pub struct Classification {
    pub case_type: RwSignal<String>,
    pub subject: RwSignal<Option<i64>>,
    pub category: RwSignal<Option<i64>>,
    pub subcategory: RwSignal<Option<i64>>,
}

impl Classification {
    pub fn new() -> Self {
        Classification {
            case_type: RwSignal::new(String::new()),
            subject: RwSignal::new(None),
            category: RwSignal::new(None),
            subcategory: RwSignal::new(None),
        }
    }

    pub fn set(&self, case_type: CaseType, subject: i64, category: i64, subcategory: Option<i64>) {
        self.case_type.set(case_type.code().to_owned());
        self.subject.set(Some(subject));
        self.category.set(Some(category));
        self.subcategory.set(subcategory);
    }
}

impl Default for Classification {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_id(value: &str) -> Option<i64> {
    value.parse().ok()
}

#[component]
pub fn ClassificationPicker(
    choice: Classification,
    #[prop(into)] taxonomy: Signal<Taxonomy>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    /// Field name prefix (e.g. `reclassification.`) for messages and ids.
    #[prop(optional, into)]
    prefix: String,
) -> impl IntoView {
    let lang = use_lang();
    let Classification {
        case_type,
        subject,
        category,
        subcategory,
    } = choice;
    let id = |name: &str| format!("{prefix}{name}");
    let (f_type, f_subject, f_category, f_sub) = (
        id("case_type"),
        id("subject_id"),
        id("category_id"),
        id("subcategory_id"),
    );
    let chosen_type = move || CaseType::from_code(&case_type.get());
    let subjects = move || {
        chosen_type()
            .map(|ty| taxonomy.with(|tx| tx.subjects(ty).into_iter().cloned().collect::<Vec<_>>()))
            .unwrap_or_default()
    };
    let categories = move || {
        subject
            .get()
            .map(|s| taxonomy.with(|tx| tx.children(s).into_iter().cloned().collect::<Vec<_>>()))
            .unwrap_or_default()
    };
    let subcategories = move || {
        category
            .get()
            .map(|c| taxonomy.with(|tx| tx.children(c).into_iter().cloned().collect::<Vec<_>>()))
            .unwrap_or_default()
    };
    let shows_help = move || {
        chosen_type()
            .is_some_and(|ty| taxonomy.with(|tx| tx.shows_documentation_help(ty, category.get())))
    };
    let help_text = move || {
        taxonomy.with(|tx| {
            [subcategory.get(), category.get(), subject.get()]
                .into_iter()
                .flatten()
                .filter_map(|id| tx.node(id))
                .map(|n| n.help.clone())
                .find(|h| !h.is_empty())
        })
    };
    let help_open = RwSignal::new(false);

    let select = move |field: String,
                       label: Msg,
                       required: bool,
                       value: Signal<String>,
                       options: Signal<Vec<(String, String)>>,
                       disabled: Signal<bool>,
                       on_change: Box<dyn Fn(String) + Send + Sync>| {
        let f = field.clone();
        view! {
            <div class="field">
                <label for=field.clone()>{t(label)}{required.then(|| view! { <span class="req" aria-hidden="true">"(*)"</span> })}</label>
                <select
                    id=field.clone()
                    name=field.clone()
                    disabled=move || disabled.get()
                    aria-required=required.to_string()
                    aria-invalid=move || has_problem(&errors.get(), &f).to_string()
                    aria-describedby=format!("err-{}", field.replace('.', "-"))
                    on:change=move |ev| on_change(event_target_value(&ev))
                >
                    <option value="" selected=move || value.get().is_empty()>{t(Msg::Seleccione)}</option>
                    {move || options.get().into_iter().map(|(v, name)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || value.get() == v2>{name}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage field=field errors=errors/>
            </div>
        }
    };

    view! {
        <div class="form-grid">
            {select(
                f_type,
                Msg::TipoCaso,
                true,
                Signal::derive(move || case_type.get()),
                Signal::derive(move || CaseType::ALL.iter().map(|t| (t.code().to_owned(), case_type_name(*t, lang.get()).to_owned())).collect()),
                Signal::derive(|| false),
                Box::new(move |v| {
                    case_type.set(v);
                    subject.set(None);
                    category.set(None);
                    subcategory.set(None);
                }),
            )}
            {select(
                f_subject,
                Msg::Materia,
                true,
                Signal::derive(move || subject.get().map(|v| v.to_string()).unwrap_or_default()),
                Signal::derive(move || subjects().into_iter().map(|n| (n.id.to_string(), n.name)).collect()),
                Signal::derive(move || chosen_type().is_none()),
                Box::new(move |v| {
                    subject.set(parse_id(&v));
                    category.set(None);
                    subcategory.set(None);
                }),
            )}
            {select(
                f_category,
                Msg::Categoria,
                true,
                Signal::derive(move || category.get().map(|v| v.to_string()).unwrap_or_default()),
                Signal::derive(move || categories().into_iter().map(|n| (n.id.to_string(), n.name)).collect()),
                Signal::derive(move || subject.get().is_none()),
                Box::new(move |v| {
                    category.set(parse_id(&v));
                    subcategory.set(None);
                }),
            )}
            {select(
                f_sub,
                Msg::Subcategoria,
                true,
                Signal::derive(move || subcategory.get().map(|v| v.to_string()).unwrap_or_default()),
                Signal::derive(move || subcategories().into_iter().map(|n| (n.id.to_string(), n.name)).collect()),
                Signal::derive(move || category.get().is_none() || subcategories().is_empty()),
                Box::new(move |v| subcategory.set(parse_id(&v))),
            )}
        </div>
        <Show when=shows_help>
            <div class="doc-help">
                <button
                    type="button"
                    class="link-button"
                    aria-expanded=move || help_open.get().to_string()
                    on:click=move |_| help_open.update(|o| *o = !*o)
                >
                    {t(Msg::AyudaDocumentacion)}
                </button>
                <Show when=move || help_open.get()>
                    <div class="alert alert-info" data-testid="ayuda-documentacion">
                        {move || help_text().unwrap_or_else(|| Msg::AyudaDocumentacionElija.t(lang.get()))}
                    </div>
                </Show>
            </div>
        </Show>
    }
}

/// The optional `Tipo de Caso` and `Materia` filters of a search (guide §4.2, and the
/// processors' queues): `Todos` by default, subjects grouped by type and limited to the chosen
/// type; choosing another type clears the subject. Both values are codes/ids as text, as they
/// travel in the URL. `taxonomy` is read inside a Suspense, so server rendering waits for it.
#[component]
pub fn TypeAndSubjectFilters(
    case_type: RwSignal<String>,
    subject: RwSignal<String>,
    #[prop(into)] taxonomy: Signal<Option<Taxonomy>>,
    /// Prefix of the two controls' ids (two filter forms never share a page, but ids stay stable).
    id_prefix: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let type_id = format!("{id_prefix}tipo");
    let subject_id = format!("{id_prefix}materia");
    view! {
        <div class="field">
            <label for=type_id.clone()>{t(Msg::TipoCaso)}</label>
            <select id=type_id on:change=move |ev| { case_type.set(event_target_value(&ev)); subject.set(String::new()); }>
                <option value="" selected=move || case_type.get().is_empty()>{t(Msg::Todos)}</option>
                {CaseType::ALL.iter().map(|ty| {
                    let ty = *ty;
                    view! { <option value=ty.code() selected=move || case_type.get() == ty.code()>{move || case_type_name(ty, lang.get())}</option> }
                }).collect_view()}
            </select>
        </div>
        <div class="field">
            <label for=subject_id.clone()>{t(Msg::Materia)}</label>
            <select id=subject_id on:change=move |ev| subject.set(event_target_value(&ev))>
                <option value="" selected=move || subject.get().is_empty()>{t(Msg::Todos)}</option>
                <Suspense fallback=|| ()>
                    {move || taxonomy.get().map(|tx| {
                        let chosen = CaseType::from_code(&case_type.get());
                        CaseType::ALL.iter().filter(|ty| chosen.is_none_or(|c| c == **ty)).map(|ty| {
                            let label = case_type_name(*ty, lang.get());
                            let subjects: Vec<_> = tx.subjects(*ty).into_iter().cloned().collect();
                            view! {
                                <optgroup label=label>
                                    {subjects.into_iter().map(|n| {
                                        let id = n.id.to_string();
                                        let id2 = id.clone();
                                        view! { <option value=id selected=move || subject.get() == id2>{n.name}</option> }
                                    }).collect_view()}
                                </optgroup>
                            }
                        }).collect_view()
                    })}
                </Suspense>
            </select>
        </div>
    }
}

//! The queues' filters (type, subject, authorisation, dates), shared by the queues and the
//! processors' search: the same `QueueFilter`, the same checks, the same fields.

use casia_domain::dto::{QueueFilter, Taxonomy};
use casia_domain::{FieldError, Msg};
use leptos::prelude::*;

use super::classification::TypeAndSubjectFilters;
use super::input_field::InputField;

/// The filters as typed: text, as the URL carries them.
#[derive(Clone, Copy)]
pub struct FilterInputs {
    pub case_type: RwSignal<String>,
    pub subject: RwSignal<String>,
    pub authorisation: RwSignal<String>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
}

impl FilterInputs {
    /// The fields showing `initial` (the URL's filters).
    pub fn new(initial: QueueFilter) -> Self {
        let text = |v: Option<String>| RwSignal::new(v.unwrap_or_default());
        FilterInputs {
            case_type: text(initial.case_type),
            subject: text(initial.subject_id.map(|v| v.to_string())),
            authorisation: text(initial.authorisation),
            from: text(initial.from),
            to: text(initial.to),
        }
    }

    /// The filters as typed, in the order `sort` (which these fields do not hold).
    pub fn filter(&self, sort: Option<String>) -> QueueFilter {
        QueueFilter {
            case_type: Some(self.case_type.get_untracked()),
            subject_id: self.subject.get_untracked().parse().ok(),
            authorisation: Some(self.authorisation.get_untracked()),
            from: Some(self.from.get_untracked()),
            to: Some(self.to.get_untracked()),
            sort,
        }
    }
}

/// The filter fields, their ids prefixed with `id_prefix`.
#[component]
pub fn QueueFilterFields(
    inputs: FilterInputs,
    #[prop(into)] taxonomy: Signal<Option<Taxonomy>>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    id_prefix: &'static str,
) -> impl IntoView {
    let FilterInputs {
        case_type,
        subject,
        authorisation,
        from,
        to,
    } = inputs;
    view! {
        <TypeAndSubjectFilters case_type subject id_prefix taxonomy/>
        <InputField id=format!("{id_prefix}autorizacion") label=Msg::NumAutorizacion field="authorisation"
            inputmode="numeric" value=authorisation errors/>
        <InputField id=format!("{id_prefix}desde") label=Msg::FechaAltaDesde field="from" kind="date" value=from errors/>
        <InputField id=format!("{id_prefix}hasta") label=Msg::FechaAltaHasta field="to" kind="date" value=to errors/>
    }
}

//! `Modificar Información` (guide §4.2.4): more information, documents or a new
//! classification, at least one of them.

use super::{FieldProblem, MESSAGE_MAX, Problems, check_classification, check_documents};
use crate::dto::{ModifyInformationForm, Taxonomy};

/// The problems of a `Modificar Información` form. `taxonomy` is the tree a new
/// classification is checked against (the caller loads it only when there is one).
pub fn check_modification(form: &ModifyInformationForm, taxonomy: Option<&Taxonomy>) -> Problems {
    let mut p = Problems::default();
    p.optional_text("information", &form.information, MESSAGE_MAX);
    check_documents(&mut p, &form.documents);
    if let Some(r) = &form.reclassification {
        let facts = taxonomy
            .map(|tx| tx.facts(&r.case_type, r.subject_id, r.category_id, r.subcategory_id))
            .unwrap_or_default();
        check_classification(
            &mut p,
            &r.case_type,
            r.subject_id,
            r.category_id,
            r.subcategory_id,
            facts,
        );
    }
    if form.information.trim().is_empty()
        && form.documents.is_empty()
        && form.reclassification.is_none()
    {
        p.add("information", FieldProblem::NothingToAdd);
    }
    p
}

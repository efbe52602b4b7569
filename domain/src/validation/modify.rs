//! `Modificar Información` (guide §4.2.1): the rules the page shows as the person types and
//! the service applies again to whatever arrives.

use super::{
    ClassificationFacts, FieldProblem, MESSAGE_MAX, Problems, check_classification, check_documents,
};
use crate::dto::{ModifyInformationForm, Reclassification};

/// The problems of `form` for a case classified as `current`. `facts` answers for the
/// classification the form proposes (only asked when it proposes one). Answering a
/// reclassification request with the case's own classification is refused: it would send
/// the case back to the processor and write "Clasificación modificada" for no change.
pub fn check_modification(
    form: &ModifyInformationForm,
    current: &Reclassification,
    facts: impl FnOnce(&Reclassification) -> ClassificationFacts,
) -> Problems {
    let mut p = Problems::default();
    p.optional_text("information", &form.information, MESSAGE_MAX);
    check_documents(&mut p, &form.documents);
    match &form.reclassification {
        Some(r) => {
            check_classification(
                &mut p,
                &r.case_type,
                r.subject_id,
                r.category_id,
                r.subcategory_id,
                facts(r),
            );
            if r == current {
                p.add("subject_id", FieldProblem::ClassificationUnchanged);
            }
        }
        None if form.information.trim().is_empty() && form.documents.is_empty() => {
            p.add("information", FieldProblem::NothingToAdd)
        }
        None => {}
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits() -> ClassificationFacts {
        ClassificationFacts {
            subject_fits: true,
            category_fits: true,
            subcategory_fits: None,
            category_has_subcategories: false,
        }
    }

    fn current() -> Reclassification {
        Reclassification {
            case_type: "consulta".into(),
            subject_id: Some(1),
            category_id: Some(2),
            subcategory_id: None,
        }
    }

    fn fields(p: Problems) -> Vec<(String, FieldProblem)> {
        p.into_vec()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    #[test]
    fn the_same_classification_is_not_a_reclassification() {
        let form = ModifyInformationForm {
            reclassification: Some(current()),
            ..ModifyInformationForm::default()
        };
        assert_eq!(
            fields(check_modification(&form, &current(), |_| fits())),
            [("subject_id".into(), FieldProblem::ClassificationUnchanged)]
        );
        let moved = Reclassification {
            category_id: Some(3),
            ..current()
        };
        let form = ModifyInformationForm {
            reclassification: Some(moved),
            ..ModifyInformationForm::default()
        };
        assert!(check_modification(&form, &current(), |_| fits()).is_empty());
    }

    #[test]
    fn an_empty_form_asks_for_information_or_a_document() {
        let form = ModifyInformationForm::default();
        assert_eq!(
            fields(check_modification(&form, &current(), |_| fits())),
            [("information".into(), FieldProblem::NothingToAdd)]
        );
    }
}

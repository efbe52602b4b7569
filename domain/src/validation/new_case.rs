//! `Nuevo Caso` (guide §4.1): the classification, the texts and the documents. The check
//! returns the parsed, valid case, so the server opens it without parsing the form again.

use super::{DESCRIPTION_MAX, DOCUMENT_TITLE_MAX, DOCUMENTS_PER_SUBMISSION_MAX, TITLE_MAX};
use super::{FieldError, FieldProblem, Problems};
use crate::dto::{DocumentToAttach, NewCaseForm};
use crate::model::CaseType;

/// What the taxonomy says about the chosen nodes; the caller looks them up (the browser in
/// the tree it loaded, the server in the database).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassificationFacts {
    /// The chosen subject exists, is active and hangs from the chosen type.
    pub subject_fits: bool,
    pub category_fits: bool,
    /// `None`: no subcategory was chosen.
    pub subcategory_fits: Option<bool>,
    /// The chosen category has active subcategories, so one must be chosen.
    pub category_has_subcategories: bool,
}

/// Tipo/Materia/Categoría/Subcategoría: required, and each hanging from the one above.
pub fn check_classification(
    problems: &mut Problems,
    case_type: &str,
    subject_id: Option<i64>,
    category_id: Option<i64>,
    subcategory_id: Option<i64>,
    facts: ClassificationFacts,
) {
    if case_type.is_empty() {
        problems.add("case_type", FieldProblem::Required);
    } else if CaseType::from_code(case_type).is_none() {
        problems.add("case_type", FieldProblem::InvalidChoice);
    }
    match subject_id {
        None => problems.add("subject_id", FieldProblem::Required),
        Some(_) if !facts.subject_fits => problems.add("subject_id", FieldProblem::InvalidChoice),
        Some(_) => {}
    }
    match category_id {
        None => problems.add("category_id", FieldProblem::Required),
        Some(_) if !facts.category_fits => problems.add("category_id", FieldProblem::InvalidChoice),
        Some(_) => {}
    }
    match (subcategory_id, facts.subcategory_fits) {
        (None, _)
            if facts.category_has_subcategories && category_id.is_some() && facts.category_fits =>
        {
            problems.add("subcategory_id", FieldProblem::Required)
        }
        // A wrong category is reported once, not again through its subcategory.
        (Some(_), Some(false)) if facts.category_fits => {
            problems.add("subcategory_id", FieldProblem::InvalidChoice)
        }
        _ => {}
    }
}

/// A `Nuevo Caso` that passed [`check_new_case`]: every required choice made, texts trimmed.
/// The documents passed [`check_documents`]; the server still claims each upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidNewCase {
    pub case_type: CaseType,
    pub subject_id: i64,
    pub category_id: i64,
    pub subcategory_id: Option<i64>,
    pub affects_current_period: bool,
    pub title: String,
    pub description: String,
    pub documents: Vec<DocumentToAttach>,
}

/// Nuevo Caso (guide §4.1): every `(*)` field, lengths and the documents' own fields.
pub fn check_new_case(
    form: &NewCaseForm,
    facts: ClassificationFacts,
) -> Result<ValidNewCase, Vec<FieldError>> {
    let mut p = Problems::default();
    check_classification(
        &mut p,
        &form.case_type,
        form.subject_id,
        form.category_id,
        form.subcategory_id,
        facts,
    );
    if form.affects_current_period.is_none() {
        p.add("affects_current_period", FieldProblem::Required);
    }
    p.required_text("title", &form.title, TITLE_MAX);
    p.required_text("description", &form.description, DESCRIPTION_MAX);
    check_documents(&mut p, &form.documents);
    match (
        CaseType::from_code(&form.case_type),
        form.subject_id,
        form.category_id,
        form.affects_current_period,
    ) {
        (Some(case_type), Some(subject_id), Some(category_id), Some(affects_current_period))
            if p.is_empty() =>
        {
            Ok(ValidNewCase {
                case_type,
                subject_id,
                category_id,
                subcategory_id: form.subcategory_id,
                affects_current_period,
                title: form.title.trim().to_owned(),
                description: form.description.trim().to_owned(),
                documents: form.documents.clone(),
            })
        }
        _ => Err(p.into_vec()),
    }
}

/// Each attached document needs a type, a title and an uploaded file.
pub fn check_documents(p: &mut Problems, documents: &[DocumentToAttach]) {
    if documents.len() > DOCUMENTS_PER_SUBMISSION_MAX {
        p.add(
            "documents",
            FieldProblem::TooManyDocuments {
                max: DOCUMENTS_PER_SUBMISSION_MAX,
            },
        );
        // One problem is enough: checking thousands of entries would only make the answer huge.
        return;
    }
    for (i, doc) in documents.iter().enumerate() {
        if doc.document_type_id.is_none() {
            p.add(
                &format!("documents.{i}.document_type_id"),
                FieldProblem::Required,
            );
        }
        p.required_text(
            &format!("documents.{i}.title"),
            &doc.title,
            DOCUMENT_TITLE_MAX,
        );
        if doc.upload_token.trim().is_empty() {
            p.add(&format!("documents.{i}.file"), FieldProblem::Required);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fitting() -> ClassificationFacts {
        ClassificationFacts {
            subject_fits: true,
            category_fits: true,
            subcategory_fits: Some(true),
            category_has_subcategories: true,
        }
    }

    fn good_case() -> NewCaseForm {
        NewCaseForm {
            case_type: "tramite".into(),
            subject_id: Some(1),
            category_id: Some(2),
            subcategory_id: Some(3),
            affects_current_period: Some(false),
            title: "Baja de trabajador".into(),
            description: "Solicito la baja con fecha 31/10.".into(),
            documents: vec![],
            idempotency_key: "k".into(),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_case_passes() {
        assert_eq!(
            check_new_case(&good_case(), fitting()),
            Ok(ValidNewCase {
                case_type: CaseType::Tramite,
                subject_id: 1,
                category_id: 2,
                subcategory_id: Some(3),
                affects_current_period: false,
                title: "Baja de trabajador".into(),
                description: "Solicito la baja con fecha 31/10.".into(),
                documents: vec![],
            })
        );
        // The texts are kept trimmed.
        let mut padded = good_case();
        padded.title = "  Baja de trabajador ".into();
        assert_eq!(
            check_new_case(&padded, fitting()).map(|v| v.title),
            Ok("Baja de trabajador".to_owned())
        );
    }

    #[test]
    fn every_required_field_is_named() {
        let empty = NewCaseForm {
            case_type: String::new(),
            subject_id: None,
            category_id: None,
            subcategory_id: None,
            affects_current_period: None,
            title: "  ".into(),
            description: String::new(),
            documents: vec![],
            idempotency_key: String::new(),
        };
        let errs = check_new_case(&empty, ClassificationFacts::default()).unwrap_err();
        assert_eq!(
            fields(errs),
            [
                "case_type",
                "subject_id",
                "category_id",
                "affects_current_period",
                "title",
                "description"
            ]
        );
    }

    #[test]
    fn subcategory_is_required_only_where_the_category_has_them() {
        let mut form = good_case();
        form.subcategory_id = None;
        let errs = check_new_case(
            &form,
            ClassificationFacts {
                subcategory_fits: None,
                ..fitting()
            },
        )
        .unwrap_err();
        assert_eq!(fields(errs), ["subcategory_id"]);
        let facts = ClassificationFacts {
            subcategory_fits: None,
            category_has_subcategories: false,
            ..fitting()
        };
        assert!(check_new_case(&form, facts).is_ok());
    }

    #[test]
    fn nodes_that_do_not_hang_from_their_parent_are_refused() {
        let facts = ClassificationFacts {
            category_fits: false,
            subcategory_fits: Some(false),
            ..fitting()
        };
        let errs = check_new_case(&good_case(), facts).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError::new("category_id", FieldProblem::InvalidChoice)]
        );
        let facts = ClassificationFacts {
            subcategory_fits: Some(false),
            ..fitting()
        };
        let errs = check_new_case(&good_case(), facts).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError::new(
                "subcategory_id",
                FieldProblem::InvalidChoice
            )]
        );
        let mut form = good_case();
        form.case_type = "peticion".into();
        assert_eq!(
            fields(check_new_case(&form, fitting()).unwrap_err()),
            ["case_type"]
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let mut form = good_case();
        form.title = "ñ".repeat(TITLE_MAX);
        assert!(check_new_case(&form, fitting()).is_ok());
        form.title.push('á');
        let errs = check_new_case(&form, fitting()).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError::new(
                "title",
                FieldProblem::TooLong { max: TITLE_MAX }
            )]
        );
    }

    #[test]
    fn documents_need_type_title_and_file() {
        let mut form = good_case();
        form.documents = vec![
            DocumentToAttach {
                document_type_id: Some(1),
                title: "DNI".into(),
                upload_token: "t1".into(),
            },
            DocumentToAttach {
                document_type_id: None,
                title: "".into(),
                upload_token: "".into(),
            },
        ];
        let errs = check_new_case(&form, fitting()).unwrap_err();
        assert_eq!(
            fields(errs),
            [
                "documents.1.document_type_id",
                "documents.1.title",
                "documents.1.file"
            ]
        );
        form.documents = (0..=DOCUMENTS_PER_SUBMISSION_MAX)
            .map(|i| DocumentToAttach {
                document_type_id: Some(1),
                title: format!("d{i}"),
                upload_token: "t".into(),
            })
            .collect();
        assert_eq!(
            fields(check_new_case(&form, fitting()).unwrap_err()),
            ["documents"]
        );
        // Thousands of bad entries still give one problem, not thousands.
        form.documents = (0..5000)
            .map(|_| DocumentToAttach {
                document_type_id: None,
                title: "".into(),
                upload_token: "".into(),
            })
            .collect();
        assert_eq!(
            fields(check_new_case(&form, fitting()).unwrap_err()),
            ["documents"]
        );
    }
}

//! Form rules shared by the browser (messages as the person types) and the server (the
//! same rules again, whatever the client sent). Each problem names its field, so the message
//! can be shown next to it.

use serde::{Deserialize, Serialize};

use crate::dates::{RangeProblem, check_month_range};
use crate::dto::{NewCaseForm, SearchForm};
use crate::model::{CaseType, State, Substate};

pub const TITLE_MAX: usize = 150;
pub const DESCRIPTION_MAX: usize = 4000;
pub const MESSAGE_MAX: usize = 4000;
pub const DOCUMENT_TITLE_MAX: usize = 150;
pub const RATING_OBSERVATIONS_MAX: usize = 1000;
pub const DOCUMENTS_PER_SUBMISSION_MAX: usize = 10;
pub const EMAIL_MAX: usize = 254;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldProblem {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    /// Another record already uses this value (e.g. a username).
    AlreadyExists,
    /// Cases (or members) still use it: it can be deactivated, not removed.
    InUse,
    /// The password typed to confirm a change is not the account's.
    WrongPassword,
    InvalidChoice,
    InvalidEmail,
    InvalidCaseNumber,
    DateRange(RangeProblem),
    OutOfRange {
        min: i64,
        max: i64,
    },
    TooManyDocuments {
        max: usize,
    },
    /// A substate that does not belong to the chosen state.
    SubstateNotInState,
    /// Nothing to send: no information, no document, no new classification.
    NothingToAdd,
    /// A second-factor or recovery code that is wrong, expired or already used.
    WrongCode,
    /// A common or easily guessed password (breached lists, dictionary words, patterns).
    WeakPassword,
    /// The password contains the username.
    PasswordContainsUsername,
    /// The repeated password is not the same.
    PasswordMismatch,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's `name`, so the page can put the message next to it.
    pub field: String,
    pub problem: FieldProblem,
}

impl FieldError {
    pub fn new(field: &str, problem: FieldProblem) -> Self {
        FieldError {
            field: field.to_owned(),
            problem,
        }
    }
}

/// Collects problems; `finish` turns them into a result.
#[derive(Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, problem: FieldProblem) {
        self.0.push(FieldError::new(field, problem));
    }

    /// Required text, trimmed, at most `max` characters.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(field, FieldProblem::Required);
        } else {
            self.optional_text(field, value, max);
        }
    }

    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().chars().count() > max {
            self.add(field, FieldProblem::TooLong { max });
        }
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// The first problem for a field, if any (what the page shows next to it).
pub fn problem_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a FieldProblem> {
    errors.iter().find(|e| e.field == field).map(|e| &e.problem)
}

pub fn is_valid_email(email: &str) -> bool {
    let email = email.trim();
    if email.is_empty()
        || email.len() > EMAIL_MAX
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    // RFC 5322 dot-atom (letters of any script allowed, RFC 6531): what mail servers and the
    // mail library accept, so an address saved here can always be sent to.
    const ATEXT_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || ATEXT_SPECIALS.contains(c))
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

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

/// Nuevo Caso (guide §4.1): every `(*)` field, lengths and the documents' own fields.
pub fn check_new_case(
    form: &NewCaseForm,
    facts: ClassificationFacts,
) -> Result<(), Vec<FieldError>> {
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
    p.finish()
}

/// Each attached document needs a type, a title and an uploaded file.
pub fn check_documents(p: &mut Problems, documents: &[crate::dto::DocumentToAttach]) {
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

/// Opción 2 of guide §4.2. Returns the parsed state filter (`None` = Todos) on success.
pub fn check_search(form: &SearchForm) -> Result<(), Vec<FieldError>> {
    let mut p = Problems::default();
    let state = match form.state.as_str() {
        "" => {
            p.add("state", FieldProblem::Required);
            None
        }
        "todos" => None,
        code => match State::from_code(code) {
            Some(s) => Some(s),
            None => {
                p.add("state", FieldProblem::InvalidChoice);
                None
            }
        },
    };
    if let Err(range) = check_month_range(&form.from, &form.to) {
        for problem in range {
            let field = match problem {
                RangeProblem::FromMissing | RangeProblem::FromInvalid => "from",
                _ => "to",
            };
            p.add(field, FieldProblem::DateRange(problem));
        }
    }
    if let Some(code) = form.substate.as_deref().filter(|c| !c.is_empty()) {
        match Substate::from_code(code) {
            None => p.add("substate", FieldProblem::InvalidChoice),
            Some(sub) if state.is_some_and(|st| sub.state() != st) => {
                p.add("substate", FieldProblem::SubstateNotInState)
            }
            Some(_) => {}
        }
    }
    if let Some(code) = form.case_type.as_deref().filter(|c| !c.is_empty())
        && CaseType::from_code(code).is_none()
    {
        p.add("case_type", FieldProblem::InvalidChoice);
    }
    p.finish()
}

/// Valoración (guide §4.2.4): a score from 1 to 5 and optional observations.
pub fn check_rating(score: Option<i64>, observations: &str) -> Result<(), Vec<FieldError>> {
    let mut p = Problems::default();
    match score {
        None => p.add("score", FieldProblem::Required),
        Some(s) if !(1..=5).contains(&s) => {
            p.add("score", FieldProblem::OutOfRange { min: 1, max: 5 })
        }
        Some(_) => {}
    }
    p.optional_text("observations", observations, RATING_OBSERVATIONS_MAX);
    p.finish()
}

/// Contact data of an authorisation: an address is needed to give consent to notices.
pub fn check_contact(email: &str, consent: bool) -> Result<(), Vec<FieldError>> {
    let mut p = Problems::default();
    if email.trim().is_empty() {
        if consent {
            p.add("email", FieldProblem::Required);
        }
    } else if !is_valid_email(email) {
        p.add("email", FieldProblem::InvalidEmail);
    }
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::DocumentToAttach;

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
        assert_eq!(check_new_case(&good_case(), fitting()), Ok(()));
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
        assert_eq!(check_new_case(&form, facts), Ok(()));
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
        assert_eq!(check_new_case(&form, fitting()), Ok(()));
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

    fn search(state: &str, from: &str, to: &str, substate: Option<&str>) -> SearchForm {
        SearchForm {
            state: state.into(),
            from: from.into(),
            to: to.into(),
            substate: substate.map(Into::into),
            case_type: None,
            subject_id: None,
            opened_by: None,
        }
    }

    #[test]
    fn search_needs_state_and_a_range_within_one_month() {
        assert_eq!(
            check_search(&search("abierto", "2026-11-01", "2026-11-30", None)),
            Ok(())
        );
        assert_eq!(
            check_search(&search(
                "todos",
                "2026-02-01",
                "2026-02-28",
                Some("anulado")
            )),
            Ok(())
        );
        let errs = check_search(&search("", "2026-10-15", "2026-11-14", None)).unwrap_err();
        assert_eq!(
            errs,
            vec![
                FieldError::new("state", FieldProblem::Required),
                FieldError::new("to", FieldProblem::DateRange(RangeProblem::DifferentMonths)),
            ]
        );
    }

    #[test]
    fn substate_must_belong_to_the_chosen_state() {
        let errs = check_search(&search(
            "cerrado",
            "2026-11-01",
            "2026-11-30",
            Some("asignado"),
        ))
        .unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError::new(
                "substate",
                FieldProblem::SubstateNotInState
            )]
        );
        assert_eq!(
            check_search(&search(
                "cerrado",
                "2026-11-01",
                "2026-11-30",
                Some("resuelto")
            )),
            Ok(())
        );
        let errs =
            check_search(&search("abierto", "2026-11-01", "2026-11-30", Some("zzz"))).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError::new("substate", FieldProblem::InvalidChoice)]
        );
    }

    #[test]
    fn rating_is_one_to_five() {
        assert_eq!(check_rating(Some(5), "Muy rápido"), Ok(()));
        assert_eq!(check_rating(Some(1), ""), Ok(()));
        assert_eq!(
            check_rating(Some(6), ""),
            Err(vec![FieldError::new(
                "score",
                FieldProblem::OutOfRange { min: 1, max: 5 }
            )])
        );
        assert_eq!(
            check_rating(None, ""),
            Err(vec![FieldError::new("score", FieldProblem::Required)])
        );
        assert!(check_rating(Some(3), &"x".repeat(RATING_OBSERVATIONS_MAX + 1)).is_err());
    }

    #[test]
    fn emails_and_consent() {
        for good in [
            "gestoria@example.es",
            "a.b+c@sub.dominio.es",
            "ñandú@correo.es",
            "o'neill@x.es",
            "a_b-c@x.es",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@x.es",
            "a@.es",
            "a@x.es.",
            "a b@x.es",
            "a@x..es",
            "a@@x.es",
            // Not a dot-atom: a mail server would refuse these for ever.
            "a,b@x.es",
            "a<b@x.es",
            "a>@x.es",
            ".a@x.es",
            "a.@x.es",
            "a..b@x.es",
            "\"a\"@x.es",
            "a;b@x.es",
            "(a)@x.es",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        assert_eq!(check_contact("", false), Ok(()));
        assert_eq!(
            check_contact("", true),
            Err(vec![FieldError::new("email", FieldProblem::Required)])
        );
        assert_eq!(
            check_contact("x@", false),
            Err(vec![FieldError::new("email", FieldProblem::InvalidEmail)])
        );
    }
}

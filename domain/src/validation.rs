//! Form rules shared by the browser (messages as the person types) and the server (the
//! same rules again, whatever the client sent). Each problem names its field, so the message
//! can be shown next to it.

use serde::{Deserialize, Serialize};

use crate::dates::RangeProblem;

mod modify;
mod new_case;
mod queue;
mod search;

pub use modify::check_modification;
pub use new_case::{
    ClassificationFacts, ValidNewCase, check_classification, check_documents, check_new_case,
};
pub use queue::{AUTHORISATION_NUMBER_MAX, ValidQueueFilter, check_queue_filter};
pub use search::{ValidSearch, check_search};

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
    /// Nothing to send: no information and no document.
    NothingToAdd,
    /// A reclassification answered with the classification the case already has.
    ClassificationUnchanged,
    /// A second-factor or recovery code that is wrong, expired or already used.
    WrongCode,
    /// A common or easily guessed password (breached lists, dictionary words, patterns).
    WeakPassword,
    /// The password contains the username.
    PasswordContainsUsername,
    /// The repeated password is not the same.
    PasswordMismatch,
    /// An administrator deactivating their own account (they would lock themself out).
    OwnAccount,
    /// No account has this username.
    UnknownUsername,
    /// An authorisation number is digits only.
    InvalidAuthorisationNumber,
    /// A search text with nothing to search by (only very common words or punctuation).
    NothingToSearch,
    /// Not an absolute `https://` address (a webhook's).
    InvalidUrl,
    /// A webhook address that leads to a private, loopback or link-local network.
    PrivateAddress,
    /// The user is not a member of that authorisation (or one of them is inactive).
    NotAMember,
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

    /// No problem so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
    // RFC 5321's limits: 64 octets before the `@`, 63 in each label of the domain.
    !local.is_empty()
        && local.len() <= 64
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
        // Each label begins and ends with a letter or digit (RFC 1035).
        && domain.split('.').all(|label| {
            label.len() <= 63
                && label.starts_with(char::is_alphanumeric)
                && label.ends_with(char::is_alphanumeric)
        })
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
            // Labels begin and end with a letter or digit; RFC 5321's lengths.
            "a@-x.es",
            "a@x-.es",
            "a@x.-es",
            "ab@-.es",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        assert!(is_valid_email("a@x--y.es"));
        assert!(is_valid_email(&format!("{}@x.es", "a".repeat(64))));
        assert!(!is_valid_email(&format!("{}@x.es", "a".repeat(65))));
        assert!(is_valid_email(&format!("a@{}.es", "b".repeat(63))));
        assert!(!is_valid_email(&format!("a@{}.es", "b".repeat(64))));
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

//! The processors' queue filters: checked like the user's search (the same date rules and
//! messages), so a mistyped filter is said so instead of showing an empty queue.

use super::search::range_field;
use super::{FieldError, FieldProblem, Problems};
use crate::dates::{CalendarDate, check_optional_range};
use crate::dto::QueueFilter;
use crate::model::CaseType;

/// Longest authorisation number accepted (as when an authorisation is created).
pub const AUTHORISATION_NUMBER_MAX: usize = 20;

/// Queue filters that passed [`check_queue_filter`]: what the query filters on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidQueueFilter {
    pub case_type: Option<CaseType>,
    pub subject_id: Option<i64>,
    /// Nº Autorización: digits only.
    pub authorisation: Option<String>,
    /// Opened from/to, both included.
    pub from: Option<CalendarDate>,
    pub to: Option<CalendarDate>,
    pub newest: bool,
}

pub fn check_queue_filter(f: &QueueFilter) -> Result<ValidQueueFilter, Vec<FieldError>> {
    let mut p = Problems::default();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_owned();
    let case_type = match text(&f.case_type).as_str() {
        "" => None,
        code => {
            let parsed = CaseType::from_code(code);
            if parsed.is_none() {
                p.add("case_type", FieldProblem::InvalidChoice);
            }
            parsed
        }
    };
    let authorisation = Some(text(&f.authorisation)).filter(|n| !n.is_empty());
    if let Some(n) = &authorisation
        && (n.len() > AUTHORISATION_NUMBER_MAX || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        p.add("authorisation", FieldProblem::InvalidAuthorisationNumber);
    }
    let (from, to) = match check_optional_range(&text(&f.from), &text(&f.to)) {
        Ok(range) => range,
        Err(problems) => {
            for problem in problems {
                p.add(range_field(problem), FieldProblem::DateRange(problem));
            }
            (None, None)
        }
    };
    p.finish()?;
    Ok(ValidQueueFilter {
        case_type,
        subject_id: f.subject_id,
        authorisation,
        from,
        to,
        newest: f.sort.as_deref() == Some("newest"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::RangeProblem;

    fn filter(authorisation: &str, from: &str, to: &str) -> QueueFilter {
        QueueFilter {
            authorisation: Some(authorisation.into()),
            from: Some(from.into()),
            to: Some(to.into()),
            ..QueueFilter::default()
        }
    }

    #[test]
    fn a_mistyped_filter_is_named_not_an_empty_queue() {
        assert_eq!(
            check_queue_filter(&filter("abc", "", "")),
            Err(vec![FieldError::new(
                "authorisation",
                FieldProblem::InvalidAuthorisationNumber
            )])
        );
        assert_eq!(
            check_queue_filter(&filter("", "2026-11-20", "2026-11-02")),
            Err(vec![FieldError::new(
                "to",
                FieldProblem::DateRange(RangeProblem::FromAfterTo)
            )])
        );
        assert_eq!(
            check_queue_filter(&filter("", "2026-13-01", "")),
            Err(vec![FieldError::new(
                "from",
                FieldProblem::DateRange(RangeProblem::FromInvalid)
            )])
        );
        let ok = check_queue_filter(&filter(" 0123456 ", "2026-10-20", "2026-11-02")).unwrap();
        assert_eq!(ok.authorisation.as_deref(), Some("0123456"));
        assert!(ok.from.is_some() && ok.to.is_some());
        assert_eq!(
            check_queue_filter(&QueueFilter::default()),
            Ok(ValidQueueFilter::default())
        );
    }
}

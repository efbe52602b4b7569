//! Opción 2 of `Gestión de Casos` (guide §4.2). The check returns the parsed, valid search,
//! so the query filters on it without parsing the form again.

use super::{FieldError, FieldProblem, Problems};
use crate::dates::{CalendarDate, RangeProblem, check_month_range};
use crate::dto::SearchForm;
use crate::model::{CaseType, State, Substate};

/// An Opción 2 search (guide §4.2) that passed [`check_search`]: what the query filters on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSearch {
    /// `None`: `Todos`.
    pub state: Option<State>,
    /// Opened from `from` to `to`, both included, within one calendar month.
    pub from: CalendarDate,
    pub to: CalendarDate,
    pub substate: Option<Substate>,
    pub case_type: Option<CaseType>,
    pub subject_id: Option<i64>,
    pub opened_by: Option<i64>,
}

/// The field a date range problem is shown next to.
pub(super) fn range_field(problem: RangeProblem) -> &'static str {
    match problem {
        RangeProblem::FromMissing | RangeProblem::FromInvalid => "from",
        _ => "to",
    }
}

/// Opción 2 of guide §4.2: the state, a range within one month and the optional filters.
/// Returns the parsed search (`state: None` = Todos) on success.
pub fn check_search(form: &SearchForm) -> Result<ValidSearch, Vec<FieldError>> {
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
    let range = match check_month_range(&form.from, &form.to) {
        Ok(range) => Some(range),
        Err(range) => {
            for problem in range {
                p.add(range_field(problem), FieldProblem::DateRange(problem));
            }
            None
        }
    };
    let substate = match form.substate.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => match Substate::from_code(code) {
            None => {
                p.add("substate", FieldProblem::InvalidChoice);
                None
            }
            Some(sub) if state.is_some_and(|st| sub.state() != st) => {
                p.add("substate", FieldProblem::SubstateNotInState);
                None
            }
            Some(sub) => Some(sub),
        },
    };
    let case_type = match form.case_type.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => {
            let parsed = CaseType::from_code(code);
            if parsed.is_none() {
                p.add("case_type", FieldProblem::InvalidChoice);
            }
            parsed
        }
    };
    match range {
        Some((from, to)) if p.is_empty() => Ok(ValidSearch {
            state,
            from,
            to,
            substate,
            case_type,
            subject_id: form.subject_id,
            opened_by: form.opened_by,
        }),
        _ => Err(p.into_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let d = |text| CalendarDate::parse(text).unwrap();
        assert_eq!(
            check_search(&search("abierto", "2026-11-01", "2026-11-30", None)),
            Ok(ValidSearch {
                state: Some(State::Abierto),
                from: d("2026-11-01"),
                to: d("2026-11-30"),
                substate: None,
                case_type: None,
                subject_id: None,
                opened_by: None,
            })
        );
        assert_eq!(
            check_search(&search(
                "todos",
                "2026-02-01",
                "2026-02-28",
                Some("anulado")
            )),
            Ok(ValidSearch {
                state: None,
                from: d("2026-02-01"),
                to: d("2026-02-28"),
                substate: Some(Substate::Anulado),
                case_type: None,
                subject_id: None,
                opened_by: None,
            })
        );
        let mut filtered = search("cerrado", "2026-11-01", "2026-11-30", Some(""));
        filtered.case_type = Some("consulta".into());
        filtered.subject_id = Some(7);
        filtered.opened_by = Some(9);
        let valid = check_search(&filtered).unwrap();
        assert_eq!(
            (
                valid.substate,
                valid.case_type,
                valid.subject_id,
                valid.opened_by
            ),
            (None, Some(CaseType::Consulta), Some(7), Some(9))
        );
        filtered.case_type = Some("peticion".into());
        assert_eq!(
            check_search(&filtered),
            Err(vec![FieldError::new(
                "case_type",
                FieldProblem::InvalidChoice
            )])
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
            ))
            .map(|v| v.substate),
            Ok(Some(Substate::Resuelto))
        );
        let errs =
            check_search(&search("abierto", "2026-11-01", "2026-11-30", Some("zzz"))).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError::new("substate", FieldProblem::InvalidChoice)]
        );
    }
}

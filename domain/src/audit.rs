//! The audit log as administrators read it: the filter, one page of rows, and the codes the
//! filter offers. (The events themselves are written by `casia_services::audit`, whose
//! `AuditAction` codes must match [`ACTION_CODES`]: a test there checks it.)

use serde::{Deserialize, Serialize};

use crate::dates::{CalendarDate, RangeProblem};
use crate::validation::{FieldError, FieldProblem};

/// Rows per page of the audit log (and per chunk of its CSV export).
pub const PAGE_SIZE: u64 = 50;

/// Every action code, in the order the filter lists them.
pub const ACTION_CODES: &[&str] = &[
    "auth.login",
    "auth.login_failed",
    "auth.login_throttled",
    "auth.logout",
    "mfa.enrolled",
    "mfa.disabled",
    "mfa.verified",
    "mfa.failed",
    "mfa.throttled",
    "mfa.recovery_code_used",
    "mfa.recovery_codes_renewed",
    "password.changed",
    "password.change_failed",
    "password.reset",
    "session.ended",
    "session.others_ended",
    "token.created",
    "token.revoked",
    "token.refused",
    "access.forbidden",
    "access.not_found",
    "access.contact_password_failed",
    "admin.account_created",
    "admin.account_active",
    "admin.password_reset",
    "admin.authorisation_created",
    "admin.authorisation_active",
    "admin.member_added",
    "admin.member_removed",
    "admin.main_user",
    "admin.taxonomy",
    "admin.document_type",
    "admin.setting",
    "contact.changed",
    "case.action",
    "case.note",
];

pub const OUTCOME_CODES: &[&str] = &["success", "failure", "refused"];

/// What the administrator filters by; every field optional. Dates are Spanish calendar days
/// (`YYYY-MM-DD` or `DD/MM/YYYY`), both inclusive.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A filter checked field by field: the problems name the field they are about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckedAuditFilter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<CalendarDate>,
    pub to: Option<CalendarDate>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl AuditFilter {
    /// Validates the filter: unknown codes and bad dates are refused with the field named.
    pub fn check(&self) -> Result<CheckedAuditFilter, Vec<FieldError>> {
        let mut problems = Vec::new();
        let username = given(&self.username).map(str::to_owned);
        if username.as_ref().is_some_and(|u| u.chars().count() > 128) {
            problems.push(FieldError::new(
                "username",
                FieldProblem::TooLong { max: 128 },
            ));
        }
        let action = given(&self.action).map(str::to_owned);
        if action
            .as_deref()
            .is_some_and(|a| !ACTION_CODES.contains(&a))
        {
            problems.push(FieldError::new("action", FieldProblem::InvalidChoice));
        }
        let outcome = given(&self.outcome).map(str::to_owned);
        if outcome
            .as_deref()
            .is_some_and(|o| !OUTCOME_CODES.contains(&o))
        {
            problems.push(FieldError::new("outcome", FieldProblem::InvalidChoice));
        }
        let mut date = |field: &str, text: Option<&str>, invalid: RangeProblem| {
            let text = text?;
            let parsed = CalendarDate::parse(text);
            if parsed.is_none() {
                problems.push(FieldError::new(field, FieldProblem::DateRange(invalid)));
            }
            parsed
        };
        let from = date("from", given(&self.from), RangeProblem::FromInvalid);
        let to = date("to", given(&self.to), RangeProblem::ToInvalid);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            problems.push(FieldError::new(
                "from",
                FieldProblem::DateRange(RangeProblem::FromAfterTo),
            ));
        }
        if problems.is_empty() {
            Ok(CheckedAuditFilter {
                username,
                action,
                outcome,
                from,
                to,
            })
        } else {
            Err(problems)
        }
    }
}

/// One event as the audit page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    /// `DD/MM/YYYY HH:MM:SS`, Spanish time.
    pub at: String,
    pub username: String,
    /// Role code (`autorizado`, …), unknown for failed logins.
    pub role: Option<String>,
    pub client: String,
    pub action: String,
    pub outcome: String,
    /// `kind id`, e.g. `case 2026-0000012`.
    pub target: Option<String>,
    /// JSON text: before/after of a change, or why something was refused.
    pub details: Option<String>,
}

/// One page, newest first; `next` is the cursor of the following (older) page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_names_each_field_it_refuses() {
        let bad = AuditFilter {
            username: None,
            action: Some("admin.nothing".into()),
            outcome: Some("maybe".into()),
            from: Some("2026-02-30".into()),
            to: Some("ayer".into()),
        };
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["action", "outcome", "from", "to"]);
        let reversed = AuditFilter {
            from: Some("2026-03-02".into()),
            to: Some("01/03/2026".into()),
            ..AuditFilter::default()
        };
        let e = reversed.check().unwrap_err();
        assert_eq!(
            e,
            vec![FieldError::new(
                "from",
                FieldProblem::DateRange(RangeProblem::FromAfterTo)
            )]
        );
    }

    #[test]
    fn blanks_mean_no_filter() {
        let f = AuditFilter {
            username: Some(" Admin ".into()),
            action: Some("".into()),
            ..AuditFilter::default()
        }
        .check()
        .unwrap();
        assert_eq!(
            f,
            CheckedAuditFilter {
                username: Some("Admin".into()),
                ..CheckedAuditFilter::default()
            }
        );
        let d = AuditFilter {
            from: Some("01/12/2026".into()),
            to: Some("2026-12-01".into()),
            ..AuditFilter::default()
        }
        .check()
        .unwrap();
        assert_eq!(d.from, d.to);
    }
}

//! The audit log as administrators read it: what an event records ([`AuditAction`],
//! [`Outcome`]), the filter, and one page of rows. (The events themselves are written by
//! `casia_services::audit`.)

use serde::{Deserialize, Serialize};

use crate::dates::{CalendarDate, RangeProblem};
use crate::model::{Role, coded_enum};
use crate::validation::{FieldError, FieldProblem};

/// Rows per page of the audit log (and per chunk of its CSV export).
pub const PAGE_SIZE: u64 = 50;

coded_enum!(
    /// What happened, in the order the filter lists them. Grouped by prefix: `auth.*` signing
    /// in and out, `mfa.*` the second factor, `password.*`, `session.*`, `token.*`,
    /// `access.*` refusals, `admin.*` administrative changes, `case.*` processor actions.
    AuditAction {
        LoginSucceeded => "auth.login",
        LoginFailed => "auth.login_failed",
        LoginThrottled => "auth.login_throttled",
        Logout => "auth.logout",
        MfaEnrolled => "mfa.enrolled",
        MfaDisabled => "mfa.disabled",
        MfaVerified => "mfa.verified",
        MfaFailed => "mfa.failed",
        MfaThrottled => "mfa.throttled",
        MfaRecoveryCodeUsed => "mfa.recovery_code_used",
        MfaRecoveryCodesRenewed => "mfa.recovery_codes_renewed",
        PasswordChanged => "password.changed",
        PasswordChangeFailed => "password.change_failed",
        PasswordReset => "password.reset",
        SessionEnded => "session.ended",
        OtherSessionsEnded => "session.others_ended",
        TokenCreated => "token.created",
        TokenRevoked => "token.revoked",
        TokenRefused => "token.refused",
        AccessForbidden => "access.forbidden",
        AccessNotFound => "access.not_found",
        ContactPasswordFailed => "access.contact_password_failed",
        AdminAccountCreated => "admin.account_created",
        AdminAccountActivation => "admin.account_active",
        AdminPasswordReset => "admin.password_reset",
        AdminAuthorisationCreated => "admin.authorisation_created",
        AdminAuthorisationActivation => "admin.authorisation_active",
        AdminMemberAdded => "admin.member_added",
        AdminMemberRemoved => "admin.member_removed",
        AdminMainUserSet => "admin.main_user",
        AdminTaxonomyChanged => "admin.taxonomy",
        AdminDocumentTypeChanged => "admin.document_type",
        AdminSettingChanged => "admin.setting",
        AdminPlazosChanged => "admin.plazos",
        ContactChanged => "contact.changed",
        CaseAction => "case.action",
        CaseNote => "case.note",
    }
);

coded_enum!(
    /// How it ended.
    Outcome {
        Success => "success",
        Failure => "failure",
        Refused => "refused",
    }
);

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
    pub action: Option<AuditAction>,
    pub outcome: Option<Outcome>,
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
        let action = given(&self.action).and_then(|a| {
            let action = AuditAction::from_code(a);
            if action.is_none() {
                problems.push(FieldError::new("action", FieldProblem::InvalidChoice));
            }
            action
        });
        let outcome = given(&self.outcome).and_then(|o| {
            let outcome = Outcome::from_code(o);
            if outcome.is_none() {
                problems.push(FieldError::new("outcome", FieldProblem::InvalidChoice));
            }
            outcome
        });
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
    /// Unknown for failed logins.
    pub role: Option<Role>,
    pub client: String,
    pub action: AuditAction,
    pub outcome: Outcome,
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
    fn audit_codes_are_unique() {
        let mut codes: Vec<_> = AuditAction::ALL.iter().map(|a| a.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), AuditAction::ALL.len());
        let filter = AuditFilter {
            action: Some("auth.login".into()),
            outcome: Some("refused".into()),
            ..AuditFilter::default()
        };
        let checked = filter.check().unwrap();
        assert_eq!(checked.action, Some(AuditAction::LoginSucceeded));
        assert_eq!(checked.outcome, Some(Outcome::Refused));
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

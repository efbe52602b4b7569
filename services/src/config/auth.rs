//! `[login]`, `[auth]` and `[verification]`: limits on guessing passwords, codes and receipts.

use serde::{Deserialize, Serialize};

/// Password guessing (ASVS V6.1.1, V6.3.1): delays that grow instead of a lock an attacker
/// could keep shut on someone else's account. The same limits guard every place a password
/// is checked (login, the account page, the contact-data re-check).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginLimits {
    /// Failed attempts per (username, client) answered at once; after them the n-th failure
    /// makes the next attempt wait 2^(n - free_failures) seconds.
    pub free_failures: u64,
    /// The longest wait imposed on one (username, client).
    pub max_delay_seconds: i64,
    /// Failures per username from all clients together before a shared wait applies
    /// (looser: it is what a stranger can impose on the real user).
    pub username_free_failures: u64,
    /// The longest shared wait: at most this long can anyone else keep a user out.
    pub username_max_delay_seconds: i64,
    /// Failures per client address over all usernames before that client must wait for the
    /// window to pass (offices share addresses: keep it high).
    pub client_max_failures: u64,
    /// Failures older than this are forgotten (and every delay with them).
    pub window_minutes: i64,
    /// Password checks (argon2, ~19 MiB and tens of milliseconds each) running at once in
    /// the whole process; more wait their turn.
    pub concurrent_password_checks: usize,
    /// A password check that waited this long for its turn is refused (503, try again).
    pub password_check_wait_seconds: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// Whether processors, supervisors and administrators must have a second factor.
    pub staff_mfa: StaffMfa,
    /// Wrong second-factor codes per user within the window before code checks are refused.
    pub code_max_failures: u64,
    pub code_window_minutes: i64,
}

/// `required`: staff without a confirmed second factor reach only its enrolment page.
/// `optional`: they get in with their password alone (the demo).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffMfa {
    #[default]
    Required,
    Optional,
}

/// The public `Verificación de Documentos`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct VerificationConfig {
    /// Checks (by code or by file, together) one client address may make per minute.
    pub per_minute: u32,
    /// Receipt files checked at the same time, all clients together; more are refused at once.
    pub max_concurrent_files: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            free_failures: 5,
            max_delay_seconds: 300,
            username_free_failures: 20,
            username_max_delay_seconds: 30,
            client_max_failures: 100,
            window_minutes: 15,
            concurrent_password_checks: 4,
            password_check_wait_seconds: 5,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            staff_mfa: StaffMfa::Required,
            code_max_failures: 5,
            code_window_minutes: 15,
        }
    }
}

impl Default for VerificationConfig {
    fn default() -> Self {
        VerificationConfig {
            per_minute: 20,
            max_concurrent_files: 2,
        }
    }
}

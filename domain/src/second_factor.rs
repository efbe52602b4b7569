//! The second factor's shapes and rules shared by the browser and the server: what the
//! enrolment page shows, how a typed code is read, how keys and recovery codes are written.

use serde::{Deserialize, Serialize};

/// Where a signed-in person stands with the second factor, as the page guard needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactorGate {
    /// Nothing stands in the way.
    #[default]
    Passed,
    /// The password was right; the login's second step (a code) is still to come.
    Pending,
    /// Staff without a second factor while it is required: only enrolment is open.
    EnrolmentRequired,
}

/// The enrolment page's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorStatus {
    /// Confirmed, with the date and time (Spain) it was.
    pub enrolled_at: Option<String>,
    pub recovery_codes_left: u32,
    /// An enrolment started but not yet confirmed.
    pub pending: Option<Enrolment>,
    /// The account's role must have a second factor (staff while `auth.staff_mfa = required`).
    pub required: bool,
}

/// What the authenticator app needs: a QR code of the otpauth URI or the key typed by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// An inline SVG drawing of the QR code (made by the server, no external asset).
    pub qr_svg: String,
    pub otpauth_uri: String,
    /// The secret in base32, in groups of four for typing.
    pub manual_key: String,
}

/// How many recovery codes an enrolment (or a renewal) gives.
pub const RECOVERY_CODES: usize = 10;

/// A code as typed: spaces and dashes are ignored, letters case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedCode {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code, normalised (24 base32 characters, upper case).
    Recovery(String),
    Malformed,
}

/// Base32 characters of a recovery code: 120 random bits, above the 112 that let a plain
/// SHA-256 stand in for a password hash (ASVS V6.5.2).
pub const RECOVERY_CODE_CHARS: usize = 24;

pub fn read_code(input: &str) -> TypedCode {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
        TypedCode::Totp(compact)
    } else if compact.len() == RECOVERY_CODE_CHARS
        && compact
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    {
        TypedCode::Recovery(compact)
    } else {
        TypedCode::Malformed
    }
}

/// `ABCDEFGH…` → `ABCD EFGH …` (the manual key) or, with `-`, a recovery code.
pub fn grouped(s: &str, separator: char) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed() {
        assert_eq!(read_code(" 123 456 "), TypedCode::Totp("123456".into()));
        assert_eq!(read_code("12345"), TypedCode::Malformed);
        assert_eq!(read_code("12345a"), TypedCode::Malformed);
        assert_eq!(
            read_code("abcd-efgh-ijkl-mn23-opqr-st45"),
            TypedCode::Recovery("ABCDEFGHIJKLMN23OPQRST45".into())
        );
        // 0, 1, 8 and 9 are not base32; a code of the old 16-character length is not one.
        assert_eq!(
            read_code("ABCD-EFGH-IJKL-MN01-OPQR-ST45"),
            TypedCode::Malformed
        );
        assert_eq!(read_code("ABCD-EFGH-IJKL-MN23"), TypedCode::Malformed);
        assert_eq!(read_code(""), TypedCode::Malformed);
    }

    #[test]
    fn keys_and_codes_are_grouped_by_four() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP", ' '), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(grouped("ABCDEFGHIJKLMN23", '-'), "ABCD-EFGH-IJKL-MN23");
        assert_eq!(grouped("ABCDEF", ' '), "ABCD EF");
    }
}

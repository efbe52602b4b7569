//! TOTP codes, secrets, recovery codes and the enrolment QR code.

use casia_domain::second_factor::{Enrolment, RECOVERY_CODES, TypedCode, grouped, read_code};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::clock::now;
use crate::entity::second_factor;
use crate::error::{ServiceError, ServiceResult};

/// The name authenticator apps show next to the account.
pub const ISSUER: &str = "Casia";

/// 160 bits, as RFC 4226 §4 recommends.
const SECRET_BYTES: usize = 20;

/// 120 bits per recovery code (24 base32 characters): its SHA-256 cannot be reversed by
/// trying codes (ASVS V6.5.2 asks for at least 112).
const RECOVERY_CODE_BYTES: usize = casia_domain::second_factor::RECOVERY_CODE_CHARS * 5 / 8;

pub(super) fn totp(secret_base32: &str, account: &str) -> ServiceResult<Totp> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|e| ServiceError::Internal(format!("stored TOTP secret: {e}")))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| ServiceError::Internal(format!("TOTP: {e}")))
}

pub(super) fn unix_seconds(at: DateTime<Utc>) -> u64 {
    at.timestamp().max(0) as u64
}

pub(super) fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

pub(super) fn recovery_code_hash(normalised: &str) -> String {
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

/// Ten new codes: as shown to the person (`ABCD-EFGH-…`) and as stored (hashes).
pub(super) fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_CODE_BYTES];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let code = data_encoding::BASE32_NOPAD.encode(&bytes);
            (grouped(&code, '-'), recovery_code_hash(&code))
        })
        .unzip()
}

/// The QR code of the otpauth URI, drawn as SVG (inline in the page: no external asset).
pub(super) fn enrolment_view(
    factor: &second_factor::Model,
    account: &str,
) -> ServiceResult<Enrolment> {
    let uri = totp(&factor.secret, account)?
        .to_url()
        .map_err(|e| ServiceError::Internal(format!("otpauth URI: {e}")))?;
    let qr = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| ServiceError::Internal(format!("QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    // The XML prolog has no place inside HTML.
    let svg = svg.find("<svg").map(|i| svg[i..].to_owned()).unwrap_or(svg);
    Ok(Enrolment {
        qr_svg: svg,
        otpauth_uri: uri,
        manual_key: grouped(&factor.secret, ' '),
    })
}

/// The code an authenticator app shows at `at` for a base32 secret (tests and the demo).
pub fn code_at(secret_base32: &str, at: DateTime<Utc>) -> ServiceResult<String> {
    Ok(totp(secret_base32, "code")?
        .generate(unix_seconds(at))
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, with the low six digits of its eight.
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        for (t, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let at = DateTime::from_timestamp(t, 0).unwrap();
            assert_eq!(code_at(&secret, at).unwrap(), expected, "t = {t}");
        }
    }

    #[test]
    fn recovery_codes_are_random_and_stored_hashed() {
        let (shown, hashes) = new_recovery_codes();
        assert_eq!(shown.len(), RECOVERY_CODES);
        assert_eq!(
            shown[0].len(),
            29,
            "24 characters in groups of four: {}",
            shown[0]
        );
        let mut unique = shown.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let TypedCode::Recovery(normalised) = read_code(&shown[0]) else {
            panic!("{} is not read back", shown[0])
        };
        assert_eq!(recovery_code_hash(&normalised), hashes[0]);
        assert!(!hashes[0].contains(&normalised));
    }

    #[test]
    fn the_qr_code_is_inline_svg_of_the_otpauth_uri() {
        let factor = second_factor::Model {
            user_id: 1,
            secret: new_secret(),
            created_at: now(),
            confirmed_at: None,
            last_used_step: None,
        };
        let view = enrolment_view(&factor, "tramitador1").unwrap();
        assert!(
            view.otpauth_uri
                .starts_with("otpauth://totp/Casia:tramitador1?"),
            "{}",
            view.otpauth_uri
        );
        assert!(view.otpauth_uri.contains("issuer=Casia"));
        assert!(
            view.otpauth_uri
                .contains(&format!("secret={}", factor.secret))
        );
        assert!(view.qr_svg.starts_with("<svg") && view.qr_svg.ends_with("</svg>"));
        assert_eq!(view.manual_key.replace(' ', ""), factor.secret);
        assert_eq!(view.manual_key.split(' ').next().unwrap().len(), 4);
    }
}

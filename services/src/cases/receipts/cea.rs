//! The verification code (CEA): 100 random bits as 20 Crockford base-32 characters.

use rand::RngCore;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new verification code: `XXXX-XXXX-XXXX-XXXX-XXXX` from 100 random bits.
pub fn new_cea() -> String {
    let mut bytes = [0u8; 13];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let chars: Vec<u8> = (0..20)
        .map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize])
        .collect();
    chars
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalises what a person typed: case, spaces, dashes, and the letters Crockford base-32
/// reads as digits (O→0, I/L→1).
pub fn normalise_cea(input: &str) -> Option<String> {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    if cleaned.len() != 20 || !cleaned.bytes().all(|b| CROCKFORD.contains(&b)) {
        return None;
    }
    Some(
        cleaned
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-"),
    )
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceas_are_long_random_and_readable() {
        let a = new_cea();
        let b = new_cea();
        assert_ne!(a, b);
        assert_eq!(a.len(), 24);
        assert_eq!(a.matches('-').count(), 4);
        assert_eq!(normalise_cea(&a), Some(a.clone()));
        assert_eq!(
            normalise_cea(&a.to_lowercase().replace('-', " ")),
            Some(a.clone())
        );
        assert_eq!(
            normalise_cea("0000-0000-0000-0000-000O"),
            Some("0000-0000-0000-0000-0000".into())
        );
        assert_eq!(normalise_cea("short"), None);
        assert_eq!(
            normalise_cea("UUUU-UUUU-UUUU-UUUU-UUUU"),
            None,
            "U is not in the alphabet"
        );
    }
}

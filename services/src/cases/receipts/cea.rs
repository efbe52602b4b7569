//! The verification code (CEA): 100 random bits as 20 Crockford base-32 characters.

use std::sync::LazyLock;

use data_encoding::{BitOrder, Encoding, Specification};
use rand::RngCore;

/// Crockford's base 32: no I, L, O or U; reading is case-insensitive and takes O as 0 and
/// I/L as 1. The least significant bits come first, as CEAs have always been written.
static CROCKFORD: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.bit_order = BitOrder::LeastSignificantFirst;
    spec.translate.from.push_str("abcdefghjkmnpqrstvwxyzoOiIlL");
    spec.translate.to.push_str("ABCDEFGHJKMNPQRSTVWXYZ001111");
    spec.encoding().expect("a valid base-32 specification")
});

/// Characters of a CEA (100 bits in 5-bit symbols).
const CEA_CHARS: usize = 20;

/// `XXXX-XXXX-XXXX-XXXX-XXXX`: the first 20 symbols of 13 bytes (the last 4 bits are not
/// part of the code).
fn cea_of(bytes: &[u8; 13]) -> String {
    let symbols = CROCKFORD.encode(bytes);
    symbols.as_bytes()[..CEA_CHARS]
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code of 13 random bytes, read as one big-endian number whose low 100 bits make it.
fn cea_from_random(mut bytes: [u8; 13]) -> String {
    // Least significant first: the number's last byte comes first.
    bytes.reverse();
    cea_of(&bytes)
}

/// A new verification code: `XXXX-XXXX-XXXX-XXXX-XXXX` from 100 random bits.
pub fn new_cea() -> String {
    let mut bytes = [0u8; 13];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    cea_from_random(bytes)
}

/// Normalises what a person typed: case, spaces, dashes, and the letters Crockford base-32
/// reads as digits (O→0, I/L→1).
pub fn normalise_cea(input: &str) -> Option<String> {
    let mut cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if cleaned.len() != CEA_CHARS {
        return None;
    }
    // One more (zero) symbol completes the 13th byte, so that decoding and encoding again
    // gives the code's canonical spelling.
    cleaned.push('0');
    let bytes: [u8; 13] = CROCKFORD.decode(cleaned.as_bytes()).ok()?.try_into().ok()?;
    Some(cea_of(&bytes))
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

    #[test]
    fn codes_are_written_as_they_always_were() {
        // Computed with the former bit-shifting encoder.
        assert_eq!(
            cea_from_random([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
            "D03P-0541-8R1C-G2G0-3G02"
        );
        assert_eq!(cea_from_random([0xff; 13]), "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        let known = cea_from_random([
            0x9c, 0x3e, 0x51, 0x07, 0xaa, 0x42, 0xd9, 0x10, 0x6b, 0xe4, 0x25, 0x88, 0xf3,
        ]);
        assert_eq!(known, "K72B-2JFD-G8P5-4NY0-HJFR");
        // A known code reads back unchanged, however it was typed.
        assert_eq!(normalise_cea(&known), Some(known.clone()));
        assert_eq!(
            normalise_cea(" k72b 2jfd-g8p5-4ny0-hjfr "),
            Some(known.clone())
        );
        // o, i and l are read as 0, 1 and 1, in either case.
        assert_eq!(
            normalise_cea("oOiI-lL00-0000-0000-0000"),
            Some("0011-1100-0000-0000-0000".into())
        );
        assert_eq!(normalise_cea("K72B-2JFD-G8P5-4NY0-HJF"), None);
        assert_eq!(normalise_cea("K72B-2JFD-G8P5-4NY0-HJFRR"), None);
        assert_eq!(normalise_cea("K72B-2JFD-G8P5-4NY0-HJFÑ"), None);
    }
}

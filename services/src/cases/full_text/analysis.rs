//! How text becomes search terms, the same way on both databases.
//!
//! Rust splits the text into words and lowercases them. A word's terms are its Snowball
//! Spanish stem as written and its stem without accents. PostgreSQL gets the words and makes
//! the same two with its `spanish` configuration and with `casia_spanish` (`unaccent`, then
//! the same stemmer); for SQLite they are made here (PostgreSQL's Spanish stop list,
//! rust-stemmers' Snowball Spanish, accents stripped by decomposition) and FTS5 indexes them.
//! So "reflejado" finds "reflejada", "dia" finds "día" and "liquidaciones" finds
//! "liquidación" on either.

use std::collections::HashSet;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// PostgreSQL's `spanish.stop` (from Snowball, BSD licence), which its `spanish_stem`
/// dictionary drops after `unaccent` has run.
static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("spanish.stop")
        .lines()
        .map(str::trim)
        .collect()
});

static SPANISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Spanish));

/// A word of a text: where it is (bytes) and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    pub start: usize,
    pub text: &'a str,
}

/// The words of `text`: runs of letters and digits (so `2026-0000001` is two words, and so is
/// `foo-bar`).
pub fn words(text: &str) -> impl Iterator<Item = Word<'_>> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = rest.by_ref().find(|(_, ch)| ch.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, ch)) = rest.peek() {
            if !ch.is_alphanumeric() {
                end = i;
                break;
            }
            rest.next();
        }
        Some(Word {
            start,
            text: &text[start..end],
        })
    })
}

/// A text as PostgreSQL's `to_tsvector` should read it: its words in lowercase, separated by
/// spaces (PostgreSQL's own parser would keep e-mail addresses, URLs and signed numbers
/// whole, which SQLite's side does not).
pub fn plain_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.text.chars().flat_map(char::to_lowercase));
    }
    out
}

fn unaccent(word: &str) -> String {
    word.nfd().filter(|ch| !is_combining_mark(*ch)).collect()
}

/// The terms a word is indexed and searched by: its Snowball stem as written and its stem
/// without accents (none for a stop word). Both, because Snowball Spanish reads the accents:
/// "liquidación" and "liquidaciones" share the stem `liquid` only with the accent, while
/// "liquidacion" typed without it stems to `liquidacion`, like the unaccented "liquidación".
pub fn variants(word: &str) -> Vec<String> {
    let lower: String = word.chars().flat_map(char::to_lowercase).collect();
    let plain = unaccent(&lower);
    if STOP_WORDS.contains(lower.as_str()) || STOP_WORDS.contains(plain.as_str()) {
        return Vec::new();
    }
    let as_written = SPANISH.stem(&lower).into_owned();
    let without_accents = SPANISH.stem(&plain).into_owned();
    if as_written == without_accents {
        vec![as_written]
    } else {
        vec![as_written, without_accents]
    }
}

/// The terms of a text, in order (SQLite's FTS5 column content).
pub fn terms(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for t in words(text).flat_map(|w| variants(w.text)) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t);
    }
    out
}

/// What someone typed in the search box, read once for every backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchTerms {
    /// Per distinct word, its terms: every word must match one of its terms.
    pub groups: Vec<Vec<String>>,
    /// Those words in lowercase, for PostgreSQL (one `plainto_tsquery` pair each).
    pub words: Vec<String>,
}

impl SearchTerms {
    /// None when nothing searchable is left (only stop words or punctuation).
    pub fn of(text: &str) -> Option<SearchTerms> {
        let mut groups = Vec::new();
        let mut words = Vec::new();
        for w in self::words(text) {
            let v = variants(w.text);
            if !v.is_empty() && !groups.contains(&v) {
                groups.push(v);
                words.push(w.text.to_lowercase());
            }
        }
        (!groups.is_empty()).then_some(SearchTerms { groups, words })
    }

    /// The FTS5 query: every word, as one of its quoted terms (terms are letters and digits
    /// only; quoting keeps FTS5 from reading one as an operator such as `NOT`).
    pub fn fts5_query(&self, columns: &str) -> String {
        let quoted = |t: &String| format!("\"{}\"", t.replace('"', "\"\""));
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                format!(
                    "({})",
                    g.iter().map(quoted).collect::<Vec<_>>().join(" OR ")
                )
            })
            .collect();
        format!("{{{columns}}} : ({})", groups.join(" AND "))
    }

    pub fn matches(&self, word: &str) -> bool {
        let v = variants(word);
        self.groups.iter().any(|g| g.iter().any(|t| v.contains(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meet(a: &str, b: &str) -> bool {
        SearchTerms::of(a).is_some_and(|q| q.matches(b))
    }

    #[test]
    fn stems_and_accents_meet() {
        assert!(meet("reflejado", "reflejada"));
        assert!(meet("dia", "día"));
        assert!(meet("día", "dia"));
        assert!(meet("facturacion", "Facturación"));
        assert!(meet("liquidaciones", "liquidación"));
        assert!(meet("liquidación", "liquidaciones"));
        assert!(!meet("reflejado", "reflexión"));
        assert_eq!(variants("de"), Vec::<String>::new());
        assert_eq!(variants("Él"), Vec::<String>::new());
    }

    #[test]
    fn words_split_on_anything_but_letters_and_digits() {
        let found: Vec<&str> = words("Caso 2026-0000001: ¿ñandú?")
            .map(|w| w.text)
            .collect();
        assert_eq!(found, ["Caso", "2026", "0000001", "ñandú"]);
        assert_eq!(plain_words("Día  de-PAGO"), "día de pago");
    }

    #[test]
    fn a_query_of_stop_words_searches_nothing() {
        assert_eq!(SearchTerms::of("de la, el"), None);
        let q = SearchTerms::of("Nómina de diciembre NOT nomina").unwrap();
        // "nomina" is "nómina" again: searched once.
        assert_eq!(q.words, ["nómina", "diciembre", "not"]);
        assert_eq!(
            q.fts5_query("head body"),
            "{head body} : ((\"nomin\") AND (\"diciembr\") AND (\"not\"))"
        );
        let q = SearchTerms::of("liquidación").unwrap();
        assert_eq!(
            q.fts5_query("head"),
            "{head} : ((\"liquid\" OR \"liquidacion\"))"
        );
        assert!(q.matches("liquidaciones"));
    }
}

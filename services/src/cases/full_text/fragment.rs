//! The matching fragment shown under each result: a few words around the first match, as
//! plain text parts (the page renders the matched ones in `<mark>`, escaping everything).

use casia_domain::dto::FragmentPart;

use super::analysis::{SearchTerms, words};

/// Words kept before the first match and in all.
const BEFORE: usize = 8;
const LENGTH: usize = 30;

/// The fragment of the first of `texts` that matches, or the start of the first non-empty one.
pub fn fragment(texts: &[&str], query: &SearchTerms) -> Vec<FragmentPart> {
    for text in texts {
        let found: Vec<_> = words(text).collect();
        if let Some(first) = found.iter().position(|w| query.matches(w.text)) {
            return parts(text, &found, first.saturating_sub(BEFORE), query);
        }
    }
    texts
        .iter()
        .find(|t| !t.trim().is_empty())
        .map(|text| parts(text, &words(text).collect::<Vec<_>>(), 0, query))
        .unwrap_or_default()
}

fn parts(
    text: &str,
    found: &[super::analysis::Word<'_>],
    from: usize,
    query: &SearchTerms,
) -> Vec<FragmentPart> {
    let Some(first) = found.get(from) else {
        return Vec::new();
    };
    let upto = (from + LENGTH).min(found.len());
    let more = upto < found.len();
    let last = &found[upto - 1];
    // After the text's last word, its closing punctuation too.
    let end = if more {
        last.start + last.text.len()
    } else {
        text.trim_end().len()
    };
    let mut out = Vec::new();
    if from > 0 {
        out.push(FragmentPart::plain("…"));
    }
    let mut at = first.start;
    for w in &found[from..upto] {
        if query.matches(w.text) {
            if w.start > at {
                out.push(FragmentPart::plain(&text[at..w.start]));
            }
            out.push(FragmentPart {
                text: w.text.to_owned(),
                hit: true,
            });
            at = w.start + w.text.len();
        }
    }
    if end > at {
        out.push(FragmentPart::plain(&text[at..end]));
    }
    if more {
        out.push(FragmentPart::plain("…"));
    }
    // One line: the texts' line breaks become spaces.
    for p in &mut out {
        if p.text.contains(['\n', '\r']) {
            p.text = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(parts: &[FragmentPart]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn marks_every_match_around_the_first() {
        let q = SearchTerms::of("reflejado dia").unwrap();
        let text = "La cotización no aparece <b>reflejada</b> en el día de hoy.";
        assert_eq!(
            shown(&fragment(&["sin nada", text], &q)),
            "La cotización no aparece <b>[reflejada]</b> en el [día] de hoy."
        );
    }

    #[test]
    fn long_texts_are_cut_with_ellipses() {
        let q = SearchTerms::of("nomina").unwrap();
        let text = format!("{} nómina {}", "uno ".repeat(20), "dos ".repeat(40));
        let s = shown(&fragment(&[&text], &q));
        assert!(s.starts_with("…uno"), "{s}");
        assert!(s.contains("[nómina]"), "{s}");
        assert!(s.ends_with('…'), "{s}");
    }

    #[test]
    fn without_a_match_the_start_of_the_first_text() {
        let q = SearchTerms::of("zzz").unwrap();
        assert_eq!(
            shown(&fragment(&["", "Hola\nmundo"], &q)),
            "Hola\nmundo".replace('\n', " ")
        );
    }
}

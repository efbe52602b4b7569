//! The receipt read back as a person's PDF reader sees it (poppler's `pdftotext`): every
//! character of every field present, nothing beyond the margins, long receipts paginated.

use casia_domain::dto::ReceiptKind;
use casia_domain::model::case_number;
use chrono::Utc;

use super::font::{Font, wrap};
use super::pdf::CLASSIFICATION_NOTE;
use super::{ReceiptContent, ReceiptLine, cea_in_pdf, new_cea, render_pdf};
use crate::entity::authorisation;

const LONG_TITLE: &str = "Contrato de trabajo indefinido a tiempo completo firmado por ambas \
    partes con fecha de efectos del uno de noviembre de dos mil veintiséis y anexos";
const COMPANY: &str = "Łódź Spółka Zoë Ñandú Ελληνική Εταιρεία ООО Москва İstanbul Şirketi Čeřovka";

fn run(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed by this test: {e}"));
    assert!(out.status.success(), "{tool}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn authorisation() -> authorisation::Model {
    authorisation::Model {
        id: 1,
        number: "0123456".into(),
        company_name: COMPANY.into(),
        nif: "B12345678".into(),
        contact_email: None,
        notices_consent: false,
        contact_updated_at: None,
        main_user_id: None,
        active: true,
        created_at: Utc::now(),
        calendar_id: None,
    }
}

#[test]
fn fonts_parse_and_cover_the_names() {
    for font in [Font::regular(), Font::bold()] {
        for c in COMPANY
            .chars()
            .chain(LONG_TITLE.chars())
            .filter(|c| *c != ' ')
        {
            assert!(font.covers(c), "no glyph for {c:?}");
        }
    }
}

#[test]
fn wrapping_fits_the_width_and_keeps_every_character() {
    let font = Font::regular();
    let long_word = "x".repeat(300);
    for text in [LONG_TITLE, &long_word, COMPANY, ""] {
        let lines = wrap(&font, 10.0, text, 200.0);
        assert!(
            lines.iter().all(|l| font.width(l, 10.0) <= 200.0),
            "{lines:?}"
        );
        assert_eq!(squeeze(&lines.concat()), squeeze(text));
    }
    assert_eq!(wrap(&font, 10.0, "uno dos", 500.0), ["uno dos"]);
}

#[test]
fn every_character_of_every_field_is_in_the_pdf_and_within_the_page() {
    let auth = authorisation();
    let cea = new_cea();
    let long_word = format!("Baja{}", "W".repeat(120));
    let title = format!("{long_word} de {COMPANY}");
    let lines: Vec<ReceiptLine> = (1..=30)
        .map(|i| ReceiptLine {
            type_name: "Contrato de trabajo".into(),
            title: format!("{LONG_TITLE} nº {i}"),
            file_name: format!("{}-{i}.pdf", "contrato_firmado_por_ambas_partes".repeat(4)),
            size: 1234 * i,
            sha256: format!("{:064x}", i),
        })
        .collect();
    let classification = "Trámite / Afiliación / Altas de trabajadores con un nombre de subcategoría muy largo para ver que también se parte";
    let content = ReceiptContent {
        kind: ReceiptKind::Complementaria,
        cea: &cea,
        case_number: case_number::compose(2026, 12),
        opened_at: Utc::now(),
        issued_at: Utc::now(),
        authorisation: &auth,
        classification: classification.into(),
        title: &title,
        documents: &lines,
        verify_url: "http://localhost/verificacion".into(),
    };
    let pdf = render_pdf(&content).unwrap();
    if let Ok(path) = std::env::var("CASIA_RECEIPT_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
    assert_eq!(cea_in_pdf(&pdf), Some(cea.clone()));

    let raw = run("pdftotext", &["-raw", "-enc", "UTF-8"], &pdf);
    // The page footers, read out between the last line of a page and the next page's first.
    let footer = format!("Caso {} · Página", case_number::format(content.case_number));
    let (footers, body): (Vec<&str>, Vec<&str>) = raw.lines().partition(|l| l.starts_with(&footer));
    let text = squeeze(&body.join("\n"));
    let mut expected = vec![
        case_number::format(content.case_number),
        auth.number.clone(),
        auth.nif.clone(),
        COMPANY.into(),
        classification.into(),
        CLASSIFICATION_NOTE.into(),
        title.clone(),
        cea.clone(),
    ];
    for d in &lines {
        expected.push(d.title.clone());
        expected.push(d.file_name.clone());
        expected.push(d.sha256.clone());
    }
    for field in expected {
        assert!(
            text.contains(&squeeze(&field)),
            "missing from the PDF: {field}"
        );
    }
    assert!(!text.contains('?'), "a character was replaced");
    // Paginated, every page numbered.
    let pages = footers.len();
    assert!(pages >= 2, "{pages} pages");
    assert_eq!(footers[pages - 1], format!("{footer} {pages} de {pages}"));

    // No word ends beyond the right margin (595 pt page, 56 pt margins) or below the bottom.
    let boxes = run("pdftotext", &["-bbox"], &pdf);
    let mut words = 0;
    for w in boxes.split("<word ").skip(1) {
        let attr = |name: &str| -> f32 {
            let at = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            w[at..].split('"').next().unwrap().parse().unwrap()
        };
        words += 1;
        assert!(attr("xMax") <= 595.0 - 56.0 + 0.5, "runs off the page: {w}");
        assert!(attr("yMax") <= 842.0, "below the page: {w}");
    }
    assert!(words > 100, "{words} words");
}

#[test]
fn the_pdf_carries_its_cea() {
    let auth = authorisation();
    let cea = new_cea();
    let pdf = render_pdf(&ReceiptContent {
        kind: ReceiptKind::Solicitud,
        cea: &cea,
        case_number: case_number::compose(2026, 1),
        opened_at: Utc::now(),
        issued_at: Utc::now(),
        authorisation: &auth,
        classification: "Trámite / Afiliación".into(),
        title: "Baja",
        documents: &[],
        verify_url: "http://localhost/verificacion".into(),
    })
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-1.5"));
    assert_eq!(cea_in_pdf(&pdf), Some(cea.clone()));
    assert_eq!(cea_in_pdf(b"not a pdf"), None);
    // Written by another tool as a hex string, with spacing: still found.
    let hex_form = format!(
        "%PDF-1.4\n<< /CasiaCEA <{}> >>",
        hex::encode(cea.as_bytes())
    );
    assert_eq!(cea_in_pdf(hex_form.as_bytes()), Some(cea.clone()));
    assert_eq!(
        cea_in_pdf(format!("%PDF-1.4 /CasiaCEA   ({cea})").as_bytes()),
        Some(cea)
    );
    assert_eq!(cea_in_pdf(b"%PDF-1.4 /CasiaCEA (not-a-code)"), None);
    assert_eq!(cea_in_pdf(b"%PDF-1.4 /CasiaCEA"), None);
}

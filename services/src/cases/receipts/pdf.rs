//! The receipt as a PDF file, and the CEA read back from a file's bytes.

use casia_domain::dto::ReceiptKind;
use casia_domain::model::case_number;
use chrono::{DateTime, Utc};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};

use super::cea::normalise_cea;
use crate::clock::display;
use crate::entity::authorisation;
use crate::error::{ServiceError, ServiceResult};

/// One line of the document list in a receipt.
pub struct ReceiptLine {
    pub type_name: String,
    pub title: String,
    pub file_name: String,
    pub size: i64,
    pub sha256: String,
}

pub struct ReceiptContent<'a> {
    pub kind: ReceiptKind,
    pub cea: &'a str,
    pub case_number: i64,
    pub opened_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    pub authorisation: &'a authorisation::Model,
    pub classification: String,
    pub title: &'a str,
    pub documents: &'a [ReceiptLine],
    pub verify_url: String,
}

pub fn kind_title(kind: ReceiptKind) -> &'static str {
    match kind {
        ReceiptKind::Solicitud => "Justificante de solicitud de trámite",
        ReceiptKind::Complementaria => "Justificante de documentación complementaria anexada",
    }
}

/// Encodes text for the PDF's standard fonts (WinAnsiEncoding); other characters become '?'.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            '\t' | '\n' | '\r' => b' ',
            _ => b'?',
        })
        .collect()
}

/// Splits `text` into lines of at most `width` characters at spaces (long words are cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if line.is_empty() {
            line = word;
        } else if line.chars().count() + 1 + word.chars().count() <= width {
            line.push(' ');
            line.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut line, word));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Writes text with a simple cursor, adding pages as needed.
struct Writer {
    pages: Vec<Vec<Operation>>,
    y: f32,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;

impl Writer {
    fn new() -> Self {
        Writer {
            pages: vec![Vec::new()],
            y: PAGE_H - MARGIN,
        }
    }

    fn ops(&mut self) -> &mut Vec<Operation> {
        self.pages.last_mut().expect("a page")
    }

    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(Vec::new());
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text(&mut self, x: f32, font: &str, size: f32, text: &str) {
        let y = self.y;
        self.ops().extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![font.into(), size.into()]),
            Operation::new("Td", vec![x.into(), y.into()]),
            Operation::new(
                "Tj",
                vec![Object::String(win_ansi(text), StringFormat::Literal)],
            ),
            Operation::new("ET", vec![]),
        ]);
    }

    fn line(&mut self, font: &str, size: f32, text: &str) {
        self.ensure(size + 4.0);
        self.text(MARGIN, font, size, text);
        self.y -= size + 5.0;
    }

    fn field(&mut self, label: &str, value: &str) {
        let lines = wrap(value, 62);
        self.ensure(14.0 * lines.len() as f32);
        self.text(MARGIN, "F2", 10.0, label);
        for l in lines {
            self.text(MARGIN + 150.0, "F1", 10.0, &l);
            self.y -= 14.0;
        }
    }

    fn rule(&mut self) {
        self.ensure(10.0);
        let y = self.y + 4.0;
        self.ops().extend([
            Operation::new("w", vec![0.5.into()]),
            Operation::new("m", vec![MARGIN.into(), y.into()]),
            Operation::new("l", vec![(PAGE_W - MARGIN).into(), y.into()]),
            Operation::new("S", vec![]),
        ]);
        self.y -= 8.0;
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }
}

/// Makes the receipt's PDF. The CEA is also stored in the document information dictionary,
/// so that a file given for verification can be matched to its receipt.
pub fn render_pdf(c: &ReceiptContent<'_>) -> ServiceResult<Vec<u8>> {
    let mut w = Writer::new();
    w.line("F2", 9.0, "CASIA - SERVICIO DE ATENCIÓN AL AUTORIZADO RED");
    w.line(
        "F1",
        9.0,
        "Coordinación, Atención y Soporte Integral al Autorizado RED",
    );
    w.gap(8.0);
    w.line("F2", 16.0, kind_title(c.kind));
    w.rule();
    w.field("Número de caso:", &case_number::format(c.case_number));
    w.field("Fecha y hora de apertura:", &display(c.opened_at));
    if c.kind == ReceiptKind::Complementaria {
        w.field("Fecha y hora de anexado:", &display(c.issued_at));
    }
    w.field("Nº Autorización:", &c.authorisation.number);
    w.field("Razón Social:", &c.authorisation.company_name);
    w.field("NIF:", &c.authorisation.nif);
    w.field("Clasificación:", &c.classification);
    w.field("Título:", c.title);
    w.gap(6.0);
    w.line("F2", 11.0, "Relación de documentos anexados");
    w.rule();
    if c.documents.is_empty() {
        w.line("F1", 10.0, "No se han anexado documentos.");
    }
    for (i, d) in c.documents.iter().enumerate() {
        w.ensure(48.0);
        w.line(
            "F2",
            10.0,
            &format!("{}. {} - {}", i + 1, d.type_name, d.title),
        );
        for l in wrap(
            &format!(
                "Fichero: {} ({})",
                d.file_name,
                casia_domain::dto::human_size(d.size)
            ),
            85,
        ) {
            w.line("F1", 9.0, &l);
        }
        w.line("F1", 8.0, &format!("SHA-256: {}", d.sha256));
        w.gap(3.0);
    }
    w.gap(10.0);
    w.rule();
    w.line("F2", 11.0, "Código Electrónico de Autenticidad (CEA)");
    w.line("F2", 15.0, c.cea);
    w.gap(2.0);
    for l in wrap(
        &format!(
            "Puede comprobar la autenticidad de este justificante con su CEA, o con este mismo fichero, en Verificación de Documentos: {}",
            c.verify_url
        ),
        95,
    ) {
        w.line("F1", 9.0, &l);
    }
    w.line("F1", 9.0, &format!("Emitido el {}.", display(c.issued_at)));

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_regular = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let font_bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_regular, "F2" => font_bold },
    });
    let mut kids = Vec::new();
    let total = w.pages.len();
    for (n, mut ops) in w.pages.into_iter().enumerate() {
        if total > 1 {
            let label = format!("Página {} de {}", n + 1, total);
            ops.extend([
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 8.0.into()]),
                Operation::new(
                    "Td",
                    vec![(PAGE_W - MARGIN - 60.0).into(), (MARGIN / 2.0).into()],
                ),
                Operation::new(
                    "Tj",
                    vec![Object::String(win_ansi(&label), StringFormat::Literal)],
                ),
                Operation::new("ET", vec![]),
            ]);
        }
        let content = Content { operations: ops }
            .encode()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
        });
        kids.push(page_id.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Count" => total as i64, "Kids" => kids },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::String(win_ansi(kind_title(c.kind)), StringFormat::Literal),
        "Subject" => Object::String(win_ansi(&format!("Caso {}", case_number::format(c.case_number))), StringFormat::Literal),
        "Producer" => Object::string_literal("Casia"),
        "CasiaCEA" => Object::string_literal(c.cea),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| ServiceError::failed("writing receipt", e))?;
    Ok(out)
}

/// The CEA a file claims to carry, read without parsing the PDF: the first `/CasiaCEA`
/// entry (written by `render_pdf` in the information dictionary, outside any compressed
/// stream) followed by a literal or hex string. One linear scan and no decompression, so any
/// file, a crafted one included, costs no more than reading it once.
pub fn cea_in_pdf(bytes: &[u8]) -> Option<String> {
    const MARKER: &[u8] = b"/CasiaCEA";
    if !bytes.starts_with(b"%PDF-") {
        return None;
    }
    let at = bytes.windows(MARKER.len()).position(|w| w == MARKER)?;
    let rest = &bytes[at + MARKER.len()..];
    let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    // A CEA is 24 characters; 64 leaves room for spaces or a hex encoding.
    let value: Vec<u8> = match rest.first()? {
        b'(' => rest[1..]
            .iter()
            .take(64)
            .take_while(|&&b| b != b')')
            .copied()
            .collect(),
        b'<' => {
            let hex: Vec<u8> = rest[1..]
                .iter()
                .take(128)
                .take_while(|&&b| b != b'>')
                .filter(|b| !b.is_ascii_whitespace())
                .copied()
                .collect();
            hex::decode(hex).ok()?
        }
        _ => return None,
    };
    normalise_cea(std::str::from_utf8(&value).ok()?)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::receipts::new_cea;

    #[test]
    fn wrapping_keeps_words_and_cuts_only_long_ones() {
        assert_eq!(wrap("uno dos tres", 7), vec!["uno dos", "tres"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10), vec![""]);
    }

    #[test]
    fn spanish_text_is_encoded_for_the_standard_fonts() {
        assert_eq!(win_ansi("Año €"), vec![b'A', 0xf1, b'o', b' ', 0x80]);
        assert_eq!(win_ansi("日"), vec![b'?']);
    }

    #[test]
    fn the_pdf_carries_its_cea() {
        let auth = authorisation::Model {
            id: 1,
            number: "0123456".into(),
            company_name: "Gestoría Ñandú, S.L.".into(),
            nif: "B12345678".into(),
            contact_email: None,
            notices_consent: false,
            contact_updated_at: None,
            main_user_id: None,
            active: true,
            created_at: Utc::now(),
            calendar_id: None,
        };
        let cea = new_cea();
        let lines = vec![ReceiptLine {
            type_name: "Contrato de trabajo".into(),
            title: "Contrato".into(),
            file_name: "contrato.pdf".into(),
            size: 1234,
            sha256: "ab".repeat(32),
        }];
        let pdf = render_pdf(&ReceiptContent {
            kind: ReceiptKind::Solicitud,
            cea: &cea,
            case_number: case_number::compose(2026, 1),
            opened_at: Utc::now(),
            issued_at: Utc::now(),
            authorisation: &auth,
            classification: "Trámite / Afiliación".into(),
            title: "Baja",
            documents: &lines,
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
}

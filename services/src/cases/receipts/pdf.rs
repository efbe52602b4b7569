//! The receipt as a PDF file, and the CEA read back from a file's bytes.

use casia_domain::dto::ReceiptKind;
use casia_domain::model::case_number;
use chrono::{DateTime, Utc};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};

use super::cea::normalise_cea;
use super::font::{Font, wrap};
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

/// The receipt's two typefaces, by their resource names in the page.
#[derive(Clone, Copy)]
enum Style {
    Regular,
    Bold,
}

impl Style {
    fn resource(self) -> &'static str {
        match self {
            Style::Regular => "F1",
            Style::Bold => "F2",
        }
    }
}

use Style::{Bold, Regular};

/// Writes text with a simple cursor, adding pages as needed; every text is wrapped to the
/// space it has (see `font::wrap`), so nothing runs off the page.
struct Writer {
    pages: Vec<Vec<Operation>>,
    y: f32,
    fonts: [Font; 2],
    /// Where field values start: after the widest label.
    value_x: f32,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;

impl Writer {
    fn new() -> Self {
        Writer {
            pages: vec![Vec::new()],
            y: PAGE_H - MARGIN,
            fonts: [Font::regular(), Font::bold()],
            value_x: MARGIN,
        }
    }

    fn font(&mut self, style: Style) -> &mut Font {
        &mut self.fonts[style as usize]
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

    fn text_at(&mut self, x: f32, y: f32, style: Style, size: f32, text: &str) {
        let encoded = self.font(style).encode(text);
        self.ops().extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![style.resource().into(), size.into()]),
            Operation::new("Td", vec![x.into(), y.into()]),
            Operation::new(
                "Tj",
                vec![Object::String(encoded, StringFormat::Hexadecimal)],
            ),
            Operation::new("ET", vec![]),
        ]);
    }

    /// `text` from `x`, wrapped to the right margin, one line after another.
    fn lines(&mut self, x: f32, style: Style, size: f32, text: &str) {
        for l in wrap(&self.fonts[style as usize], size, text, PAGE_W - MARGIN - x) {
            self.ensure(size + 4.0);
            let y = self.y;
            self.text_at(x, y, style, size, &l);
            self.y -= size + 5.0;
        }
    }

    fn line(&mut self, style: Style, size: f32, text: &str) {
        self.lines(MARGIN, style, size, text);
    }

    /// Sets the value column for `labels` (at most half the line).
    fn labels(&mut self, labels: &[&str]) {
        let widest = labels
            .iter()
            .map(|l| self.fonts[Bold as usize].width(l, 10.0))
            .fold(0.0, f32::max);
        self.value_x = MARGIN + (widest + 10.0).min(TEXT_W / 2.0);
    }

    fn field(&mut self, label: &str, value: &str) {
        let label_w = self.value_x - MARGIN - 6.0;
        let labels = wrap(&self.fonts[Bold as usize], 10.0, label, label_w);
        let values = wrap(
            &self.fonts[Regular as usize],
            10.0,
            value,
            PAGE_W - MARGIN - self.value_x,
        );
        let x = self.value_x;
        for i in 0..labels.len().max(values.len()) {
            self.ensure(14.0);
            let y = self.y;
            if let Some(l) = labels.get(i) {
                self.text_at(MARGIN, y, Bold, 10.0, l);
            }
            if let Some(v) = values.get(i) {
                self.text_at(x, y, Regular, 10.0, v);
            }
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

    /// The page footers (`Caso … · Página n de N`), once every page is written.
    fn footers(&mut self, case: &str) {
        let total = self.pages.len();
        for n in 0..total {
            let label = format!("Caso {case} · Página {} de {total}", n + 1);
            let x = PAGE_W - MARGIN - self.fonts[Regular as usize].width(&label, 8.0);
            let encoded = self.font(Regular).encode(&label);
            self.pages[n].extend([
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec![Regular.resource().into(), 8.0.into()]),
                Operation::new("Td", vec![x.into(), (MARGIN / 2.0).into()]),
                Operation::new(
                    "Tj",
                    vec![Object::String(encoded, StringFormat::Hexadecimal)],
                ),
                Operation::new("ET", vec![]),
            ]);
        }
    }
}

/// A PDF text string (document information): UTF-16BE with its byte order mark.
fn text_string(text: &str) -> Object {
    let mut bytes = vec![0xfe, 0xff];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// What the receipt says of its classification: the names at the time it was issued.
pub const CLASSIFICATION_NOTE: &str =
    "Clasificación del caso en la fecha de emisión de este justificante.";

/// Makes the receipt's PDF. The CEA is also stored in the document information dictionary,
/// so that a file given for verification can be matched to its receipt.
pub fn render_pdf(c: &ReceiptContent<'_>) -> ServiceResult<Vec<u8>> {
    let number = case_number::format(c.case_number);
    let mut w = Writer::new();
    w.line(Bold, 9.0, "CASIA - SERVICIO DE ATENCIÓN AL AUTORIZADO RED");
    w.line(
        Regular,
        9.0,
        "Coordinación, Atención y Soporte Integral al Autorizado RED",
    );
    w.gap(8.0);
    w.line(Bold, 16.0, kind_title(c.kind));
    w.rule();
    let mut fields = vec![
        ("Número de caso:", number.clone()),
        ("Fecha y hora de apertura:", display(c.opened_at)),
    ];
    if c.kind == ReceiptKind::Complementaria {
        fields.push(("Fecha y hora de anexado:", display(c.issued_at)));
    }
    fields.extend([
        ("Nº Autorización:", c.authorisation.number.clone()),
        ("Razón Social:", c.authorisation.company_name.clone()),
        ("NIF:", c.authorisation.nif.clone()),
        ("Clasificación:", c.classification.clone()),
    ]);
    w.labels(&fields.iter().map(|(l, _)| *l).collect::<Vec<_>>());
    for (label, value) in &fields {
        w.field(label, value);
    }
    let x = w.value_x;
    w.lines(x, Regular, 8.0, CLASSIFICATION_NOTE);
    w.gap(3.0);
    w.field("Título:", c.title);
    w.gap(6.0);
    w.line(Bold, 11.0, "Relación de documentos anexados");
    w.rule();
    if c.documents.is_empty() {
        w.line(Regular, 10.0, "No se han anexado documentos.");
    }
    for (i, d) in c.documents.iter().enumerate() {
        w.ensure(48.0);
        w.line(
            Bold,
            10.0,
            &format!("{}. {} - {}", i + 1, d.type_name, d.title),
        );
        w.line(
            Regular,
            9.0,
            &format!(
                "Fichero: {} ({})",
                d.file_name,
                casia_domain::dto::human_size(d.size)
            ),
        );
        w.line(Regular, 8.0, &format!("SHA-256: {}", d.sha256));
        w.gap(3.0);
    }
    w.gap(10.0);
    w.rule();
    w.line(Bold, 11.0, "Código Electrónico de Autenticidad (CEA)");
    w.line(Bold, 15.0, c.cea);
    w.gap(2.0);
    w.line(
        Regular,
        9.0,
        &format!(
            "Puede comprobar la autenticidad de este justificante con su CEA, o con este mismo fichero, en Verificación de Documentos: {}",
            c.verify_url
        ),
    );
    w.line(
        Regular,
        9.0,
        &format!("Emitido el {}.", display(c.issued_at)),
    );
    w.footers(&number);

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_regular = w.fonts[Regular as usize].embed(&mut doc)?;
    let font_bold = w.fonts[Bold as usize].embed(&mut doc)?;
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_regular, "F2" => font_bold },
    });
    let mut kids = Vec::new();
    let total = w.pages.len();
    for ops in w.pages {
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
        "Title" => text_string(kind_title(c.kind)),
        "Subject" => text_string(&format!("Caso {number}")),
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

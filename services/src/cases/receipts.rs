//! Receipts (`Justificante de solicitud de trámite`, `Justificante de documentación
//! complementaria anexada`): real PDF files with a verification code (CEA), and the public
//! check of a CEA or of the file itself.
//!
//! A CEA is 100 random bits (20 Crockford base-32 characters): unguessable, and it reveals
//! nothing but the receipt it points to.

use casia_domain::dto::{
    RateLimit, ReceiptDocument, ReceiptKind, ReceiptView, Verification, VerifiedReceipt,
};
use casia_domain::model::case_number;
use chrono::{DateTime, Utc};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::Services;
use crate::clock::display;
use crate::entity::{authorisation, case, document, document_type, receipt};
use crate::error::{ServiceError, ServiceResult};
use crate::files::{Storage, new_storage_key};

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

pub fn receipt_view(r: &receipt::Model) -> ReceiptView {
    ReceiptView {
        id: r.id,
        kind: ReceiptKind::from_code(&r.kind).unwrap_or(ReceiptKind::Solicitud),
        cea: r.cea.clone(),
        issued_at: display(r.issued_at),
    }
}

/// Issues a receipt for `documents` of `case` inside the caller's transaction: makes the PDF,
/// stores it, records it and links the documents to it.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    db: &impl ConnectionTrait,
    storage: &Storage,
    public_url: &str,
    case: &case::Model,
    kind: ReceiptKind,
    documents: &[document::Model],
    issued_at: DateTime<Utc>,
) -> ServiceResult<receipt::Model> {
    let auth = authorisation::Entity::find_by_id(case.authorisation_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let classification =
        super::query::classification_text(db, case, casia_domain::Lang::Es).await?;
    let types = document_type::Entity::find().all(db).await?;
    let lines: Vec<ReceiptLine> = documents
        .iter()
        .map(|d| ReceiptLine {
            type_name: types
                .iter()
                .find(|t| t.id == d.document_type_id)
                .map(|t| t.name_es.clone())
                .unwrap_or_default(),
            title: d.title.clone(),
            file_name: d.original_name.clone(),
            size: d.size_bytes,
            sha256: d.sha256.clone(),
        })
        .collect();
    let cea = new_cea();
    let pdf = render_pdf(&ReceiptContent {
        kind,
        cea: &cea,
        case_number: case.number,
        opened_at: case.opened_at,
        issued_at,
        authorisation: &auth,
        classification,
        title: &case.title,
        documents: &lines,
        verify_url: format!("{public_url}/verificacion"),
    })?;
    let key = new_storage_key("receipts");
    let pdf_sha256 = hex::encode(Sha256::digest(&pdf));
    storage.put(&key, pdf).await?;
    let r = receipt::ActiveModel {
        case_id: Set(case.id),
        kind: Set(kind.code().to_owned()),
        cea: Set(cea),
        issued_at: Set(issued_at),
        pdf_sha256: Set(pdf_sha256),
        storage_key: Set(key),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for d in documents {
        let mut am: document::ActiveModel = d.clone().into();
        am.receipt_id = Set(Some(r.id));
        am.update(db).await?;
    }
    Ok(r)
}

async fn verified(db: &impl ConnectionTrait, r: &receipt::Model) -> ServiceResult<VerifiedReceipt> {
    let c = case::Entity::find_by_id(r.case_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let docs = document::Entity::find()
        .filter(document::Column::ReceiptId.eq(r.id))
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?;
    let types = document_type::Entity::find().all(db).await?;
    Ok(VerifiedReceipt {
        kind: ReceiptKind::from_code(&r.kind).unwrap_or(ReceiptKind::Solicitud),
        cea: r.cea.clone(),
        case_number: case_number::format(c.number),
        case_opened_at: display(c.opened_at),
        issued_at: display(r.issued_at),
        documents: docs
            .into_iter()
            .map(|d| ReceiptDocument {
                type_name: types
                    .iter()
                    .find(|t| t.id == d.document_type_id)
                    .map(|t| t.name_es.clone())
                    .unwrap_or_default(),
                title: d.title,
                file_name: d.original_name,
                size: d.size_bytes,
            })
            .collect(),
    })
}

/// `Verificación de Documentos` by code.
pub async fn verify_cea(db: &impl ConnectionTrait, input: &str) -> ServiceResult<Verification> {
    if input.trim().is_empty() {
        return Err(ServiceError::invalid(
            "cea",
            casia_domain::FieldProblem::Required,
        ));
    }
    let Some(cea) = normalise_cea(input) else {
        return Ok(Verification::Unknown);
    };
    match receipt::Entity::find()
        .filter(receipt::Column::Cea.eq(cea))
        .one(db)
        .await?
    {
        Some(r) => Ok(Verification::Authentic(verified(db, &r).await?)),
        None => Ok(Verification::Unknown),
    }
}

/// `Verificación de Documentos` by code from the public page: counted against the client's
/// allowance first (`verification.per_minute`).
pub async fn verify_cea_for(
    s: &Services,
    client: &str,
    input: &str,
) -> ServiceResult<Verification> {
    count_verification(s, client)?;
    verify_cea(&s.db, input).await
}

/// One verification (by code or by file) for `client`, or `TooManyRequests` with the wait.
pub fn count_verification(s: &Services, client: &str) -> ServiceResult<()> {
    s.limits
        .verification
        .check_seconds(client)
        .map_err(|retry_after_seconds| {
            tracing::info!(client, "verification rate limit reached");
            ServiceError::TooManyRequests {
                limit: RateLimit::Verification,
                retry_after_seconds,
            }
        })
}

/// Admits one file check before its body is read: within the client's allowance and within
/// the files checked at once (`verification.max_concurrent_files`). Busy: refused at once,
/// never queued. Hold the permit until the answer is made.
pub fn admit_file_check(
    s: &Services,
    client: &str,
) -> ServiceResult<tokio::sync::OwnedSemaphorePermit> {
    count_verification(s, client)?;
    s.limits
        .verification_files
        .clone()
        .try_acquire_owned()
        .map_err(|_| ServiceError::TooManyRequests {
            limit: RateLimit::VerificationBusy,
            retry_after_seconds: 1,
        })
}

/// `Verificación de Documentos` by file: authentic only if the bytes are exactly an issued
/// receipt (its SHA-256 is stored when it is issued). A file that names a real CEA but
/// differs was altered. The file is never parsed as a PDF (see `cea_in_pdf`).
pub async fn verify_file(db: &impl ConnectionTrait, bytes: &[u8]) -> ServiceResult<Verification> {
    let digest = hex::encode(Sha256::digest(bytes));
    if let Some(r) = receipt::Entity::find()
        .filter(receipt::Column::PdfSha256.eq(digest))
        .one(db)
        .await?
    {
        return Ok(Verification::Authentic(verified(db, &r).await?));
    }
    match cea_in_pdf(bytes) {
        Some(cea)
            if receipt::Entity::find()
                .filter(receipt::Column::Cea.eq(cea.clone()))
                .one(db)
                .await?
                .is_some() =>
        {
            Ok(Verification::Altered)
        }
        _ => Ok(Verification::NotAReceipt),
    }
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

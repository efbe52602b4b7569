//! What a file is, decided from its content and the extension its name claims.

use casia_domain::dto::UploadProblem;
use futures::StreamExt;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use sha2::Digest;

/// How much of the start of a file is looked at to decide its kind.
pub(super) const SNIFF_BYTES: usize = 64 * 1024;

/// The extension a name claims, lower-cased (`""` when none).
pub fn extension(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Decides the kind of a file from its first bytes and checks it against the extension.
/// Returns the media type that will be stored and sent with downloads.
pub fn classify(file_name: &str, head: &[u8]) -> Result<&'static str, UploadProblem> {
    if file_name.trim().is_empty() {
        return Err(UploadProblem::MissingName);
    }
    if head.is_empty() {
        return Err(UploadProblem::Empty);
    }
    let declared = extension(file_name);
    let accepted = |exts: &[&str]| exts.contains(&declared.as_str());
    let mismatch = |detected: &str| UploadProblem::ContentMismatch {
        declared: declared.clone(),
        detected: detected.to_owned(),
    };

    // Binary kinds, recognised by their signature.
    let detected: Option<(&'static str, &[&str], &str)> = if infer::doc::is_docx(head) {
        Some((
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &["docx"],
            "DOCX",
        ))
    } else if infer::doc::is_xlsx(head) {
        Some((
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &["xlsx"],
            "XLSX",
        ))
    } else if infer::odf::is_odt(head) {
        Some(("application/vnd.oasis.opendocument.text", &["odt"], "ODT"))
    } else if infer::odf::is_ods(head) {
        Some((
            "application/vnd.oasis.opendocument.spreadsheet",
            &["ods"],
            "ODS",
        ))
    } else if infer::archive::is_pdf(head) {
        Some(("application/pdf", &["pdf"], "PDF"))
    } else if infer::image::is_jpeg(head) {
        Some(("image/jpeg", &["jpg", "jpeg"], "JPEG"))
    } else if infer::image::is_png(head) {
        Some(("image/png", &["png"], "PNG"))
    } else if infer::image::is_tiff(head) {
        Some(("image/tiff", &["tif", "tiff"], "TIFF"))
    } else {
        None
    };
    if let Some((media_type, exts, name)) = detected {
        return if accepted(exts) {
            Ok(media_type)
        } else if is_accepted_extension(&declared) {
            Err(mismatch(name))
        } else {
            Err(UploadProblem::TypeNotAllowed)
        };
    }
    // Any other recognised signature (executables, archives, audio…) is refused outright.
    if let Some(other) = infer::get(head)
        && !matches!(
            other.mime_type(),
            "text/xml" | "application/xml" | "text/plain"
        )
    {
        return if is_accepted_extension(&declared) {
            Err(mismatch(other.extension()))
        } else {
            Err(UploadProblem::TypeNotAllowed)
        };
    }
    // Text kinds have no signature: the content must be text.
    let text = looks_like_text(head);
    match declared.as_str() {
        "txt" | "csv" if text => Ok(if declared == "csv" {
            "text/csv"
        } else {
            "text/plain"
        }),
        "xml" if text && starts_like_xml(head) => Ok("application/xml"),
        "txt" | "csv" | "xml" => Err(mismatch(if text { "texto" } else { "binario" })),
        ext if is_accepted_extension(ext) => {
            Err(mismatch(if text { "texto" } else { "desconocido" }))
        }
        _ => Err(UploadProblem::TypeNotAllowed),
    }
}

fn is_accepted_extension(ext: &str) -> bool {
    casia_domain::dto::ACCEPTED_FILE_KINDS
        .iter()
        .any(|(exts, _)| exts.contains(&ext))
}

/// UTF-8 (allowing a cut multi-byte character at the end of the sample) or Latin-1 text
/// without control characters other than tab, line feeds and form feed.
fn looks_like_text(head: &[u8]) -> bool {
    let no_controls = head
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c));
    if !no_controls {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() || !head.iter().any(|&b| (0x80..0xa0).contains(&b)),
    }
}

fn starts_like_xml(head: &[u8]) -> bool {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(head);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{clean_file_name, new_storage_key};

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0\0\0\0\0\0\0";

    #[test]
    fn accepted_kinds_pass_when_name_and_content_agree() {
        assert_eq!(classify("justificante.PDF", PDF), Ok("application/pdf"));
        assert_eq!(classify("captura.png", PNG), Ok("image/png"));
        assert_eq!(classify("foto.jpeg", JPEG), Ok("image/jpeg"));
        assert_eq!(classify("foto.jpg", JPEG), Ok("image/jpeg"));
        assert_eq!(
            classify("remesa.txt", "Línea con acentos: año\n".as_bytes()),
            Ok("text/plain")
        );
        assert_eq!(
            classify("datos.csv", b"naf;nombre\n281234567890;Ana\n"),
            Ok("text/csv")
        );
        assert_eq!(
            classify("fichero.xml", b"\xef\xbb\xbf<?xml version=\"1.0\"?><a/>"),
            Ok("application/xml")
        );
        // Latin-1 text (common in files from older systems).
        assert_eq!(classify("antiguo.txt", b"Espa\xf1a\n"), Ok("text/plain"));
    }

    #[test]
    fn content_that_contradicts_the_name_is_refused() {
        assert_eq!(
            classify("contrato.pdf", PNG),
            Err(UploadProblem::ContentMismatch {
                declared: "pdf".into(),
                detected: "PNG".into()
            })
        );
        assert_eq!(
            classify("foto.png", PDF),
            Err(UploadProblem::ContentMismatch {
                declared: "png".into(),
                detected: "PDF".into()
            })
        );
        assert!(matches!(
            classify("factura.pdf", b"just some text"),
            Err(UploadProblem::ContentMismatch { .. })
        ));
        assert!(matches!(
            classify("notas.txt", EXE),
            Err(UploadProblem::ContentMismatch { .. })
        ));
        assert!(matches!(
            classify("datos.xml", b"no es xml"),
            Err(UploadProblem::ContentMismatch { .. })
        ));
    }

    #[test]
    fn other_kinds_are_not_accepted() {
        assert_eq!(
            classify("programa.exe", EXE),
            Err(UploadProblem::TypeNotAllowed)
        );
        assert_eq!(
            classify("script.sh", b"#!/bin/sh\necho hi\n"),
            Err(UploadProblem::TypeNotAllowed)
        );
        assert_eq!(
            classify("sin-extension", PDF),
            Err(UploadProblem::TypeNotAllowed)
        );
        assert_eq!(classify("", PDF), Err(UploadProblem::MissingName));
        assert_eq!(classify("vacio.pdf", b""), Err(UploadProblem::Empty));
    }

    #[test]
    fn file_names_are_kept_only_as_data() {
        assert_eq!(extension("../../etc/passwd.PDF"), "pdf");
        assert_eq!(extension(".bashrc"), "");
        assert_eq!(
            clean_file_name("C:\\Users\\ana\\DNI escaneado.pdf"),
            "DNI escaneado.pdf"
        );
        assert_eq!(clean_file_name("../../secreto\u{0}.txt"), "secreto.txt");
        assert_eq!(clean_file_name("   "), "documento");
        // Bidi overrides would show this PDF to a processor as "contratofdp.docx".
        assert_eq!(
            clean_file_name("contrato\u{202E}xcod.pdf"),
            "contratoxcod.pdf"
        );
        assert_eq!(
            clean_file_name(
                "\u{FEFF}dni\u{200B}\u{200D}\u{2066}escaneado\u{2069}\u{2060}.pdf\u{2028}"
            ),
            "dniescaneado.pdf"
        );
        assert_eq!(
            clean_file_name("a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{200E}f\u{200F}g\u{00AD}h.txt"),
            "abcdefgh.txt"
        );
        assert_eq!(clean_file_name("\u{202E}\u{200B}"), "documento");
        // Letters of other scripts, accents and emoji are kept.
        assert_eq!(
            clean_file_name("Nómina ñandú 日本 ✅.pdf"),
            "Nómina ñandú 日本 ✅.pdf"
        );
        let key = new_storage_key("documents");
        assert!(key.starts_with("documents/"));
        assert!(!key.contains(".."));
    }
}

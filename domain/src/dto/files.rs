//! Uploaded files: what is attached, why a file is refused, upload limits and sizes.

use serde::{Deserialize, Serialize};

/// A file already streamed to the server, waiting to be attached by a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub token: String,
    pub file_name: String,
    pub size: i64,
    pub media_type: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentToAttach {
    pub document_type_id: Option<i64>,
    pub title: String,
    /// Token returned by the upload endpoint.
    pub upload_token: String,
}

/// Why an uploaded file was refused (shown next to the file input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadProblem {
    Empty,
    TooLarge {
        max_bytes: u64,
    },
    /// The file's content is of a kind the service does not accept.
    TypeNotAllowed,
    /// The content is an accepted kind, but not the one its name says (e.g. a PNG named `.pdf`).
    ContentMismatch {
        declared: String,
        detected: String,
    },
    MissingName,
    /// The upload was interrupted before the whole file arrived.
    Incomplete,
    /// The upload token is unknown, expired, used, or not the caller's.
    UnknownUpload,
}

/// A limit a request ran into: refused for now (HTTP 429, or 503 when the service is busy),
/// with a `Retry-After`. Quotas give their maximum so the message can say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateLimit {
    /// `Verificación de Documentos`: too many checks from one address in a minute.
    Verification,
    /// Too many receipt files are being checked right now (all clients together).
    VerificationBusy,
    /// Files uploaded by one user in the last hour.
    UploadFiles { max: u64 },
    /// Bytes uploaded by one user in the last hour.
    UploadBytes { max_bytes: u64 },
    /// Uploads one user has in progress at the same time.
    UploadsAtOnce { max: u64 },
    /// Live-update streams (open tabs) one person, or the whole instance, has open.
    LiveStreams,
    /// Integration API requests made with one token in a minute.
    ApiRequests { per_minute: u32 },
}

/// File kinds accepted as case documents: (extensions, description).
pub const ACCEPTED_FILE_KINDS: &[(&[&str], &str)] = &[
    (&["pdf"], "PDF"),
    (&["jpg", "jpeg"], "JPEG"),
    (&["png"], "PNG"),
    (&["tif", "tiff"], "TIFF"),
    (&["docx"], "Word (DOCX)"),
    (&["xlsx"], "Excel (XLSX)"),
    (&["odt"], "OpenDocument (ODT)"),
    (&["ods"], "OpenDocument (ODS)"),
    (&["txt", "csv"], "Texto (TXT, CSV)"),
    (&["xml"], "XML"),
];

/// `accept` attribute for file inputs.
pub fn accept_attribute() -> String {
    ACCEPTED_FILE_KINDS
        .iter()
        .flat_map(|(exts, _)| exts.iter().map(|e| format!(".{e}")))
        .collect::<Vec<_>>()
        .join(",")
}

/// `12,3 MB` style sizes, as Spanish screens write them.
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    let (value, unit) = if b >= KB * KB * KB {
        (b / (KB * KB * KB), "GB")
    } else if b >= KB * KB {
        (b / (KB * KB), "MB")
    } else if b >= KB {
        (b / KB, "KB")
    } else {
        return format!("{bytes} B");
    };
    format!("{value:.1} {unit}").replace('.', ",")
}

/// Kinds shown beside the case (`Vista previa`): the browser displays them without running
/// anything of the file. Everything else is only downloaded.
pub const PREVIEWABLE: [&str; 3] = ["application/pdf", "image/png", "image/jpeg"];

pub fn previewable(media_type: &str) -> bool {
    PREVIEWABLE.contains(&media_type)
}

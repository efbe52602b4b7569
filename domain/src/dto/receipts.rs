//! Receipts (`justificantes`) and the public `Verificación de Documentos`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// `Justificante de solicitud de trámite`.
    Solicitud,
    /// `Justificante de documentación complementaria anexada`.
    Complementaria,
}

impl ReceiptKind {
    pub fn code(self) -> &'static str {
        match self {
            ReceiptKind::Solicitud => "solicitud",
            ReceiptKind::Complementaria => "complementaria",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "solicitud" => Some(ReceiptKind::Solicitud),
            "complementaria" => Some(ReceiptKind::Complementaria),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub id: i64,
    pub kind: ReceiptKind,
    pub cea: String,
    pub issued_at: String,
}

/// What the public `Verificación de Documentos` page may show: nothing beyond the receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    Authentic(VerifiedReceipt),
    /// The CEA is unknown.
    Unknown,
    /// A file was given: it carries a known CEA but its bytes differ from the issued receipt.
    Altered,
    /// A file was given that is not a receipt of Casia at all.
    NotAReceipt,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedReceipt {
    pub kind: ReceiptKind,
    pub cea: String,
    pub case_number: String,
    pub case_opened_at: String,
    pub issued_at: String,
    pub documents: Vec<ReceiptDocument>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDocument {
    pub type_name: String,
    pub title: String,
    pub file_name: String,
    pub size: i64,
}

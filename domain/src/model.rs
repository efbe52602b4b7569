//! The closed vocabularies of the service: roles, case types, states, channels, queues, the
//! kinds of messages, receipts and notices. Each has a stable `code`: stored in the database,
//! used in URLs and sent over the wire. They all come from `coded_enum!`, so each parses
//! (`FromStr`, [`UnknownCode`]), displays, serialises and (with the `sea-orm` feature) is an
//! entity column type the same way.

/// A code that names no value of the enum it was read as: a corrupt column, a forged request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} code {code:?}")]
pub struct UnknownCode {
    /// The enum's name (`Substate`, `Role`, …).
    pub kind: &'static str,
    pub code: String,
}

/// The traits every coded vocabulary shares, built on its `code()` and `from_code()`:
/// `Display` and `FromStr` (the code), serde (the code is the wire format too) and, behind
/// the `sea-orm` feature, the value type that lets an entity column be the enum itself while
/// the column stays the same text (what sea-orm's `DeriveValueType` with
/// `value_type = "String"` generates).
macro_rules! coded_traits {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::model::UnknownCode;

            fn from_str(code: &str) -> Result<Self, Self::Err> {
                $name::from_code(code).ok_or_else(|| $crate::model::UnknownCode {
                    kind: stringify!($name),
                    code: code.to_owned(),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code =
                    <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                code.parse().map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "sea-orm")]
        impl From<$name> for sea_orm::Value {
            fn from(value: $name) -> Self {
                value.code().to_string().into()
            }
        }

        #[cfg(feature = "sea-orm")]
        impl sea_orm::TryGetable for $name {
            fn try_get_by<I: sea_orm::ColIdx>(
                res: &sea_orm::QueryResult,
                idx: I,
            ) -> Result<Self, sea_orm::TryGetError> {
                let code = <String as sea_orm::TryGetable>::try_get_by(res, idx)?;
                code.parse().map_err(|e: $crate::model::UnknownCode| {
                    sea_orm::TryGetError::DbErr(sea_orm::DbErr::TryIntoErr {
                        from: "String",
                        into: stringify!($name),
                        source: std::sync::Arc::new(e),
                    })
                })
            }
        }

        #[cfg(feature = "sea-orm")]
        impl sea_orm::sea_query::ValueType for $name {
            fn try_from(v: sea_orm::Value) -> Result<Self, sea_orm::sea_query::ValueTypeErr> {
                let code = <String as sea_orm::sea_query::ValueType>::try_from(v)?;
                code.parse().map_err(|_| sea_orm::sea_query::ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($name).to_owned()
            }

            fn array_type() -> sea_orm::sea_query::ArrayType {
                sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> sea_orm::sea_query::ColumnType {
                sea_orm::sea_query::ColumnType::String(sea_orm::sea_query::StringLen::None)
            }
        }

        #[cfg(feature = "sea-orm")]
        impl sea_orm::sea_query::Nullable for $name {
            fn null() -> sea_orm::Value {
                sea_orm::Value::String(None)
            }
        }

        #[cfg(feature = "sea-orm")]
        impl sea_orm::IntoActiveValue<$name> for $name {
            fn into_active_value(self) -> sea_orm::ActiveValue<$name> {
                sea_orm::ActiveValue::Set(self)
            }
        }
    };
}
pub(crate) use coded_traits;

/// A closed vocabulary: the enum, `ALL` (in declaration order), `code()` / `from_code()`
/// and the `coded_traits!`.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in URLs.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        $crate::model::coded_traits!($name);
    };
}
pub(crate) use coded_enum;

coded_enum!(
    /// What a person may do in Casia. An authorised user acts for an authorisation;
    /// the other roles are the administration's staff.
    Role {
        Autorizado => "autorizado",
        Tramitador => "tramitador",
        Supervisor => "supervisor",
        Administrador => "administrador",
    }
);

impl Role {
    /// Processors and supervisors work the case queue.
    pub fn is_processor(self) -> bool {
        matches!(self, Role::Tramitador | Role::Supervisor)
    }
}

coded_enum!(
    /// `Tipo de Caso` (guide §4.1).
    CaseType {
        Consulta => "consulta",
        Incidencia => "incidencia",
        Tramite => "tramite",
    }
);

coded_enum!(
    /// `Estado` of a case.
    State {
        Abierto => "abierto",
        Cerrado => "cerrado",
    }
);

coded_enum!(
    /// `Subestado` of a case; each belongs to exactly one state.
    Substate {
        Presentado => "presentado",
        Asignado => "asignado",
        Escalado => "escalado",
        SolicitadaInformacion => "solicitada_informacion",
        SolicitadaReclasificacion => "solicitada_reclasificacion",
        Resuelto => "resuelto",
        Anulado => "anulado",
    }
);

impl Substate {
    pub fn state(self) -> State {
        match self {
            Substate::Resuelto | Substate::Anulado => State::Cerrado,
            _ => State::Abierto,
        }
    }

    pub fn is_open(self) -> bool {
        self.state() == State::Abierto
    }

    /// The substates a search may filter on once a state is chosen (`None` = Todos).
    pub fn for_state(state: Option<State>) -> Vec<Substate> {
        Substate::ALL
            .iter()
            .copied()
            .filter(|s| state.is_none_or(|st| s.state() == st))
            .collect()
    }
}

coded_enum!(
    /// `Canal de Entrada`: Web for cases opened here; the others are recorded by staff.
    Channel {
        Web => "web",
        Telefono => "telefono",
        Correo => "correo",
        Presencial => "presencial",
    }
);

coded_enum!(
    /// Milestones that produce a notice for the authorisation (email and in-app inbox).
    NoticeKind {
        CaseOpened => "case_opened",
        InformationRequested => "information_requested",
        ReclassificationRequested => "reclassification_requested",
        CancelledAutomatically => "cancelled_automatically",
        CancellationApproved => "cancellation_approved",
        CancellationRejected => "cancellation_rejected",
        Resolved => "resolved",
        /// Plazos: the user's deadline to answer ends in two business days.
        AnswerReminder => "answer_reminder",
    }
);

coded_enum!(
    /// Email delivery states of a notice.
    EmailStatus {
        /// Waiting for the delivery worker (or for its next retry).
        Pending => "pending",
        Sent => "sent",
        /// No email: the authorisation has no contact address or did not consent (when the
        /// event happened, or when the notice was about to be sent).
        Skipped => "skipped",
        /// The mail server refused it for good (or the address cannot be written): not retried.
        Failed => "failed",
    }
);

coded_enum!(
    /// The kind of an entry of the conversation between the authorised user and the
    /// administration.
    MessageKind {
        /// The authorised user added information (`Modificar Información`).
        UserInformation => "user_information",
        InformationRequest => "information_request",
        ReclassificationRequest => "reclassification_request",
        CancellationRequest => "cancellation_request",
        CancellationRejection => "cancellation_rejection",
        Resolution => "resolution",
    }
);

coded_enum!(
    /// The two receipts a case can have.
    ReceiptKind {
        /// `Justificante de solicitud de trámite`.
        Solicitud => "solicitud",
        /// `Justificante de documentación complementaria anexada`.
        Complementaria => "complementaria",
    }
);

coded_enum!(
    /// What an idempotency key was spent on (a form pressed twice, or resent, acts once).
    SubmissionKind {
        OpenCase => "open_case",
        ModifyInformation => "modify_information",
    }
);

coded_enum!(
    /// The processors' work queues (`Bandeja de trabajo`); the code is the URL's.
    Queue {
        /// Presentado: nobody has it yet.
        Unassigned => "sin_asignar",
        /// Open cases assigned to the caller.
        Mine => "mios",
        Escalated => "escalados",
        /// Solicitada Información / Solicitada Reclasificación.
        WaitingForUser => "esperando",
        /// Cancellation requests waiting for a decision.
        PendingCancellation => "anulaciones",
        /// Every open case.
        AllOpen => "abiertos",
        /// Plazos: waiting for the user, whose deadline to answer has passed.
        AnswerExpired => "subsanacion_vencida",
    }
);

/// Case numbers look like `2026-0000123`: the year of opening and a counter per year.
/// Stored as one integer (`year * 10_000_000 + sequence`) so they sort and index well.
mod api;
pub use api::{ApiScope, DeliveryStatus};

pub mod case_number {
    pub const SEQUENCE_SPAN: i64 = 10_000_000;

    pub fn compose(year: i32, sequence: i64) -> i64 {
        i64::from(year) * SEQUENCE_SPAN + sequence
    }

    pub fn format(number: i64) -> String {
        format!("{}-{:07}", number / SEQUENCE_SPAN, number % SEQUENCE_SPAN)
    }

    /// Accepts `2026-0000123`, `2026-123`, `20260000123` and surrounding spaces.
    pub fn parse(text: &str) -> Option<i64> {
        let text = text.trim();
        if let Some((year, seq)) = text.split_once(['-', '/']) {
            let year: i64 = year.trim().parse().ok()?;
            let seq: i64 = seq.trim().parse().ok()?;
            if !(1000..=9999).contains(&year) || !(1..SEQUENCE_SPAN).contains(&seq) {
                return None;
            }
            return Some(year * SEQUENCE_SPAN + seq);
        }
        if text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = text.parse().ok()?;
            if n % SEQUENCE_SPAN == 0 {
                return None;
            }
            return Some(n);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(*r));
        }
        for s in Substate::ALL {
            assert_eq!(Substate::from_code(s.code()), Some(*s));
        }
        for t in CaseType::ALL {
            assert_eq!(CaseType::from_code(t.code()), Some(*t));
        }
        for q in Queue::ALL {
            assert_eq!(Queue::from_code(q.code()), Some(*q));
        }
        assert_eq!(Substate::from_code("unknown"), None);
    }

    #[test]
    fn codes_parse_display_and_serialise_as_themselves() {
        assert_eq!(
            "solicitada_informacion".parse(),
            Ok(Substate::SolicitadaInformacion)
        );
        assert_eq!(
            Substate::SolicitadaInformacion.to_string(),
            "solicitada_informacion"
        );
        assert_eq!(
            "garbage".parse::<Substate>(),
            Err(UnknownCode {
                kind: "Substate",
                code: "garbage".into()
            })
        );
        assert_eq!(
            serde_json::to_string(&Queue::Unassigned).unwrap(),
            "\"sin_asignar\""
        );
        assert_eq!(
            serde_json::from_str::<Role>("\"supervisor\"").unwrap(),
            Role::Supervisor
        );
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
    }

    #[test]
    fn substates_follow_their_state() {
        assert_eq!(
            Substate::for_state(Some(State::Cerrado)),
            vec![Substate::Resuelto, Substate::Anulado]
        );
        assert_eq!(Substate::for_state(Some(State::Abierto)).len(), 5);
        assert_eq!(Substate::for_state(None).len(), 7);
    }

    #[test]
    fn case_numbers_format_and_parse() {
        let n = case_number::compose(2026, 123);
        assert_eq!(case_number::format(n), "2026-0000123");
        assert_eq!(case_number::parse("2026-0000123"), Some(n));
        assert_eq!(case_number::parse(" 2026-123 "), Some(n));
        assert_eq!(case_number::parse("20260000123"), Some(n));
        assert_eq!(case_number::parse("2026/123"), Some(n));
        assert_eq!(case_number::parse("2026-0"), None);
        assert_eq!(case_number::parse("abc"), None);
        assert_eq!(case_number::parse("26-1"), None);
        assert_eq!(case_number::parse(""), None);
    }
}

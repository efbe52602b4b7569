//! The closed vocabularies of the service: roles, case types, states, channels.
//! Each has a stable `code` (stored in the database and sent over the wire).

use serde::{Deserialize, Serialize};

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

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

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

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
    }
);

coded_enum!(
    /// Levels of the taxonomy tree below the case type.
    TaxonomyLevel {
        Materia => "materia",
        Categoria => "categoria",
        Subcategoria => "subcategoria",
    }
);

impl TaxonomyLevel {
    pub fn depth(self) -> i16 {
        match self {
            TaxonomyLevel::Materia => 1,
            TaxonomyLevel::Categoria => 2,
            TaxonomyLevel::Subcategoria => 3,
        }
    }

    pub fn from_depth(depth: i16) -> Option<Self> {
        match depth {
            1 => Some(TaxonomyLevel::Materia),
            2 => Some(TaxonomyLevel::Categoria),
            3 => Some(TaxonomyLevel::Subcategoria),
            _ => None,
        }
    }
}

coded_enum!(
    /// The processors' work queues (`Bandeja de trabajo`); the code is the URL's.
    /// Unassigned: Presentado, nobody has it yet. Mine: open cases assigned to the caller.
    /// WaitingForUser: Solicitada Información / Solicitada Reclasificación.
    /// PendingCancellation: cancellation requests waiting for a decision. AllOpen: every
    /// open case.
    Queue {
        Unassigned => "sin_asignar",
        Mine => "mios",
        Escalated => "escalados",
        WaitingForUser => "esperando",
        PendingCancellation => "anulaciones",
        AllOpen => "abiertos",
    }
);

/// Case numbers look like `2026-0000123`: the year of opening and a counter per year.
/// Stored as one integer (`year * 10_000_000 + sequence`) so they sort and index well.
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
        assert_eq!(Substate::from_code("unknown"), None);
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

//! Plazos on the wire: a case's deadlines, the administrators' calendars and targets, and the
//! supervisor's deadline figures.

use serde::{Deserialize, Serialize};

use crate::dates::CalendarDate;
use crate::deadlines::DeadlineStatus;
use crate::model::CaseType;

/// A case's deadlines as the pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineView {
    /// `Fecha límite de resolución`.
    pub resolution_deadline: CalendarDate,
    /// `None` once the case is closed.
    pub status: Option<DeadlineStatus>,
    /// Business days left (negative once passed; frozen while suspended).
    pub days_left: i64,
    /// Business days the clock has been stopped, the current suspension included.
    pub suspended_days: i64,
    /// `Fecha límite para aportar la información`, while the user is asked.
    pub answer_deadline: Option<CalendarDate>,
    pub answer_status: Option<DeadlineStatus>,
}

/// One holiday of a calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRow {
    pub id: i64,
    pub day: CalendarDate,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarOption {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Administración → Plazos: one calendar's holidays of one year, the calendars to pick from,
/// the targets and the authorisations' regional calendars.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlazosAdmin {
    pub calendars: Vec<CalendarOption>,
    pub calendar_id: i64,
    pub year: i32,
    pub holidays: Vec<HolidayRow>,
    pub targets: Vec<TargetRow>,
    /// (authorisation id, number, company name, regional calendar id).
    pub authorisations: Vec<(i64, String, String, Option<i64>)>,
}

/// A resolution target: a case type's (no node) or an override for a taxonomy node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRow {
    pub id: i64,
    pub case_type: CaseType,
    pub node_id: Option<i64>,
    /// The node's path (`Materia › Categoría`), empty for the case type's own target.
    pub node: String,
    pub business_days: i32,
}

/// One change of Administración → Plazos, fields as typed (the server checks them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlazosChange {
    /// `day` is `YYYY-MM-DD`.
    AddHoliday {
        calendar_id: i64,
        day: String,
        name: String,
    },
    RemoveHoliday {
        id: i64,
    },
    /// A case type's target (no node) or the override of one of its subjects, categories or
    /// subcategories.
    SetTarget {
        case_type: String,
        node_id: Option<i64>,
        business_days: String,
    },
    /// Only an override: a case type's own target is changed, never removed.
    RemoveTarget {
        id: i64,
    },
    /// The authorisation's regional calendar (none: the national one alone).
    AssignCalendar {
        authorisation_id: i64,
        calendar_id: Option<i64>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlazosChangeForm {
    pub change: PlazosChange,
    /// Recompute the resolution deadline of the open cases the change concerns.
    pub apply_to_open: bool,
}

/// What an administrator's change did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlazosSaved {
    /// Open cases whose deadline was recomputed (0 unless asked for).
    pub recomputed: u64,
}

/// The supervisor dashboard's deadline figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeadlineFigures {
    /// (`YYYY-MM`, resolved, of them on time), the last 6 months, oldest first.
    pub on_time_by_month: Vec<(String, i64, i64)>,
    /// Open cases whose clock runs and is `Próximo a vencer` or `Vencido` now.
    pub at_risk_now: i64,
    /// Over the cases resolved in the last 90 days.
    pub median_business_days_to_resolve: Option<f64>,
}

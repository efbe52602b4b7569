//! Plazos: deadlines counted in *días hábiles* (Ley 39/2015, art. 30.2: Saturdays, Sundays and
//! holidays are not counted), the clock suspended while the interested party is asked to
//! correct or complete the request (art. 22.1.a), and the 10 business days the party has to
//! answer such a request (art. 68.1).
//!
//! Pure arithmetic on [`CalendarDate`]s (Europe/Madrid calendar days: the server converts
//! instants at its edge), shared by the server and the browser.

use std::collections::BTreeSet;

use crate::dates::{CalendarDate, days_in_month};
use crate::model::coded_enum;

#[cfg(test)]
mod tests;

/// Ley 39/2015, art. 68.1: the interested party has ten days to correct or complete.
pub const ANSWER_WINDOW_DAYS: u32 = 10;

/// A deadline this close (business days left, inclusive) is `Próximo a vencer`.
pub const DUE_SOON_DAYS: i64 = 2;

/// The reminder to the user goes out this many business days before their deadline.
pub const REMINDER_DAYS_BEFORE: i64 = 2;

/// Days since 1970-01-01 (proleptic Gregorian), negative before it.
pub fn day_number(d: CalendarDate) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(d.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a [`day_number`].
pub fn from_day_number(n: i64) -> CalendarDate {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    debug_assert!(day >= 1 && day <= days_in_month(year, month));
    CalendarDate { year, month, day }
}

/// ISO weekday: 1 = Monday … 7 = Sunday.
pub fn weekday(d: CalendarDate) -> u32 {
    // 1970-01-01 was a Thursday (4).
    ((day_number(d) + 3).rem_euclid(7) + 1) as u32
}

/// The days that do not count: weekends always, and the holidays of the calendars that apply
/// to a case (the national one, plus the regional one of its authorisation, if any).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    holidays: BTreeSet<CalendarDate>,
}

impl BusinessCalendar {
    pub fn new(holidays: impl IntoIterator<Item = CalendarDate>) -> Self {
        BusinessCalendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// The national holidays seeded for 2025–2027 ([`NATIONAL_HOLIDAYS`]).
    pub fn national() -> Self {
        BusinessCalendar::new(NATIONAL_HOLIDAYS.iter().map(|(d, _)| *d))
    }

    /// Adds another calendar's holidays (a regional calendar on top of the national one).
    pub fn with(mut self, holidays: impl IntoIterator<Item = CalendarDate>) -> Self {
        self.holidays.extend(holidays);
        self
    }

    pub fn is_holiday(&self, d: CalendarDate) -> bool {
        self.holidays.contains(&d)
    }

    /// *Día hábil*: not a Saturday, a Sunday or a holiday.
    pub fn is_business_day(&self, d: CalendarDate) -> bool {
        weekday(d) < 6 && !self.is_holiday(d)
    }
}

/// The `n`-th business day after `date` (art. 30.2: counted from the day after the act);
/// `n == 0` is `date` itself. A negative `n` counts back (the n-th business day before).
pub fn add_business_days(date: CalendarDate, n: i64, cal: &BusinessCalendar) -> CalendarDate {
    let step = if n < 0 { -1 } else { 1 };
    let mut day = day_number(date);
    let mut left = n.abs();
    while left > 0 {
        day += step;
        if cal.is_business_day(from_day_number(day)) {
            left -= 1;
        }
    }
    from_day_number(day)
}

/// The business days in `(a, b]`: how many days count from `a` (excluded) to `b` (included).
/// Negative when `b` is before `a` (the business days in `(b, a]`, negated).
pub fn business_days_between(a: CalendarDate, b: CalendarDate, cal: &BusinessCalendar) -> i64 {
    if b < a {
        return -business_days_between(b, a, cal);
    }
    ((day_number(a) + 1)..=day_number(b))
        .filter(|n| cal.is_business_day(from_day_number(*n)))
        .count() as i64
}

/// The user's deadline for an answer asked for on `requested_on`.
pub fn answer_deadline(
    requested_on: CalendarDate,
    window: u32,
    cal: &BusinessCalendar,
) -> CalendarDate {
    add_business_days(requested_on, i64::from(window), cal)
}

/// A resolution deadline after a suspension from `suspended_on` to `resumed_on`: it moves by
/// the business days the clock was stopped. Returns the new deadline and those days.
pub fn resume(
    deadline: CalendarDate,
    suspended_on: CalendarDate,
    resumed_on: CalendarDate,
    cal: &BusinessCalendar,
) -> (CalendarDate, i64) {
    let stopped = business_days_between(suspended_on, resumed_on, cal).max(0);
    (add_business_days(deadline, stopped, cal), stopped)
}

/// Business days left until `deadline` as of `today` (0 on the day itself, negative once it
/// has passed). While suspended the count stays where it was when the clock stopped.
pub fn days_left(
    deadline: CalendarDate,
    today: CalendarDate,
    suspended_since: Option<CalendarDate>,
    cal: &BusinessCalendar,
) -> i64 {
    let from = suspended_since.map_or(today, |s| s.min(today));
    business_days_between(from, deadline, cal)
}

coded_enum!(
    /// How a deadline stands, as the queues and the case pages show it.
    DeadlineStatus {
        /// `En plazo`.
        EnPlazo => "en_plazo",
        /// `Próximo a vencer`: [`DUE_SOON_DAYS`] business days left or fewer.
        ProximoAVencer => "proximo_a_vencer",
        /// `Vencido`: the day has passed.
        Vencido => "vencido",
        /// `Plazo suspendido`: the clock stopped while the user is asked (art. 22.1.a).
        Suspendido => "suspendido",
    }
);

/// The status of a deadline on `today`.
pub fn status(
    deadline: CalendarDate,
    today: CalendarDate,
    suspended: bool,
    cal: &BusinessCalendar,
) -> DeadlineStatus {
    if suspended {
        DeadlineStatus::Suspendido
    } else if today > deadline {
        DeadlineStatus::Vencido
    } else if business_days_between(today, deadline, cal) <= DUE_SOON_DAYS {
        DeadlineStatus::ProximoAVencer
    } else {
        DeadlineStatus::EnPlazo
    }
}

/// Whether the reminder of the user's deadline is due on `today` (from
/// [`REMINDER_DAYS_BEFORE`] business days before it until the day itself).
pub fn reminder_due(
    answer_deadline: CalendarDate,
    today: CalendarDate,
    cal: &BusinessCalendar,
) -> bool {
    today <= answer_deadline
        && business_days_between(today, answer_deadline, cal) <= REMINDER_DAYS_BEFORE
}

const fn d(year: i32, month: u32, day: u32) -> CalendarDate {
    CalendarDate { year, month, day }
}

/// The national holidays (*fiestas de ámbito nacional*) of 2025–2027, as seeded.
///
/// Sources: the yearly *Resolución de la Dirección General de Trabajo, por la que se publica la
/// relación de fiestas laborales* (BOE, October of the year before) for 2025 and 2026; for 2027 the days fixed by art. 37.2 of the Estatuto de los Trabajadores and Real Decreto
/// 2001/1983 with Viernes Santo from the Easter date (28 March 2027) — check it against the
/// 2027 resolution (published October 2026) and correct it in Administración → Plazos.
/// Holidays that fall on a Sunday are listed on their day: the resolutions leave moving them
/// to the Monday to each autonomous community (regional calendars), so nationally nothing
/// moves. Jueves Santo is regional in every year (not in Cataluña and Valencia) and left to
/// the regional calendars.
pub const NATIONAL_HOLIDAYS: &[(CalendarDate, &str)] = &[
    (d(2025, 1, 1), "Año Nuevo"),
    (d(2025, 1, 6), "Epifanía del Señor"),
    (d(2025, 4, 18), "Viernes Santo"),
    (d(2025, 5, 1), "Fiesta del Trabajo"),
    (d(2025, 8, 15), "Asunción de la Virgen"),
    (d(2025, 10, 12), "Fiesta Nacional de España"),
    (d(2025, 11, 1), "Todos los Santos"),
    (d(2025, 12, 6), "Día de la Constitución Española"),
    (d(2025, 12, 8), "Inmaculada Concepción"),
    (d(2025, 12, 25), "Natividad del Señor"),
    (d(2026, 1, 1), "Año Nuevo"),
    (d(2026, 1, 6), "Epifanía del Señor"),
    (d(2026, 4, 3), "Viernes Santo"),
    (d(2026, 5, 1), "Fiesta del Trabajo"),
    (d(2026, 8, 15), "Asunción de la Virgen"),
    (d(2026, 10, 12), "Fiesta Nacional de España"),
    (d(2026, 11, 1), "Todos los Santos"),
    (d(2026, 12, 6), "Día de la Constitución Española"),
    (d(2026, 12, 8), "Inmaculada Concepción"),
    (d(2026, 12, 25), "Natividad del Señor"),
    (d(2027, 1, 1), "Año Nuevo"),
    (d(2027, 1, 6), "Epifanía del Señor"),
    (d(2027, 3, 26), "Viernes Santo"),
    (d(2027, 5, 1), "Fiesta del Trabajo"),
    (d(2027, 8, 15), "Asunción de la Virgen"),
    (d(2027, 10, 12), "Fiesta Nacional de España"),
    (d(2027, 11, 1), "Todos los Santos"),
    (d(2027, 12, 6), "Día de la Constitución Española"),
    (d(2027, 12, 8), "Inmaculada Concepción"),
    (d(2027, 12, 25), "Natividad del Señor"),
];

/// The regional calendars administrators may fill and assign to an authorisation: one per
/// autonomous community and autonomous city (code, name).
pub const REGIONAL_CALENDARS: &[(&str, &str)] = &[
    ("andalucia", "Andalucía"),
    ("aragon", "Aragón"),
    ("asturias", "Principado de Asturias"),
    ("baleares", "Illes Balears"),
    ("canarias", "Canarias"),
    ("cantabria", "Cantabria"),
    ("castilla_la_mancha", "Castilla-La Mancha"),
    ("castilla_y_leon", "Castilla y León"),
    ("cataluna", "Cataluña"),
    ("valencia", "Comunitat Valenciana"),
    ("extremadura", "Extremadura"),
    ("galicia", "Galicia"),
    ("madrid", "Comunidad de Madrid"),
    ("murcia", "Región de Murcia"),
    ("navarra", "Comunidad Foral de Navarra"),
    ("pais_vasco", "País Vasco"),
    ("la_rioja", "La Rioja"),
    ("ceuta", "Ceuta"),
    ("melilla", "Melilla"),
];

/// The seeded resolution targets in business days per case type (overridable per subject,
/// category or subcategory).
pub fn default_target(case_type: crate::model::CaseType) -> u32 {
    use crate::model::CaseType;
    match case_type {
        CaseType::Consulta => 5,
        CaseType::Incidencia => 3,
        CaseType::Tramite => 20,
    }
}

//! Time as the service shows it: stored in UTC, shown in Spain's time zone like the guide's
//! screens (`DD/MM/YYYY HH:MM:SS`).

use casia_domain::dates::CalendarDate;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Madrid;

/// Now, truncated to microseconds so that SQLite and PostgreSQL hold the same value.
pub fn now() -> DateTime<Utc> {
    let n = Utc::now();
    n.with_nanosecond(n.nanosecond() / 1000 * 1000).unwrap_or(n)
}

pub fn display(at: DateTime<Utc>) -> String {
    at.with_timezone(&Madrid)
        .format("%d/%m/%Y %H:%M:%S")
        .to_string()
}

pub fn display_opt(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(display)
}

pub fn today_in_spain(at: DateTime<Utc>) -> CalendarDate {
    let local = at.with_timezone(&Madrid);
    CalendarDate {
        year: local.year(),
        month: local.month(),
        day: local.day(),
    }
}

/// The instant a calendar day starts in Spain.
pub fn start_of_day_in_spain(date: CalendarDate) -> DateTime<Utc> {
    let naive = NaiveDate::from_ymd_opt(date.year, date.month, date.day)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("CalendarDate is always a valid date");
    // Midnight exists every day in Spain (changes happen at 02:00/03:00).
    Madrid
        .from_local_datetime(&naive)
        .earliest()
        .expect("midnight exists")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_spanish_local_time_across_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0).unwrap();
        assert_eq!(display(winter), "15/01/2026 10:30:00");
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 9, 30, 0).unwrap();
        assert_eq!(display(summer), "15/07/2026 11:30:00");
    }

    #[test]
    fn the_spanish_day_starts_before_utc_midnight() {
        let d = CalendarDate::new(2026, 11, 1).unwrap();
        assert_eq!(
            start_of_day_in_spain(d),
            Utc.with_ymd_and_hms(2026, 10, 31, 23, 0, 0).unwrap()
        );
        let late = Utc.with_ymd_and_hms(2026, 10, 31, 23, 30, 0).unwrap();
        assert_eq!(today_in_spain(late), d);
    }
}

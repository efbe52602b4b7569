//! Calendar dates as the person types them (`YYYY-MM-DD`, the value of `<input type=date>`),
//! and the search rule "Desde and Hasta within one calendar month" (guide §4.2, Opción 2).
//!
//! A tiny date type instead of a date library keeps the browser bundle small; the server
//! converts to its own types at the edge.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl CalendarDate {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(CalendarDate { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (the browser's date input) and `DD/MM/YYYY` (what people type).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let parts: Vec<&str> = text.split(['-', '/']).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let (y, m, d) = if parts[0].len() == 4 {
            (parts[0], parts[1], parts[2])
        } else if parts[2].len() == 4 {
            (parts[2], parts[1], parts[0])
        } else {
            return None;
        };
        CalendarDate::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    pub fn first_of_month(self) -> Self {
        CalendarDate { day: 1, ..self }
    }

    pub fn last_of_month(self) -> Self {
        CalendarDate {
            day: days_in_month(self.year, self.month),
            ..self
        }
    }

    pub fn same_month(self, other: CalendarDate) -> bool {
        self.year == other.year && self.month == other.month
    }

    /// `YYYY-MM-DD`, the value format of `<input type=date>`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `DD/MM/YYYY`, as the guide's screens show dates.
    pub fn display(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// The next day (used to turn an inclusive "Hasta" into an exclusive bound).
    pub fn next_day(self) -> Self {
        if self.day < days_in_month(self.year, self.month) {
            CalendarDate {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            CalendarDate {
                year: self.year,
                month: self.month + 1,
                day: 1,
            }
        } else {
            CalendarDate {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        }
    }

    /// The day before (the dashboard's days counted back from today).
    pub fn previous_day(self) -> Self {
        if self.day > 1 {
            CalendarDate {
                day: self.day - 1,
                ..self
            }
        } else if self.month > 1 {
            CalendarDate {
                year: self.year,
                month: self.month - 1,
                day: days_in_month(self.year, self.month - 1),
            }
        } else {
            CalendarDate {
                year: self.year - 1,
                month: 12,
                day: 31,
            }
        }
    }

    /// The same day of the previous month, clamped to that month's length.
    pub fn previous_month(self) -> Self {
        let (year, month) = if self.month == 1 {
            (self.year - 1, 12)
        } else {
            (self.year, self.month - 1)
        };
        CalendarDate {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }
}

impl std::fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.iso())
    }
}

/// Why a Desde/Hasta pair is not acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeProblem {
    FromMissing,
    FromInvalid,
    ToMissing,
    ToInvalid,
    FromAfterTo,
    DifferentMonths,
}

/// The rule of guide §4.2, Opción 2: both dates given, valid, in order, in one calendar month.
pub fn check_month_range(
    from: &str,
    to: &str,
) -> Result<(CalendarDate, CalendarDate), Vec<RangeProblem>> {
    let mut problems = Vec::new();
    let parse = |text: &str, missing, invalid, problems: &mut Vec<RangeProblem>| {
        if text.trim().is_empty() {
            problems.push(missing);
            None
        } else {
            let parsed = CalendarDate::parse(text);
            if parsed.is_none() {
                problems.push(invalid);
            }
            parsed
        }
    };
    let from = parse(
        from,
        RangeProblem::FromMissing,
        RangeProblem::FromInvalid,
        &mut problems,
    );
    let to = parse(
        to,
        RangeProblem::ToMissing,
        RangeProblem::ToInvalid,
        &mut problems,
    );
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            problems.push(RangeProblem::FromAfterTo);
        } else if !f.same_month(t) {
            problems.push(RangeProblem::DifferentMonths);
        }
        if problems.is_empty() {
            return Ok((f, t));
        }
    }
    Err(problems)
}

/// An optional range (the processors' queue filters): either end may be left empty; what is
/// given must be a date, and `from` not after `to`.
pub fn check_optional_range(
    from: &str,
    to: &str,
) -> Result<(Option<CalendarDate>, Option<CalendarDate>), Vec<RangeProblem>> {
    let mut problems = Vec::new();
    let mut parse = |text: &str, invalid| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = CalendarDate::parse(text);
        if parsed.is_none() {
            problems.push(invalid);
        }
        parsed
    };
    let from = parse(from, RangeProblem::FromInvalid);
    let to = parse(to, RangeProblem::ToInvalid);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        problems.push(RangeProblem::FromAfterTo);
    }
    if problems.is_empty() {
        Ok((from, to))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> CalendarDate {
        CalendarDate::new(y, m, day).unwrap()
    }

    #[test]
    fn month_lengths_including_leap_years() {
        assert_eq!(days_in_month(2026, 1), 31);
        assert_eq!(days_in_month(2026, 2), 28);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2026, 4), 30);
        assert_eq!(days_in_month(2026, 12), 31);
        assert!(CalendarDate::new(2026, 2, 29).is_none());
        assert!(CalendarDate::new(2028, 2, 29).is_some());
        assert!(CalendarDate::new(2026, 4, 31).is_none());
        assert!(CalendarDate::new(2026, 13, 1).is_none());
        assert!(CalendarDate::new(2026, 1, 0).is_none());
    }

    #[test]
    fn parses_iso_and_spanish_formats() {
        assert_eq!(CalendarDate::parse("2026-11-05"), Some(d(2026, 11, 5)));
        assert_eq!(CalendarDate::parse("05/11/2026"), Some(d(2026, 11, 5)));
        assert_eq!(CalendarDate::parse(" 2026-02-29"), None);
        assert_eq!(CalendarDate::parse("2026-1-5"), Some(d(2026, 1, 5)));
        assert_eq!(CalendarDate::parse("2026-11"), None);
        assert_eq!(CalendarDate::parse("yesterday"), None);
        assert_eq!(CalendarDate::parse("26-11-05"), None);
        assert_eq!(CalendarDate::parse("2026-+1-05"), None);
    }

    #[test]
    fn whole_months_of_every_length_are_accepted() {
        for (y, m, last) in [
            (2026, 1, 31),
            (2026, 2, 28),
            (2024, 2, 29),
            (2026, 4, 30),
            (2026, 12, 31),
        ] {
            let from = d(y, m, 1);
            let to = d(y, m, last);
            assert_eq!(from.last_of_month(), to);
            assert_eq!(check_month_range(&from.iso(), &to.iso()), Ok((from, to)));
        }
    }

    #[test]
    fn ranges_across_months_or_years_are_refused() {
        assert_eq!(
            check_month_range("2026-01-31", "2026-02-01"),
            Err(vec![RangeProblem::DifferentMonths])
        );
        assert_eq!(
            check_month_range("2025-12-31", "2026-01-01"),
            Err(vec![RangeProblem::DifferentMonths])
        );
        assert_eq!(
            check_month_range("2025-11-10", "2026-11-10"),
            Err(vec![RangeProblem::DifferentMonths])
        );
        assert_eq!(
            check_month_range("2024-02-29", "2024-03-01"),
            Err(vec![RangeProblem::DifferentMonths])
        );
    }

    #[test]
    fn missing_invalid_and_reversed_dates_are_named() {
        assert_eq!(
            check_month_range("", " "),
            Err(vec![RangeProblem::FromMissing, RangeProblem::ToMissing])
        );
        assert_eq!(
            check_month_range("2026-02-30", "2026-02-10"),
            Err(vec![RangeProblem::FromInvalid])
        );
        assert_eq!(
            check_month_range("2026-02-10", "2026-02-03"),
            Err(vec![RangeProblem::FromAfterTo])
        );
        assert_eq!(
            check_month_range("2026-02-10", "2026-02-10"),
            Ok((d(2026, 2, 10), d(2026, 2, 10)))
        );
    }

    #[test]
    fn day_arithmetic_crosses_month_and_year_ends() {
        assert_eq!(d(2026, 1, 31).next_day(), d(2026, 2, 1));
        assert_eq!(d(2024, 2, 28).next_day(), d(2024, 2, 29));
        assert_eq!(d(2024, 2, 29).next_day(), d(2024, 3, 1));
        assert_eq!(d(2026, 12, 31).next_day(), d(2027, 1, 1));
        assert_eq!(d(2026, 3, 1).previous_day(), d(2026, 2, 28));
        assert_eq!(d(2024, 3, 1).previous_day(), d(2024, 2, 29));
        assert_eq!(d(2026, 1, 1).previous_day(), d(2025, 12, 31));
        assert_eq!(d(2026, 5, 17).previous_day(), d(2026, 5, 16));
        assert_eq!(d(2026, 3, 31).previous_month(), d(2026, 2, 28));
        assert_eq!(d(2026, 1, 15).previous_month(), d(2025, 12, 15));
        assert_eq!(d(2026, 11, 5).display(), "05/11/2026");
    }
}

use super::*;

fn d(y: i32, m: u32, day: u32) -> CalendarDate {
    CalendarDate::new(y, m, day).unwrap()
}

fn weekends_only() -> BusinessCalendar {
    BusinessCalendar::default()
}

#[test]
fn day_numbers_and_weekdays_match_the_calendar() {
    assert_eq!(day_number(d(1970, 1, 1)), 0);
    assert_eq!(from_day_number(0), d(1970, 1, 1));
    let mut day = d(2024, 1, 1);
    for n in day_number(day)..day_number(d(2028, 12, 31)) {
        assert_eq!(from_day_number(n), day);
        day = day.next_day();
    }
    assert_eq!(weekday(d(2026, 12, 1)), 2); // a Tuesday
    assert_eq!(weekday(d(2026, 10, 12)), 1); // Monday
    assert_eq!(weekday(d(2025, 10, 12)), 7); // Sunday
    assert_eq!(weekday(d(2027, 3, 26)), 5); // Viernes Santo is a Friday
    assert_eq!(weekday(d(2026, 4, 3)), 5);
    assert_eq!(weekday(d(2025, 4, 18)), 5);
}

#[test]
fn weekends_are_not_counted() {
    let cal = weekends_only();
    // Friday + 1 business day = Monday.
    assert_eq!(add_business_days(d(2026, 11, 27), 1, &cal), d(2026, 11, 30));
    // Saturday + 1 = Monday; Sunday + 1 = Monday.
    assert_eq!(add_business_days(d(2026, 11, 28), 1, &cal), d(2026, 11, 30));
    assert_eq!(add_business_days(d(2026, 11, 29), 1, &cal), d(2026, 11, 30));
    assert_eq!(add_business_days(d(2026, 11, 23), 5, &cal), d(2026, 11, 30));
    assert_eq!(add_business_days(d(2026, 11, 23), 0, &cal), d(2026, 11, 23));
    assert_eq!(
        business_days_between(d(2026, 11, 27), d(2026, 11, 30), &cal),
        1
    );
    assert_eq!(
        business_days_between(d(2026, 11, 28), d(2026, 11, 29), &cal),
        0
    );
    assert_eq!(
        business_days_between(d(2026, 11, 30), d(2026, 11, 27), &cal),
        -1
    );
    assert_eq!(
        add_business_days(d(2026, 11, 30), -1, &cal),
        d(2026, 11, 27)
    );
}

#[test]
fn national_holidays_are_not_counted() {
    let cal = BusinessCalendar::national();
    // Fri 4 Dec 2026 + 1: Sat 5, Sun 6 (Constitución), Mon 7 counts: Mon 7.
    assert_eq!(add_business_days(d(2026, 12, 4), 1, &cal), d(2026, 12, 7));
    // Mon 7 + 1: Tue 8 is Inmaculada: Wed 9.
    assert_eq!(add_business_days(d(2026, 12, 7), 1, &cal), d(2026, 12, 9));
    // Holy week 2026: Thu 2 April + 1 skips Viernes Santo and the weekend.
    assert_eq!(add_business_days(d(2026, 4, 2), 1, &cal), d(2026, 4, 6));
    assert_eq!(add_business_days(d(2027, 3, 25), 1, &cal), d(2027, 3, 29));
    assert_eq!(add_business_days(d(2025, 4, 17), 1, &cal), d(2025, 4, 21));
    // Fiesta Nacional 2026 is a Monday.
    assert_eq!(add_business_days(d(2026, 10, 9), 1, &cal), d(2026, 10, 13));
    assert_eq!(
        business_days_between(d(2026, 12, 4), d(2026, 12, 11), &cal),
        4
    );
    assert!(!cal.is_business_day(d(2026, 1, 6)));
    assert!(cal.is_business_day(d(2026, 1, 7)));
}

#[test]
fn every_seeded_year_has_the_ten_national_holidays() {
    for year in 2025..=2027 {
        let n = NATIONAL_HOLIDAYS
            .iter()
            .filter(|(day, _)| day.year == year)
            .count();
        assert_eq!(n, 10, "{year}");
    }
    assert!(
        NATIONAL_HOLIDAYS
            .iter()
            .all(|(day, _)| CalendarDate::new(day.year, day.month, day.day).is_some())
    );
}

#[test]
fn regional_holidays_add_to_the_national_ones() {
    // Comunidad de Madrid 2026: 2 May falls on a Saturday; say a region has Monday 4 May
    // and Thursday 2 April (Jueves Santo).
    let national = BusinessCalendar::national();
    let regional = BusinessCalendar::national().with([d(2026, 4, 2), d(2026, 5, 4)]);
    assert_eq!(
        add_business_days(d(2026, 4, 1), 1, &national),
        d(2026, 4, 2)
    );
    assert_eq!(
        add_business_days(d(2026, 4, 1), 1, &regional),
        d(2026, 4, 6)
    );
    // Thu 30 April + 1: Fri 1 May national, weekend, Mon 4 regional.
    assert_eq!(
        add_business_days(d(2026, 4, 30), 1, &national),
        d(2026, 5, 4)
    );
    assert_eq!(
        add_business_days(d(2026, 4, 30), 1, &regional),
        d(2026, 5, 5)
    );
}

#[test]
fn counting_crosses_the_year_end() {
    let cal = BusinessCalendar::national();
    // Wed 23 Dec 2026 + 3: Thu 24, (Fri 25 holiday), (weekend), Mon 28, Tue 29.
    assert_eq!(add_business_days(d(2026, 12, 23), 3, &cal), d(2026, 12, 29));
    // Wed 30 Dec 2026 + 3: Thu 31, (Fri 1 Jan), (weekend), Mon 4, Tue 5 (Wed 6 Reyes).
    assert_eq!(add_business_days(d(2026, 12, 30), 3, &cal), d(2027, 1, 5));
    assert_eq!(add_business_days(d(2026, 12, 30), 4, &cal), d(2027, 1, 7));
    assert_eq!(
        business_days_between(d(2026, 12, 30), d(2027, 1, 7), &cal),
        4
    );
}

#[test]
fn a_holiday_on_a_weekend_changes_nothing() {
    // 1 Nov 2026 and 6 Dec 2026 are Sundays; 15 Aug 2026 a Saturday.
    let national = BusinessCalendar::national();
    let none = weekends_only();
    for (from, n) in [
        (d(2026, 10, 30), 1),
        (d(2026, 8, 14), 1),
        (d(2026, 10, 26), 10),
    ] {
        assert_eq!(
            add_business_days(from, n, &national),
            add_business_days(from, n, &none)
        );
    }
}

#[test]
fn suspension_spanning_holidays_moves_the_deadline_by_the_business_days_stopped() {
    let cal = BusinessCalendar::national();
    // Deadline Mon 14 Dec 2026; suspended Fri 4 Dec, resumed Fri 11 Dec:
    // Mon 7, Wed 9, Thu 10, Fri 11 = 4 business days (Sun 6 and Tue 8 are holidays).
    let (deadline, stopped) = resume(d(2026, 12, 14), d(2026, 12, 4), d(2026, 12, 11), &cal);
    assert_eq!(stopped, 4);
    assert_eq!(deadline, d(2026, 12, 18));
    // Resumed the same day: nothing moves.
    assert_eq!(
        resume(d(2026, 12, 14), d(2026, 12, 4), d(2026, 12, 4), &cal),
        (d(2026, 12, 14), 0)
    );
    // Over Christmas into 2027.
    let (deadline, stopped) = resume(d(2026, 12, 28), d(2026, 12, 23), d(2027, 1, 8), &cal);
    // 24, 28, 29, 30, 31 Dec, 4, 5, 7, 8 Jan (25 Dec, 1 and 6 Jan are holidays).
    assert_eq!(stopped, 9);
    assert_eq!(
        business_days_between(d(2026, 12, 23), d(2027, 1, 8), &cal),
        stopped
    );
    assert_eq!(deadline, d(2027, 1, 12));
}

#[test]
fn the_answer_window_is_ten_business_days() {
    let cal = BusinessCalendar::national();
    // Requested Tue 1 Dec 2026: 2,3,4,7,9,10,11,14,15,16 → Wed 16 Dec.
    assert_eq!(
        answer_deadline(d(2026, 12, 1), ANSWER_WINDOW_DAYS, &cal),
        d(2026, 12, 16)
    );
    // Requested on a Saturday: counted from Monday.
    assert_eq!(answer_deadline(d(2026, 11, 28), 10, &cal), d(2026, 12, 14));
    // Over Holy Week 2027 (Viernes Santo 26 March).
    assert_eq!(answer_deadline(d(2027, 3, 22), 10, &cal), d(2027, 4, 6));
    assert_eq!(answer_deadline(d(2026, 12, 1), 5, &cal), d(2026, 12, 9));
}

#[test]
fn status_follows_the_business_days_left() {
    let cal = BusinessCalendar::national();
    let deadline = d(2026, 12, 9); // Wednesday
    assert_eq!(
        status(deadline, d(2026, 12, 1), false, &cal),
        DeadlineStatus::EnPlazo
    );
    // Fri 4 Dec: Mon 7 and Wed 9 left (Tue 8 holiday) = 2 → due soon.
    assert_eq!(
        status(deadline, d(2026, 12, 4), false, &cal),
        DeadlineStatus::ProximoAVencer
    );
    assert_eq!(
        status(deadline, d(2026, 12, 3), false, &cal),
        DeadlineStatus::EnPlazo
    );
    assert_eq!(
        status(deadline, deadline, false, &cal),
        DeadlineStatus::ProximoAVencer
    );
    assert_eq!(
        status(deadline, d(2026, 12, 10), false, &cal),
        DeadlineStatus::Vencido
    );
    assert_eq!(
        status(deadline, d(2026, 12, 10), true, &cal),
        DeadlineStatus::Suspendido
    );
    assert_eq!(days_left(deadline, d(2026, 12, 1), None, &cal), 5);
    assert_eq!(days_left(deadline, d(2026, 12, 10), None, &cal), -1);
    // Suspended since 1 Dec: the count stays at 5 however late it is.
    assert_eq!(
        days_left(deadline, d(2026, 12, 21), Some(d(2026, 12, 1)), &cal),
        5
    );
}

#[test]
fn the_reminder_is_due_two_business_days_before_the_users_deadline() {
    let cal = BusinessCalendar::national();
    let deadline = d(2026, 12, 16); // Wednesday
    assert!(!reminder_due(deadline, d(2026, 12, 11), &cal));
    assert!(reminder_due(deadline, d(2026, 12, 14), &cal));
    assert!(reminder_due(deadline, d(2026, 12, 16), &cal));
    assert!(!reminder_due(deadline, d(2026, 12, 17), &cal));
    // The weekend before counts as before Monday: Sat 12 has Mon 14, Tue 15, Wed 16 left.
    assert!(!reminder_due(deadline, d(2026, 12, 12), &cal));
}

#[test]
fn status_codes_round_trip() {
    for s in DeadlineStatus::ALL {
        assert_eq!(DeadlineStatus::from_code(s.code()), Some(*s));
    }
}

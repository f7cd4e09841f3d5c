//! The scheduler's calendar (`copylab_rules::schedule`) against an independent reference: generated cron expressions, each field kept as data, checked minute by minute over a few days in a generated time zone (windows across daylight-saving changes included).
//!
//! The reference reads the generated fields, never the expression text, and decides each UTC
//! minute of the window on its own: the local time matches every field, and no earlier instant
//! had the same local time (a repeated local time runs once, at its first occurrence; a skipped
//! one never appears). Every run prints its seed (`proptest seed=N`); rerun with
//! `PROPTEST_RNG_SEED=N`. Shrunk failures are saved to `tests/it/schedule.proptest-regressions`.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;
use copylab_rules::schedule::Schedule;
use proptest::prelude::*;
use proptest::test_runner::Config;

fn config() -> Config {
    crate::proptest_config(96, "tests/it/schedule.proptest-regressions")
}

/// One item of a list.
#[derive(Debug, Clone)]
enum Item {
    Any,
    Value(u32),
    Range(u32, u32),
    /// `a/s` (`None`: `*/s`).
    Step(Option<u32>, u32),
    RangeStep(u32, u32, u32),
}

impl Item {
    fn contains(&self, value: u32, low: u32, high: u32) -> bool {
        match *self {
            Item::Any => true,
            Item::Value(v) => value == v,
            Item::Range(a, b) => (a..=b).contains(&value),
            // `*/s` steps from the field's first value, `a/s` from `a` to the field's end.
            Item::Step(None, s) => (value - low).is_multiple_of(s),
            Item::Step(Some(a), s) => value >= a && value <= high && (value - a).is_multiple_of(s),
            Item::RangeStep(a, b, s) => (a..=b).contains(&value) && (value - a).is_multiple_of(s),
        }
    }
}

/// A plain field: its items, and how to write a value (a name or a number).
#[derive(Debug, Clone)]
struct List {
    items: Vec<Item>,
    low: u32,
    high: u32,
    names: &'static [&'static str],
    /// Per item, write values by name (where the field has names).
    by_name: Vec<bool>,
}

impl List {
    /// Whether the field matches `value`: never outside the field's range (AWS's years are
    /// 1970 to 2199, so `*` matches no day of 2200), else by any of its items.
    fn contains(&self, value: u32) -> bool {
        (self.low..=self.high).contains(&value)
            && self.items.iter().any(|item| item.contains(value, self.low, self.high))
    }

    fn write(&self) -> String {
        let items: Vec<String> = self
            .items
            .iter()
            .zip(&self.by_name)
            .map(|(item, by_name)| {
                let v = |n: u32| {
                    if *by_name && !self.names.is_empty() {
                        let name = self.names[(n - self.low) as usize];
                        if n.is_multiple_of(2) {
                            name.to_ascii_lowercase()
                        } else {
                            name.to_owned()
                        }
                    } else {
                        n.to_string()
                    }
                };
                match *item {
                    Item::Any => "*".to_owned(),
                    Item::Value(a) => v(a),
                    Item::Range(a, b) => format!("{}-{}", v(a), v(b)),
                    Item::Step(None, s) => format!("*/{s}"),
                    Item::Step(Some(a), s) => format!("{}/{s}", v(a)),
                    Item::RangeStep(a, b, s) => format!("{}-{}/{s}", v(a), v(b)),
                }
            })
            .collect();
        items.join(",")
    }
}

fn list(
    low: u32,
    high: u32,
    names: &'static [&'static str],
    steps: bool,
    focus: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = List> {
    let value = prop_oneof![3 => focus.clone(), 1 => low..=high];
    let pair = (value.clone(), value.clone()).prop_map(|(a, b)| (a.min(b), a.max(b)));
    let step = 1..=(high - low + 1);
    let item = if steps {
        prop_oneof![
            1 => Just(Item::Any),
            4 => value.clone().prop_map(Item::Value),
            2 => pair.clone().prop_map(|(a, b)| Item::Range(a, b)),
            1 => step.clone().prop_map(|s| Item::Step(None, s)),
            1 => (value.clone(), step.clone()).prop_map(|(a, s)| Item::Step(Some(a), s)),
            1 => (pair, step).prop_map(|((a, b), s)| Item::RangeStep(a, b, s)),
        ]
        .boxed()
    } else {
        prop_oneof![
            1 => Just(Item::Any),
            4 => value.prop_map(Item::Value),
            2 => pair.prop_map(|(a, b)| Item::Range(a, b)),
        ]
        .boxed()
    };
    (prop::collection::vec((item, any::<bool>()), 1..4)).prop_map(move |items| {
        let (items, by_name) = items.into_iter().unzip();
        List {
            items,
            low,
            high,
            names,
            by_name,
        }
    })
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

#[derive(Debug, Clone)]
enum DayOfMonth {
    Unspecified,
    Days(List),
    Last,
    LastWeekday,
    NearestWeekday(u32),
}

#[derive(Debug, Clone)]
enum DayOfWeek {
    Unspecified,
    Days(List),
    /// `L` alone: Saturday.
    L,
    Last(u32),
    Nth(u32, u32),
}

#[derive(Debug, Clone)]
struct Cron {
    minutes: List,
    hours: List,
    day_of_month: DayOfMonth,
    months: List,
    day_of_week: DayOfWeek,
    years: List,
}

impl Cron {
    fn write(&self) -> String {
        let dom = match &self.day_of_month {
            DayOfMonth::Unspecified => "?".to_owned(),
            DayOfMonth::Days(list) => list.write(),
            DayOfMonth::Last => "L".to_owned(),
            DayOfMonth::LastWeekday => "LW".to_owned(),
            DayOfMonth::NearestWeekday(n) => format!("{n}W"),
        };
        let dow = match &self.day_of_week {
            DayOfWeek::Unspecified => "?".to_owned(),
            DayOfWeek::Days(list) => list.write(),
            DayOfWeek::L => "L".to_owned(),
            DayOfWeek::Last(n) => format!("{n}L"),
            DayOfWeek::Nth(n, k) => format!("{}#{k}", WEEKDAYS[(*n - 1) as usize]),
        };
        format!(
            "cron({} {} {dom} {} {dow} {})",
            self.minutes.write(),
            self.hours.write(),
            self.months.write(),
            self.years.write()
        )
    }

    /// The reference: does this local time match every field?
    fn matches(&self, local: NaiveDateTime) -> bool {
        let date = local.date();
        let weekday = date.weekday().num_days_from_sunday() + 1;
        let month_of = |d: NaiveDate| d.month();
        let in_month = |day: u32| NaiveDate::from_ymd_opt(date.year(), date.month(), day);
        let is_weekday = |d: NaiveDate| (2..=6).contains(&(d.weekday().num_days_from_sunday() + 1));
        let tomorrow = date.succ_opt().unwrap();
        let by_month_day = match &self.day_of_month {
            DayOfMonth::Unspecified => true,
            DayOfMonth::Days(list) => list.contains(date.day()),
            DayOfMonth::Last => month_of(tomorrow) != date.month(),
            DayOfMonth::LastWeekday => {
                is_weekday(date) && (date.day() + 1..=31).filter_map(in_month).all(|d| !is_weekday(d))
            }
            DayOfMonth::NearestWeekday(n) => {
                // The month's weekday at the smallest distance from day n (when day n exists).
                in_month(*n).is_some()
                    && (1..=31)
                        .filter_map(in_month)
                        .filter(|d| is_weekday(*d))
                        .min_by_key(|d| d.day().abs_diff(*n))
                        .is_some_and(|d| d == date)
            }
        };
        let by_week_day = match &self.day_of_week {
            DayOfWeek::Unspecified => true,
            DayOfWeek::Days(list) => list.contains(weekday),
            DayOfWeek::L => weekday == 7,
            DayOfWeek::Last(n) => weekday == *n && month_of(date + chrono::Days::new(7)) != date.month(),
            DayOfWeek::Nth(n, k) => {
                weekday == *n
                    && (1..=date.day())
                        .filter_map(in_month)
                        .filter(|d| d.weekday() == date.weekday())
                        .count() as u32
                        == *k
            }
        };
        self.minutes.contains(local.minute())
            && self.hours.contains(local.hour())
            && self.months.contains(date.month())
            && self.years.contains(date.year() as u32)
            && by_month_day
            && by_week_day
    }
}

fn cron() -> impl Strategy<Value = Cron> {
    let dom = prop_oneof![
        4 => list(1, 31, &[], true, 25..=31).prop_map(DayOfMonth::Days),
        1 => Just(DayOfMonth::Last),
        1 => Just(DayOfMonth::LastWeekday),
        2 => prop_oneof![1..=31u32, 28..=31u32, 1..=2u32].prop_map(DayOfMonth::NearestWeekday),
    ];
    let dow = prop_oneof![
        4 => list(1, 7, WEEKDAYS, false, 1..=7).prop_map(DayOfWeek::Days),
        1 => Just(DayOfWeek::L),
        2 => (1..=7u32).prop_map(DayOfWeek::Last),
        2 => (1..=7u32, 1..=5u32).prop_map(|(n, k)| DayOfWeek::Nth(n, k)),
    ];
    let days = prop_oneof![
        dom.prop_map(|d| (d, DayOfWeek::Unspecified)),
        dow.prop_map(|d| (DayOfMonth::Unspecified, d)),
    ];
    (
        list(0, 59, &[], true, 0..=59),
        // Hours around the daylight-saving changes, often.
        list(0, 23, &[], true, 0..=3),
        days,
        list(1, 12, MONTHS, true, 1..=12),
        list(1970, 2199, &[], true, 2024..=2031),
    )
        .prop_map(|(minutes, hours, (day_of_month, day_of_week), months, years)| Cron {
            minutes,
            hours,
            day_of_month,
            months,
            day_of_week,
            years,
        })
}

const ZONES: &[Option<&str>] = &[
    None,
    Some("America/Los_Angeles"),
    Some("Europe/London"),
    Some("Asia/Kolkata"),
    // A 30-minute daylight-saving change.
    Some("Australia/Lord_Howe"),
    Some("Pacific/Chatham"),
];

/// A time zone and a window's start: any zone near a month's end, or a zone at one of its
/// daylight-saving changes.
fn zone_and_window_start() -> impl Strategy<Value = (Option<&'static str>, NaiveDateTime)> {
    let near_month_end = (2024..=2031i32, 1..=12u32, 24..=31u32, 0..24u32)
        .prop_filter_map("a real date", |(year, month, day, hour)| {
            NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, 0, 0)
        });
    let changes = [
        ("America/Los_Angeles", 2026, 3, 7),
        ("America/Los_Angeles", 2026, 10, 31),
        ("Europe/London", 2026, 3, 28),
        ("Europe/London", 2026, 10, 24),
        ("Australia/Lord_Howe", 2026, 4, 4),
        ("Australia/Lord_Howe", 2026, 10, 3),
        ("Pacific/Chatham", 2026, 4, 4),
        ("Pacific/Chatham", 2026, 9, 26),
    ];
    let at_change = prop::sample::select(changes.to_vec()).prop_map(|(zone, y, m, d)| {
        (
            Some(zone),
            NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap(),
        )
    });
    prop_oneof![(prop::sample::select(ZONES.to_vec()), near_month_end), at_change]
}

/// Every start in `(after, until]` by the reference, minute by minute.
fn reference(cron: &Cron, zone: Tz, after: i64, until: i64) -> Vec<i64> {
    let mut seen = HashSet::new();
    let mut starts = Vec::new();
    // From a day before: a local time that first occurred before the window has run already.
    let mut t = (after - 86_400).div_euclid(60) * 60;
    while t <= until {
        let local = zone.timestamp_opt(t, 0).unwrap().naive_local();
        let first = seen.insert(local);
        if first && t > after && cron.matches(local) {
            starts.push(t);
        }
        t += 60;
    }
    starts
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn occurrences_are_the_minutes_a_minute_by_minute_reference_matches(
        cron in cron(),
        (zone, start) in zone_and_window_start(),
        offset in 0..120i64,
        days in 1..=4i64,
        limit in prop_oneof![1 => 0..5usize, 3 => Just(usize::MAX)],
    ) {
        let expression = cron.write();
        let schedule = Schedule::parse(&expression, zone)
            .map_err(|e| TestCaseError::fail(format!("{expression} refused: {e}")))?;
        let tz: Tz = zone.map_or(Tz::UTC, |z| z.parse().unwrap());
        // The window's ends are any seconds, not only whole minutes.
        let after = start.and_utc().timestamp() + offset * 37;
        let until = after + days * 86_400 - offset;
        let mut expected = reference(&cron, tz, after, until);
        expected.truncate(limit);
        let got = schedule.occurrences(after, until, limit);
        prop_assert_eq!(got, expected, "{} in {:?}", expression, zone);
    }
}

/// The day fields alone (`L`, `W`, `LW`, `nL`, `n#k`, lists, ranges, steps), day by day over
/// more than a year: the reference's matcher at each UTC midnight.
fn day_fields() -> impl Strategy<Value = Cron> {
    cron().prop_map(|mut cron| {
        let one = |low, high, value| List {
            items: vec![Item::Value(value)],
            low,
            high,
            names: &[],
            by_name: vec![false],
        };
        let any = |low, high, names| List {
            items: vec![Item::Any],
            low,
            high,
            names,
            by_name: vec![false],
        };
        cron.minutes = one(0, 59, 0);
        cron.hours = one(0, 23, 0);
        cron.months = any(1, 12, MONTHS);
        cron.years = any(1970, 2199, &[]);
        cron
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn run_days_are_the_days_the_reference_matches_over_a_year(
        cron in day_fields(),
        year in 1970..=2198i32,
        month in 1..=12u32,
    ) {
        let expression = cron.write();
        let schedule = Schedule::parse(&expression, None)
            .map_err(|e| TestCaseError::fail(format!("{expression} refused: {e}")))?;
        let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
        let expected: Vec<i64> = first
            .iter_days()
            .take(400)
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap())
            .filter(|t| cron.matches(*t))
            .map(|t| t.and_utc().timestamp())
            .collect();
        let after = first.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() - 1;
        let got = schedule.occurrences(after, after + 400 * 86_400, usize::MAX);
        prop_assert_eq!(got, expected, "{}", expression);
    }
}

#[test]
fn the_reference_itself_runs_a_repeated_local_time_once_and_a_skipped_one_never() {
    // cron(30 1 ? * * *) and cron(30 2 ? * * *) in Los Angeles around both 2026 changes.
    let every_day = |minute: u32, hour: u32| Cron {
        minutes: List {
            items: vec![Item::Value(minute)],
            low: 0,
            high: 59,
            names: &[],
            by_name: vec![false],
        },
        hours: List {
            items: vec![Item::Value(hour)],
            low: 0,
            high: 23,
            names: &[],
            by_name: vec![false],
        },
        day_of_month: DayOfMonth::Unspecified,
        months: List {
            items: vec![Item::Any],
            low: 1,
            high: 12,
            names: MONTHS,
            by_name: vec![false],
        },
        day_of_week: DayOfWeek::Days(List {
            items: vec![Item::Any],
            low: 1,
            high: 7,
            names: WEEKDAYS,
            by_name: vec![false],
        }),
        years: List {
            items: vec![Item::Any],
            low: 1970,
            high: 2199,
            names: &[],
            by_name: vec![false],
        },
    };
    let la: Tz = "America/Los_Angeles".parse().unwrap();
    let at = |y, m, d| {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    };
    let skipped = reference(&every_day(30, 2), la, at(2026, 3, 7), at(2026, 3, 10));
    assert_eq!(skipped.len(), 2, "02:30 does not exist on 2026-03-08");
    let repeated = reference(&every_day(30, 1), la, at(2026, 10, 31), at(2026, 11, 3));
    assert_eq!(repeated.len(), 3, "01:30 happens twice on 2026-11-01 and runs once");
    assert_eq!(every_day(30, 1).write(), "cron(30 1 ? * * *)");
}

//! AWS Backup's schedules: a `ScheduleExpression` in EventBridge's cron dialect with its `ScheduleExpressionTimezone`, parsed once, and the start times it names in a window of the virtual clock.
//!
//! The dialect (facts §1.3, EventBridge's cron page): `cron(Minutes Hours Day-of-month Month
//! Day-of-week Year)`, six fields separated by white space:
//!
//! | field | values | wildcards |
//! |---|---|---|
//! | Minutes | 0-59 | `, - * /` |
//! | Hours | 0-23 | `, - * /` |
//! | Day-of-month | 1-31 | `, - * ? / L W` |
//! | Month | 1-12 or JAN-DEC | `, - * /` |
//! | Day-of-week | 1-7 or SUN-SAT (1 = SUN) | `, - * ? L #` |
//! | Year | 1970-2199 | `, - * /` |
//!
//! AWS documents "You can't use * in both the Day-of-month and Day-of-week fields. If you use it
//! in one, you must use ? in the other."; copylab asks for `?` in exactly one of the two day
//! fields (as Quartz, whose dialect EventBridge's is, and as the public EventBridge guides say;
//! AWS's own sentence names only `*`).
//!
//! The wildcards, as EventBridge documents them: `L` in Day-of-month is the month's last day, in
//! Day-of-week alone the week's last day (Saturday); `nL` in Day-of-week is the month's last
//! weekday `n` (`6L`: the last Friday); `nW` is the weekday (Monday to Friday) nearest day `n`
//! of the month, never crossing into another month, and `LW` the month's last weekday; `n#k` is
//! the `k`-th weekday `n` of the month (`3#2`: the second Tuesday); `a/s` starts at `a` and steps
//! by `s` (`0/15`).
//!
//! What this does not accept, on purpose: `L`, `W`, `LW`, `nL` and `n#k` inside a list or a
//! range (Quartz refuses them there too); Quartz's `L-n` offsets; ranges that wrap around
//! (`FRI-MON`, `22-2`); steps in Day-of-week (AWS lists no `/` there); `rate(...)` (AWS Backup
//! takes only `cron(...)`, facts §1.3); the five-field Unix form. A plan's "at most once an
//! hour" rule is the plan's, not the parser's: `cron(0/15 * ? * * *)` parses.
//!
//! Time zones are IANA names from `chrono-tz`'s copy of the tz database. Daylight saving time
//! (AWS Backup documents no answer; copylab's choice): a local time that does not exist (the hour
//! skipped when clocks go forward) does not run that day; a local time that occurs twice (the
//! hour repeated when clocks go back) runs once, at its first occurrence.
//!
//! Pure: no clock; the window is an input.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// A parsed `ScheduleExpression` (`cron(...)`) with its `ScheduleExpressionTimezone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minutes: Values,
    hours: Values,
    day_of_month: DayOfMonth,
    months: Values,
    day_of_week: DayOfWeek,
    years: Values,
    timezone: Tz,
}

/// The values a plain field names, as one flag per value from `low`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Values {
    low: u32,
    on: Vec<bool>,
}

impl Values {
    fn contains(&self, value: u32) -> bool {
        value
            .checked_sub(self.low)
            .and_then(|i| self.on.get(i as usize))
            .copied()
            .unwrap_or(false)
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.on
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .map(|(i, _)| self.low + i as u32)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfMonth {
    /// `?`.
    Unspecified,
    Days(Values),
    /// `L`.
    Last,
    /// `LW`.
    LastWeekday,
    /// `nW`.
    NearestWeekday(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfWeek {
    /// `?`.
    Unspecified,
    /// 1 = Sunday .. 7 = Saturday.
    Days(Values),
    /// `nL`: the month's last weekday `n`.
    Last(u32),
    /// `n#k`: the month's `k`-th weekday `n`.
    Nth(u32, u32),
}

/// One plain field's grammar.
struct Field {
    name: &'static str,
    low: u32,
    high: u32,
    names: &'static [&'static str],
    steps: bool,
}

const MINUTES: Field = Field {
    name: "minutes",
    low: 0,
    high: 59,
    names: &[],
    steps: true,
};
const HOURS: Field = Field {
    name: "hours",
    low: 0,
    high: 23,
    names: &[],
    steps: true,
};
const DAY_OF_MONTH: Field = Field {
    name: "day-of-month",
    low: 1,
    high: 31,
    names: &[],
    steps: true,
};
const MONTH: Field = Field {
    name: "month",
    low: 1,
    high: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    steps: true,
};
const DAY_OF_WEEK: Field = Field {
    name: "day-of-week",
    low: 1,
    high: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    steps: false,
};
const YEAR: Field = Field {
    name: "year",
    low: 1970,
    high: 2199,
    names: &[],
    steps: true,
};

impl Field {
    fn error(&self, field: &str, reason: impl std::fmt::Display) -> String {
        format!("the {} field `{field}` {reason}", self.name)
    }

    fn range_text(&self) -> String {
        match (self.names.first(), self.names.last()) {
            (Some(first), Some(last)) => format!("{}-{} or {first}-{last}", self.low, self.high),
            _ => format!("{}-{}", self.low, self.high),
        }
    }

    /// One value: a number in range, or a name (case-insensitive).
    fn value(&self, field: &str, token: &str) -> Result<u32, String> {
        let by_name = self
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(token))
            .map(|i| self.low + i as u32);
        let value = by_name.or_else(|| {
            (!token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()))
                .then(|| token.parse::<u32>().ok())
                .flatten()
        });
        match value {
            Some(v) if (self.low..=self.high).contains(&v) => Ok(v),
            _ => Err(self.error(field, format_args!("has `{token}`, which is not {}", self.range_text()))),
        }
    }

    /// A list of `*`, values, ranges and steps.
    fn values(&self, field: &str) -> Result<Values, String> {
        let mut on = vec![false; (self.high - self.low + 1) as usize];
        for item in field.split(',') {
            let (range, step) = match item.split_once('/') {
                Some(_) if !self.steps => {
                    return Err(self.error(field, "has a step `/`, which this field does not take"));
                }
                Some((range, step)) => {
                    let step = step
                        .parse::<u32>()
                        .ok()
                        .filter(|s| *s > 0 && (!step.is_empty() && step.bytes().all(|b| b.is_ascii_digit())))
                        .ok_or_else(|| {
                            self.error(
                                field,
                                format_args!("has the step `{step}`, which is not a whole number from 1"),
                            )
                        })?;
                    (range, Some(step))
                }
                None => (item, None),
            };
            let (low, high) = match range.split_once('-') {
                _ if range == "*" => (self.low, self.high),
                Some((a, b)) => {
                    let (a, b) = (self.value(field, a)?, self.value(field, b)?);
                    if a > b {
                        return Err(self.error(field, format_args!("has the range `{range}`, which runs backwards")));
                    }
                    (a, b)
                }
                // `a/s` runs from `a` to the field's end.
                None if step.is_some() => (self.value(field, range)?, self.high),
                None => {
                    let value = self.value(field, range)?;
                    (value, value)
                }
            };
            for value in (low..=high).step_by(step.unwrap_or(1) as usize) {
                on[(value - self.low) as usize] = true;
            }
        }
        Ok(Values { low: self.low, on })
    }
}

fn day_of_month(field: &str) -> Result<DayOfMonth, String> {
    let upper = field.to_ascii_uppercase();
    match upper.as_str() {
        "?" => return Ok(DayOfMonth::Unspecified),
        "L" => return Ok(DayOfMonth::Last),
        "LW" => return Ok(DayOfMonth::LastWeekday),
        _ => {}
    }
    if let Some(day) = upper.strip_suffix('W') {
        return DAY_OF_MONTH.value(field, day).map(DayOfMonth::NearestWeekday);
    }
    if upper.contains(['L', 'W', '?']) {
        return Err(DAY_OF_MONTH.error(field, "uses `L`, `W` or `?` with other values; they stand alone"));
    }
    DAY_OF_MONTH.values(field).map(DayOfMonth::Days)
}

fn day_of_week(field: &str) -> Result<DayOfWeek, String> {
    let upper = field.to_ascii_uppercase();
    match upper.as_str() {
        "?" => return Ok(DayOfWeek::Unspecified),
        // The week's last day.
        "L" => return DAY_OF_WEEK.values("7").map(DayOfWeek::Days),
        _ => {}
    }
    if let Some((day, nth)) = upper.split_once('#') {
        let day = DAY_OF_WEEK.value(field, day)?;
        let nth = match nth.parse::<u32>() {
            Ok(n @ 1..=5) if nth.len() == 1 => n,
            _ => return Err(DAY_OF_WEEK.error(field, format_args!("has `#{nth}`, which is not #1 to #5"))),
        };
        return Ok(DayOfWeek::Nth(day, nth));
    }
    if let Some(day) = upper.strip_suffix('L') {
        return DAY_OF_WEEK.value(field, day).map(DayOfWeek::Last);
    }
    if upper.contains(['L', '?']) {
        return Err(DAY_OF_WEEK.error(field, "uses `L` or `?` with other values; they stand alone"));
    }
    DAY_OF_WEEK.values(field).map(DayOfWeek::Days)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// 1 = Sunday .. 7 = Saturday.
fn weekday(date: NaiveDate) -> u32 {
    date.weekday().num_days_from_sunday() + 1
}

/// The weekday (Monday to Friday) nearest day `day` of the month, within the month (`None`: the
/// month has no such day).
fn nearest_weekday(year: i32, month: u32, day: u32) -> Option<u32> {
    let last = days_in_month(year, month);
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(match weekday(date) {
        // Saturday: the Friday before, or the Monday after on the 1st.
        7 if day == 1 => 3,
        7 => day - 1,
        // Sunday: the Monday after, or the Friday before on the last day.
        1 if day == last => day - 2,
        1 => day + 1,
        _ => day,
    })
}

impl Schedule {
    /// Parses `cron(M H DOM MON DOW Y)` and an IANA time zone name (`None`: UTC). The error is a
    /// one-line reason in copylab's style (lowercase, user input in backticks, no final period).
    pub fn parse(expression: &str, timezone: Option<&str>) -> Result<Schedule, String> {
        let timezone = match timezone {
            None => Tz::UTC,
            Some(name) => name.parse::<Tz>().map_err(|_| {
                format!("`{name}` is not a time zone: ScheduleExpressionTimezone takes an IANA name such as `America/Los_Angeles`")
            })?,
        };
        let inner = expression
            .trim()
            .strip_prefix("cron(")
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or_else(|| {
                format!("`{expression}` is not a cron expression: AWS Backup takes `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, as `cron(0 5 ? * * *)`")
            })?;
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields[..] else {
            return Err(format!(
                "`{expression}` has {} fields where AWS's cron takes six: Minutes Hours Day-of-month Month Day-of-week Year",
                fields.len()
            ));
        };
        if dom == "*" && dow == "*" {
            return Err("`*` in both the day-of-month and day-of-week fields: put `?` in one of them".to_owned());
        }
        let day_of_month = day_of_month(dom)?;
        let day_of_week = day_of_week(dow)?;
        match (&day_of_month, &day_of_week) {
            (DayOfMonth::Unspecified, DayOfWeek::Unspecified) => {
                return Err(
                    "`?` in both the day-of-month and day-of-week fields: name the days in one of them".to_owned(),
                );
            }
            (DayOfMonth::Unspecified, _) | (_, DayOfWeek::Unspecified) => {}
            _ => {
                return Err(format!(
                    "the day-of-month field `{dom}` and the day-of-week field `{dow}` both name days: put `?` in one of them"
                ));
            }
        }
        Ok(Schedule {
            minutes: MINUTES.values(minutes)?,
            hours: HOURS.values(hours)?,
            day_of_month,
            months: MONTH.values(month)?,
            day_of_week,
            years: YEAR.values(year)?,
            timezone,
        })
    }

    /// How many minutes of an hour the minutes field names (the plan's "at most once an hour"
    /// rule reads this).
    pub fn minutes_per_hour(&self) -> usize {
        self.minutes.iter().count()
    }

    /// The time zone's IANA name (`UTC` when none was given).
    pub fn timezone(&self) -> &'static str {
        self.timezone.name()
    }

    /// Whether the schedule runs on this local date.
    fn runs_on(&self, date: NaiveDate) -> bool {
        let (year, month, day) = (date.year(), date.month(), date.day());
        let last = days_in_month(year, month);
        let by_month_day = match &self.day_of_month {
            DayOfMonth::Unspecified => true,
            DayOfMonth::Days(days) => days.contains(day),
            DayOfMonth::Last => day == last,
            // The last weekday: the last day, or the Friday before it when it falls on a weekend.
            DayOfMonth::LastWeekday => nearest_weekday(year, month, last) == Some(day),
            DayOfMonth::NearestWeekday(n) => *n <= last && nearest_weekday(year, month, *n) == Some(day),
        };
        let by_week_day = match &self.day_of_week {
            DayOfWeek::Unspecified => true,
            DayOfWeek::Days(days) => days.contains(weekday(date)),
            DayOfWeek::Last(n) => weekday(date) == *n && day + 7 > last,
            DayOfWeek::Nth(n, k) => weekday(date) == *n && (day - 1) / 7 + 1 == *k,
        };
        by_month_day && by_week_day
    }

    /// Every start time (epoch seconds, UTC, whole minutes) in `(after, until]`, in order, at
    /// most `limit` of them.
    pub fn occurrences(&self, after: i64, until: i64, limit: usize) -> Vec<i64> {
        let mut out = Vec::new();
        if limit == 0 || until <= after {
            return out;
        }
        // The local dates the window can touch: a day either side covers any UTC offset.
        let local_date = |seconds: i64| {
            chrono::DateTime::from_timestamp(seconds, 0)
                .map(|t| self.timezone.from_utc_datetime(&t.naive_utc()).date_naive())
        };
        let earliest = NaiveDate::from_ymd_opt(YEAR.low as i32, 1, 1).unwrap_or(NaiveDate::MIN);
        let latest = NaiveDate::from_ymd_opt(YEAR.high as i32, 12, 31).unwrap_or(NaiveDate::MAX);
        let clamp = |seconds: i64| seconds.clamp(earliest_seconds(), latest_seconds());
        let (Some(first), Some(last)) = (local_date(clamp(after)), local_date(clamp(until))) else {
            return out;
        };
        let mut date = first.pred_opt().unwrap_or(first).max(earliest);
        let last = last.succ_opt().unwrap_or(last).min(latest);
        let mut day_starts = Vec::new();
        while date <= last && out.len() < limit {
            if !self.years.contains(date.year() as u32) {
                match NaiveDate::from_ymd_opt(date.year() + 1, 1, 1) {
                    Some(next) => date = next,
                    None => break,
                }
                continue;
            }
            if !self.months.contains(date.month()) {
                let next = if date.month() == 12 {
                    NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
                };
                match next {
                    Some(next) => date = next,
                    None => break,
                }
                continue;
            }
            if self.runs_on(date) {
                day_starts.clear();
                for hour in self.hours.iter() {
                    for minute in self.minutes.iter() {
                        let Some(local) = date.and_hms_opt(hour, minute, 0) else {
                            continue;
                        };
                        if let Some(start) = self.start(local)
                            && start > after
                            && start <= until
                        {
                            day_starts.push(start);
                        }
                    }
                }
                day_starts.sort_unstable();
                day_starts.dedup();
                let room = limit - out.len();
                out.extend(day_starts.iter().take(room));
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        out
    }

    /// A local time's start (epoch seconds): none when the local time does not exist (clocks
    /// going forward), the first when it occurs twice (clocks going back).
    fn start(&self, local: NaiveDateTime) -> Option<i64> {
        self.timezone
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.timestamp())
    }
}

/// 1969-12-30T00:00:00Z: before the first local day of 1970 in any time zone.
fn earliest_seconds() -> i64 {
    -2 * 86_400
}

/// 2200-01-02T00:00:00Z: after the last local day of 2199 in any time zone.
fn latest_seconds() -> i64 {
    NaiveDate::from_ymd_opt(2200, 1, 2)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(i64::MAX, |t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epoch seconds of a UTC time.
    fn utc(text: &str) -> i64 {
        let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap();
        NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10))
            .and_then(|d| d.and_hms_opt(number(11..13), number(14..16), 0))
            .unwrap()
            .and_utc()
            .timestamp()
    }

    fn show(starts: &[i64]) -> Vec<String> {
        starts
            .iter()
            .map(|s| {
                use chrono::Timelike;
                let t = chrono::DateTime::from_timestamp(*s, 0).unwrap();
                format!(
                    "{:04}-{:02}-{:02} {:?} {:02}:{:02}",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.weekday(),
                    t.hour(),
                    t.minute()
                )
            })
            .collect()
    }

    fn runs(expression: &str, timezone: Option<&str>, from: &str, to: &str, limit: usize) -> Vec<String> {
        let schedule = Schedule::parse(expression, timezone).unwrap();
        show(&schedule.occurrences(utc(from), utc(to), limit))
    }

    #[test]
    fn aws_backup_default_runs_daily_at_five_utc() {
        assert_eq!(
            runs("cron(0 5 ? * * *)", None, "2026-03-01 05:00", "2026-03-04 05:00", 10),
            ["2026-03-02 Mon 05:00", "2026-03-03 Tue 05:00", "2026-03-04 Wed 05:00"],
            "the window is (after, until]"
        );
    }

    #[test]
    fn the_model_docs_examples_parse_noon_daily_and_fifteen_past_every_hour() {
        assert_eq!(
            runs("cron(0 12 * * ? *)", None, "2026-03-01 00:00", "2026-03-03 00:00", 10),
            ["2026-03-01 Sun 12:00", "2026-03-02 Mon 12:00"]
        );
        assert_eq!(
            runs("cron(15 * ? * * *)", None, "2026-03-01 00:00", "2026-03-01 03:00", 10),
            ["2026-03-01 Sun 00:15", "2026-03-01 Sun 01:15", "2026-03-01 Sun 02:15"]
        );
    }

    #[test]
    fn steps_parse_even_under_an_hour_the_plan_refuses_those() {
        let schedule = Schedule::parse("cron(0/15 * ? * * *)", None).unwrap();
        assert_eq!(schedule.minutes_per_hour(), 4);
        assert_eq!(
            Schedule::parse("cron(0/15 * * * ? *)", None)
                .unwrap()
                .minutes_per_hour(),
            4
        );
        assert_eq!(
            show(&schedule.occurrences(utc("2026-03-01 00:00"), utc("2026-03-01 01:00"), 10)),
            [
                "2026-03-01 Sun 00:15",
                "2026-03-01 Sun 00:30",
                "2026-03-01 Sun 00:45",
                "2026-03-01 Sun 01:00"
            ]
        );
        assert_eq!(
            runs(
                "cron(0 8-18/5 ? * * *)",
                None,
                "2026-03-01 00:00",
                "2026-03-02 00:00",
                10
            ),
            ["2026-03-01 Sun 08:00", "2026-03-01 Sun 13:00", "2026-03-01 Sun 18:00"]
        );
    }

    #[test]
    fn day_of_week_counts_one_as_sunday_and_takes_names() {
        let by_number = runs("cron(0 3 ? * 2-6 *)", None, "2026-03-01 00:00", "2026-03-09 00:00", 10);
        assert_eq!(
            by_number,
            [
                "2026-03-02 Mon 03:00",
                "2026-03-03 Tue 03:00",
                "2026-03-04 Wed 03:00",
                "2026-03-05 Thu 03:00",
                "2026-03-06 Fri 03:00"
            ]
        );
        assert_eq!(
            runs(
                "cron(0 3 ? * mon-FRI *)",
                None,
                "2026-03-01 00:00",
                "2026-03-09 00:00",
                10
            ),
            by_number
        );
        assert_eq!(
            runs(
                "cron(0 3 ? * 1,SAT *)",
                None,
                "2026-03-01 00:00",
                "2026-03-09 00:00",
                10
            ),
            ["2026-03-01 Sun 03:00", "2026-03-07 Sat 03:00", "2026-03-08 Sun 03:00"]
        );
    }

    #[test]
    fn l_is_the_last_day_of_the_month_or_the_week_and_nl_the_last_such_weekday() {
        assert_eq!(
            runs("cron(0 0 L * ? *)", None, "2024-01-01 00:00", "2024-04-01 00:00", 10),
            ["2024-01-31 Wed 00:00", "2024-02-29 Thu 00:00", "2024-03-31 Sun 00:00"]
        );
        assert_eq!(
            runs("cron(0 0 ? * L *)", None, "2026-03-01 00:00", "2026-03-15 00:00", 10),
            ["2026-03-07 Sat 00:00", "2026-03-14 Sat 00:00"]
        );
        assert_eq!(
            runs("cron(15 10 ? * 6L *)", None, "2026-01-01 00:00", "2026-04-01 00:00", 10),
            ["2026-01-30 Fri 10:15", "2026-02-27 Fri 10:15", "2026-03-27 Fri 10:15"]
        );
    }

    #[test]
    fn w_is_the_nearest_weekday_within_the_month() {
        // 2026-02-01 is a Sunday: 1W is Monday the 2nd. 2026-03-01 is a Sunday too; 2026-08-01
        // is a Saturday: 1W is Monday the 3rd, not July 31st. 2026-05-31 is a Sunday: 31W is
        // Friday the 29th, not June 1st.
        assert_eq!(
            runs("cron(0 0 1W * ? *)", None, "2026-02-01 00:00", "2026-02-28 00:00", 10),
            ["2026-02-02 Mon 00:00"]
        );
        assert_eq!(
            runs("cron(0 0 1W 8 ? *)", None, "2026-07-01 00:00", "2026-09-01 00:00", 10),
            ["2026-08-03 Mon 00:00"]
        );
        assert_eq!(
            runs("cron(0 0 31W * ? *)", None, "2026-05-01 00:00", "2026-07-01 00:00", 10),
            ["2026-05-29 Fri 00:00"],
            "June has no 31st"
        );
        // 2026-03-14 is a Saturday: 14W is Friday the 13th.
        assert_eq!(
            runs("cron(0 0 14W * ? *)", None, "2026-03-01 00:00", "2026-03-31 00:00", 10),
            ["2026-03-13 Fri 00:00"]
        );
        // The last weekday: 2026-05-31 is a Sunday, so Friday the 29th.
        assert_eq!(
            runs("cron(0 0 LW * ? *)", None, "2026-05-01 00:00", "2026-07-01 00:00", 10),
            ["2026-05-29 Fri 00:00", "2026-06-30 Tue 00:00"]
        );
    }

    #[test]
    fn hash_is_the_nth_weekday_of_the_month() {
        assert_eq!(
            runs("cron(0 9 ? * 3#2 *)", None, "2026-01-01 00:00", "2026-04-01 00:00", 10),
            ["2026-01-13 Tue 09:00", "2026-02-10 Tue 09:00", "2026-03-10 Tue 09:00"]
        );
        // Only some months have a fifth Friday.
        assert_eq!(
            runs(
                "cron(0 9 ? * FRI#5 *)",
                None,
                "2026-01-01 00:00",
                "2026-04-01 00:00",
                10
            ),
            ["2026-01-30 Fri 09:00"]
        );
    }

    #[test]
    fn the_year_field_limits_the_years_in_1970_to_2199() {
        assert_eq!(
            runs(
                "cron(0 0 1 1 ? 2027-2029/2)",
                None,
                "2026-01-01 00:00",
                "2031-01-01 00:00",
                10
            ),
            ["2027-01-01 Fri 00:00", "2029-01-01 Mon 00:00"]
        );
        assert_eq!(
            runs(
                "cron(0 0 1 JAN,jul ? 2199)",
                None,
                "2199-01-01 00:00",
                "2300-01-01 00:00",
                10
            ),
            ["2199-07-01 Mon 00:00"]
        );
        assert!(Schedule::parse("cron(0 0 1 1 ? 2200)", None).is_err());
        assert!(Schedule::parse("cron(0 0 1 1 ? 1969)", None).is_err());
    }

    #[test]
    fn the_limit_caps_the_answer() {
        let schedule = Schedule::parse("cron(* * * * ? *)", None).unwrap();
        let starts = schedule.occurrences(utc("2026-03-01 00:00"), utc("2027-03-01 00:00"), 3);
        assert_eq!(
            show(&starts),
            ["2026-03-01 Sun 00:01", "2026-03-01 Sun 00:02", "2026-03-01 Sun 00:03"]
        );
        assert!(schedule.occurrences(0, 1_000_000, 0).is_empty());
        assert!(schedule.occurrences(1_000_000, 1_000_000, 5).is_empty());
    }

    #[test]
    fn los_angeles_keeps_local_time_across_daylight_saving_time() {
        // 2026-03-08: clocks go from 02:00 to 03:00 PST->PDT; 2026-11-01: from 02:00 PDT back to
        // 01:00 PST.
        let la = Some("America/Los_Angeles");
        assert_eq!(
            runs("cron(0 5 ? * * *)", la, "2026-03-07 00:00", "2026-03-10 00:00", 10),
            ["2026-03-07 Sat 13:00", "2026-03-08 Sun 12:00", "2026-03-09 Mon 12:00"],
            "05:00 local is 13:00 UTC in winter and 12:00 UTC in summer"
        );
        // 02:30 does not exist on 2026-03-08: no run that day.
        assert_eq!(
            runs("cron(30 2 ? * * *)", la, "2026-03-07 00:00", "2026-03-10 00:00", 10),
            ["2026-03-07 Sat 10:30", "2026-03-09 Mon 09:30"]
        );
        // 01:30 happens twice on 2026-11-01: one run, at the first (PDT, 08:30 UTC).
        assert_eq!(
            runs("cron(30 1 ? * * *)", la, "2026-10-31 00:00", "2026-11-03 00:00", 10),
            ["2026-10-31 Sat 08:30", "2026-11-01 Sun 08:30", "2026-11-02 Mon 09:30"]
        );
        // Every 30 minutes through the repeated hour: each local time once, in UTC order.
        assert_eq!(
            runs("cron(0/30 0-2 ? * * *)", la, "2026-11-01 06:00", "2026-11-01 11:00", 10),
            [
                "2026-11-01 Sun 07:00",
                "2026-11-01 Sun 07:30",
                "2026-11-01 Sun 08:00",
                "2026-11-01 Sun 08:30",
                "2026-11-01 Sun 10:00",
                "2026-11-01 Sun 10:30"
            ]
        );
        assert_eq!(
            Schedule::parse("cron(0 5 ? * * *)", la).unwrap().timezone(),
            "America/Los_Angeles"
        );
        assert_eq!(Schedule::parse("cron(0 5 ? * * *)", None).unwrap().timezone(), "UTC");
    }

    #[test]
    fn refusals_name_the_field_and_the_rule() {
        let cases = [
            (
                "cron(0 5 * * * *)",
                None,
                "`*` in both the day-of-month and day-of-week fields: put `?` in one of them",
            ),
            (
                "cron(0 5 ? * ? *)",
                None,
                "`?` in both the day-of-month and day-of-week fields: name the days in one of them",
            ),
            (
                "cron(0 5 1 * MON *)",
                None,
                "the day-of-month field `1` and the day-of-week field `MON` both name days: put `?` in one of them",
            ),
            (
                "cron(0 5 * * *)",
                None,
                "`cron(0 5 * * *)` has 5 fields where AWS's cron takes six: Minutes Hours Day-of-month Month Day-of-week Year",
            ),
            (
                "rate(1 day)",
                None,
                "`rate(1 day)` is not a cron expression: AWS Backup takes `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, as `cron(0 5 ? * * *)`",
            ),
            (
                "cron(60 5 ? * * *)",
                None,
                "the minutes field `60` has `60`, which is not 0-59",
            ),
            (
                "cron(0 24 ? * * *)",
                None,
                "the hours field `24` has `24`, which is not 0-23",
            ),
            (
                "cron(0 5 ? * 0 *)",
                None,
                "the day-of-week field `0` has `0`, which is not 1-7 or SUN-SAT",
            ),
            (
                "cron(0 5 ? FOO * *)",
                None,
                "the month field `FOO` has `FOO`, which is not 1-12 or JAN-DEC",
            ),
            (
                "cron(0 5 ? * */2 *)",
                None,
                "the day-of-week field `*/2` has a step `/`, which this field does not take",
            ),
            (
                "cron(0/0 5 ? * * *)",
                None,
                "the minutes field `0/0` has the step `0`, which is not a whole number from 1",
            ),
            (
                "cron(0 5-3 ? * * *)",
                None,
                "the hours field `5-3` has the range `5-3`, which runs backwards",
            ),
            (
                "cron(0 5 ? * 2#6 *)",
                None,
                "the day-of-week field `2#6` has `#6`, which is not #1 to #5",
            ),
            (
                "cron(0 5 1,L * ? *)",
                None,
                "the day-of-month field `1,L` uses `L`, `W` or `?` with other values; they stand alone",
            ),
            (
                "cron(0 5 ? * * 2200)",
                None,
                "the year field `2200` has `2200`, which is not 1970-2199",
            ),
            (
                "cron(0 5 ? * * *)",
                Some("Mars/Olympus_Mons"),
                "`Mars/Olympus_Mons` is not a time zone: ScheduleExpressionTimezone takes an IANA name such as `America/Los_Angeles`",
            ),
        ];
        for (expression, timezone, reason) in cases {
            assert_eq!(
                Schedule::parse(expression, timezone).unwrap_err(),
                reason,
                "{expression}"
            );
        }
    }
}

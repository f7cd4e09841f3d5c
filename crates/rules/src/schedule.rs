//! STAND-IN, to be replaced at merge by the real cron evaluator (issue 13, item 2): the same interface, handling only `cron(M H ? * * *)` and `cron(M H * * ? *)` with a fixed minute and hour in UTC.

/// A rule's schedule (`ScheduleExpression` with `ScheduleExpressionTimezone`).
///
/// STAND-IN: daily at a fixed minute and hour, UTC only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Seconds after midnight UTC.
    at: i64,
}

impl Schedule {
    /// Parses `cron(M H ? * * *)` or `cron(M H * * ? *)` (STAND-IN: nothing else).
    pub fn parse(expression: &str, timezone: Option<&str>) -> Result<Schedule, String> {
        if timezone.is_some_and(|tz| !matches!(tz, "UTC" | "Etc/UTC")) {
            return Err(format!(
                "the stand-in schedule handles UTC only, not `{}`",
                timezone.unwrap_or_default()
            ));
        }
        let fields: Vec<&str> = expression
            .trim()
            .strip_prefix("cron(")
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or_else(|| format!("`{expression}` is not cron(...)"))?
            .split_whitespace()
            .collect();
        let [minute, hour, day, "*", week, "*"] = fields.as_slice() else {
            return Err(format!(
                "the stand-in schedule handles `cron(M H ? * * *)` only, not `{expression}`"
            ));
        };
        if !matches!((*day, *week), ("?", "*") | ("*", "?")) {
            return Err(format!(
                "the stand-in schedule handles daily schedules only, not `{expression}`"
            ));
        }
        let minute: i64 = minute
            .parse()
            .map_err(|_| format!("minute `{minute}` is not a number"))?;
        let hour: i64 = hour.parse().map_err(|_| format!("hour `{hour}` is not a number"))?;
        if !(0..60).contains(&minute) || !(0..24).contains(&hour) {
            return Err(format!("`{expression}` names no time of day"));
        }
        Ok(Schedule {
            at: hour * 3600 + minute * 60,
        })
    }

    /// Every start time (epoch seconds, UTC, whole minutes) in `(after, until]`, in order, at
    /// most `limit`.
    pub fn occurrences(&self, after: i64, until: i64, limit: usize) -> Vec<i64> {
        const DAY: i64 = 86_400;
        let mut out = Vec::new();
        let mut day = after.div_euclid(DAY) * DAY;
        while out.len() < limit {
            let at = day + self.at;
            if at > until {
                break;
            }
            if at > after {
                out.push(at);
            }
            day += DAY;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_in_runs_daily_at_its_minute_and_hour() {
        let schedule = Schedule::parse("cron(0 5 ? * * *)", None).unwrap();
        assert_eq!(schedule.occurrences(0, 2 * 86_400, 10), [18_000, 104_400]);
        assert_eq!(schedule.occurrences(18_000, 104_400, 10), [104_400]);
        assert_eq!(schedule.occurrences(0, 2 * 86_400, 1), [18_000]);
        assert!(Schedule::parse("cron(0/5 * ? * * *)", None).is_err());
    }
}

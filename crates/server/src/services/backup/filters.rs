//! The `By*` filters of AWS Backup's list operations, read once from the input: every filter the model gives an operation is applied, none is ignored.

use serde_json::{Map, Value};

use crate::wire::ApiError;

/// A text filter (`ByResourceArn`, `ByResourceType`, ...), when given.
pub fn text<'i>(input: &'i Map<String, Value>, member: &str) -> Option<&'i str> {
    input.get(member).and_then(Value::as_str)
}

/// Whether `have` passes the text filter `want` (no filter passes everything).
pub fn matches(want: Option<&str>, have: Option<&str>) -> bool {
    want.is_none_or(|w| Some(w) == have)
}

/// A time window from two timestamp filters (`ByCreatedAfter` and `ByCreatedBefore`, ...).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Window {
    /// Only what happened after this time (epoch seconds).
    pub after: Option<f64>,
    /// Only what happened before this time (epoch seconds).
    pub before: Option<f64>,
}

impl Window {
    /// The window `after` and `before` name in `input`. The SDKs send a query string's
    /// timestamps in ISO 8601 (`2026-12-02T10:00:00Z`); epoch seconds are accepted too. Another
    /// text is refused with the model framework's wording (modeled: AWS documents no message).
    pub fn read(input: &Map<String, Value>, after: &str, before: &str) -> Result<Window, ApiError> {
        Ok(Window {
            after: timestamp(input, after)?,
            before: timestamp(input, before)?,
        })
    }

    /// Whether a window was asked for at all.
    pub fn is_open(&self) -> bool {
        self.after.is_none() && self.before.is_none()
    }

    /// Whether `time` is inside the window (strictly after `after`, strictly before `before`,
    /// as the model's "created after the specified date" reads); `None` (not happened yet) is
    /// inside only an open window.
    pub fn contains(&self, time: Option<f64>) -> bool {
        match time {
            None => self.is_open(),
            Some(t) => self.after.is_none_or(|a| t > a) && self.before.is_none_or(|b| t < b),
        }
    }
}

fn timestamp(input: &Map<String, Value>, member: &str) -> Result<Option<f64>, ApiError> {
    let Some(value) = input.get(member) else {
        return Ok(None);
    };
    let seconds = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => copylab_rules::world::timestamp_seconds(s)
            .map(|t| t as f64)
            .or_else(|| s.parse::<f64>().ok().filter(|t| t.is_finite())),
        _ => None,
    };
    seconds.map(Some).ok_or_else(|| {
        ApiError::invalid_value(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must be a timestamp"
        ))
        .modeled()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_reads_iso_8601_or_epoch_seconds_and_is_strict() {
        let mut input = Map::new();
        input.insert("ByCreatedAfter".into(), Value::from("2026-12-02T10:00:00Z"));
        input.insert("ByCreatedBefore".into(), Value::from("1796300000"));
        let window = Window::read(&input, "ByCreatedAfter", "ByCreatedBefore").unwrap();
        let after = copylab_rules::world::timestamp_seconds("2026-12-02T10:00:00Z").unwrap() as f64;
        assert_eq!(window.after, Some(after));
        assert!(!window.contains(Some(after)));
        assert!(window.contains(Some(after + 1.0)));
        assert!(!window.contains(Some(1_796_300_000.0)));
        assert!(!window.contains(None), "what has not happened is outside a window");
        assert!(Window::default().contains(None));
        input.insert("ByCreatedAfter".into(), Value::from("yesterday"));
        assert!(Window::read(&input, "ByCreatedAfter", "ByCreatedBefore").is_err());
    }
}

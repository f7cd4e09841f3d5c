//! The `By*` filters of AWS Backup's list operations, read once from the input: every filter the model gives an operation is applied, none is ignored.

use serde_json::{Map, Value};

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
    /// The window `after` and `before` name in `input` (the query edge has read their
    /// timestamps as epoch seconds, `members::typed_value`).
    pub fn read(input: &Map<String, Value>, after: &str, before: &str) -> Window {
        let seconds = |member: &str| match input.get(member)? {
            Value::String(text) => crate::wire::members::timestamp_seconds(text),
            value => value.as_f64(),
        };
        Window {
            after: seconds(after),
            before: seconds(before),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_strict_and_what_has_not_happened_is_outside_it() {
        let mut input = Map::new();
        input.insert("ByCreatedAfter".into(), Value::from(100.0));
        input.insert("ByCreatedBefore".into(), Value::from("2026-12-02T10:00:00Z"));
        let window = Window::read(&input, "ByCreatedAfter", "ByCreatedBefore");
        let before = copylab_rules::world::timestamp_seconds("2026-12-02T10:00:00Z").unwrap() as f64;
        assert_eq!((window.after, window.before), (Some(100.0), Some(before)));
        assert!(!window.contains(Some(100.0)));
        assert!(window.contains(Some(101.0)));
        assert!(!window.contains(Some(before)));
        assert!(!window.contains(None), "what has not happened is outside a window");
        assert!(Window::default().contains(None));
    }
}

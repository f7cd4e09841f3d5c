//! EventBridge event patterns, the subset backup rules use: exact values, `prefix`, `anything-but` (values or a prefix), `exists` and `numeric`, on any field and nested `detail` fields. A pattern with anything else (`suffix`, `wildcard`, `equals-ignore-case`, `cidr`, `$or`) is refused when loaded, naming what is not supported.

use serde_json::Value;

/// A pattern checked when loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(Value);

/// The operators copylab matches.
const SUPPORTED: [&str; 4] = ["prefix", "anything-but", "exists", "numeric"];

impl Pattern {
    /// Reads a pattern (JSON text); errors name the line and column, or the operator copylab
    /// does not support.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))?;
        check(&value, "")?;
        Ok(Pattern(value))
    }

    /// Whether `event` (an envelope) matches.
    pub fn matches(&self, event: &Value) -> bool {
        object_matches(&self.0, event)
    }
}

fn check(pattern: &Value, path: &str) -> Result<(), String> {
    let Value::Object(fields) = pattern else {
        return Err(format!("the pattern at `{path}` must be an object of fields"));
    };
    for (key, value) in fields {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if key.starts_with('$') {
            return Err(format!(
                "`{here}`: `{key}` is not supported by copylab (exact values, prefix, anything-but, exists, numeric)"
            ));
        }
        match value {
            Value::Object(_) => check(value, &here)?,
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(operator) = item {
                        for name in operator.keys() {
                            if !SUPPORTED.contains(&name.as_str()) {
                                return Err(format!(
                                    "`{here}`: the operator `{name}` is not supported by copylab (exact values, prefix, anything-but, exists, numeric)"
                                ));
                            }
                        }
                    }
                }
            }
            _ => {
                return Err(format!(
                    "`{here}`: a pattern's values are arrays, as EventBridge requires"
                ));
            }
        }
    }
    Ok(())
}

fn object_matches(pattern: &Value, event: &Value) -> bool {
    let Value::Object(fields) = pattern else {
        return false;
    };
    fields.iter().all(|(key, wanted)| {
        let have = event.get(key);
        match wanted {
            Value::Object(_) => have.is_some_and(|h| object_matches(wanted, h)),
            Value::Array(items) => items.iter().any(|item| leaf_matches(item, have)),
            _ => false,
        }
    })
}

/// One element of a field's array against the event's value there (an array of values matches
/// when any of them does).
fn leaf_matches(item: &Value, have: Option<&Value>) -> bool {
    if let Value::Object(operator) = item {
        if let Some(exists) = operator.get("exists") {
            return exists.as_bool() == Some(have.is_some());
        }
        let Some(have) = have else { return false };
        let values: Vec<&Value> = match have {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        return values.iter().any(|value| operator_matches(operator, value));
    }
    match have {
        Some(Value::Array(items)) => items.contains(item),
        Some(value) => value == item,
        None => item.is_null(),
    }
}

fn operator_matches(operator: &serde_json::Map<String, Value>, value: &Value) -> bool {
    if let Some(prefix) = operator.get("prefix").and_then(Value::as_str) {
        return value.as_str().is_some_and(|v| v.starts_with(prefix));
    }
    if let Some(but) = operator.get("anything-but") {
        return match but {
            Value::Array(items) => !items.contains(value),
            Value::Object(inner) => inner
                .get("prefix")
                .and_then(Value::as_str)
                .is_some_and(|p| !value.as_str().is_some_and(|v| v.starts_with(p))),
            one => one != value,
        };
    }
    if let Some(Value::Array(bounds)) = operator.get("numeric") {
        let Some(n) = value.as_f64() else { return false };
        return bounds.chunks(2).all(|pair| {
            match (
                pair.first().and_then(Value::as_str),
                pair.get(1).and_then(Value::as_f64),
            ) {
                (Some("<"), Some(b)) => n < b,
                (Some("<="), Some(b)) => n <= b,
                (Some("="), Some(b)) => (n - b).abs() < f64::EPSILON,
                (Some(">"), Some(b)) => n > b,
                (Some(">="), Some(b)) => n >= b,
                _ => false,
            }
        });
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Value {
        json!({"source": "aws.backup", "detail-type": "Copy Job State Change", "account": "111122223333",
               "resources": ["arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-1"],
               "detail": {"state": "FAILED", "backupSizeInBytes": 3221225472_u64, "statusMessage": "Access Denied trying to call AWS Backup service",
                          "destinationRecoveryPointArn": {}}})
    }

    #[test]
    fn the_operators_backup_rules_use_match_as_eventbridge_documents() {
        let cases = [
            (
                r#"{"source": ["aws.backup"], "detail-type": ["Copy Job State Change"], "detail": {"state": ["FAILED"]}}"#,
                true,
            ),
            (r#"{"detail": {"state": ["COMPLETED"]}}"#, false),
            (r#"{"detail": {"statusMessage": [{"prefix": "Access Denied"}]}}"#, true),
            (r#"{"detail": {"state": [{"anything-but": "COMPLETED"}]}}"#, true),
            (
                r#"{"detail": {"state": [{"anything-but": ["FAILED", "ABORTED"]}]}}"#,
                false,
            ),
            (r#"{"detail": {"copyJobId": [{"exists": false}]}}"#, true),
            (r#"{"detail": {"statusMessage": [{"exists": true}]}}"#, true),
            (
                r#"{"detail": {"backupSizeInBytes": [{"numeric": [">", 0, "<=", 5000000000]}]}}"#,
                true,
            ),
            (r#"{"resources": [{"prefix": "arn:aws:rds:"}]}"#, true),
            (r#"{"account": ["444455556666"]}"#, false),
        ];
        for (text, expected) in cases {
            let pattern = Pattern::parse(text).unwrap();
            assert_eq!(pattern.matches(&event()), expected, "{text}");
        }
    }

    #[test]
    fn unsupported_operators_and_malformed_patterns_are_refused_with_where() {
        let error = Pattern::parse(r#"{"detail": {"state": [{"suffix": "ED"}]}}"#).unwrap_err();
        assert!(
            error.contains("detail.state") && error.contains("`suffix` is not supported"),
            "{error}"
        );
        let error = Pattern::parse("{\n  \"source\": [\"aws.backup\",]\n}").unwrap_err();
        assert!(error.starts_with("2:"), "{error}");
        let error = Pattern::parse(r#"{"source": "aws.backup"}"#).unwrap_err();
        assert!(error.contains("arrays"), "{error}");
    }
}

//! An operation's input checked against its model (required members, types, lengths, ranges, patterns, enums), each failure a [`Violation`] in AWS's framework wording.

use serde_json::{Map, Value};

use super::ApiError;
use super::model::{Member, Operation};

/// One way an input breaks its model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    member: &'static str,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A required member is absent.
    Missing,
    /// A member of the wrong JSON type (copylab's wording: AWS's is not documented).
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    /// A constraint: the value and AWS's framework text for the constraint.
    Constraint { value: String, constraint: String },
    /// A value outside the member's enum.
    Enum {
        value: String,
        values: &'static [&'static str],
    },
}

impl Violation {
    /// The member, when the violation is a missing required member.
    pub fn missing_member(&self) -> Option<&'static str> {
        (self.kind == Kind::Missing).then_some(self.member)
    }

    /// Whether the violation is a member of the wrong type.
    pub fn is_wrong_type(&self) -> bool {
        matches!(self.kind, Kind::WrongType { .. })
    }

    /// The member's enum values, when the violation is a value outside them.
    pub fn enum_values(&self) -> Option<&'static [&'static str]> {
        match self.kind {
            Kind::Enum { values, .. } => Some(values),
            _ => None,
        }
    }

    /// The violation in AWS's framework wording (`Value 'x' at 'member' failed to satisfy
    /// constraint: ...`), or copylab's for a wrong type.
    pub fn text(&self) -> String {
        let at = lower_first(self.member);
        match &self.kind {
            Kind::Missing => format!("Value null at '{at}' failed to satisfy constraint: Member must not be null"),
            Kind::WrongType { expected, found } => format!("{} must be a {expected}, found {found}", self.member),
            Kind::Constraint { value, constraint } => {
                format!("Value '{value}' at '{at}' failed to satisfy constraint: {constraint}")
            }
            Kind::Enum { value, values } => format!(
                "Value '{value}' at '{at}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                values.join(", ")
            ),
        }
    }
}

/// `1 validation error detected: ...` or `N validation errors detected: ...; ...`.
pub fn detected(violations: &[Violation]) -> String {
    let texts: Vec<String> = violations.iter().map(Violation::text).collect();
    match texts.len() {
        1 => format!("1 validation error detected: {}", texts.join("; ")),
        n => format!("{n} validation errors detected: {}", texts.join("; ")),
    }
}

/// A required string member (the model's check has already run; this guards the type).
pub fn str_member(
    input: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<String, crate::wire::ApiError> {
    input
        .get(name)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| missing_parameter(name))
}

/// `MissingParameterValueException` with the catalog's message (`missing-parameter`, whose
/// provenance the catalog records), so the edge and the rules engine say the same.
pub fn missing_parameter(member: &str) -> ApiError {
    let text =
        copylab_rules::catalog::message("missing-parameter").map_or("Missing required parameter: {member}", |m| m.text);
    ApiError::missing(copylab_rules::catalog::render(text, &[("member", member.to_owned())]))
}

/// Checks an operation's input, keyed by member name, against the model: every violation, in
/// the model's member order.
pub fn check(operation: &Operation, input: &Map<String, Value>) -> Result<(), Vec<Violation>> {
    let mut violations = Vec::new();
    for member in operation.members {
        match input.get(member.name) {
            None if member.required => violations.push(Violation {
                member: member.name,
                kind: Kind::Missing,
            }),
            None => {}
            Some(value) => check_value(member, value, &mut violations),
        }
    }
    if violations.is_empty() { Ok(()) } else { Err(violations) }
}

/// A query-string or form value as the member's JSON type.
pub fn typed_value(member: &Member, text: &str) -> Result<Value, Violation> {
    let wrong = || Violation {
        member: member.name,
        kind: Kind::WrongType {
            expected: member.kind,
            found: "a string",
        },
    };
    Ok(match member.kind {
        "integer" | "long" => Value::from(text.parse::<i64>().map_err(|_| wrong())?),
        "boolean" => Value::Bool(text.parse::<bool>().map_err(|_| wrong())?),
        // The SDKs send a query string's timestamps in ISO 8601 (`2026-12-02T10:00:00Z`);
        // epoch seconds are taken too. Handlers see epoch seconds, as in a JSON body.
        "timestamp" => Value::from(timestamp_seconds(text).ok_or_else(wrong)?),
        _ => Value::String(text.to_owned()),
    })
}

/// A timestamp's text (ISO 8601 in UTC, or epoch seconds) as epoch seconds.
pub fn timestamp_seconds(text: &str) -> Option<f64> {
    copylab_rules::world::timestamp_seconds(text)
        .map(|t| t as f64)
        .or_else(|| text.parse::<f64>().ok().filter(|t| t.is_finite()))
}

fn check_value(member: &Member, value: &Value, out: &mut Vec<Violation>) {
    let type_ok = match member.kind {
        "string" | "timestamp" => value.is_string() || (member.kind == "timestamp" && value.is_number()),
        "integer" | "long" => value.is_i64() || value.is_u64(),
        "double" | "float" => value.is_number(),
        "boolean" => value.is_boolean(),
        "map" | "structure" => value.is_object(),
        "list" => value.is_array(),
        _ => true,
    };
    if !type_ok {
        out.push(Violation {
            member: member.name,
            kind: Kind::WrongType {
                expected: member.kind,
                found: kind_of(value),
            },
        });
        return;
    }
    let mut push = |kind: Kind| {
        out.push(Violation {
            member: member.name,
            kind,
        })
    };
    let constraint = |value: String, constraint: String| Kind::Constraint { value, constraint };
    if let Value::String(s) = value {
        let length = s.chars().count() as f64;
        if let Some(max) = member.max.filter(|max| length > *max) {
            push(constraint(
                s.clone(),
                format!("Member must have length less than or equal to {max}"),
            ));
        } else if let Some(min) = member.min.filter(|min| length < *min) {
            push(constraint(
                s.clone(),
                format!("Member must have length greater than or equal to {min}"),
            ));
        }
        // `ResourceType` values such as "SAP HANA on Amazon EC2" contain spaces the model's
        // pattern forbids; AWS accepts them, so copylab does too. `ByAccountId` takes `*` from
        // a management account ("passing * returns all jobs across the organization",
        // ListBackupJobs' documentation; ListCopyJobs' lacks the sentence, and copylab takes
        // it there too: modeled, docs/services.md).
        // The job summaries' `AccountId` takes `ANY` and `AGGREGATE_ALL` ("Root, admin, and
        // delegated administrator accounts can use the value ANY ... AGGREGATE_ALL aggregates
        // job counts from all accounts", the model).
        let documented_beyond_pattern = member.name.ends_with("ResourceType")
            || (member.name == "ByAccountId" && s == "*")
            || (member.name == "AccountId" && (s == "ANY" || s == "AGGREGATE_ALL"));
        if let Some(pattern) = member.pattern.filter(|_| !documented_beyond_pattern)
            && matches_pattern(pattern, s) == Some(false)
        {
            push(constraint(
                s.clone(),
                format!("Member must satisfy regular expression pattern: {pattern}"),
            ));
        }
        if !member.enumeration.is_empty() && !member.enumeration.contains(&s.as_str()) {
            push(Kind::Enum {
                value: s.clone(),
                values: member.enumeration,
            });
        }
    }
    if let Some(n) = value.as_f64().filter(|_| matches!(member.kind, "integer" | "long")) {
        if let Some(max) = member.max.filter(|max| n > *max) {
            push(constraint(
                value.to_string(),
                format!("Member must have value less than or equal to {max}"),
            ));
        } else if let Some(min) = member.min.filter(|min| n < *min) {
            push(constraint(
                value.to_string(),
                format!("Member must have value greater than or equal to {min}"),
            ));
        }
    }
}

/// Whether `value` matches a model pattern; `None` when the pattern is not one the `regex`
/// crate accepts (then nothing is checked). Compiled patterns are kept.
fn matches_pattern(pattern: &'static str, value: &str) -> Option<bool> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static CACHE: LazyLock<Mutex<HashMap<&'static str, Option<regex::Regex>>>> = LazyLock::new(Default::default);
    let mut cache = CACHE.lock().ok()?;
    let regex = cache.entry(pattern).or_insert_with(|| regex::Regex::new(pattern).ok());
    regex.as_ref().map(|r| r.is_match(value))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `memberName` as AWS's validation messages spell members.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::model::Location;

    static MEMBERS: &[Member] = &[
        Member {
            name: "KeyId",
            location: Location::Body,
            location_name: "KeyId",
            kind: "string",
            required: true,
            min: Some(1.0),
            max: Some(4.0),
            pattern: None,
            enumeration: &[],
        },
        Member {
            name: "Limit",
            location: Location::Body,
            location_name: "Limit",
            kind: "integer",
            required: false,
            min: Some(1.0),
            max: Some(1000.0),
            pattern: None,
            enumeration: &[],
        },
        Member {
            name: "KeySpec",
            location: Location::Body,
            location_name: "KeySpec",
            kind: "string",
            required: false,
            min: None,
            max: None,
            pattern: Some("^[A-Z_0-9]+$"),
            enumeration: &["RSA_2048", "SYMMETRIC_DEFAULT"],
        },
    ];
    static OPERATION: Operation = Operation {
        name: "Op",
        method: "POST",
        path: "/",
        fixed_query: "",
        members: MEMBERS,
    };

    #[test]
    fn violations_use_aws_framework_wording() {
        let input = serde_json::json!({"KeyId": "toolong", "Limit": 1001, "KeySpec": "rsa"});
        let violations = check(&OPERATION, input.as_object().unwrap()).unwrap_err();
        assert_eq!(
            detected(&violations),
            "4 validation errors detected: \
             Value 'toolong' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 4; \
             Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000; \
             Value 'rsa' at 'keySpec' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[A-Z_0-9]+$; \
             Value 'rsa' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, SYMMETRIC_DEFAULT]"
        );
        let missing = check(&OPERATION, &Map::new()).unwrap_err();
        assert_eq!(
            detected(&missing),
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
        );
    }
}

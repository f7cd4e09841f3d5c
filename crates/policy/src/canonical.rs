//! The canonical form of a policy: one JSON text per meaning, so that parse, print and parse round-trips.
//!
//! Elements in grammar order (`Version`, `Id`, `Statement`; `Sid`, `Effect`, `Principal`,
//! `Action`, `Resource`, `Condition`), `Statement` always an array, every list an array,
//! principal types sorted, condition values as strings. Values are kept as written.

use serde_json::{Map, Value, json};

use crate::policy::{Policy, Statement};

impl Policy {
    /// The canonical JSON form of the policy (pretty-printed).
    pub fn to_canonical_json(&self) -> String {
        let mut root = Map::new();
        if let Some(version) = self.version {
            root.insert("Version".into(), json!(version.as_str()));
        }
        if let Some(id) = &self.id {
            root.insert("Id".into(), json!(id));
        }
        root.insert(
            "Statement".into(),
            Value::Array(self.statements.iter().map(statement).collect()),
        );
        serde_json::to_string_pretty(&Value::Object(root)).unwrap_or_default()
    }
}

fn statement(statement: &Statement) -> Value {
    let mut out = Map::new();
    if let Some(sid) = &statement.sid {
        out.insert("Sid".into(), json!(sid));
    }
    out.insert("Effect".into(), json!(statement.effect.as_str()));
    if let Some(principal) = &statement.principal {
        let name = if principal.negated { "NotPrincipal" } else { "Principal" };
        let value = if principal.bare_wildcard {
            json!("*")
        } else {
            let mut types: Vec<_> = principal.entries.iter().map(|e| e.kind).collect();
            types.sort();
            types.dedup();
            let mut map = Map::new();
            for kind in types {
                let values: Vec<Value> = principal
                    .entries
                    .iter()
                    .filter(|e| e.kind == kind)
                    .map(|e| json!(e.value))
                    .collect();
                map.insert(kind.as_str().into(), Value::Array(values));
            }
            Value::Object(map)
        };
        out.insert(name.into(), value);
    }
    if let Some(action) = &statement.action {
        let name = if action.negated { "NotAction" } else { "Action" };
        out.insert(
            name.into(),
            Value::Array(action.actions.iter().map(|a| json!(a.source)).collect()),
        );
    }
    if let Some(resource) = &statement.resource {
        let name = if resource.negated { "NotResource" } else { "Resource" };
        out.insert(
            name.into(),
            Value::Array(resource.resources.iter().map(|r| json!(r.template.source)).collect()),
        );
    }
    if !statement.conditions.is_empty() {
        let mut block = Map::new();
        for condition in &statement.conditions {
            let keys = block
                .entry(condition.operator_name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = keys {
                keys.insert(
                    condition.key.clone(),
                    Value::Array(condition.values.iter().map(|v| json!(v.source)).collect()),
                );
            }
        }
        out.insert("Condition".into(), Value::Object(block));
    }
    Value::Object(out)
}

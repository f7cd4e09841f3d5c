//! `copylab import --redact`: replaces account ids, the resource names in ARNs (vaults, roles, resources, recovery points), key ids and tag values everywhere in a scenario, each by the same stand-in wherever it occurs (in order of first appearance, so the same input gives the same output), so the verdict is unchanged. A name that a wildcard pattern could match (it occurs in a string with `*` or `?`) is kept, since replacing it could change what the pattern matches; so are names under 3 characters.

use std::collections::BTreeMap;

use serde_json::Value;

/// Every string of `value`, object keys included, in document order.
fn strings<'v>(value: &'v Value, found: &mut Vec<&'v str>) {
    match value {
        Value::String(s) => found.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, found)),
        Value::Object(members) => {
            for (k, v) in members {
                found.push(k);
                strings(v, found);
            }
        }
        _ => {}
    }
}

/// The 12-digit runs of `text` (account ids).
fn account_ids(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 12 {
                found.push(&text[start..i]);
            }
        } else {
            i += 1;
        }
    }
    found
}

/// The names an ARN of a 12-digit account carries in its resource: `backup-vault:NAME`,
/// `role/PATH/NAME`, `key/ID`, `db:NAME`, `recovery-point:ID`, ... (the last `/` or `:`
/// segment, and the one before it when it is not a resource type word).
fn arn_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for part in text.split(|c: char| c == '"' || c.is_whitespace() || c == ',') {
        let Some(rest) = part.strip_prefix("arn:") else {
            continue;
        };
        let fields: Vec<&str> = rest.splitn(5, ':').collect();
        if fields.len() < 5 || fields[3].len() != 12 || !fields[3].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let resource = fields[4];
        if let Some(name) = resource.rsplit(['/', ':']).next()
            && name != resource
        {
            names.push(name);
        }
    }
    names
}

/// The scenario's tag values: recovery points', vaults' and resources' tags, and the values a
/// tag policy lists.
fn tag_values<'v>(scenario: &'v Value, found: &mut Vec<&'v str>) {
    let world = &scenario["world"];
    for list in ["recovery_points", "vaults", "resources"] {
        for item in world[list].as_array().into_iter().flatten() {
            if let Some(tags) = item["tags"].as_object() {
                found.extend(tags.values().filter_map(Value::as_str));
            }
        }
    }
}

/// Replaces, in `scenario`, every account id, ARN resource name, key id and tag value.
pub fn redact(scenario: &mut Value) {
    let mut all = Vec::new();
    strings(scenario, &mut all);
    let wildcards: Vec<&str> = all
        .iter()
        .copied()
        .filter(|s| s.contains('*') || s.contains('?'))
        .collect();
    let mut replacements: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut add = |token: &str, replacement: String, order: &mut Vec<String>| {
        if token.len() < 3 || replacements.contains_key(token) || wildcards.iter().any(|w| w.contains(token)) {
            return;
        }
        replacements.insert(token.to_owned(), replacement);
        order.push(token.to_owned());
    };
    let (mut accounts, mut names) = (0u64, 0u64);
    for s in &all {
        for id in account_ids(s) {
            if !order.iter().any(|t| t == id) {
                accounts += 1;
                add(id, format!("{:012}", 100_000_000_000 + accounts), &mut order);
            }
        }
    }
    for s in &all {
        for name in arn_names(s) {
            if !order.iter().any(|t| t == name) {
                names += 1;
                let replacement = if is_uuid(name) {
                    format!("00000000-0000-4000-8000-{names:012}")
                } else {
                    format!("redacted-{names}")
                };
                add(name, replacement, &mut order);
            }
        }
    }
    let mut values = Vec::new();
    tag_values(scenario, &mut values);
    let values: Vec<String> = values.into_iter().map(str::to_owned).collect();
    for (i, value) in values.iter().enumerate() {
        add(value, format!("tag-value-{}", i + 1), &mut order);
    }
    // Longer tokens first, so a name inside another is not replaced before it.
    let mut tokens: Vec<(String, String)> = replacements.into_iter().collect();
    tokens.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    replace(scenario, &tokens);
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn replace_text(text: &str, tokens: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in tokens {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    out
}

fn replace(value: &mut Value, tokens: &[(String, String)]) {
    match value {
        Value::String(s) => *s = replace_text(s, tokens),
        Value::Array(items) => items.iter_mut().for_each(|v| replace(v, tokens)),
        Value::Object(members) => {
            let old = std::mem::take(members);
            for (k, mut v) in old {
                replace(&mut v, tokens);
                members.insert(replace_text(&k, tokens), v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accounts_names_keys_and_tag_values_are_replaced_consistently_but_not_wildcards() {
        let mut scenario = json!({
            "world": {
                "recovery_points": [{"arn": "arn:aws:backup:us-east-1:111122223333:recovery-point:abc", "tags": {"team": "payments"}}],
                "vaults": [{"name": "Central", "account": "444455556666"}],
                "keys": [{"arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],
                "roles": [{"arn": "arn:aws:iam::111122223333:role/service-role/BackupRole",
                    "policies": [{"name": "p", "document": {"Resource": "arn:aws:backup:*:*:backup-vault:Central*"}}]}]
            },
            "copy_job": {"DestinationBackupVaultArn": "arn:aws:backup:us-east-1:444455556666:backup-vault:Central"}
        });
        let before = scenario.clone();
        redact(&mut scenario);
        let text = scenario.to_string();
        assert!(
            !text.contains("111122223333") && !text.contains("444455556666"),
            "{text}"
        );
        assert!(!text.contains("1234abcd-12ab"), "{text}");
        assert!(!text.contains("BackupRole") && !text.contains("payments"), "{text}");
        assert!(text.contains("Central"), "a name a wildcard reads is kept: {text}");
        // The same account is the same stand-in everywhere.
        assert_eq!(
            scenario["world"]["vaults"][0]["account"].as_str().unwrap(),
            scenario["copy_job"]["DestinationBackupVaultArn"]
                .as_str()
                .unwrap()
                .split(':')
                .nth(4)
                .unwrap()
        );
        let mut again = before;
        redact(&mut again);
        assert_eq!(again, scenario, "the same input gives the same output");
    }
}

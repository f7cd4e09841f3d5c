//! The message catalog against the reference: every copy-job message of facts §1.2 and the copy rows of §2.1-§2.2 (listed in `tests/catalog/facts-messages.json`) is in the catalog, and every producible or fault message has a scenario that yields it byte for byte.

use std::collections::BTreeMap;
use std::path::Path;

use copylab_rules::catalog::{self, MESSAGES, Reach};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct FactsFile {
    #[serde(rename = "_about")]
    _about: String,
    rows: Vec<FactRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactRow {
    source: String,
    text: String,
    catalog: Option<String>,
    #[serde(default)]
    args: BTreeMap<String, String>,
    #[serde(default)]
    note: Option<String>,
}

fn facts() -> Vec<FactRow> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/catalog/facts-messages.json");
    let file: FactsFile = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file.rows
}

fn wordings(message: &catalog::Message) -> Vec<&'static str> {
    std::iter::once(message.text)
        .chain(message.variants.iter().map(|v| v.text))
        .collect()
}

#[test]
fn every_reference_message_is_in_the_catalog() {
    let mut problems = Vec::new();
    for row in facts() {
        let Some(id) = &row.catalog else {
            assert!(
                row.note.is_some(),
                "{}: a row without a catalog id must say why",
                row.source
            );
            assert!(
                row.text.starts_with("REGEX#"),
                "{}: only patterns may stay unmatched: {}",
                row.source,
                row.text
            );
            continue;
        };
        let Some(message) = catalog::message(id) else {
            problems.push(format!("{}: catalog has no message `{id}`", row.source));
            continue;
        };
        if let Some(pattern) = row.text.strip_prefix("REGEX#") {
            let pattern = pattern.to_lowercase();
            if !wordings(message).iter().any(|w| w.to_lowercase().contains(&pattern)) {
                problems.push(format!(
                    "{}: no wording of `{id}` matches the pattern {pattern:?}",
                    row.source
                ));
            }
            continue;
        }
        let args: Vec<(&str, String)> = row.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        if !wordings(message).iter().any(|w| catalog::render(w, &args) == row.text) {
            problems.push(format!("{}: `{id}` does not render {:?}", row.source, row.text));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn catalog_ids_are_unique_and_every_row_has_provenance() {
    let mut seen = std::collections::BTreeSet::new();
    for message in MESSAGES {
        assert!(seen.insert(message.id), "duplicate catalog id {}", message.id);
        assert!(
            matches!(message.provenance.status, "documented" | "modeled"),
            "{}",
            message.id
        );
        assert!(
            !message.provenance.reference.is_empty() && !message.cause.is_empty(),
            "{}",
            message.id
        );
    }
}

#[test]
fn every_producible_and_fault_message_has_a_scenario_that_yields_it() {
    let produced = crate::scenarios::produced_messages();
    let mut missing = Vec::new();
    for message in MESSAGES
        .iter()
        .filter(|m| matches!(m.reach, Reach::Producible | Reach::Fault))
    {
        match produced.get(message.id) {
            Some((scenario, text)) => {
                let rendered_ok = wordings(message).iter().any(|w| {
                    // The scenario's text is the wording rendered with its arguments: compare the
                    // fixed parts around `{...}`.
                    let pieces: Vec<&str> = w.split(['{', '}']).step_by(2).collect();
                    let mut rest = text.as_str();
                    pieces.iter().all(|p| match rest.find(p) {
                        Some(i) => {
                            rest = &rest[i + p.len()..];
                            true
                        }
                        None => false,
                    })
                });
                assert!(
                    rendered_ok,
                    "scenario {scenario} yields {text:?}, which is not a wording of `{}`",
                    message.id
                );
            }
            None => missing.push(message.id),
        }
    }
    assert!(
        missing.is_empty(),
        "no scenario yields these catalog messages: {missing:?}"
    );
}

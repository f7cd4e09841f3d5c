//! Runs the policy corpus in `tests/corpus/` through `Simulation`, the entry point `copylab policy simulate` uses, and checks that every reference case E01–E60 is there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use copylab_policy::{PolicyKind, PolicySource, Simulation, SimulationError, SimulationInput};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    topic: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(rename = "ref")]
    reference: Option<String>,
    origin: Option<String>,
    sources: Vec<String>,
    description: String,
    kind: String,
    resource_policy: Option<serde_json::Value>,
    resource_policy_text: Option<String>,
    #[serde(default)]
    identity_policies: Vec<serde_json::Value>,
    #[serde(default)]
    identity_allows_all: bool,
    request: CaseRequest,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseRequest {
    principal: String,
    action: String,
    resource: String,
    resource_owner: Option<String>,
    #[serde(default)]
    context: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    decision: Option<String>,
    #[serde(default)]
    deciding: Vec<Deciding>,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    warnings: Vec<String>,
    invalid: Option<Invalid>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Deciding {
    policy: String,
    index: usize,
    sid: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Invalid {
    exception: String,
    rule: String,
    path: String,
}

pub(crate) fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn load() -> Vec<(String, CorpusFile)> {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let file: CorpusFile = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_name().unwrap().to_string_lossy().into_owned(), file)
        })
        .collect()
}

fn context_of(request: &CaseRequest) -> Vec<(String, Vec<String>)> {
    request
        .context
        .iter()
        .map(|(key, value)| {
            let values = match value {
                serde_json::Value::String(s) => vec![s.clone()],
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().expect("context values are strings").to_owned())
                    .collect(),
                other => panic!("context value for {key} must be a string or an array: {other}"),
            };
            (key.clone(), values)
        })
        .collect()
}

/// Runs one case; returns a description of every mismatch.
fn run(case: &Case) -> Vec<String> {
    let mut problems = Vec::new();
    let resource_text = match (&case.resource_policy, &case.resource_policy_text) {
        (Some(json), None) => Some(serde_json::to_string_pretty(json).unwrap()),
        (None, Some(text)) => Some(text.clone()),
        (None, None) => None,
        (Some(_), Some(_)) => return vec!["both resource_policy and resource_policy_text".into()],
    };
    let identity_texts: Vec<String> = case
        .identity_policies
        .iter()
        .map(|p| serde_json::to_string_pretty(p).unwrap())
        .collect();
    let kind = PolicyKind::from_name(&case.kind).expect("kind is kms, vault, resource or identity");
    let context = context_of(&case.request);
    let input = SimulationInput {
        kind: (kind != PolicyKind::Identity).then_some(kind),
        resource_policy: resource_text.as_deref().map(|text| PolicySource {
            label: "resource".into(),
            text,
        }),
        identity_policies: identity_texts
            .iter()
            .enumerate()
            .map(|(i, text)| PolicySource {
                label: format!("identity[{i}]"),
                text,
            })
            .collect(),
        identity_allows_all: case.identity_allows_all,
        principal: &case.request.principal,
        action: &case.request.action,
        resource: &case.request.resource,
        resource_owner: case.request.resource_owner.as_deref(),
        context,
    };
    let simulation = Simulation::new(&input);
    match (&case.expect.invalid, simulation) {
        (Some(invalid), Err(SimulationError::InvalidPolicy { errors, .. })) => {
            let found = errors
                .iter()
                .any(|e| e.exception == invalid.exception && e.rule.as_str() == invalid.rule && e.path == invalid.path);
            if !found {
                problems.push(format!(
                    "expected {} {} at {}, got {:?}",
                    invalid.exception,
                    invalid.rule,
                    invalid.path,
                    errors
                        .iter()
                        .map(|e| format!("{} {} at {}", e.exception, e.rule.as_str(), e.path))
                        .collect::<Vec<_>>()
                ));
            }
        }
        (Some(_), Ok(_)) => problems.push("expected an invalid policy, but it validated".into()),
        (_, Err(err)) => problems.push(format!("simulation failed: {err} {err:?}")),
        (None, Ok(simulation)) => {
            let decision = simulation.decide();
            let expected = case.expect.decision.as_deref().unwrap_or("<missing>");
            if decision.decision.as_str() != expected {
                problems.push(format!("decision {} (expected {expected})", decision.decision.as_str()));
            }
            let mut got: Vec<Deciding> = decision
                .deciding_statements
                .iter()
                .map(|d| Deciding {
                    policy: d.policy.to_owned(),
                    index: d.index,
                    sid: d.sid.map(str::to_owned),
                })
                .collect();
            let mut want = case.expect.deciding.clone();
            got.sort();
            want.sort();
            if got != want {
                problems.push(format!("deciding statements {got:?} (expected {want:?})"));
            }
            for note in &case.expect.notes {
                if !decision.notes.iter().any(|n| n.code == note.as_str()) {
                    problems.push(format!("missing note `{note}` in {:?}", decision.notes));
                }
            }
            for warning in &case.expect.warnings {
                if !decision
                    .warnings
                    .iter()
                    .any(|w| w.warning.rule.as_str() == warning.as_str())
                {
                    problems.push(format!("missing warning `{warning}`"));
                }
            }
        }
    }
    problems
}

#[test]
fn corpus_cases_decide_as_documented() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, corpus) in load() {
        assert!(!corpus.topic.is_empty(), "{file}: topic");
        for case in &corpus.cases {
            count += 1;
            assert!(
                !case.description.is_empty() && !case.sources.is_empty(),
                "{file}: {}: description and sources",
                case.name
            );
            assert!(
                case.reference.is_some() != case.origin.is_some(),
                "{file}: {}: exactly one of ref and origin",
                case.name
            );
            for problem in run(case) {
                failures.push(format!(
                    "{file}: {} ({}): {problem}",
                    case.name,
                    case.reference.as_deref().or(case.origin.as_deref()).unwrap_or("")
                ));
            }
        }
    }
    assert!(count > 100, "the corpus has only {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} corpus cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_covers_every_reference_case_e01_to_e60() {
    let refs: BTreeSet<String> = load()
        .iter()
        .flat_map(|(_, f)| f.cases.iter().filter_map(|c| c.reference.clone()))
        .collect();
    let missing: Vec<String> = (1..=60)
        .map(|i| format!("E{i:02}"))
        .filter(|id| !refs.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "reference cases missing from the corpus: {missing:?}"
    );
}

#[test]
fn corpus_case_names_are_unique() {
    let mut seen = BTreeSet::new();
    for (file, corpus) in load() {
        for case in corpus.cases {
            assert!(
                seen.insert(case.name.clone()),
                "{file}: duplicate case name {}",
                case.name
            );
        }
    }
}

//! Every scenario in `scenarios/`: its expectation holds, and `copylab explain` (text and JSON) is pinned by a snapshot named after the scenario; the built-in catalog is the same files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use copylab::explain_cmd;
use copylab::scenario;

pub(crate) fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Catalog id -> (scenario, message) for every scenario's outcome.
pub(crate) fn produced_messages() -> BTreeMap<&'static str, (String, String)> {
    let mut produced = BTreeMap::new();
    for path in scenario_files() {
        let loaded = scenario::load_file(&path).unwrap();
        let verdict = explain_cmd::run_scenario(&loaded).unwrap();
        if let (Some(id), Some(text)) = (verdict.outcome.message_id(), verdict.outcome.message()) {
            produced.entry(id).or_insert((loaded.name.clone(), text.to_owned()));
        }
    }
    produced
}

fn explain(name_or_path: &str, json: bool) -> (i32, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut args = vec!["copylab", "explain", name_or_path];
    if json {
        args.extend(["--format", "json"]);
    }
    let code = copylab::cli::run(args, &mut out, &mut err, false);
    (
        code,
        format!("{}{}", String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap()),
    )
}

#[test]
fn every_scenario_meets_its_expectation_and_matches_its_snapshots() {
    let mut failures = Vec::new();
    for path in scenario_files() {
        let loaded = scenario::load_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let name = loaded.name.clone();
        let Some(expect) = &loaded.scenario.expect else {
            failures.push(format!("{name}: the catalog's scenarios must state their expectation"));
            continue;
        };
        let verdict = explain_cmd::run_scenario(&loaded).unwrap_or_else(|e| panic!("{name}: {e}"));
        let differences = explain_cmd::compare(expect, &verdict);
        if !differences.is_empty() {
            failures.push(format!("{name}: {}", differences.join("; ")));
        }
        let (code, text) = explain(&name, false);
        if code != 0 {
            failures.push(format!("{name}: `copylab explain {name}` exited {code}"));
        }
        insta::assert_snapshot!(name.clone(), text);
        let (_, json) = explain(&name, true);
        insta::assert_snapshot!(format!("{name}.json"), json);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builtin_catalog_is_the_scenarios_directory() {
    let on_disk: Vec<String> = scenario_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let builtin: Vec<String> = scenario::builtin_names().map(str::to_owned).collect();
    assert_eq!(
        on_disk, builtin,
        "rebuild to embed the scenarios: the binary's catalog is stale"
    );
}

#[test]
fn explain_outcomes_are_deterministic() {
    for path in scenario_files().iter().take(5) {
        let first = explain(path.to_str().unwrap(), true);
        let second = explain(path.to_str().unwrap(), true);
        assert_eq!(first, second);
    }
}

#[test]
fn broken_scenario_files_get_file_line_column_errors() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-scenarios");
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "unknown_field.yaml",
            "description: x\nworld: {}\ncopy_job:\n  account: '111122223333'\n  region: us-east-1\n  colour: red\n",
            ":6:",
        ),
        (
            "wrong_type.yaml",
            "description: x\nseed: many\nworld: {}\ncopy_job: {account: '1', region: r}\n",
            ":2:",
        ),
        ("not_yaml.yaml", "description: [unclosed\n", ":"),
        (
            "bad_date.yaml",
            "description: x\nas_of: 2025/10/01\nworld: {}\ncopy_job: {account: '1', region: r}\n",
            "as_of",
        ),
    ];
    for (file, text, expected) in cases {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let (code, output) = explain(path.to_str().unwrap(), false);
        assert_eq!(code, 2, "{file}: {output}");
        assert!(
            output.contains(&format!("{}", path.display())) && output.contains(expected),
            "{file}: {output}"
        );
    }
}

/// The committed JSON Schema (`docs/scenario.schema.json`) is the one the types generate. When it
/// is stale the test rewrites it and fails, so the change shows up in the diff.
#[test]
fn committed_json_schema_is_current() {
    let mut out = Vec::new();
    let code = copylab::cli::run(["copylab", "scenarios", "--schema"], &mut out, &mut Vec::new(), false);
    assert_eq!(code, 0);
    let generated = String::from_utf8(out).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        std::fs::write(&path, &generated).unwrap();
        panic!("docs/scenario.schema.json was stale and has been regenerated: review and commit it");
    }
}

#[test]
fn policies_load_from_files_next_to_the_scenario_and_from_get_key_policy_output() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario-with-files");
    std::fs::create_dir_all(&dir).unwrap();
    let baseline = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed_destination_vault_policy_without_source.yaml"),
    )
    .unwrap();
    let loaded = scenario::parse("baseline", &baseline, None).unwrap();
    // The destination vault policy, fixed, as a file; the source key policy as `aws kms get-key-policy` prints it.
    let vault_policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}]}"#;
    std::fs::write(dir.join("vault-policy.json"), vault_policy).unwrap();
    let key_policy = loaded
        .world
        .keys
        .iter()
        .find_map(|k| k.policy.clone())
        .expect("the baseline has a key policy");
    let wrapped = serde_json::json!({"Policy": serde_json::to_string(&key_policy.0).unwrap(), "PolicyName": "default"});
    std::fs::write(
        dir.join("key-policy.json"),
        serde_json::to_string_pretty(&wrapped).unwrap(),
    )
    .unwrap();
    let mut yaml = baseline.replace("expect:", "expect_removed:");
    yaml.truncate(yaml.find("expect_removed:").unwrap());
    let mut value: serde_json::Value = serde_json::to_value(scenario::parse("baseline", &yaml, None).unwrap()).unwrap();
    for vault in value["world"]["vaults"].as_array_mut().unwrap() {
        if vault["account"] == "444455556666" {
            vault["access_policy"] = serde_json::json!({"file": "vault-policy.json"});
        }
    }
    for key in value["world"]["keys"].as_array_mut().unwrap() {
        if !key["policy"].is_null() {
            key["policy"] = serde_json::json!({"file": "key-policy.json"});
        }
    }
    let path = dir.join("my_setup.yaml");
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let (code, output) = explain(path.to_str().unwrap(), false);
    assert_eq!(
        code, 0,
        "COMPLETED once the vault policy allows the source account: {output}"
    );
    assert!(output.contains("COMPLETED"), "{output}");
}

//! `copylab collect` and `copylab import` (issue 15), in-process: the script is read-only and each of its calls is allowed by the least-privilege policy of its profile (examples/collect/, checked with copylab's own policy engine); AWS's documented example outputs import as they are; bad folders are refused with the file named; an unknown fact makes its checks indeterminate; redaction keeps the verdict. The round trip with the real AWS CLI against `copylab serve` is scripts/collect-roundtrip.sh.

use std::path::{Path, PathBuf};

const DOCUMENTED: &str = "tests/fixtures/collect/documented";

/// Runs copylab with `args` from the workspace root: exit code, stdout, stderr.
fn copylab(args: &[&str]) -> (i32, String, String) {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = copylab::cli::run(
        std::iter::once("copylab").chain(args.iter().copied()),
        &mut out,
        &mut err,
        false,
    );
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// A copy of the documented fixture folder in a fresh temporary folder.
fn documented_copy(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("copylab-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(root.join(DOCUMENTED)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

/// The collect script for a copy job, with the management profile.
fn script() -> String {
    let (code, out, err) = copylab(&[
        "collect",
        "--copy-job-id",
        "A6C7188E-0551-411E-8D50-16879973635C",
        "--source-profile",
        "src",
        "--destination-profile",
        "dst",
        "--management-profile",
        "mgmt",
    ]);
    assert_eq!(code, 0, "{err}");
    out
}

/// The AWS calls a script makes: (side, service, operation).
fn calls(script: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for line in script.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            // `run SIDE FILE SERVICE OPERATION ...` and `value SIDE SERVICE OPERATION ...`.
            if !matches!(*word, "run" | "value") {
                continue;
            }
            let side = words.get(i + 1).copied().unwrap_or_default();
            if !matches!(side, "source" | "destination" | "management") {
                continue;
            }
            let services = ["backup", "kms", "iam", "organizations", "sts"];
            let Some(at) = (i + 2..words.len()).find(|&j| services.contains(&words[j])) else {
                continue;
            };
            if let Some(operation) = words.get(at + 1) {
                found.push((side.to_owned(), words[at].to_owned(), (*operation).to_owned()));
            }
        }
    }
    found
}

#[test]
fn the_collect_script_calls_only_describe_get_and_list_operations() {
    let calls = calls(&script());
    assert!(calls.len() > 25, "{calls:?}");
    for (side, service, operation) in &calls {
        assert!(
            ["describe-", "get-", "list-"].iter().any(|p| operation.starts_with(p)),
            "{side}: aws {service} {operation} is not read-only"
        );
    }
    for side in ["source", "destination", "management"] {
        assert!(calls.iter().any(|(s, _, _)| s == side), "no call for {side}");
    }
}

/// `backup describe-recovery-point` → `backup:DescribeRecoveryPoint`.
fn action(service: &str, operation: &str) -> String {
    let name: String = operation
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    format!("{service}:{name}")
}

#[test]
fn each_profiles_least_privilege_policy_allows_its_calls_and_nothing_that_writes() {
    let empty = std::env::temp_dir().join(format!("copylab-empty-resource-policy-{}.json", std::process::id()));
    std::fs::write(&empty, r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap();
    let empty = empty.to_str().unwrap().to_owned();
    let allowed = |side: &str, action: &str| {
        let policy = format!("examples/collect/{side}-policy.json");
        let (code, out, err) = copylab(&[
            "policy",
            "simulate",
            "--resource-policy",
            &empty,
            "--identity-policy",
            &policy,
            "--principal",
            "arn:aws:iam::111122223333:user/collector",
            "--action",
            action,
            "--resource",
            "arn:aws:backup:us-east-1:111122223333:backup-vault:SourceVault",
            "--kind",
            "resource",
        ]);
        assert!(code == 0 || code == 1, "{out}{err}");
        code == 0
    };
    for (side, service, operation) in calls(&script()) {
        if service == "sts" {
            // GetCallerIdentity needs no permission.
            continue;
        }
        let action = action(&service, &operation);
        assert!(allowed(&side, &action), "{side}'s policy does not allow {action}");
    }
    for (side, action) in [
        ("source", "backup:StartCopyJob"),
        ("source", "kms:PutKeyPolicy"),
        ("destination", "backup:PutBackupVaultAccessPolicy"),
        ("management", "organizations:DetachPolicy"),
    ] {
        assert!(!allowed(side, action), "{side}'s policy allows {action}");
    }
}

#[test]
fn collect_refuses_unsafe_or_missing_arguments() {
    let (code, _, err) = copylab(&[
        "collect",
        "--recovery-point-arn",
        "arn:aws:ec2:us-east-1::snapshot/snap-1;id",
        "--source-vault",
        "V",
        "--destination-vault-arn",
        "arn:aws:backup:us-east-1:444455556666:backup-vault:D",
        "--source-profile",
        "s",
        "--destination-profile",
        "d",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--recovery-point-arn"), "{err}");
    let (code, _, err) = copylab(&["collect", "--source-profile", "s", "--destination-profile", "d"]);
    assert_eq!(code, 2);
    assert!(err.contains("--copy-job-id"), "{err}");
}

#[test]
fn documented_example_outputs_import_as_they_are() {
    let output = std::env::temp_dir().join(format!("copylab-imported-{}.json", std::process::id()));
    let (code, _, err) = copylab(&["import", DOCUMENTED, "-o", output.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let scenario: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let world = &scenario["world"];
    // The URL-encoded trust policy, the JSON-string key policy, the decoded inline
    // policy and the customer managed policy's default version.
    assert_eq!(
        world["roles"][0]["trust_policy"]["Statement"][0]["Principal"]["Service"],
        "backup.amazonaws.com"
    );
    assert_eq!(world["keys"][0]["policy"]["Id"], "key-default-1");
    assert_eq!(world["keys"][1]["manager"], "AWS");
    assert_eq!(
        world["roles"][0]["policies"][1]["name"],
        "attached arn:aws:iam::123456789012:policy/MySamplePolicy"
    );
    assert_eq!(
        world["organizations"][0]["tag_policies"][0]["content"]["tags"]["costcenter"]["tag_key"]["@@assign"],
        "CostCenter"
    );
    // Each fact says where it came from.
    assert_eq!(
        scenario["sources"]["/world/keys/0/policy"],
        "kms-get-key-policy.source-key.source.json $.Policy"
    );
    // What the destination could not read, and the management account not run, is unknown.
    let unknown: Vec<&str> = world["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["fact"].as_str().unwrap())
        .collect();
    assert_eq!(unknown, ["destination-vault-policy", "control-policies"]);
    // An AWS managed key's policy is AWS's: its refused `get-key-policy` leaves nothing unknown.
    assert_eq!(world["keys"][1]["manager"], "AWS");
    let (code, out, err) = copylab(&["explain", output.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let out = out.replace(
        output.file_stem().unwrap().to_str().unwrap(),
        "imported_documented_examples",
    );
    insta::assert_snapshot!("imported_documented_examples", out);
}

#[test]
fn an_unknown_fact_makes_only_the_checks_that_read_it_undecided() {
    let output = std::env::temp_dir().join(format!("copylab-unknown-{}.json", std::process::id()));
    let (code, _, err) = copylab(&["import", DOCUMENTED, "-o", output.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = copylab(&["explain", output.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let undecided: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["result"] == "indeterminate")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(undecided, ["control-policies", "destination-vault-policy"]);
    let evidence = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "destination-vault-policy")
        .unwrap()["evidence"]
        .to_string();
    assert!(
        evidence.contains("aws backup get-backup-vault-access-policy --backup-vault-name CentralVault --profile dst"),
        "{evidence}"
    );
    assert!(evidence.contains("in account 555555555555"), "{evidence}");
}

#[test]
fn bad_folders_are_refused_with_the_file_named_and_exit_code_2() {
    // An empty folder.
    let empty = std::env::temp_dir().join(format!("copylab-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let (code, _, err) = copylab(&["import", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("manifest.jsonl"), "{err}");
    // A truncated file: its name, line and column.
    let dir = documented_copy("truncated");
    let file = dir.join("kms-describe-key.source-key.source.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, &text[..text.len() / 2]).unwrap();
    let (code, _, err) = copylab(&["import", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("kms-describe-key.source-key.source.json:"), "{err}");
    assert!(err.contains("not JSON"), "{err}");
    // A file of the wrong command.
    let dir = documented_copy("wrong");
    std::fs::copy(
        dir.join("kms-describe-key.source-key.source.json"),
        dir.join("backup-describe-recovery-point.source.json"),
    )
    .unwrap();
    let (code, _, err) = copylab(&["import", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "backup-describe-recovery-point.source.json: not the output of `aws backup describe-recovery-point`"
        ),
        "{err}"
    );
    // Two recovery points.
    let dir = documented_copy("two");
    let rp = std::fs::read_to_string(dir.join("backup-describe-recovery-point.source.json")).unwrap();
    std::fs::write(
        dir.join("backup-describe-recovery-point.other.source.json"),
        rp.replace("job-0a1b2c3d", "job-ffffffff"),
    )
    .unwrap();
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.contains("describe-recovery-point"))
        .unwrap()
        .replace(
            "backup-describe-recovery-point.source.json",
            "backup-describe-recovery-point.other.source.json",
        );
    std::fs::write(dir.join("manifest.jsonl"), format!("{manifest}{line}\n")).unwrap();
    let (code, _, err) = copylab(&["import", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("two recovery points"), "{err}");
    // A name that leaves the folder.
    let dir = documented_copy("escape");
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    std::fs::write(
        dir.join("manifest.jsonl"),
        manifest.replace("\"sts-get-caller-identity.source.json\"", "\"../../etc/passwd\""),
    )
    .unwrap();
    let (code, _, err) = copylab(&["import", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a name in the folder"), "{err}");
}

#[test]
fn a_redacted_import_has_the_same_verdict_and_no_account_id() {
    let plain = std::env::temp_dir().join(format!("copylab-plain-{}.json", std::process::id()));
    let redacted = std::env::temp_dir().join(format!("copylab-redacted-{}.json", std::process::id()));
    assert_eq!(copylab(&["import", DOCUMENTED, "-o", plain.to_str().unwrap()]).0, 0);
    let (code, _, err) = copylab(&["import", DOCUMENTED, "--redact", "-o", redacted.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&redacted).unwrap();
    for account in ["123456789012", "555555555555", "111111111111", "846764612917"] {
        assert!(!text.contains(account), "{account} is left in the redacted scenario");
    }
    let verdict = |path: &Path| {
        let (_, out, _) = copylab(&["explain", path.to_str().unwrap(), "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let results: Vec<(String, String)> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].to_string(), c["result"].to_string()))
            .collect();
        (
            report["outcome"]["state"].clone(),
            report["failed_check"].clone(),
            results,
        )
    };
    assert_eq!(verdict(&plain), verdict(&redacted));
}

#[test]
fn policy_check_reads_the_output_of_aws_kms_get_key_policy() {
    let (code, out, err) = copylab(&[
        "policy",
        "check",
        "tests/fixtures/collect/documented/kms-get-key-policy.source-key.source.json",
        "--kind",
        "kms",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("valid"), "{out}");
}

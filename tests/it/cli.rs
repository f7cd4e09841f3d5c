//! `copylab policy check` and `copylab policy simulate` run in-process, their output pinned by insta snapshots (exit code, stdout and stderr in one snapshot).

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DEST_SESSION: &str = "arn:aws:sts::444455556666:assumed-role/BackupRole/copy";

/// Runs copylab with `args` from the workspace root; returns the exit code and a transcript.
fn copylab(args: &[&str]) -> (i32, String) {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = copylab::cli::run(
        std::iter::once("copylab").chain(args.iter().copied()),
        &mut out,
        &mut err,
        false,
    );
    let transcript = format!(
        "$ copylab {}\nexit: {code}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap()
    );
    (code, transcript)
}

#[track_caller]
fn snapshot(name: &str, expected_code: i32, args: &[&str]) -> String {
    let (code, transcript) = copylab(args);
    assert_eq!(code, expected_code, "{transcript}");
    insta::assert_snapshot!(name, transcript);
    transcript
}

#[test]
fn check_seed_key_policy_is_valid() {
    snapshot(
        "check_seed_key_policy_text",
        0,
        &["policy", "check", "examples/policies/seed-key-policy.json"],
    );
    let json = snapshot(
        "check_seed_key_policy_json",
        0,
        &[
            "policy",
            "check",
            "examples/policies/seed-key-policy.json",
            "--format",
            "json",
        ],
    );
    assert!(json.contains("\"kind\": \"kms\""), "kind inferred from the content");
}

#[test]
fn check_unreplaced_seed_key_policy_reports_every_invalid_principal() {
    snapshot(
        "check_seed_key_policy_unreplaced_text",
        1,
        &["policy", "check", "examples/policies/seed-key-policy-unreplaced.json"],
    );
    snapshot(
        "check_seed_key_policy_unreplaced_json",
        1,
        &[
            "policy",
            "check",
            "examples/policies/seed-key-policy-unreplaced.json",
            "--format",
            "json",
        ],
    );
}

#[test]
fn check_vault_policy_with_action_wildcard_answers_invalid_parameter_value() {
    let text = snapshot(
        "check_vault_policy_action_wildcard",
        1,
        &[
            "policy",
            "check",
            "tests/fixtures/policies/vault-policy-action-wildcard.json",
            "--kind",
            "vault",
        ],
    );
    assert!(text.contains("InvalidParameterValueException"));
}

#[test]
fn check_malformed_json_points_at_line_and_column() {
    let text = snapshot(
        "check_malformed_json",
        1,
        &["policy", "check", "tests/fixtures/policies/malformed.json"],
    );
    assert!(text.contains("malformed.json:4:24"), "{text}");
}

#[test]
fn check_ambiguous_kind_asks_for_kind() {
    snapshot(
        "check_ambiguous_kind",
        2,
        &["policy", "check", "tests/fixtures/policies/mixed-kind.json"],
    );
}

#[test]
fn check_missing_file_is_an_input_error() {
    snapshot(
        "check_missing_file",
        2,
        &["policy", "check", "tests/fixtures/policies/does-not-exist.json"],
    );
}

#[test]
fn simulate_seed_cross_account_create_grant_is_allowed() {
    let args = [
        "policy",
        "simulate",
        "--resource-policy",
        "examples/policies/seed-key-policy.json",
        "--identity-allows-all",
        "--principal",
        DEST_SESSION,
        "--action",
        "kms:CreateGrant",
        "--resource",
        KEY,
        "--context",
        "kms:GrantIsForAWSResource=true",
    ];
    snapshot("simulate_seed_create_grant_allow_text", 0, &args);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    snapshot("simulate_seed_create_grant_allow_json", 0, &json_args);
}

#[test]
fn simulate_seed_caller_the_policy_does_not_name_is_implicitly_denied() {
    let args = [
        "policy",
        "simulate",
        "--resource-policy",
        "examples/policies/seed-key-policy.json",
        "--identity-allows-all",
        "--principal",
        "arn:aws:sts::777788889999:assumed-role/BackupRole/copy",
        "--action",
        "kms:CreateGrant",
        "--resource",
        KEY,
        "--context",
        "kms:GrantIsForAWSResource=true",
    ];
    snapshot("simulate_seed_unnamed_caller_implicit_deny_text", 1, &args);
}

#[test]
fn simulate_cross_account_without_identity_allow_names_the_missing_side() {
    let args = [
        "policy",
        "simulate",
        "--resource-policy",
        "examples/policies/seed-key-policy.json",
        "--principal",
        DEST_SESSION,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
    ];
    let text = snapshot("simulate_seed_decrypt_without_identity_policy", 1, &args);
    assert!(text.contains("identity policy in the caller's account must also allow"));
}

#[test]
fn simulate_multi_statement_multi_condition_trace() {
    let args = [
        "policy",
        "simulate",
        "--resource-policy",
        "tests/fixtures/policies/multi-condition-key-policy.json",
        "--identity-policy",
        "examples/policies/copy-role-identity-policy.json",
        "--principal",
        DEST_SESSION,
        "--action",
        "kms:CreateGrant",
        "--resource",
        KEY,
        "--context",
        "aws:PrincipalOrgID=o-a1b2c3d4e5",
        "--context",
        "kms:ViaService=backup.us-east-1.amazonaws.com",
        "--context",
        "kms:GrantIsForAWSResource=true",
    ];
    snapshot("simulate_multi_condition_trace_text", 0, &args);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    snapshot("simulate_multi_condition_trace_json", 0, &json_args);
    // Outside the organization the Deny decides.
    let outside = [
        "policy",
        "simulate",
        "--resource-policy",
        "tests/fixtures/policies/multi-condition-key-policy.json",
        "--identity-allows-all",
        "--principal",
        "arn:aws:iam::777788889999:user/Alice",
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
    ];
    snapshot("simulate_multi_condition_outside_org_explicit_deny", 1, &outside);
}

#[test]
fn simulate_not_principal_session_only_is_indeterminate() {
    let args = [
        "policy",
        "simulate",
        "--resource-policy",
        "tests/fixtures/policies/notprincipal-session-only.json",
        "--identity-allows-all",
        "--principal",
        "arn:aws:sts::444455556666:assumed-role/BackupRole/s1",
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
    ];
    let text = snapshot("simulate_e25_notprincipal_indeterminate_text", 1, &args);
    assert!(text.contains("indeterminate:"));
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = snapshot("simulate_e25_notprincipal_indeterminate_json", 1, &json_args);
    assert!(json.contains("\"kind\": \"indeterminate\""));
}

#[test]
fn simulate_arn_like_on_a_value_that_is_not_an_arn_notes_the_assumption() {
    let args = [
        "policy",
        "simulate",
        "--resource-policy",
        "tests/fixtures/policies/arnlike-principal-arn.json",
        "--identity-allows-all",
        "--principal",
        DEST_SESSION,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        "--context",
        "aws:SourceArn=not-an-arn",
    ];
    let text = snapshot("simulate_e41_arnlike_not_an_arn_text", 1, &args);
    assert!(text.contains("assumption:"));
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = snapshot("simulate_e41_arnlike_not_an_arn_json", 1, &json_args);
    assert!(json.contains("\"kind\": \"assumption\""));
}

#[test]
fn simulate_with_invalid_policy_exits_2_and_shows_where() {
    let args = [
        "policy",
        "simulate",
        "--resource-policy",
        "examples/policies/seed-key-policy-unreplaced.json",
        "--principal",
        DEST_SESSION,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
    ];
    snapshot("simulate_invalid_policy", 2, &args);
}

#[test]
fn simulate_with_bad_principal_or_context_exits_2() {
    let base = [
        "policy",
        "simulate",
        "--resource-policy",
        "examples/policies/seed-key-policy.json",
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
    ];
    let mut bad_principal = base.to_vec();
    bad_principal.extend(["--principal", "arn:aws:iam::SourceAccountID :root"]);
    snapshot("simulate_bad_principal", 2, &bad_principal);
    let mut bad_context = base.to_vec();
    bad_context.extend(["--principal", DEST_SESSION, "--context", "kms:ViaService"]);
    snapshot("simulate_bad_context", 2, &bad_context);
}

#[test]
fn simulate_vault_policy_allows_copy_into_backup_vault_only() {
    let vault = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestVault";
    let source_role = "arn:aws:sts::111122223333:assumed-role/AWSBackupDefaultServiceRole/copy";
    let copy = [
        "policy",
        "simulate",
        "--resource-policy",
        "examples/policies/seed-vault-policy.json",
        "--identity-allows-all",
        "--principal",
        source_role,
        "--action",
        "backup:CopyIntoBackupVault",
        "--resource",
        vault,
    ];
    let (code, text) = copylab(&copy);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("rules: vault"),
        "kind inferred from the vault ARN: {text}"
    );
    let restore = [
        "policy",
        "simulate",
        "--resource-policy",
        "examples/policies/seed-vault-policy.json",
        "--identity-allows-all",
        "--principal",
        source_role,
        "--action",
        "backup:StartRestoreJob",
        "--resource",
        vault,
    ];
    snapshot("simulate_vault_cross_account_other_action_rejected", 1, &restore);
}

#[test]
fn help_lists_the_policy_subcommands() {
    let (code, text) = copylab(&["policy", "--help"]);
    assert_eq!(code, 0);
    assert!(text.contains("check") && text.contains("simulate"), "{text}");
}

//! `copylab policy check` and `copylab policy simulate` run in-process, their output pinned by insta snapshots (exit code, stdout and stderr in one snapshot).

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DEST_SESSION: &str = "arn:aws:sts::444455556666:assumed-role/BackupRole/copy";

/// Runs copylab with the whitespace-separated `command` (arguments hold no spaces) from the
/// workspace root; returns the exit code and a transcript.
fn copylab(command: &str) -> (i32, String) {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let args = std::iter::once("copylab").chain(command.split_whitespace());
    let code = copylab::cli::run(args, &mut out, &mut err, false);
    let transcript = format!(
        "$ copylab {command}\nexit: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap()
    );
    (code, transcript)
}

/// Runs `command`, checks its exit code and pins its transcript as snapshot `name`.
#[track_caller]
fn snapshot(name: &str, expected_code: i32, command: &str) -> String {
    let (code, transcript) = copylab(command);
    assert_eq!(code, expected_code, "{transcript}");
    insta::assert_snapshot!(name, transcript);
    transcript
}

/// Pins `command` in text (`NAME_text`) and JSON (`NAME_json`); returns both transcripts.
#[track_caller]
fn snapshot_text_and_json(name: &str, expected_code: i32, command: &str) -> (String, String) {
    let text = snapshot(&format!("{name}_text"), expected_code, command);
    let json = snapshot(
        &format!("{name}_json"),
        expected_code,
        &format!("{command} --format json"),
    );
    (text, json)
}

#[test]
fn check_seed_key_policy_is_valid() {
    let (_, json) = snapshot_text_and_json(
        "check_seed_key_policy",
        0,
        "policy check examples/policies/seed-key-policy.json",
    );
    assert!(json.contains("\"kind\": \"kms\""), "kind inferred from the content");
}

#[test]
fn check_unreplaced_seed_key_policy_reports_every_invalid_principal() {
    snapshot_text_and_json(
        "check_seed_key_policy_unreplaced",
        1,
        "policy check examples/policies/seed-key-policy-unreplaced.json",
    );
}

#[test]
fn check_vault_policy_with_action_wildcard_answers_invalid_parameter_value() {
    let text = snapshot(
        "check_vault_policy_action_wildcard",
        1,
        "policy check tests/fixtures/policies/vault-policy-action-wildcard.json --kind vault",
    );
    assert!(text.contains("InvalidParameterValueException"));
}

#[test]
fn check_malformed_json_points_at_line_and_column() {
    let text = snapshot(
        "check_malformed_json",
        1,
        "policy check tests/fixtures/policies/malformed.json",
    );
    assert!(text.contains("malformed.json:4:24"), "{text}");
}

#[test]
fn check_ambiguous_kind_asks_for_kind() {
    snapshot(
        "check_ambiguous_kind",
        2,
        "policy check tests/fixtures/policies/mixed-kind.json",
    );
}

#[test]
fn check_missing_file_is_an_input_error() {
    snapshot(
        "check_missing_file",
        2,
        "policy check tests/fixtures/policies/does-not-exist.json",
    );
}

#[test]
fn simulate_seed_cross_account_create_grant_is_allowed() {
    snapshot_text_and_json(
        "simulate_seed_create_grant_allow",
        0,
        &format!(
            "policy simulate --resource-policy examples/policies/seed-key-policy.json --identity-allows-all \
             --principal {DEST_SESSION} --action kms:CreateGrant --resource {KEY} --context kms:GrantIsForAWSResource=true"
        ),
    );
}

#[test]
fn simulate_seed_caller_the_policy_does_not_name_is_implicitly_denied() {
    snapshot(
        "simulate_seed_unnamed_caller_implicit_deny_text",
        1,
        &format!(
            "policy simulate --resource-policy examples/policies/seed-key-policy.json --identity-allows-all \
             --principal arn:aws:sts::777788889999:assumed-role/BackupRole/copy --action kms:CreateGrant \
             --resource {KEY} --context kms:GrantIsForAWSResource=true"
        ),
    );
}

#[test]
fn simulate_cross_account_without_identity_allow_names_the_missing_side() {
    let text = snapshot(
        "simulate_seed_decrypt_without_identity_policy",
        1,
        &format!(
            "policy simulate --resource-policy examples/policies/seed-key-policy.json \
             --principal {DEST_SESSION} --action kms:Decrypt --resource {KEY}"
        ),
    );
    assert!(text.contains("identity policy in the caller's account must also allow"));
}

#[test]
fn simulate_multi_statement_multi_condition_trace() {
    snapshot_text_and_json(
        "simulate_multi_condition_trace",
        0,
        &format!(
            "policy simulate --resource-policy tests/fixtures/policies/multi-condition-key-policy.json \
             --identity-policy examples/policies/copy-role-identity-policy.json \
             --principal {DEST_SESSION} --action kms:CreateGrant --resource {KEY} \
             --context aws:PrincipalOrgID=o-a1b2c3d4e5 --context kms:ViaService=backup.us-east-1.amazonaws.com \
             --context kms:GrantIsForAWSResource=true"
        ),
    );
    // Outside the organization the Deny decides.
    snapshot(
        "simulate_multi_condition_outside_org_explicit_deny",
        1,
        &format!(
            "policy simulate --resource-policy tests/fixtures/policies/multi-condition-key-policy.json \
             --identity-allows-all --principal arn:aws:iam::777788889999:user/Alice --action kms:Decrypt --resource {KEY}"
        ),
    );
}

#[test]
fn simulate_not_principal_session_only_is_indeterminate() {
    let (text, json) = snapshot_text_and_json(
        "simulate_e25_notprincipal_indeterminate",
        1,
        &format!(
            "policy simulate --resource-policy tests/fixtures/policies/notprincipal-session-only.json \
             --identity-allows-all --principal arn:aws:sts::444455556666:assumed-role/BackupRole/s1 \
             --action kms:Decrypt --resource {KEY}"
        ),
    );
    assert!(text.contains("indeterminate:"));
    assert!(json.contains("\"kind\": \"indeterminate\""));
}

#[test]
fn simulate_arn_like_on_a_value_that_is_not_an_arn_notes_the_assumption() {
    let (text, json) = snapshot_text_and_json(
        "simulate_e41_arnlike_not_an_arn",
        1,
        &format!(
            "policy simulate --resource-policy tests/fixtures/policies/arnlike-principal-arn.json \
             --identity-allows-all --principal {DEST_SESSION} --action kms:Decrypt --resource {KEY} \
             --context aws:SourceArn=not-an-arn"
        ),
    );
    assert!(text.contains("assumption:"));
    assert!(json.contains("\"kind\": \"assumption\""));
}

#[test]
fn simulate_with_invalid_policy_exits_2_and_shows_where() {
    snapshot(
        "simulate_invalid_policy",
        2,
        &format!(
            "policy simulate --resource-policy examples/policies/seed-key-policy-unreplaced.json \
             --principal {DEST_SESSION} --action kms:Decrypt --resource {KEY}"
        ),
    );
}

#[test]
fn simulate_with_bad_principal_or_context_exits_2() {
    let base = format!(
        "policy simulate --resource-policy examples/policies/seed-key-policy.json --action kms:Decrypt --resource {KEY}"
    );
    snapshot(
        "simulate_bad_principal",
        2,
        &format!("{base} --principal arn:aws:iam::SourceAccountID:root"),
    );
    snapshot(
        "simulate_bad_context",
        2,
        &format!("{base} --principal {DEST_SESSION} --context kms:ViaService"),
    );
    snapshot(
        "simulate_kind_identity_is_refused",
        2,
        &format!("{base} --principal {DEST_SESSION} --kind identity"),
    );
}

#[test]
fn simulate_vault_policy_allows_copy_into_backup_vault_only() {
    let base = "policy simulate --resource-policy examples/policies/seed-vault-policy.json --identity-allows-all \
                --principal arn:aws:sts::111122223333:assumed-role/AWSBackupDefaultServiceRole/copy \
                --resource arn:aws:backup:us-east-1:444455556666:backup-vault:DestVault";
    let (code, text) = copylab(&format!("{base} --action backup:CopyIntoBackupVault"));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("rules: vault"),
        "kind inferred from the vault ARN: {text}"
    );
    snapshot(
        "simulate_vault_cross_account_other_action_rejected",
        1,
        &format!("{base} --action backup:StartRestoreJob"),
    );
}

#[test]
fn help_lists_the_policy_subcommands() {
    let (code, text) = copylab("policy --help");
    assert_eq!(code, 0);
    assert!(text.contains("check") && text.contains("simulate"), "{text}");
}

/// `copylab serve --accept-any-key` takes only a 12-digit account id, and `--empty` goes with no
/// `--scenario`: both are refused before anything is served (exit 2).
#[test]
fn serve_refuses_a_bad_accept_any_key_and_empty_with_a_scenario() {
    let (code, output) = copylab("serve --bind 127.0.0.1:0 --accept-any-key test");
    assert_eq!(code, 2, "{output}");
    assert!(
        output.contains("--accept-any-key: `test` is not a 12-digit account id"),
        "{output}"
    );
    let (code, output) = copylab("serve --bind 127.0.0.1:0 --empty --scenario seed_rds_cross_account_completed");
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("--empty") && output.contains("--scenario"), "{output}");
}

//! One test per validation rule: the rule id, the AWS exception for the policy kind, the JSON path and the exact line and column of the offending element.

use copylab_policy::{Policy, PolicyError, PolicyKind, WarningRule};

/// The errors of `text` under `kind`, which must be invalid.
#[track_caller]
fn errors(text: &str, kind: PolicyKind) -> Vec<PolicyError> {
    match Policy::parse(text, kind) {
        Ok(_) => panic!("expected the policy to be rejected:\n{text}"),
        Err(errors) => errors,
    }
}

/// Asserts that the first error is `rule` at `path`, `line`:`column`, with `exception`.
#[track_caller]
fn check(text: &str, kind: PolicyKind, rule: &str, path: &str, line: u32, column: u32, exception: &str) {
    let errors = errors(text, kind);
    let first = &errors[0];
    assert_eq!(
        (
            first.rule.as_str(),
            first.path.as_str(),
            first.span.line,
            first.span.column,
            first.exception
        ),
        (rule, path, line, column, exception),
        "all errors: {errors:#?}"
    );
    assert_eq!(first.provenance, "modeled");
}

const KMS: &str = "MalformedPolicyDocumentException";
const VAULT: &str = "InvalidParameterValueException";

#[test]
fn malformed_json_points_at_the_bad_character() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}";
    check(text, PolicyKind::Kms, "malformed-json", "$.Statement[0]", 4, 24, KMS);
}

#[test]
fn duplicate_effect_in_a_statement_is_rejected() {
    let text = r#"{
  "Statement": [{
    "Effect": "Allow",
    "Effect": "Deny",
    "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"
  }]
}"#;
    check(
        text,
        PolicyKind::Kms,
        "duplicate-key",
        "$.Statement[0].Effect",
        4,
        5,
        KMS,
    );
}

#[test]
fn duplicate_key_inside_principal_map_is_rejected() {
    let text = r#"{
  "Statement": [{
    "Effect": "Allow",
    "Principal": {
      "AWS": "arn:aws:iam::111122223333:root",
      "AWS": "arn:aws:iam::444455556666:root"
    },
    "Action": "kms:Decrypt", "Resource": "*"
  }]
}"#;
    check(
        text,
        PolicyKind::Kms,
        "duplicate-key",
        "$.Statement[0].Principal.AWS",
        6,
        7,
        KMS,
    );
}

#[test]
fn duplicate_key_inside_condition_is_rejected() {
    let text = r#"{
  "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "backup:CopyIntoBackupVault", "Resource": "*",
    "Condition": {
      "StringEquals": {
        "aws:PrincipalOrgID": "o-a1b2c3d4e5",
        "aws:PrincipalOrgID": "o-f6g7h8i9j0"
      }
    }
  }]
}"#;
    check(
        text,
        PolicyKind::Vault,
        "duplicate-key",
        "$.Statement[0].Condition.StringEquals.aws:PrincipalOrgID",
        7,
        9,
        VAULT,
    );
}

#[test]
fn duplicate_operator_inside_condition_is_rejected() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
  "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}, "Bool": {"aws:SecureTransport": true}}}]}"#;
    check(
        text,
        PolicyKind::Kms,
        "duplicate-key",
        "$.Statement[0].Condition.Bool",
        2,
        62,
        KMS,
    );
}

#[test]
fn partial_wildcard_principal_is_rejected() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::444455556666:role/*"]},
    "Action": "kms:Decrypt",
    "Resource": "*"
  }]
}"#;
    check(
        text,
        PolicyKind::Kms,
        "partial-wildcard-principal",
        "$.Statement[0].Principal.AWS[1]",
        5,
        61,
        KMS,
    );
}

#[test]
fn seed_placeholder_principal_is_invalid() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/policies/seed-key-policy-unreplaced.json"
    ))
    .unwrap();
    let errors = errors(&text, PolicyKind::Kms);
    assert_eq!(errors.len(), 5, "{errors:#?}");
    assert!(errors.iter().all(|e| e.rule.as_str() == "invalid-principal"));
    assert_eq!(
        (errors[0].path.as_str(), errors[0].span.line, errors[0].span.column),
        ("$.Statement[0].Principal.AWS", 9, 16)
    );
    assert!(
        errors[0].message.contains("`SourceAccountID `"),
        "{}",
        errors[0].message
    );
}

#[test]
fn not_principal_with_allow_is_rejected() {
    let text = r#"{"Statement": [
  {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Decrypt", "Resource": "*"}
]}"#;
    check(
        text,
        PolicyKind::Kms,
        "not-principal-with-allow",
        "$.Statement[0].NotPrincipal",
        2,
        23,
        KMS,
    );
}

#[test]
fn unknown_version_is_rejected() {
    let text = "{\n  \"Version\": \"2012-10-18\",\n  \"Statement\": []\n}";
    check(text, PolicyKind::Kms, "unknown-version", "$.Version", 2, 14, KMS);
}

#[test]
fn unknown_condition_operator_is_rejected() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
    "Condition": {"StringEqualsIgnoringCase": {"kms:ViaService": "backup.us-east-1.amazonaws.com"}}}]}"#;
    check(
        text,
        PolicyKind::Identity,
        "unknown-condition-operator",
        "$.Statement[0].Condition.StringEqualsIgnoringCase",
        2,
        19,
        KMS,
    );
}

#[test]
fn null_if_exists_is_an_unknown_operator() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"NullIfExists": {"aws:SourceArn": "true"}}}]}"#;
    check(
        text,
        PolicyKind::Identity,
        "unknown-condition-operator",
        "$.Statement[0].Condition.NullIfExists",
        1,
        92,
        KMS,
    );
}

#[test]
fn variable_outside_resource_part_is_rejected() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "kms:Decrypt",
    "Resource": ["arn:aws:kms:us-east-1:111122223333:key/*", "arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/*"]
  }]
}"#;
    check(
        text,
        PolicyKind::Identity,
        "variable-outside-resource-part",
        "$.Statement[0].Resource[1]",
        6,
        62,
        KMS,
    );
}

#[test]
fn variable_before_resource_part_is_literal_under_2008_version() {
    let text = r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",
      "Resource": "arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/*"}]}"#;
    assert!(Policy::parse(text, PolicyKind::Identity).is_ok());
}

#[test]
fn multivalued_key_as_variable_is_rejected() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
  "Condition": {"StringLike": {"s3:prefix": "${aws:TagKeys}/*"}}}]}"#;
    check(
        text,
        PolicyKind::Identity,
        "multivalued-variable",
        "$.Statement[0].Condition.StringLike.s3:prefix",
        2,
        45,
        KMS,
    );
}

#[test]
fn action_wildcard_in_vault_access_policy_is_rejected() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "backup:Copy*",
    "Resource": "*"
  }]
}"#;
    check(
        text,
        PolicyKind::Vault,
        "vault-action-wildcard",
        "$.Statement[0].Action",
        6,
        15,
        VAULT,
    );
}

#[test]
fn service_wildcard_in_resource_is_rejected() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Action": "backup:*",
  "Resource": "arn:aws:*:us-east-1:111122223333:backup-vault:*"}]}"#;
    check(
        text,
        PolicyKind::Identity,
        "service-wildcard",
        "$.Statement[0].Resource",
        2,
        15,
        KMS,
    );
}

#[test]
fn principal_in_identity_policy_is_rejected() {
    let text = r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}}"#;
    check(
        text,
        PolicyKind::Identity,
        "principal-in-identity-policy",
        "$.Statement.Principal",
        1,
        35,
        KMS,
    );
}

#[test]
fn missing_principal_in_vault_policy_is_rejected() {
    let text = "{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"backup:CopyIntoBackupVault\", \"Resource\": \"*\"}\n]}";
    check(
        text,
        PolicyKind::Vault,
        "missing-principal",
        "$.Statement[0]",
        2,
        3,
        VAULT,
    );
}

#[test]
fn unknown_element_is_rejected() {
    let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Actions\": \"kms:Decrypt\", \"Resource\": \"*\"}]}";
    let errors = errors(text, PolicyKind::Kms);
    let unknown = errors
        .iter()
        .find(|e| e.rule.as_str() == "unknown-element")
        .expect("unknown-element");
    assert_eq!(
        (unknown.path.as_str(), unknown.span.line, unknown.span.column),
        ("$.Statement[0].Actions", 1, 54)
    );
}

#[test]
fn wrong_type_is_rejected() {
    let text =
        "{\"Statement\": [{\"Effect\": true, \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}";
    check(text, PolicyKind::Kms, "wrong-type", "$.Statement[0].Effect", 1, 27, KMS);
}

#[test]
fn invalid_effect_is_rejected() {
    let text = "{\"Statement\": [{\"Effect\": \"allow\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}";
    check(
        text,
        PolicyKind::Kms,
        "invalid-effect",
        "$.Statement[0].Effect",
        1,
        27,
        KMS,
    );
}

#[test]
fn action_and_not_action_together_are_rejected() {
    let text = "{\"Statement\": [{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"NotAction\": \"kms:Encrypt\", \"Resource\": \"*\"}]}";
    check(
        text,
        PolicyKind::Kms,
        "conflicting-elements",
        "$.Statement[0].NotAction",
        1,
        78,
        KMS,
    );
}

#[test]
fn bool_condition_value_must_be_true_or_false() {
    let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:CreateGrant\", \"Resource\": \"*\",\n \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"yes\"}}}]}";
    check(
        text,
        PolicyKind::Kms,
        "invalid-condition-value",
        "$.Statement[0].Condition.Bool.kms:GrantIsForAWSResource",
        2,
        54,
        KMS,
    );
}

#[test]
fn identity_policy_sid_must_be_alphanumeric() {
    let text = "{\"Statement\": [{\"Sid\": \"Allow use\", \"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}";
    check(
        text,
        PolicyKind::Identity,
        "invalid-sid",
        "$.Statement[0].Sid",
        1,
        24,
        KMS,
    );
}

#[test]
fn key_policy_sid_may_contain_spaces() {
    let text = "{\"Statement\": [{\"Sid\": \"Allow use\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}";
    assert!(Policy::parse(text, PolicyKind::Kms).is_ok());
}

#[test]
fn invalid_action_is_rejected() {
    let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"Decrypt\", \"Resource\": \"*\"}]}";
    check(
        text,
        PolicyKind::Identity,
        "invalid-action",
        "$.Statement[0].Action",
        1,
        46,
        KMS,
    );
}

#[test]
fn oversized_key_policy_is_rejected() {
    let padding = " ".repeat(33_000);
    let text = format!("{{\"Statement\": []{padding}}}");
    check(&text, PolicyKind::Kms, "policy-too-large", "$", 1, 1, KMS);
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/*"}, "Action": "kms:Decrypt", "Resource": "*"},
  {"Effect": "Allow", "NotPrincipal": {"AWS": "444455556666"}, "Action": "kms:Decrypt", "Resource": "*"}
]}"#;
    let rules: Vec<&str> = errors(text, PolicyKind::Kms).iter().map(|e| e.rule.as_str()).collect();
    assert_eq!(rules, ["partial-wildcard-principal", "not-principal-with-allow"]);
}

#[test]
fn key_policy_statement_without_resource_is_a_warning() {
    let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\"}]}";
    let policy = Policy::parse(text, PolicyKind::Kms).unwrap();
    assert_eq!(policy.warnings[0].rule, WarningRule::StatementWithoutResource);
    assert_eq!(
        (policy.warnings[0].path.as_str(), policy.warnings[0].span.column),
        ("$.Statement[0]", 16)
    );
    // The same statement is an error in a vault access policy.
    check(
        text,
        PolicyKind::Vault,
        "missing-element",
        "$.Statement[0]",
        1,
        16,
        VAULT,
    );
}

#[test]
fn key_policy_statement_without_action_is_a_warning() {
    let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Resource\": \"*\"}]}";
    let policy = Policy::parse(text, PolicyKind::Kms).unwrap();
    assert_eq!(policy.warnings[0].rule, WarningRule::StatementWithoutAction);
}

#[test]
fn not_principal_deny_without_account_is_a_warning() {
    let text = r#"{"Statement": [{"Effect": "Deny",
  "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:role/BackupRole"]},
  "Action": "kms:*", "Resource": "*"}]}"#;
    let policy = Policy::parse(text, PolicyKind::Kms).unwrap();
    let warning = &policy.warnings[0];
    assert_eq!(warning.rule, WarningRule::NotprincipalWithoutAccount);
    assert_eq!(
        (warning.path.as_str(), warning.span.line, warning.span.column),
        ("$.Statement[0].NotPrincipal", 2, 28)
    );
}

#[test]
fn unclosed_policy_variable_is_rejected() {
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\",\n  \"Resource\": \"arn:aws:s3:::bucket/${aws:username\"}]}";
    check(
        text,
        PolicyKind::Identity,
        "invalid-variable",
        "$.Statement[0].Resource",
        2,
        15,
        KMS,
    );
}

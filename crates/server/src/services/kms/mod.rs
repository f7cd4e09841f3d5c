//! AWS KMS on the wire (awsJson1_1, `X-Amz-Target: TrentService.*`): keys, key policies, aliases and tags kept in the world the rules engine reads, so that `PutKeyPolicy` changes the next copy job's outcome.
//!
//! Who may call: operations on a key are authorised by its key policy through the policy
//! engine, with the caller's identity side taken as allowing (a world has no IAM users' policies;
//! modeled). Of the operations here only `DescribeKey` works on another account's key, as KMS
//! documents in its "Cross-account use" column; the others look the key up in the caller's own
//! account. AWS managed keys (`alias/aws/*`) exist in every account and Region; their policies
//! and state cannot be changed.

use axum::http::StatusCode;
use copylab_policy::{Outcome, Policy, PolicyKind};
use copylab_rules::kms::{KeyIdForms, Located};
use copylab_rules::world::{Key, KeyManager, KeyState, PolicyDocument};
use serde_json::{Map, Value, json};

use crate::state::ServerState;
use crate::wire::{ApiError, Caller};

/// The `X-Amz-Target` prefix of KMS operations.
pub const TARGET_PREFIX: &str = "TrentService.";

/// KMS state the world has no field for: descriptions, creation dates, tags, deletion dates and
/// aliases beyond a key's first (the world's `alias`, which the rules engine resolves).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KmsState {
    /// Per key ARN.
    pub keys: std::collections::BTreeMap<String, KeyExtra>,
    /// Further aliases: (alias ARN, target key ARN, creation date).
    pub aliases: Vec<(String, String, f64)>,
}

/// What KMS shows of a key beyond the world's fields.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyExtra {
    /// `Description`.
    pub description: String,
    /// `CreationDate`, epoch seconds.
    pub created: Option<f64>,
    /// Tags, in the order set.
    pub tags: Vec<(String, String)>,
    /// `DeletionDate`, epoch seconds, while pending deletion.
    pub deletion_date: Option<f64>,
    /// `PendingDeletionWindowInDays`.
    pub pending_window: Option<u64>,
    /// `KeySpec` as created (`None`: `SYMMETRIC_DEFAULT`).
    pub spec: Option<String>,
    /// `KeyUsage` as created (`None`: `ENCRYPT_DECRYPT`).
    pub usage: Option<String>,
    /// `MultiRegion`: a multi-Region primary key (copylab has no `ReplicateKey`).
    pub multi_region: bool,
}

/// The key usages each `KeySpec` allows, from `CreateKey`'s `KeyUsage` documentation in the
/// pinned model (`ECC_NIST_EDWARDS25519`: "signing and verification only", from `KeySpec`'s).
fn usages(spec: &str) -> &'static [&'static str] {
    match spec {
        "SYMMETRIC_DEFAULT" => &["ENCRYPT_DECRYPT"],
        "HMAC_224" | "HMAC_256" | "HMAC_384" | "HMAC_512" => &["GENERATE_VERIFY_MAC"],
        "RSA_2048" | "RSA_3072" | "RSA_4096" => &["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
        "ECC_NIST_P256" | "ECC_NIST_P384" | "ECC_NIST_P521" => &["SIGN_VERIFY", "KEY_AGREEMENT"],
        "ECC_NIST_EDWARDS25519" | "ECC_SECG_P256K1" | "ML_DSA_44" | "ML_DSA_65" | "ML_DSA_87" => &["SIGN_VERIFY"],
        "ML_KEM_512" | "ML_KEM_768" | "ML_KEM_1024" => &["ENCAPSULATE_DECAPSULATE"],
        "SM2" => &["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"],
        _ => &[],
    }
}

/// The algorithm member `DescribeKey` shows for a key usage ("present only when the `KeyUsage`
/// of the KMS key is ...", the model's `KeyMetadata`) and its values for a key spec. The values
/// are the model's enums; which ones a spec supports is the KMS guide's key spec reference,
/// which the reference does not hold (modeled for the asymmetric specs).
fn algorithms(spec: &str, usage: &str) -> (&'static str, Vec<&'static str>) {
    match usage {
        "GENERATE_VERIFY_MAC" => (
            "MacAlgorithms",
            vec![match spec {
                "HMAC_224" => "HMAC_SHA_224",
                "HMAC_384" => "HMAC_SHA_384",
                "HMAC_512" => "HMAC_SHA_512",
                _ => "HMAC_SHA_256",
            }],
        ),
        "SIGN_VERIFY" => (
            "SigningAlgorithms",
            match spec {
                "RSA_2048" | "RSA_3072" | "RSA_4096" => vec![
                    "RSASSA_PKCS1_V1_5_SHA_256",
                    "RSASSA_PKCS1_V1_5_SHA_384",
                    "RSASSA_PKCS1_V1_5_SHA_512",
                    "RSASSA_PSS_SHA_256",
                    "RSASSA_PSS_SHA_384",
                    "RSASSA_PSS_SHA_512",
                ],
                "ECC_NIST_P384" => vec!["ECDSA_SHA_384"],
                "ECC_NIST_P521" => vec!["ECDSA_SHA_512"],
                "ECC_NIST_EDWARDS25519" => vec!["ED25519_SHA_512", "ED25519_PH_SHA_512"],
                "ML_DSA_44" | "ML_DSA_65" | "ML_DSA_87" => vec!["ML_DSA_SHAKE_256"],
                "SM2" => vec!["SM2DSA"],
                _ => vec!["ECDSA_SHA_256"],
            },
        ),
        "KEY_AGREEMENT" => ("KeyAgreementAlgorithms", vec!["ECDH"]),
        "ENCAPSULATE_DECAPSULATE" => ("EncapsulationAlgorithms", vec!["ML_KEM"]),
        _ => (
            "EncryptionAlgorithms",
            match spec {
                "RSA_2048" | "RSA_3072" | "RSA_4096" => vec!["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
                "SM2" => vec!["SM2PKE"],
                _ => vec!["SYMMETRIC_DEFAULT"],
            },
        ),
    }
}

/// The AWS managed keys every account has in every Region, by alias (those AWS Backup's
/// resource types use; others resolve too, as `alias/aws/NAME`).
const AWS_MANAGED: &[&str] = &[
    "aws/backup",
    "aws/ebs",
    "aws/rds",
    "aws/dynamodb",
    "aws/elasticfilesystem",
    "aws/fsx",
    "aws/s3",
];

/// The operations copylab implements.
const IMPLEMENTED: &[&str] = &[
    "CreateKey",
    "DescribeKey",
    "GetKeyPolicy",
    "PutKeyPolicy",
    "ListKeys",
    "ListKeyPolicies",
    "CreateAlias",
    "ListAliases",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "TagResource",
    "ListResourceTags",
];

include!(concat!(env!("OUT_DIR"), "/kms_operations.rs"));

/// AWS KMS for the call pipeline.
pub static SERVICE: crate::call::Service = crate::call::Service {
    name: "AWS KMS",
    protocol: crate::wire::Protocol::Json,
    operations: OPERATIONS,
    implements: |operation| IMPLEMENTED.contains(&operation),
    run: |operation, ctx, input| run(operation, ctx.state, ctx.caller, input).map(crate::call::Output::Json),
    // The pinned model's `xmlNamespace` and `apiVersion`.
    xml_namespace: "",
    api_version: "2014-11-01",
    signing_name: "kms",
    invalid_input: None,
};

fn run(name: &str, state: &mut ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<Value, ApiError> {
    let mut kms = Kms { state, caller };
    match name {
        "CreateKey" => kms.create_key(input),
        "DescribeKey" => kms.describe_key(input),
        "GetKeyPolicy" => kms.get_key_policy(input),
        "PutKeyPolicy" => kms.put_key_policy(input),
        "ListKeys" => kms.list_keys(input),
        "ListKeyPolicies" => kms.list_key_policies(input),
        "CreateAlias" => kms.create_alias(input),
        "ListAliases" => kms.list_aliases(input),
        "EnableKey" => kms.set_state(input, "kms:EnableKey", KeyState::Enabled),
        "DisableKey" => kms.set_state(input, "kms:DisableKey", KeyState::Disabled),
        "ScheduleKeyDeletion" => kms.schedule_deletion(input),
        "CancelKeyDeletion" => kms.cancel_deletion(input),
        "TagResource" => kms.tag_resource(input),
        "ListResourceTags" => kms.list_resource_tags(input),
        other => Err(ApiError::not_implemented(other)),
    }
}

/// A key a request names.
enum Found {
    /// A key of the world, by index.
    Listed(usize),
    /// An AWS managed key the world does not list: (alias, key ARN).
    AwsManaged(String, String),
}

/// `NotFoundException` (400): `Key 'ARN' does not exist` (botocore#2107, ansible#60773;
/// 400 per cloudposse/docs#152).
fn key_not_found(reference: &str) -> ApiError {
    ApiError::new(
        "NotFoundException",
        StatusCode::BAD_REQUEST,
        format!("Key '{reference}' does not exist"),
    )
}

/// `NotFoundException` (400): `Alias ARN is not found.` (sigstore/cosign#1474, cloudposse/docs#152).
fn alias_not_found(alias_arn: &str) -> ApiError {
    ApiError::new(
        "NotFoundException",
        StatusCode::BAD_REQUEST,
        format!("Alias {alias_arn} is not found."),
    )
}

/// `NotFoundException` (400) for an alias where the operation takes a key id or key ARN only
/// (the model: "Specify the key ID or key ARN of the KMS key"). The form of "Invalid keyId NAME"
/// (crossplane-contrib/provider-aws#1056); that KMS answers an alias so is modeled.
fn alias_not_accepted(reference: &str) -> ApiError {
    ApiError::new(
        "NotFoundException",
        StatusCode::BAD_REQUEST,
        format!("Invalid keyId {reference}"),
    )
    .modeled()
}

/// `CreateAlias`'s `AliasName` rules, from its documentation in the pinned model: "This value
/// must begin with alias/ followed by a name"; "It can contain only alphanumeric characters,
/// forward slashes (/), underscores (_), and dashes (-)" (the member's pattern also lets `:`
/// through, the documentation does not); "The alias name cannot begin with alias/aws/".
fn check_alias_name(alias: &str) -> Result<(), ApiError> {
    let Some(name) = alias.strip_prefix("alias/").filter(|name| !name.is_empty()) else {
        // `ValidationException`, beginning `Alias must start with the prefix "alias/".` (issue 12
        // item 16, from moto's suite); AWS's full text is not in the reference: modeled.
        return Err(ApiError::new(
            "ValidationException",
            StatusCode::BAD_REQUEST,
            "Alias must start with the prefix \"alias/\".",
        )
        .modeled());
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
    {
        // Modeled code and message: the reference documents neither (moto answers
        // `ValidationException` so).
        return Err(ApiError::new(
            "ValidationException",
            StatusCode::BAD_REQUEST,
            format!("{alias} contains invalid characters for an alias"),
        )
        .modeled());
    }
    if name.starts_with("aws/") {
        // The model's `InvalidAliasNameException`; the message is modeled.
        return Err(ApiError::new(
            "InvalidAliasNameException",
            StatusCode::BAD_REQUEST,
            format!("Alias name {alias} must not begin with alias/aws/: the prefix is reserved for AWS managed keys"),
        )
        .modeled());
    }
    Ok(())
}

/// `AccessDeniedException` (400, facts aws-org-wire §4.2) in the IAM guide's format.
fn access_denied(principal: &str, action: &str, resource: &str, explicit: bool) -> ApiError {
    let why = if explicit {
        "with an explicit deny in a resource-based policy".to_owned()
    } else {
        format!("because no resource-based policy allows the {action} action")
    };
    ApiError::new(
        "AccessDeniedException",
        StatusCode::BAD_REQUEST,
        format!("User: {principal} is not authorized to perform: {action} on resource: {resource} {why}"),
    )
}

/// The key id of an AWS managed key (stable per account, Region and alias).
fn aws_managed_key_id(account: &str, region: &str, alias: &str) -> String {
    copylab_rules::ids::IdGenerator::for_names(&[account, region, alias]).uuid()
}

fn arn_parts(arn: &str) -> Option<[&str; 6]> {
    copylab_policy::split_arn(arn).filter(|p| p[2] == "kms")
}

struct Kms<'a> {
    state: &'a mut ServerState,
    caller: &'a Caller,
}

impl Kms<'_> {
    fn partition(&self) -> &'static str {
        copylab_rules::regions::partition(&self.caller.region)
    }

    /// The caller as a principal ARN: the world's principal for its key, or the account root.
    fn principal(&self) -> String {
        self.caller
            .principal
            .clone()
            .unwrap_or_else(|| format!("arn:{}:iam::{}:root", self.partition(), self.caller.account))
    }

    fn now(&mut self) -> f64 {
        self.state.now()
    }

    fn start_date(&self) -> f64 {
        self.state.started()
    }

    /// Resolves `operation`'s key reference: a key id or key ARN, and an alias name or alias ARN
    /// where the operation takes one (`KeyIdForms`, the rules crate's one rule). Only
    /// `DescribeKey` may name another account's key ("Cross-account use" in the model); the
    /// others look in the caller's account.
    fn find(&self, reference: &str, operation: &str) -> Result<Found, ApiError> {
        let forms = KeyIdForms::of(operation);
        let cross_account = operation == "DescribeKey";
        if forms == KeyIdForms::KeyOnly && copylab_rules::kms::is_alias_reference(reference) {
            return Err(alias_not_accepted(reference));
        }
        let (account, region) = (self.caller.account.as_str(), self.caller.region.as_str());
        let partition = self.partition();
        let (scope_account, scope_region, resource) = match arn_parts(reference) {
            Some([_, _, _, r, a, resource]) => (a, r, resource),
            None if reference.starts_with("alias/") => (account, region, reference),
            None => (account, region, ""),
        };
        // KMS keys are Regional: a key of another Region is not found. Operations KMS documents
        // as not cross-account do not find another account's key either (modeled error).
        if scope_region != region || (scope_account != account && !cross_account) {
            return Err(if resource.starts_with("alias/") {
                alias_not_found(reference)
            } else {
                key_not_found(reference)
            });
        }
        let aliases = &self.state.services.kms.aliases;
        let located = copylab_rules::kms::locate(
            &self.state.world().keys,
            |alias_arn| {
                aliases
                    .iter()
                    .find(|(a, _, _)| a == alias_arn)
                    .map(|(_, target, _)| target.as_str())
            },
            reference,
            forms,
            account,
            region,
        );
        match located {
            Located::AliasNotAccepted => Err(alias_not_accepted(reference)),
            Located::Listed(i) => Ok(Found::Listed(i)),
            Located::AwsManaged { alias, account, region } => {
                let id = aws_managed_key_id(&account, &region, &alias);
                Ok(Found::AwsManaged(
                    alias,
                    format!("arn:{partition}:kms:{region}:{account}:key/{id}"),
                ))
            }
            Located::Missing { alias: true } => Err(alias_not_found(&format!(
                "arn:{partition}:kms:{scope_region}:{scope_account}:{resource}"
            ))),
            Located::Missing { alias: false } if arn_parts(reference).is_some() && !resource.starts_with("key/") => {
                Err(key_not_found(reference))
            }
            Located::Missing { alias: false } => {
                let id = resource.strip_prefix("key/").unwrap_or(reference);
                let arn = format!("arn:{partition}:kms:{scope_region}:{scope_account}:key/{id}");
                // A key id of an AWS managed key the world does not list.
                if let Some(name) = AWS_MANAGED
                    .iter()
                    .find(|n| aws_managed_key_id(scope_account, scope_region, n) == id)
                {
                    return Ok(Found::AwsManaged((*name).to_owned(), arn));
                }
                if arn_parts(reference).is_none() && !looks_like_key_id(reference) {
                    // "Invalid keyId NAME" (crossplane-contrib/provider-aws#1056).
                    return Err(ApiError::new(
                        "NotFoundException",
                        StatusCode::BAD_REQUEST,
                        format!("Invalid keyId {reference}"),
                    ));
                }
                Err(key_not_found(&arn))
            }
        }
    }

    fn key_id(input: &Map<String, Value>) -> Result<String, ApiError> {
        crate::wire::members::str_member(input, "KeyId")
    }

    /// Whether the key policy allows the caller `action` on the key (identity side allowing).
    fn authorize(&self, found: &Found, action: &str) -> Result<(), ApiError> {
        let principal = self.principal();
        let (arn, document) = match found {
            Found::Listed(i) => {
                let key = &self.state.world().keys[*i];
                (key.arn.clone(), key_policy(key))
            }
            Found::AwsManaged(_, arn) => {
                // Modeled: an AWS managed key lets its own account describe and read it and
                // nothing else (facts aws-org-wire §4.1); the exact denial is not documented.
                let own = arn_parts(arn).is_some_and(|p| p[4] == self.caller.account);
                let read = matches!(
                    action,
                    "kms:DescribeKey" | "kms:GetKeyPolicy" | "kms:ListKeyPolicies" | "kms:ListResourceTags"
                );
                return if own && read {
                    Ok(())
                } else {
                    Err(access_denied(&principal, action, arn, false))
                };
            }
        };
        match crate::authz::decide(&document, PolicyKind::Kms, &principal, action, &arn) {
            Some(Outcome::Allow) => Ok(()),
            Some(Outcome::ExplicitDeny) => Err(access_denied(&principal, action, &arn, true)),
            _ => Err(access_denied(&principal, action, &arn, false)),
        }
    }

    /// Finds and authorises; refuses changes to AWS managed keys.
    fn key_for(&self, input: &Map<String, Value>, action: &str) -> Result<Found, ApiError> {
        let operation = action.strip_prefix("kms:").unwrap_or(action);
        let found = self.find(&Self::key_id(input)?, operation)?;
        self.authorize(&found, action)?;
        Ok(found)
    }

    fn metadata(&self, found: &Found) -> Value {
        let start = self.start_date();
        match found {
            Found::Listed(i) => {
                let key = &self.state.world().keys[*i];
                let extra = self.state.services.kms.keys.get(&key.arn).cloned().unwrap_or_default();
                let [_, _, _, _, account, resource] = arn_parts(&key.arn).unwrap_or(["", "", "", "", "", ""]);
                let state = match key.state {
                    KeyState::Enabled => "Enabled",
                    KeyState::Disabled => "Disabled",
                    KeyState::PendingDeletion => "PendingDeletion",
                };
                let spec = extra.spec.as_deref().unwrap_or("SYMMETRIC_DEFAULT");
                let usage = extra.usage.as_deref().unwrap_or("ENCRYPT_DECRYPT");
                let mut metadata = json!({
                    "AWSAccountId": account,
                    "KeyId": resource.strip_prefix("key/").unwrap_or(resource),
                    "Arn": key.arn,
                    "CreationDate": extra.created.unwrap_or(start),
                    "Enabled": key.state == KeyState::Enabled,
                    "Description": extra.description,
                    "KeyUsage": usage,
                    "KeyState": state,
                    "Origin": "AWS_KMS",
                    "KeyManager": if key.manager == KeyManager::Aws { "AWS" } else { "CUSTOMER" },
                    "KeySpec": spec,
                    "MultiRegion": extra.multi_region,
                });
                // "The KeySpec and CustomerMasterKeySpec fields have the same value"; the older
                // member's enum lacks the newer specs (ML-DSA, ML-KEM, Ed25519): left out then.
                if !spec.starts_with("ML_") && spec != "ECC_NIST_EDWARDS25519" {
                    metadata["CustomerMasterKeySpec"] = json!(spec);
                }
                let (member, values) = algorithms(spec, usage);
                metadata[member] = json!(values);
                if extra.multi_region {
                    // A primary key: "This field displays the current KMS key if it is the
                    // primary key"; no replicas (copylab has no ReplicateKey).
                    let region = arn_parts(&key.arn).map_or("", |p| p[3]);
                    metadata["MultiRegionConfiguration"] = json!({
                        "MultiRegionKeyType": "PRIMARY",
                        "PrimaryKey": {"Arn": key.arn, "Region": region},
                        "ReplicaKeys": [],
                    });
                }
                if let Some(date) = extra.deletion_date {
                    metadata["DeletionDate"] = json!(date);
                }
                if let Some(days) = extra.pending_window {
                    metadata["PendingDeletionWindowInDays"] = json!(days);
                }
                metadata
            }
            Found::AwsManaged(alias, arn) => {
                let [_, _, _, _, account, resource] = arn_parts(arn).unwrap_or(["", "", "", "", "", ""]);
                json!({
                    "AWSAccountId": account,
                    "KeyId": resource.strip_prefix("key/").unwrap_or(resource),
                    "Arn": arn,
                    "CreationDate": start,
                    "Enabled": true,
                    "Description": format!("Default key that protects my {} data when no other key is defined", alias.trim_start_matches("aws/")),
                    "KeyUsage": "ENCRYPT_DECRYPT",
                    "KeyState": "Enabled",
                    "Origin": "AWS_KMS",
                    "KeyManager": "AWS",
                    "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                    "KeySpec": "SYMMETRIC_DEFAULT",
                    "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                    "MultiRegion": false,
                })
            }
        }
    }

    fn create_key(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        // Everything is checked before an id is taken or the clock moves: a refused request
        // changes nothing. The lockout check uses the ARN the key is about to get.
        let tags = tag_list(input)?;
        let (spec, usage) = key_spec_and_usage(input)?;
        let multi_region = input.get("MultiRegion").and_then(Value::as_bool) == Some(true);
        let mut ids = self.state.ids.clone();
        // "multi-Region keys have a distinctive key ID that begins with mrk-" (KMS guide); the
        // rest of the id is a UUID's hex without hyphens (modeled length, 36 characters).
        let id = match ids.uuid() {
            uuid if multi_region => format!("mrk-{}", uuid.replace('-', "")),
            uuid => uuid,
        };
        let arn = format!(
            "arn:{}:kms:{}:{}:key/{id}",
            self.partition(),
            self.caller.region,
            self.caller.account
        );
        let policy = match input.get("Policy").and_then(Value::as_str) {
            Some(text) => Some(self.checked_policy(text, input, &arn)?),
            None => None,
        };
        self.state.ids = ids;
        let created = self.now();
        self.state.world_mut().keys.push(Key {
            arn: arn.clone(),
            manager: KeyManager::Customer,
            alias: None,
            state: KeyState::Enabled,
            policy: policy.map(PolicyDocument),
        });
        self.state.services.kms.keys.insert(
            arn,
            KeyExtra {
                description: input
                    .get("Description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                created: Some(created),
                tags,
                spec: (spec != "SYMMETRIC_DEFAULT").then(|| spec.to_owned()),
                usage: (usage != "ENCRYPT_DECRYPT").then(|| usage.to_owned()),
                multi_region,
                ..KeyExtra::default()
            },
        );
        let found = Found::Listed(self.state.world().keys.len() - 1);
        Ok(json!({"KeyMetadata": self.metadata(&found)}))
    }

    /// A policy KMS would accept: valid JSON, valid for a key policy, and (unless the caller
    /// bypasses the check) one that lets the caller change the policy again.
    fn checked_policy(&self, text: &str, input: &Map<String, Value>, key_arn: &str) -> Result<Value, ApiError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| malformed(&format!("the policy is not JSON: {e}")))?;
        if let Err(errors) = Policy::parse(text, PolicyKind::Kms) {
            let first = errors
                .first()
                .map_or_else(String::new, |e| format!("{} at {}", e.message, e.path));
            return Err(malformed(&first.to_string()));
        }
        let bypass = input.get("BypassPolicyLockoutSafetyCheck").and_then(Value::as_bool) == Some(true);
        if !bypass {
            let probe = Key {
                arn: key_arn.to_owned(),
                manager: KeyManager::Customer,
                alias: None,
                state: KeyState::Enabled,
                policy: Some(PolicyDocument(value.clone())),
            };
            if authorize_on(&probe, &self.principal(), "kms:PutKeyPolicy").is_err() {
                // The lockout safety check (pinned model, BypassPolicyLockoutSafetyCheck); the
                // message as AWS sends it, HTTP 400 (aws-solutions/innovation-sandbox-on-aws#31,
                // data-dot-all/dataall#956).
                return Err(malformed(
                    "The new key policy will not allow you to update the key policy in the future.",
                ));
            }
        }
        Ok(value)
    }

    fn describe_key(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let found = self.key_for(input, "kms:DescribeKey")?;
        Ok(json!({"KeyMetadata": self.metadata(&found)}))
    }

    fn policy_name(input: &Map<String, Value>) -> Result<&str, ApiError> {
        match input.get("PolicyName").and_then(Value::as_str).unwrap_or("default") {
            "default" => Ok("default"),
            "AWS_RAM" => Ok("AWS_RAM"),
            // Modeled message: the pinned model says the valid names are default and AWS_RAM.
            other => Err(ApiError::new(
                "ValidationException",
                StatusCode::BAD_REQUEST,
                format!("PolicyName `{other}` is neither default nor AWS_RAM"),
            )
            .modeled()),
        }
    }

    fn get_key_policy(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let name = Self::policy_name(input)?;
        let found = self.key_for(input, "kms:GetKeyPolicy")?;
        if name == "AWS_RAM" {
            // Modeled: no key of a world is shared through RAM.
            return Err(ApiError::new(
                "NotFoundException",
                StatusCode::BAD_REQUEST,
                "The key has no AWS_RAM key policy",
            )
            .modeled());
        }
        let policy = match &found {
            Found::Listed(i) => key_policy(&self.state.world().keys[*i]),
            Found::AwsManaged(alias, arn) => aws_managed_policy(alias, arn),
        };
        Ok(json!({"Policy": serde_json::to_string_pretty(&policy).unwrap_or_default(), "PolicyName": "default"}))
    }

    fn put_key_policy(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        if Self::policy_name(input)? == "AWS_RAM" {
            // The pinned model: "you can set only the default key policy" (ValidationException).
            return Err(ApiError::new(
                "ValidationException",
                StatusCode::BAD_REQUEST,
                "Only the default key policy can be set; AWS_RAM is managed by RAM",
            )
            .modeled());
        }
        let found = self.key_for(input, "kms:PutKeyPolicy")?;
        let i = self.listed(&found, "kms:PutKeyPolicy")?;
        let text = crate::wire::members::str_member(input, "Policy")?;
        let arn = self.state.world().keys[i].arn.clone();
        let value = self.checked_policy(&text, input, &arn)?;
        self.state.world_mut().keys[i].policy = Some(PolicyDocument(value));
        Ok(json!({}))
    }

    fn list_keys(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let (account, region) = (&self.caller.account, &self.caller.region);
        // `ResourceOwners`: `SELF` (the default) lists the caller's keys; `OTHER_ACCOUNTS_VIA_RAM`
        // the keys other accounts share through AWS RAM, which copylab does not model: none.
        let own = input
            .get("ResourceOwners")
            .and_then(Value::as_array)
            .is_none_or(|owners| owners.iter().any(|o| o == "SELF"));
        let keys: Vec<Value> = self
            .state
            .world()
            .keys
            .iter()
            .filter(|k| own && arn_parts(&k.arn).is_some_and(|p| p[3] == region && p[4] == account))
            .filter_map(|k| {
                let id = k.arn.rsplit_once("key/")?.1;
                Some(json!({"KeyId": id, "KeyArn": k.arn}))
            })
            .collect();
        paged(&keys, input, "Keys")
    }

    fn list_key_policies(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        self.key_for(input, "kms:ListKeyPolicies")?;
        Ok(json!({"PolicyNames": ["default"], "Truncated": false}))
    }

    fn alias_entries(&self) -> Vec<(String, String, String, f64)> {
        // (alias name, alias ARN, target key id, creation date)
        let (account, region) = (&self.caller.account, &self.caller.region);
        let partition = self.partition();
        let start = self.start_date();
        let mut entries = Vec::new();
        for key in &self.state.world().keys {
            let Some(parts) = arn_parts(&key.arn).filter(|p| p[3] == region && p[4] == account) else {
                continue;
            };
            if let Some(alias) = &key.alias {
                let id = parts[5].strip_prefix("key/").unwrap_or(parts[5]).to_owned();
                entries.push((
                    alias.clone(),
                    format!("arn:{partition}:kms:{region}:{account}:{alias}"),
                    id,
                    start,
                ));
            }
        }
        for (arn, target, created) in &self.state.services.kms.aliases {
            let Some(parts) = arn_parts(arn).filter(|p| p[3] == region && p[4] == account) else {
                continue;
            };
            let id = target
                .rsplit_once("key/")
                .map_or(target.as_str(), |(_, id)| id)
                .to_owned();
            entries.push((parts[5].to_owned(), arn.clone(), id, *created));
        }
        for name in AWS_MANAGED {
            let alias = format!("alias/{name}");
            if entries.iter().any(|(a, ..)| *a == alias) {
                continue;
            }
            let id = aws_managed_key_id(account, region, name);
            entries.push((
                alias.clone(),
                format!("arn:{partition}:kms:{region}:{account}:{alias}"),
                id,
                start,
            ));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }

    fn create_alias(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let alias = crate::wire::members::str_member(input, "AliasName")?;
        check_alias_name(&alias)?;
        let target = crate::wire::members::str_member(input, "TargetKeyId")?;
        let found = self.find(&target, "CreateAlias")?;
        self.authorize(&found, "kms:CreateAlias")?;
        let i = self.listed(&found, "kms:CreateAlias")?;
        if self.alias_entries().iter().any(|(a, ..)| *a == alias) {
            let arn = format!(
                "arn:{}:kms:{}:{}:{alias}",
                self.partition(),
                self.caller.region,
                self.caller.account
            );
            // Modeled message.
            return Err(ApiError::new(
                "AlreadyExistsException",
                StatusCode::BAD_REQUEST,
                format!("An alias with the name {arn} already exists"),
            )
            .modeled());
        }
        if self.state.world().keys[i].alias.is_none() {
            self.state.world_mut().keys[i].alias = Some(alias);
        } else {
            let arn = format!(
                "arn:{}:kms:{}:{}:{alias}",
                self.partition(),
                self.caller.region,
                self.caller.account
            );
            let created = self.now();
            let key_arn = self.state.world().keys[i].arn.clone();
            self.state.services.kms.aliases.push((arn, key_arn, created));
        }
        Ok(json!({}))
    }

    fn list_aliases(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let filter = match input.get("KeyId").and_then(Value::as_str) {
            Some(reference) => Some(match self.find(reference, "ListAliases")? {
                Found::Listed(i) => self.state.world().keys[i]
                    .arn
                    .rsplit_once("key/")
                    .map(|(_, id)| id.to_owned()),
                Found::AwsManaged(_, arn) => arn.rsplit_once("key/").map(|(_, id)| id.to_owned()),
            }),
            None => None,
        };
        let aliases: Vec<Value> = self
            .alias_entries()
            .into_iter()
            .filter(|(_, _, id, _)| filter.as_ref().is_none_or(|f| f.as_deref() == Some(id.as_str())))
            .map(|(name, arn, id, created)| {
                json!({"AliasName": name, "AliasArn": arn, "TargetKeyId": id, "CreationDate": created, "LastUpdatedDate": created})
            })
            .collect();
        paged(&aliases, input, "Aliases")
    }

    fn listed(&self, found: &Found, action: &str) -> Result<usize, ApiError> {
        match found {
            Found::Listed(i) if self.state.world().keys[*i].manager == KeyManager::Customer => Ok(*i),
            Found::Listed(i) => Err(access_denied(
                &self.principal(),
                action,
                &self.state.world().keys[*i].arn,
                false,
            )),
            Found::AwsManaged(_, arn) => Err(access_denied(&self.principal(), action, arn, false)),
        }
    }

    fn set_state(&mut self, input: &Map<String, Value>, action: &str, to: KeyState) -> Result<Value, ApiError> {
        let found = self.key_for(input, action)?;
        let i = self.listed(&found, action)?;
        let key = &mut self.state.world_mut().keys[i];
        if key.state == KeyState::PendingDeletion {
            return Err(invalid_state(&key.arn, "PendingDeletion"));
        }
        key.state = to;
        Ok(json!({}))
    }

    fn schedule_deletion(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let found = self.key_for(input, "kms:ScheduleKeyDeletion")?;
        let i = self.listed(&found, "kms:ScheduleKeyDeletion")?;
        let days = input.get("PendingWindowInDays").and_then(Value::as_u64).unwrap_or(30);
        if !(7..=30).contains(&days) {
            // The pinned model: "between 7 and 30, inclusive" (message modeled).
            return Err(ApiError::new(
                "ValidationException",
                StatusCode::BAD_REQUEST,
                format!("PendingWindowInDays {days} is not between 7 and 30"),
            )
            .modeled());
        }
        if self.state.world().keys[i].state == KeyState::PendingDeletion {
            return Err(invalid_state(&self.state.world().keys[i].arn, "PendingDeletion"));
        }
        let now = self.now();
        let key = &mut self.state.world_mut().keys[i];
        key.state = KeyState::PendingDeletion;
        let arn = key.arn.clone();
        let extra = self.state.services.kms.keys.entry(arn.clone()).or_default();
        extra.deletion_date = Some(now + days as f64 * 86_400.0);
        extra.pending_window = Some(days);
        Ok(json!({
            "KeyId": arn,
            "DeletionDate": now + days as f64 * 86_400.0,
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": days,
        }))
    }

    fn cancel_deletion(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let found = self.key_for(input, "kms:CancelKeyDeletion")?;
        let i = self.listed(&found, "kms:CancelKeyDeletion")?;
        let key = &mut self.state.world_mut().keys[i];
        if key.state != KeyState::PendingDeletion {
            let state = if key.state == KeyState::Enabled {
                "Enabled"
            } else {
                "Disabled"
            };
            return Err(invalid_state(&key.arn, state));
        }
        // KMS: a key whose deletion is cancelled is Disabled.
        key.state = KeyState::Disabled;
        let arn = key.arn.clone();
        if let Some(extra) = self.state.services.kms.keys.get_mut(&arn) {
            extra.deletion_date = None;
            extra.pending_window = None;
        }
        Ok(json!({"KeyId": arn}))
    }

    fn tag_resource(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let found = self.key_for(input, "kms:TagResource")?;
        let i = self.listed(&found, "kms:TagResource")?;
        let tags = tag_list(input)?;
        let arn = self.state.world().keys[i].arn.clone();
        let extra = self.state.services.kms.keys.entry(arn).or_default();
        for (key, value) in tags {
            match extra.tags.iter_mut().find(|(k, _)| *k == key) {
                Some(existing) => existing.1 = value,
                None => extra.tags.push((key, value)),
            }
        }
        Ok(json!({}))
    }

    fn list_resource_tags(&mut self, input: &Map<String, Value>) -> Result<Value, ApiError> {
        let found = self.key_for(input, "kms:ListResourceTags")?;
        let tags: Vec<Value> = match found {
            Found::Listed(i) => self
                .state
                .services
                .kms
                .keys
                .get(&self.state.world().keys[i].arn)
                .map(|extra| {
                    extra
                        .tags
                        .iter()
                        .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
                        .collect()
                })
                .unwrap_or_default(),
            Found::AwsManaged(..) => Vec::new(),
        };
        paged(&tags, input, "Tags")
    }
}

/// Whether `principal` may take `action` on `key` under its key policy (identity side allowing).
fn authorize_on(key: &Key, principal: &str, action: &str) -> Result<(), ()> {
    match crate::authz::decide(&key_policy(key), PolicyKind::Kms, principal, action, &key.arn) {
        Some(Outcome::Allow) => Ok(()),
        _ => Err(()),
    }
}

/// A key's policy: the world's, or KMS's default.
fn key_policy(key: &Key) -> Value {
    match &key.policy {
        Some(document) => document.0.clone(),
        None => {
            let parts = arn_parts(&key.arn).unwrap_or(["arn", "aws", "kms", "", "", ""]);
            copylab_rules::kms::default_key_policy(parts[1], parts[4])
        }
    }
}

/// An AWS managed key's policy, after the EBS example of the KMS guide (facts aws-org-wire
/// §4.1): the account's principals may use it through the service that owns it.
fn aws_managed_policy(alias: &str, arn: &str) -> Value {
    let parts = arn_parts(arn).unwrap_or(["arn", "aws", "kms", "", "", ""]);
    let service = match alias {
        "aws/ebs" => "ec2",
        "aws/elasticfilesystem" => "elasticfilesystem",
        other => other.trim_start_matches("aws/"),
    };
    json!({
        "Version": "2012-10-17",
        "Id": format!("auto-{}", service),
        "Statement": [{
            "Sid": format!("Allow access through {} for all principals in the account that are authorized to use it", service),
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {
                "kms:CallerAccount": parts[4],
                "kms:ViaService": format!("{service}.{}.amazonaws.com", parts[3]),
            }}
        }, {
            "Sid": "Allow direct access to key metadata to the account",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:{}:iam::{}:root", parts[1], parts[4])},
            "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
            "Resource": "*"
        }]
    })
}

fn looks_like_key_id(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        || (text.starts_with("mrk-") && text.len() == 36)
}

/// `CreateKey`'s `KeySpec` (or the deprecated `CustomerMasterKeySpec`, which "work[s] the same
/// way") and `KeyUsage`: the usage "is optional when you are creating a symmetric encryption KMS
/// key; otherwise, it is required", and must be one the spec allows (the pinned model; the wire
/// has checked both against their enums). Messages modeled.
fn key_spec_and_usage(input: &Map<String, Value>) -> Result<(&str, &str), ApiError> {
    let invalid = |message: String| ApiError::new("ValidationException", StatusCode::BAD_REQUEST, message).modeled();
    let spec = input.get("KeySpec").and_then(Value::as_str);
    let legacy = input.get("CustomerMasterKeySpec").and_then(Value::as_str);
    if let (Some(spec), Some(legacy)) = (spec, legacy)
        && spec != legacy
    {
        return Err(invalid(format!(
            "KeySpec `{spec}` and CustomerMasterKeySpec `{legacy}` differ: specify KeySpec only"
        )));
    }
    let spec = spec.or(legacy).unwrap_or("SYMMETRIC_DEFAULT");
    let allowed = usages(spec);
    let usage = match input.get("KeyUsage").and_then(Value::as_str) {
        Some(usage) => usage,
        None if spec == "SYMMETRIC_DEFAULT" => "ENCRYPT_DECRYPT",
        None => return Err(invalid(format!("KeyUsage is required for a key with KeySpec `{spec}`"))),
    };
    if !allowed.contains(&usage) {
        return Err(invalid(format!(
            "KeyUsage `{usage}` is not valid for KeySpec `{spec}`: use {}",
            allowed.join(" or ")
        )));
    }
    Ok((spec, usage))
}

/// `MalformedPolicyDocumentException` (400); the reason is copylab's.
fn malformed(reason: &str) -> ApiError {
    // The code is AWS's; the reasons are copylab's policy engine's (modeled).
    ApiError::new(
        "MalformedPolicyDocumentException",
        StatusCode::BAD_REQUEST,
        reason.to_owned(),
    )
    .modeled()
}

/// `KMSInvalidStateException` (400); modeled message.
fn invalid_state(arn: &str, state: &str) -> ApiError {
    ApiError::new(
        "KMSInvalidStateException",
        StatusCode::BAD_REQUEST,
        format!("{arn} is {state}"),
    )
    .modeled()
}

fn tag_list(input: &Map<String, Value>) -> Result<Vec<(String, String)>, ApiError> {
    let Some(tags) = input.get("Tags") else {
        return Ok(Vec::new());
    };
    let invalid = || {
        ApiError::new(
            "ValidationException",
            StatusCode::BAD_REQUEST,
            "Tags must be a list of {\"TagKey\", \"TagValue\"}",
        )
        .modeled()
    };
    tags.as_array()
        .ok_or_else(invalid)?
        .iter()
        .map(|tag| {
            let key = tag.get("TagKey").and_then(Value::as_str).ok_or_else(invalid)?;
            let value = tag.get("TagValue").and_then(Value::as_str).ok_or_else(invalid)?;
            Ok((key.to_owned(), value.to_owned()))
        })
        .collect()
}

/// KMS's paging: `Limit` (1 to 1000, default 100), `Marker`, `NextMarker`, `Truncated`; a
/// marker copylab did not issue is `InvalidMarkerException` (the message is copylab's).
fn paged(items: &[Value], input: &Map<String, Value>, member: &str) -> Result<Value, ApiError> {
    let window = crate::wire::paging::Paging::KMS.window(items.len(), input, |message| {
        ApiError::new("InvalidMarkerException", StatusCode::BAD_REQUEST, message).modeled()
    })?;
    let mut out = Map::new();
    out.insert(member.to_owned(), Value::Array(items[window.range].to_vec()));
    out.insert("Truncated".to_owned(), Value::Bool(window.next.is_some()));
    if let Some(next) = window.next {
        out.insert("NextMarker".to_owned(), Value::String(next));
    }
    Ok(Value::Object(out))
}

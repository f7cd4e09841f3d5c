//! `source-key-policy`: the source key policy answers the requests a cross-account copy makes on it (the table of requests is written here, once); the fix adds the missing statements.
//!
//! What a copy asks of the key is not fully documented; every row says where it comes from
//! and is labelled `modeled` where AWS is silent.

use copylab_policy::{Caller, LabeledPolicy, Outcome as Decided, PolicyKind, Request};
use serde::Serialize;
use serde_json::json;

use super::policy::{decide, decision_args, deny_indexes, org_context};
use super::{Check, Ctx, lazy};
use crate::kms::KeyRef;
use crate::policies::PreparedWorld;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::Key;

/// Who makes a KMS request on the source key during a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyCaller {
    /// The destination account's AWS Backup service-linked role,
    /// `arn:aws:iam::DEST:role/aws-service-role/backup.amazonaws.com/AWSServiceRoleForBackup`
    /// (facts §7: "it is **not** the IAM role we choose").
    DestinationServiceLinkedRole,
    /// A principal of the key's own account that may change the key policy: the account's root,
    /// or any user or role of the account the policy allows.
    KeyAdministrator,
}

/// The AWS service through which a copy uses the source key, as `kms:ViaService` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyService {
    /// AWS Backup itself: types it fully manages, under the source vault's key.
    Backup,
    /// Amazon EC2: EBS snapshots and the snapshots of EC2 images and Storage Gateway volumes.
    Ec2,
    /// Amazon RDS: RDS, Aurora, DocumentDB and Neptune snapshots.
    Rds,
    /// Amazon FSx.
    Fsx,
    /// DynamoDB without advanced features.
    Dynamodb,
    /// Amazon Redshift.
    Redshift,
}

impl KeyService {
    /// The service for `resource_type`, under the source vault's key when it is fully managed.
    pub fn of(resource_type: &str, fully_managed: bool) -> Self {
        if fully_managed {
            return KeyService::Backup;
        }
        match resource_type {
            "EBS" | "EC2" | "Storage Gateway" => KeyService::Ec2,
            "RDS" | "Aurora" | "DocumentDB" | "Neptune" => KeyService::Rds,
            "FSx" => KeyService::Fsx,
            "DynamoDB" => KeyService::Dynamodb,
            "Redshift" => KeyService::Redshift,
            _ => KeyService::Backup,
        }
    }

    /// The service's host prefix in `kms:ViaService` (`SERVICE.REGION.amazonaws.com`).
    pub fn host(self) -> &'static str {
        match self {
            KeyService::Backup => "backup",
            KeyService::Ec2 => "ec2",
            KeyService::Rds => "rds",
            KeyService::Fsx => "fsx",
            KeyService::Dynamodb => "dynamodb",
            KeyService::Redshift => "redshift",
        }
    }

    /// Where copylab's reading comes from (an inference in every case: AWS documents no
    /// `kms:ViaService` value for a copy).
    pub fn source(self) -> &'static str {
        match self {
            KeyService::Backup => {
                "inference: fully managed types are encrypted by AWS Backup under the vault's key (the encryption page); the page's example key policy conditions grants on kms:ViaService backup.*.amazonaws.com"
            }
            KeyService::Ec2 | KeyService::Rds | KeyService::Fsx => {
                "inference: AWS's AWSBackupServiceLinkedRolePolicyForBackup allows the service-linked role's KMS calls on resource keys only through ec2, rds and fsx (kms:ViaService), and AWSBackupServiceRolePolicyForBackup conditions EBS key use on ec2.*.amazonaws.com"
            }
            KeyService::Dynamodb => {
                "inference: AWSBackupServiceRolePolicyForBackup conditions DynamoDB key use on dynamodb.*.amazonaws.com"
            }
            KeyService::Redshift => "inference: the snapshot belongs to Amazon Redshift",
        }
    }
}

/// One KMS request the `source-key-policy` check evaluates on the source key.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeyRequest {
    /// Who calls.
    pub caller: KeyCaller,
    /// The KMS action.
    pub action: &'static str,
    /// Context keys beyond those derived from the caller, the world and the service.
    pub context: &'static [(&'static str, &'static str)],
    /// Only for copies through this service (`None`: every copy).
    pub only: Option<KeyService>,
    /// How the caller's identity side is evaluated.
    pub identity: &'static str,
    /// Where that comes from: `documented` or `modeled` (beside the text, never in it).
    pub identity_provenance: &'static str,
    /// Why the copy makes this request, and the source.
    pub why: &'static str,
    /// `documented` or `modeled`.
    pub provenance: &'static str,
}

/// The requests a cross-account copy makes on a customer managed source key. Chosen so that the
/// Knowledge Center article's example key policy passes and removing any one of its statements
/// fails.
pub static SOURCE_KEY_REQUESTS: &[KeyRequest] = &[
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:DescribeKey",
        context: &[],
        only: None,
        identity: "allows: the service-linked role's permissions are AWS's",
        identity_provenance: "modeled",
        why: "the destination describes the source key before copying (EC2 guide: \"you must have DescribeKey permissions\"; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:Decrypt",
        context: &[],
        only: None,
        identity: "allows",
        identity_provenance: "modeled",
        why: "the destination reads the encrypted source data (Knowledge Center backup-cross-account-copy-error lists Decrypt)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:CreateGrant",
        context: &[("kms:GrantIsForAWSResource", "true")],
        only: None,
        identity: "allows",
        identity_provenance: "modeled",
        why: "the copying service creates a grant on the key for the AWS resource (tecRacer: the grant statement names the destination's AWSServiceRoleForBackup; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:GenerateDataKey",
        context: &[],
        only: Some(KeyService::Ec2),
        identity: "allows",
        identity_provenance: "modeled",
        why: "users of a shared EBS key need it (EBS guide, \"Share the KMS key used to encrypt a shared Amazon EBS snapshot\"; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:GenerateDataKeyWithoutPlaintext",
        context: &[],
        only: Some(KeyService::Ec2),
        identity: "allows",
        identity_provenance: "modeled",
        why: "users of a shared EBS key need it (EBS guide, \"Share the KMS key used to encrypt a shared Amazon EBS snapshot\": DescribeKey, CreateGrant, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncrypt, Decrypt; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:ReEncryptFrom",
        context: &[],
        only: Some(KeyService::Ec2),
        identity: "allows",
        identity_provenance: "modeled",
        why: "users of a shared EBS key need ReEncrypt (EBS guide, as above); the copy re-encrypts from the source key to the destination's, so the source key is asked for ReEncryptFrom",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::KeyAdministrator,
        action: "kms:PutKeyPolicy",
        context: &[],
        only: None,
        identity: "the account root, not limited by IAM policies; a user or role the key policy names is taken to have the identity permission",
        identity_provenance: "modeled",
        why: "the key must stay manageable from its own account: KMS's lockout safety check refuses a key policy that does not allow \"the principal that is making the PutKeyPolicy request\" to change it, so a policy that lets no principal of the account (its root or a user or role it names) call PutKeyPolicy is one KMS would not have accepted",
        provenance: "modeled",
    },
];

/// What the source key policy answers to the rows of [`SOURCE_KEY_REQUESTS`].
#[derive(Debug, Clone)]
pub(crate) struct KeyEval {
    evidence: Vec<Text>,
    failed: Vec<&'static KeyRequest>,
    denies: Vec<usize>,
}

/// The principals of the key's account that `policy` allows something: its root and the users
/// and roles named in Allow statements, as callers (a role as one of its sessions).
fn administrators(policy: &copylab_policy::Policy, partition: &str, key_account: &str) -> Vec<String> {
    let root = format!("arn:{partition}:iam::{key_account}:root");
    let mut found = vec![root.clone()];
    let named = policy
        .statements
        .iter()
        .filter(|s| s.effect == copylab_policy::Effect::Allow)
        .filter_map(|s| s.principal.as_ref().filter(|p| !p.negated))
        .flat_map(|p| p.entries.iter())
        .filter(|e| e.kind == copylab_policy::PrincipalType::Aws);
    for entry in named {
        let value = entry.value.as_str();
        let caller = if value == key_account {
            root.clone()
        } else if crate::arn::account(value) == Some(key_account) {
            match value.split_once(":role/") {
                Some((_, path)) => format!(
                    "arn:{partition}:sts::{key_account}:assumed-role/{}/key-admin",
                    path.rsplit('/').next().unwrap_or(path)
                ),
                None => value.to_owned(),
            }
        } else {
            continue;
        };
        if !found.contains(&caller) {
            found.push(caller);
        }
    }
    found
}

/// Evaluates the rows against `policy` for a copy through `service` into `destination_account`,
/// `destination_region`.
pub(crate) fn key_eval(
    prepared: &PreparedWorld<'_>,
    key_arn: &str,
    policy: &copylab_policy::Policy,
    partition: &str,
    destination_account: &str,
    destination_region: &str,
    service: KeyService,
) -> KeyEval {
    let key_account = crate::arn::account(key_arn).unwrap_or_default();
    let via_service = format!("{}.{destination_region}.amazonaws.com", service.host());
    // One request per caller, its action and context changed row by row (no re-parsing).
    let base = |principal: &str| -> Option<Request> {
        let caller = Caller::parse(principal).ok()?;
        let mut context = org_context(prepared, caller.account().unwrap_or_default());
        context.insert("kms:ViaService", &via_service);
        Some(Request::new(
            caller,
            "kms:DescribeKey",
            key_arn,
            Some(key_account),
            context,
            PolicyKind::Kms,
        ))
    };
    let destination_principal =
        format!("arn:{partition}:sts::{destination_account}:assumed-role/AWSServiceRoleForBackup/AWSBackup-copy");
    let mut destination = base(&destination_principal);
    let mut eval = KeyEval {
        evidence: vec![text!(
            "keypolicy.service",
            "the copy uses the source key through {via_service} ({source})",
            via_service = via_service,
            source = service.source()
        )],
        failed: Vec::new(),
        denies: Vec::new(),
    };
    let evaluate = |request: &mut Request, row: &KeyRequest| {
        request.action.clear();
        request.action.push_str(row.action);
        for (k, v) in row.context {
            request.context.set(k, vec![(*v).to_owned()]);
        }
        let decision = decide(
            PolicyKind::Kms,
            Some(LabeledPolicy {
                label: "key policy",
                policy,
            }),
            vec![],
            true,
            request,
        );
        let answer = (
            decision_args(&decision),
            deny_indexes(&decision, "key policy"),
            decision.decision,
        );
        for (k, _) in row.context {
            request.context.remove(k);
        }
        answer
    };
    for row in SOURCE_KEY_REQUESTS
        .iter()
        .filter(|r| r.only.is_none_or(|only| only == service))
    {
        match row.caller {
            KeyCaller::DestinationServiceLinkedRole => {
                let Some(request) = destination.as_mut() else { continue };
                let (args, denies, decided) = evaluate(request, row);
                eval.evidence
                    .push(with_decision(row.action, &destination_principal, args));
                if decided != Decided::Allow {
                    eval.denies.extend(denies);
                    eval.failed.push(row);
                }
            }
            KeyCaller::KeyAdministrator => {
                // Passes when any principal of the account may change the policy; otherwise the
                // root's answer is the evidence.
                let mut answers = Vec::new();
                for principal in administrators(policy, partition, key_account) {
                    let Some(mut request) = base(&principal) else { continue };
                    let (args, denies, decided) = evaluate(&mut request, row);
                    answers.push((principal, args, denies, decided));
                }
                match answers.iter().position(|a| a.3 == Decided::Allow) {
                    Some(i) => {
                        let (principal, args, _, _) = answers.swap_remove(i);
                        eval.evidence.push(with_decision(row.action, &principal, args));
                    }
                    None => {
                        if let Some((principal, args, denies, _)) = answers.into_iter().next() {
                            eval.evidence.push(with_decision(row.action, &principal, args));
                            eval.denies.extend(denies);
                        }
                        eval.failed.push(row);
                    }
                }
            }
        }
    }
    eval.denies.sort_unstable();
    eval.denies.dedup();
    eval
}

/// The evidence of one request.
fn with_decision(action: &str, principal: &str, decision: [(&'static str, String); 4]) -> Text {
    let mut args = vec![("action", action.to_owned()), ("principal", principal.to_owned())];
    args.extend(decision);
    Text::new("keypolicy.request", "{action} by {principal}: {decision}", args)
}

/// `source-key-policy`: the requests of [`SOURCE_KEY_REQUESTS`] against the source key policy.
pub(crate) fn source_key_policy(ctx: &Ctx<'_>) -> Check {
    if !ctx.cross_account {
        return Check::skip(Text::plain(
            "keypolicy.same-account",
            "same-account copy: the source key is used within its own account",
        ));
    }
    let key = match ctx.source_key {
        KeyRef::Listed(key) if !ctx.source_key.is_aws_managed() => key,
        KeyRef::Unencrypted => {
            return Check::skip(Text::plain(
                "keypolicy.unencrypted",
                "the source backup is not encrypted",
            ));
        }
        KeyRef::Missing(_) => {
            return Check::skip(Text::plain(
                "keypolicy.missing",
                "the source key does not exist (see key-state)",
            ));
        }
        _ => {
            return Check::skip(Text::plain(
                "keypolicy.aws-managed",
                "the source key is AWS managed or AWS owned: its policy cannot be changed (see source-encryption)",
            ));
        }
    };
    let Some(policy) = ctx.prepared.key_policy(&key.arn) else {
        return Check::skip(Text::plain(
            "keypolicy.none",
            "the source key has no policy copylab could read",
        ));
    };
    let key_account = crate::arn::account(&key.arn).unwrap_or(ctx.source_account);
    let service = KeyService::of(ctx.resource_type(), ctx.fully_managed());
    let compute = || {
        key_eval(
            ctx.prepared,
            &key.arn,
            policy,
            ctx.destination.partition.as_str(),
            ctx.destination.account.as_str(),
            ctx.destination.region.as_str(),
            service,
        )
    };
    let eval = match ctx.destination_vault {
        Some(vault) => ctx
            .prepared
            .key_eval(key, vault, ctx.destination.partition.as_str(), service, compute),
        None => std::sync::Arc::new(compute()),
    };
    if eval.failed.is_empty() {
        return Check::pass(eval.evidence.clone());
    }
    Check::fail(
        eval.evidence.clone(),
        ctx.key_message(false).clone(),
        lazy(&ctx.want_remedy, || {
            fix_key_policy(
                key,
                &eval.failed,
                &eval.denies,
                ctx.destination.partition.as_str(),
                ctx.destination.account.as_str(),
                key_account,
            )
        }),
    )
}

// The remedy.

pub(crate) fn fix_key_policy(
    key: &Key,
    failed: &[&KeyRequest],
    denies: &[usize],
    partition: &str,
    destination: &str,
    owner: &str,
) -> Remedy {
    let mut statements = Vec::new();
    let plain: Vec<&str> = failed
        .iter()
        .filter(|r| r.caller == KeyCaller::DestinationServiceLinkedRole && r.context.is_empty())
        .map(|r| r.action)
        .collect();
    let grants: Vec<&str> = failed
        .iter()
        .filter(|r| r.caller == KeyCaller::DestinationServiceLinkedRole && !r.context.is_empty())
        .map(|r| r.action)
        .collect();
    if failed.iter().any(|r| r.caller == KeyCaller::KeyAdministrator) {
        statements.push(json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{owner}:root")}, "Action": "kms:*", "Resource": "*"}));
    }
    if !plain.is_empty() {
        statements.push(json!({"Sid": "Allow use of the key by the destination account", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{destination}:root")}, "Action": plain, "Resource": "*"}));
    }
    if !grants.is_empty() {
        statements.push(json!({"Sid": "Allow attachment of persistent resources by the destination account", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{destination}:root")}, "Action": grants, "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}));
    }
    let mut patches = Vec::new();
    if !denies.is_empty() {
        patches.push(Patch::RemoveKeyPolicyStatements {
            key_arn: key.arn.clone(),
            indexes: denies.to_vec(),
        });
    }
    if !statements.is_empty() && denies.is_empty() {
        patches.push(Patch::AddKeyPolicyStatements {
            key_arn: key.arn.clone(),
            statements,
        });
    }
    Remedy {
        summary: if denies.is_empty() {
            text!(
                "remedy.key-policy",
                "allow destination account {destination} in the key policy of {key}",
                destination = destination,
                key = key.arn
            )
        } else {
            text!(
                "remedy.key-policy-deny",
                "remove the Deny statements {indexes} from the key policy of {key}",
                indexes = format!("{denies:?}"),
                key = key.arn
            )
        },
        patches,
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}

//! `source-key-policy`: the source key policy answers the requests a cross-account copy makes on it (the table of requests is written here, once); the fix adds the missing statements.
//!
//! What a copy asks of the key is not fully documented; every row says where it comes from
//! and is labelled `modeled` where AWS is silent.

use copylab_policy::{Caller, LabeledPolicy, Outcome as Decided, PolicyKind, Request};
use serde::Serialize;
use serde_json::json;

use super::policy::{decide, decision_evidence, deny_indexes, org_context};
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
    /// The source account itself (its root, for key administration).
    SourceAccount,
}

/// One KMS request the `source-key-policy` check evaluates on the source key.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeyRequest {
    /// Who calls.
    pub caller: KeyCaller,
    /// The KMS action.
    pub action: &'static str,
    /// Context keys beyond those derived from the caller and the world.
    pub context: &'static [(&'static str, &'static str)],
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
        identity: "allows: the service-linked role's permissions are AWS's",
        identity_provenance: "modeled",
        why: "the destination describes the source key before copying (EC2 guide: \"you must have DescribeKey permissions\"; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:Decrypt",
        context: &[],
        identity: "allows",
        identity_provenance: "modeled",
        why: "the destination reads the encrypted source data (Knowledge Center backup-cross-account-copy-error lists Decrypt)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:CreateGrant",
        context: &[("kms:GrantIsForAWSResource", "true")],
        identity: "allows",
        identity_provenance: "modeled",
        why: "the copying service creates a grant on the key for the AWS resource (tecRacer: the grant statement names the destination's AWSServiceRoleForBackup; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::SourceAccount,
        action: "kms:PutKeyPolicy",
        context: &[],
        identity: "the account root, not limited by IAM policies",
        identity_provenance: "documented",
        why: "the key must stay manageable by its own account: KMS refuses a key policy that would lock the account out (PutKeyPolicy's lockout safety check), so a policy without it is one KMS would not have accepted",
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

/// Evaluates the rows against `policy` for a copy into `destination_account`, `destination_region`.
pub(crate) fn key_eval(
    prepared: &PreparedWorld<'_>,
    key_arn: &str,
    policy: &copylab_policy::Policy,
    partition: &str,
    destination_account: &str,
    destination_region: &str,
) -> KeyEval {
    let key_account = crate::arn::account(key_arn).unwrap_or_default();
    let via_service = format!("backup.{destination_region}.amazonaws.com");
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
    let source_principal = format!("arn:{partition}:iam::{key_account}:root");
    let mut requests = [base(&destination_principal), base(&source_principal)];
    let mut eval = KeyEval {
        evidence: Vec::new(),
        failed: Vec::new(),
        denies: Vec::new(),
    };
    for row in SOURCE_KEY_REQUESTS {
        let (slot, principal) = match row.caller {
            KeyCaller::DestinationServiceLinkedRole => (0, &destination_principal),
            KeyCaller::SourceAccount => (1, &source_principal),
        };
        let Some(request) = requests[slot].as_mut() else {
            continue;
        };
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
        eval.evidence.push(decision_evidence(
            "keypolicy.request",
            "{action} by {principal}: {decision}",
            vec![("action", row.action.to_string()), ("principal", principal.to_string())],
            &decision,
        ));
        if decision.decision != Decided::Allow {
            eval.denies.extend(deny_indexes(&decision, "key policy"));
            eval.failed.push(row);
        }
        for (k, _) in row.context {
            request.context.remove(k);
        }
    }
    eval
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
    let computed;
    let eval = match ctx.destination_vault.and_then(|vault| {
        ctx.prepared
            .cached_key_eval(key, vault, ctx.destination.partition.as_str())
    }) {
        Some(eval) => eval,
        None => {
            computed = key_eval(
                ctx.prepared,
                &key.arn,
                policy,
                ctx.destination.partition.as_str(),
                ctx.destination.account.as_str(),
                ctx.destination.region.as_str(),
            );
            &computed
        }
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
    if failed.iter().any(|r| r.caller == KeyCaller::SourceAccount) {
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

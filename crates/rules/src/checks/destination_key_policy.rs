//! `destination-key-policy`: the destination vault's customer managed key policy lets AWS Backup write the copy (the encryption page's minimum: `kms:CreateGrant`, `kms:GenerateDataKey`, `kms:Decrypt`; the table of requests is written here, once); the fix removes the Deny statements or allows the writer.
//!
//! The encryption page: "Failed jobs can occur due to either one or more Deny statements
//! applied to the KMS key or due to a grant revoked ... At a minimum, the key policy requires
//! the following permissions: `kms:createGrant`, `kms:generateDataKey`, `kms:decrypt`"
//! (aws-backup-facts.md §7). Which principal makes the calls is not documented: copylab's
//! reading is labelled modeled in [`DESTINATION_KEY_REQUESTS`] and in the evidence.

use copylab_policy::{Caller, LabeledPolicy, Outcome as Decided, PolicyKind, Request};
use serde::Serialize;
use serde_json::json;

use super::policy::{decide, decision_evidence, deny_indexes, org_context};
use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::kms::KeyRef;
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;

/// One KMS request a copy makes on the destination vault's key.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DestinationKeyRequest {
    /// The KMS action.
    pub action: &'static str,
    /// Context keys beyond the caller's, the world's and `kms:ViaService`.
    pub context: &'static [(&'static str, &'static str)],
    /// Why the copy makes it, and the source.
    pub why: &'static str,
}

/// The requests a copy makes on the destination vault's customer managed key: the encryption
/// page's minimum, with the context of its example statement for grants.
pub static DESTINATION_KEY_REQUESTS: &[DestinationKeyRequest] = &[
    DestinationKeyRequest {
        action: "kms:CreateGrant",
        context: &[
            ("kms:GrantIsForAWSResource", "true"),
            ("kms:EncryptionContextKeys", "aws:backup:backup-vault"),
        ],
        why: "the encryption page's minimum; its example statement conditions grants on kms:GrantIsForAWSResource and the encryption context key aws:backup:backup-vault",
    },
    DestinationKeyRequest {
        action: "kms:GenerateDataKey",
        context: &[],
        why: "the encryption page's minimum: the copy's data is encrypted under the vault's key",
    },
    DestinationKeyRequest {
        action: "kms:Decrypt",
        context: &[],
        why: "the encryption page's minimum",
    },
];

/// Who writes the copy into the destination vault, as copylab models it: in another account,
/// that account's AWS Backup service-linked role (as for the source key, facts §7: "it is
/// **not** the IAM role we choose"); in the same account, the copy role's session.
pub(crate) fn writer(ctx: &Ctx<'_>) -> String {
    if ctx.cross_account {
        format!(
            "arn:{}:sts::{}:assumed-role/AWSServiceRoleForBackup/AWSBackup-copy",
            ctx.destination.partition, ctx.destination.account
        )
    } else {
        ctx.role_session.clone()
    }
}

/// `destination-key-policy`: the requests of [`DESTINATION_KEY_REQUESTS`] against the destination
/// vault's key policy.
pub(crate) fn destination_key_policy(ctx: &Ctx<'_>) -> Check {
    if ctx.destination_vault.is_none() {
        return Check::skip(Text::plain(
            "dkeypolicy.no-vault",
            "the destination vault does not exist (see destination-vault-policy)",
        ));
    }
    let key = match ctx.destination_key {
        KeyRef::Listed(key) if !ctx.destination_key.is_aws_managed() => key,
        KeyRef::Missing(_) => {
            return Check::skip(Text::plain(
                "dkeypolicy.missing",
                "the destination vault's key does not exist (see key-state)",
            ));
        }
        _ => {
            return Check::skip(Text::plain(
                "dkeypolicy.aws-managed",
                "the destination vault's key is AWS managed or AWS owned: its policy lets AWS Backup use it in its account",
            ));
        }
    };
    let Some(policy) = ctx.prepared.key_policy(&key.arn) else {
        return Check::skip(Text::plain(
            "dkeypolicy.none",
            "the destination vault's key has no policy copylab could read",
        ));
    };
    let principal = writer(ctx);
    let compute = || {
        Caller::parse(&principal)
            .ok()
            .map(|caller| key_requests(ctx, &key.arn, policy, &principal, caller))
    };
    // The destination vault is the one at the destination's account, Region and name: what the
    // evaluation reads of the destination is the vault's.
    let eval = match ctx.destination_vault {
        Some(vault) => ctx.prepared.destination_key_eval(key, vault, &principal, compute),
        None => std::sync::Arc::new(compute()),
    };
    let Some(DestinationKeyEval {
        evidence,
        failed,
        denies,
    }) = eval.as_ref()
    else {
        return Check::skip(Text::plain(
            "dkeypolicy.no-caller",
            "the copy role's ARN names no caller",
        ));
    };
    if failed.is_empty() {
        return Check::pass(evidence.clone());
    }
    Check::fail(
        evidence.clone(),
        MessageRef::new("kms-key-disabled-or-denied", vec![]),
        lazy(&ctx.want_remedy, || fix(&key.arn, failed, denies, &principal, ctx)),
    )
}

/// What the destination key's policy answers the requests of [`DESTINATION_KEY_REQUESTS`] by
/// `principal`: the same for every copy into the same vault by the same writer, so a kept
/// index remembers it ([`crate::policies::PreparedWorld::destination_key_eval`]).
#[derive(Debug)]
pub(crate) struct DestinationKeyEval {
    evidence: Vec<Text>,
    failed: Vec<&'static str>,
    /// The deciding Deny statements' indexes, sorted, each once.
    denies: Vec<usize>,
}

/// [`DestinationKeyEval`] of `key_arn`'s `policy` for `principal`.
fn key_requests(
    ctx: &Ctx<'_>,
    key_arn: &str,
    policy: &copylab_policy::Policy,
    principal: &str,
    caller: Caller,
) -> DestinationKeyEval {
    let key_account = crate::arn::account(key_arn).unwrap_or(&ctx.destination.account);
    let mut evidence = vec![text!(
        "dkeypolicy.writer",
        "AWS Backup writes the copy under {key} as {principal}, through backup.{region}.amazonaws.com (the principal is copylab's reading: AWS does not document it)",
        key = key_arn,
        principal = principal,
        region = ctx.destination.region
    )];
    let mut context = org_context(ctx.prepared, caller.account().unwrap_or_default());
    context.insert(
        "kms:ViaService",
        &format!("backup.{}.amazonaws.com", ctx.destination.region),
    );
    let mut request = Request::new(
        caller,
        "kms:CreateGrant",
        key_arn,
        Some(key_account),
        context,
        PolicyKind::Kms,
    );
    let mut failed = Vec::new();
    let mut denies = Vec::new();
    for row in DESTINATION_KEY_REQUESTS {
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
            &request,
        );
        evidence.push(decision_evidence(
            "dkeypolicy.request",
            "{action} by {principal}: {decision}",
            vec![("action", row.action.to_owned()), ("principal", principal.to_owned())],
            &decision,
        ));
        if decision.decision != Decided::Allow {
            denies.extend(deny_indexes(&decision, "key policy"));
            failed.push(row.action);
        }
        for (k, _) in row.context {
            request.context.remove(k);
        }
    }
    denies.sort_unstable();
    denies.dedup();
    DestinationKeyEval {
        evidence,
        failed,
        denies,
    }
}

// The remedy.

fn fix(key_arn: &str, failed: &[&'static str], denies: &[usize], principal: &str, ctx: &Ctx<'_>) -> Remedy {
    if !denies.is_empty() {
        return Remedy {
            summary: text!(
                "remedy.dkey-policy-deny",
                "remove the Deny statements {indexes} from the key policy of {key}, the destination vault's key",
                indexes = format!("{denies:?}"),
                key = key_arn
            ),
            patches: vec![Patch::RemoveKeyPolicyStatements {
                key_arn: key_arn.to_owned(),
                indexes: denies.to_vec(),
            }],
            commands: Vec::new(),
            alternatives: Vec::new(),
        };
    }
    // The writer's account, whose IAM then delegates: the same pattern as the source key's.
    let account = crate::arn::account(principal).unwrap_or(&ctx.destination.account);
    let statement = json!({
        "Sid": "Allow AWS Backup to write copies",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{}:iam::{account}:root", ctx.destination.partition)},
        "Action": failed,
        "Resource": "*",
        "Condition": {"StringLike": {"kms:ViaService": "backup.*.amazonaws.com"}},
    });
    Remedy {
        summary: text!(
            "remedy.dkey-policy",
            "allow account {account} to use {key}, the destination vault's key, through AWS Backup",
            account = account,
            key = key_arn
        ),
        patches: vec![Patch::AddKeyPolicyStatements {
            key_arn: key_arn.to_owned(),
            statements: vec![statement],
        }],
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}

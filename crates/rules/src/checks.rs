//! The checks that ask the policy engine: `source-key-policy`, `iam-role` and `destination-vault-policy`, with the table of requests each evaluates, written down once.
//!
//! What a copy asks of each policy is not fully documented; every row says where it comes from
//! and is labelled `modeled` where AWS is silent.

use copylab_policy::{
    Authorization, Caller, Context, Decision, LabeledPolicy, Outcome as Decided, PolicyKind, Request,
};
use serde::Serialize;

use crate::engine::{Check as CheckOut, CheckResult, CtxView, MessageRef};
use crate::kms::KeyRef;
use crate::policies::PreparedWorld;
use crate::remedy;
use crate::text;
use crate::text::Text;

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
        identity: "allows (the service-linked role's permissions are AWS's: modeled)",
        why: "the destination describes the source key before copying (EC2 guide: \"you must have DescribeKey permissions\"; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:Decrypt",
        context: &[],
        identity: "allows (modeled)",
        why: "the destination reads the encrypted source data (Knowledge Center backup-cross-account-copy-error lists Decrypt)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::DestinationServiceLinkedRole,
        action: "kms:CreateGrant",
        context: &[("kms:GrantIsForAWSResource", "true")],
        identity: "allows (modeled)",
        why: "the copying service creates a grant on the key for the AWS resource (tecRacer: the grant statement names the destination's AWSServiceRoleForBackup; facts §7)",
        provenance: "documented",
    },
    KeyRequest {
        caller: KeyCaller::SourceAccount,
        action: "kms:PutKeyPolicy",
        context: &[],
        identity: "the account root (not limited by IAM policies)",
        why: "the key must stay manageable by its own account: KMS refuses a key policy that would lock the account out (PutKeyPolicy's lockout safety check), so a policy without it is one KMS would not have accepted",
        provenance: "modeled",
    },
];

/// Runs the policy engine.
fn decide<'a>(
    kind: PolicyKind,
    resource: Option<LabeledPolicy<'a>>,
    identity: Vec<LabeledPolicy<'a>>,
    identity_allows_all: bool,
    request: &'a Request,
) -> Decision<'a> {
    let authorization = Authorization {
        kind,
        resource_policy: resource,
        identity_policies: identity,
        identity_allows_all,
    };
    copylab_policy::evaluate_brief(&authorization, request)
}

/// The context keys the world supplies for a caller in `account`.
fn org_context(prepared: &PreparedWorld<'_>, account: &str) -> Context {
    let mut context = Context::new();
    if let Some((org, path)) = prepared.org_info(account) {
        context.insert("aws:PrincipalOrgID", org);
        context.insert("aws:PrincipalOrgPaths", path);
    }
    context
}

fn decision_text(decision: &Decision<'_>) -> String {
    let mut out = decision.decision.as_str().to_owned();
    let deciding: Vec<String> = decision
        .deciding_statements
        .iter()
        .map(|d| match d.sid {
            Some(sid) => format!("#{} \"{sid}\"", d.index),
            None => format!("#{}", d.index),
        })
        .collect();
    if !deciding.is_empty() {
        out.push_str(&format!(" by statement {}", deciding.join(", ")));
    }
    if let Some(note) = decision
        .notes
        .iter()
        .find(|n| n.kind == copylab_policy::NoteKind::Reason)
    {
        out.push_str(&format!(": {}", note.message));
    }
    out
}

/// Explicit Deny statements that decided, as indexes in the named policy.
fn deny_indexes(decision: &Decision<'_>, label: &str) -> Vec<usize> {
    if decision.decision != Decided::ExplicitDeny {
        return Vec::new();
    }
    decision
        .deciding_statements
        .iter()
        .filter(|d| d.policy == label)
        .map(|d| d.index)
        .collect()
}

fn skip(evidence: Text) -> CheckOut {
    CheckOut {
        result: CheckResult::Skip,
        evidence: vec![evidence],
        message: None,
        remedy: None,
    }
}

/// `source-key-policy`: the requests of [`SOURCE_KEY_REQUESTS`] against the source key policy.
pub(crate) fn source_key_policy(ctx: &CtxView<'_, '_>) -> CheckOut {
    if !ctx.cross_account {
        return skip(Text::plain(
            "keypolicy.same-account",
            "same-account copy: the source key is used within its own account",
        ));
    }
    let key = match ctx.source_key {
        KeyRef::Listed(key) if !ctx.source_key.is_aws_managed() => key,
        KeyRef::Unencrypted => {
            return skip(Text::plain(
                "keypolicy.unencrypted",
                "the source backup is not encrypted",
            ));
        }
        KeyRef::Missing(_) => {
            return skip(Text::plain(
                "keypolicy.missing",
                "the source key does not exist (see key-state)",
            ));
        }
        _ => {
            return skip(Text::plain(
                "keypolicy.aws-managed",
                "the source key is AWS managed: its policy cannot be changed (see source-encryption)",
            ));
        }
    };
    let Some(policy) = ctx.prepared.key_policy(&key.arn) else {
        return skip(Text::plain(
            "keypolicy.none",
            "the source key has no policy copylab could read",
        ));
    };
    let key_account = key.arn.split(':').nth(4).unwrap_or(ctx.source_account);
    let mut evidence = Vec::new();
    let mut failed: Vec<&KeyRequest> = Vec::new();
    let mut denies: Vec<usize> = Vec::new();
    // One request per caller, its action and context changed row by row (no re-parsing).
    let via_service = format!("backup.{}.amazonaws.com", ctx.destination_region);
    let base = |principal: &str| -> Option<Request> {
        let caller = Caller::parse(principal).ok()?;
        let mut context = org_context(ctx.prepared, caller.account().unwrap_or_default());
        context.insert("kms:ViaService", &via_service);
        Some(Request::new(
            caller,
            "kms:DescribeKey",
            &key.arn,
            Some(key_account),
            context,
            PolicyKind::Kms,
        ))
    };
    let destination_principal = format!(
        "arn:{}:sts::{}:assumed-role/AWSServiceRoleForBackup/AWSBackup-copy",
        ctx.partition, ctx.destination_account
    );
    let source_principal = format!("arn:{}:iam::{}:root", ctx.partition, key_account);
    let mut requests = [base(&destination_principal), base(&source_principal)];
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
        evidence.push(text!(
            "keypolicy.request",
            "{action} by {principal}: {decision}",
            action = row.action,
            principal = principal,
            decision = decision_text(&decision)
        ));
        if decision.decision != Decided::Allow {
            denies.extend(deny_indexes(&decision, "key policy"));
            failed.push(row);
        }
        for (k, _) in row.context {
            request.context.remove(k);
        }
    }
    if failed.is_empty() {
        return CheckOut {
            result: CheckResult::Pass,
            evidence,
            message: None,
            remedy: None,
        };
    }
    let remedy = remedy::fix_key_policy(
        key,
        policy,
        &failed,
        &denies,
        ctx.partition,
        ctx.destination_account,
        key_account,
    );
    CheckOut {
        result: CheckResult::Fail,
        evidence,
        message: Some(ctx.key_message.clone()),
        remedy: Some(remedy),
    }
}

/// The copy role's session request for `backup:CopyIntoBackupVault` on the destination vault.
pub(crate) fn copy_request(
    prepared: &PreparedWorld<'_>,
    session: &str,
    vault_arn: &str,
    vault_account: &str,
) -> Option<Request> {
    let caller = Caller::parse(session).ok()?;
    let context = org_context(prepared, caller.account().unwrap_or_default());
    Some(Request::new(
        caller,
        "backup:CopyIntoBackupVault",
        vault_arn,
        Some(vault_account),
        context,
        PolicyKind::Vault,
    ))
}

/// `iam-role`: AWS Backup can assume the role, and its identity policies allow the copy.
pub(crate) fn iam_role(ctx: &CtxView<'_, '_>) -> CheckOut {
    let role_message = MessageRef::new("role-cannot-be-assumed", vec![("role_arn", ctx.role_arn.to_owned())]);
    let Some(role) = ctx.prepared.role(ctx.role_arn) else {
        return CheckOut {
            result: CheckResult::Fail,
            evidence: vec![text!(
                "role.missing",
                "role {role} does not exist in the world",
                role = ctx.role_arn
            )],
            message: Some(role_message),
            remedy: Some(remedy::create_role(ctx.role_arn)),
        };
    };
    let role_account = ctx.role_arn.split(':').nth(4).unwrap_or_default();
    let mut evidence = Vec::new();
    if role_account != ctx.source_account {
        evidence.push(text!(
            "role.other-account",
            "role {role} is in account {account}, not in the source account {source}",
            role = ctx.role_arn,
            account = role_account,
            source = ctx.source_account
        ));
        return CheckOut {
            result: CheckResult::Fail,
            evidence,
            message: Some(role_message),
            remedy: Some(remedy::create_role(&ctx.role_arn.replacen(
                role_account,
                ctx.source_account,
                1,
            ))),
        };
    }
    // Trust: may backup.amazonaws.com assume the role?
    let trust_request = Request::new(
        Caller::Service {
            name: "backup.amazonaws.com".into(),
        },
        "sts:AssumeRole",
        ctx.role_arn,
        Some(role_account),
        Context::new(),
        PolicyKind::Trust,
    );
    let trust = decide(
        PolicyKind::Trust,
        Some(LabeledPolicy {
            label: "trust policy",
            policy: &role.trust,
        }),
        vec![],
        false,
        &trust_request,
    );
    evidence.push(text!(
        "role.trust",
        "sts:AssumeRole by backup.amazonaws.com on {role}: {decision}",
        role = ctx.role_arn,
        decision = decision_text(&trust)
    ));
    if trust.decision != Decided::Allow {
        return CheckOut {
            result: CheckResult::Fail,
            evidence,
            message: Some(role_message),
            remedy: Some(remedy::fix_trust(ctx.role_arn)),
        };
    }
    // Identity: do the role's policies allow CopyIntoBackupVault on the destination vault?
    let Some(mut request) = ctx.copy_request.clone() else {
        return skip(Text::plain(
            "role.bad-session",
            "the role's session ARN could not be formed",
        ));
    };
    // Evaluate the identity side alone (the vault side is the next check).
    request.resource_owner = None;
    let labels = &role.managed_labels;
    let mut identity: Vec<LabeledPolicy<'_>> = role
        .inline
        .iter()
        .map(|(label, policy)| LabeledPolicy {
            label: label.as_str(),
            policy,
        })
        .collect();
    identity.extend(role.managed.iter().zip(labels).map(|(m, label)| LabeledPolicy {
        label: label.as_str(),
        policy: m.policy(),
    }));
    for unknown in &role.unknown_managed {
        evidence.push(text!(
            "role.unknown-managed",
            "managed policy {arn} is not known to copylab: treated as granting nothing",
            arn = unknown
        ));
    }
    let decision = decide(PolicyKind::Identity, None, identity, false, &request);
    evidence.push(text!(
        "role.identity",
        "backup:CopyIntoBackupVault by {session} on {vault} (identity side): {decision}",
        session = ctx.role_session,
        vault = ctx.destination_vault_arn,
        decision = decision_text(&decision)
    ));
    if decision.decision == Decided::Allow {
        return CheckOut {
            result: CheckResult::Pass,
            evidence,
            message: None,
            remedy: None,
        };
    }
    let denies: Vec<(String, usize)> = if decision.decision == Decided::ExplicitDeny {
        decision
            .deciding_statements
            .iter()
            .map(|d| (d.policy.to_owned(), d.index))
            .collect()
    } else {
        Vec::new()
    };
    CheckOut {
        result: CheckResult::Fail,
        evidence,
        message: Some(MessageRef::new("vault-access-denied", vec![])),
        remedy: Some(remedy::allow_copy_in_role(
            ctx.role_arn,
            &ctx.destination_vault_arn,
            &denies,
        )),
    }
}

/// `destination-vault-policy`: the destination vault access policy allows the copy role's
/// session (the vault side; the identity side is `iam-role`).
pub(crate) fn destination_vault_policy(ctx: &CtxView<'_, '_>) -> CheckOut {
    let Some(vault) = ctx.destination_vault else {
        return CheckOut {
            result: CheckResult::Fail,
            evidence: vec![text!(
                "vault.missing",
                "the destination vault {vault} does not exist (AWS answers AccessDenied for resources that do not exist: modeled for copy jobs)",
                vault = ctx.destination_vault_arn
            )],
            message: Some(MessageRef::new("vault-access-denied", vec![])),
            remedy: Some(remedy::create_destination_vault(
                ctx.destination_vault_arn.as_str(),
                ctx.source_account,
                ctx.partition,
            )),
        };
    };
    if !ctx.cross_account {
        return skip(Text::plain(
            "vault.same-account",
            "same-account copy: the copy role's identity policy is enough",
        ));
    }
    let Some(policy) = ctx.prepared.vault_policy(vault) else {
        return CheckOut {
            result: CheckResult::Fail,
            evidence: vec![text!(
                "vault.no-policy",
                "the destination vault {vault} has no access policy, so no other account may copy into it",
                vault = ctx.destination_vault_arn
            )],
            message: Some(MessageRef::new("vault-access-denied", vec![])),
            remedy: Some(remedy::allow_source_in_vault(
                vault,
                &ctx.destination_vault_arn,
                ctx.partition,
                ctx.source_account,
                &[],
            )),
        };
    };
    let Some(request) = &ctx.copy_request else {
        return skip(Text::plain(
            "role.bad-session",
            "the role's session ARN could not be formed",
        ));
    };
    let decision: Decision<'_> = decide(
        PolicyKind::Vault,
        Some(LabeledPolicy {
            label: "vault access policy",
            policy,
        }),
        vec![],
        true,
        request,
    );
    let evidence = vec![text!(
        "vault.decision",
        "backup:CopyIntoBackupVault by {session} on {vault} (vault side): {decision}",
        session = ctx.role_session,
        vault = ctx.destination_vault_arn,
        decision = decision_text(&decision)
    )];
    if decision.decision == Decided::Allow {
        return CheckOut {
            result: CheckResult::Pass,
            evidence,
            message: None,
            remedy: None,
        };
    }
    let denies = deny_indexes(&decision, "vault access policy");
    CheckOut {
        result: CheckResult::Fail,
        evidence,
        message: Some(MessageRef::new("vault-access-denied", vec![])),
        remedy: Some(remedy::allow_source_in_vault(
            vault,
            &ctx.destination_vault_arn,
            ctx.partition,
            ctx.source_account,
            &denies,
        )),
    }
}

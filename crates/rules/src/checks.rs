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
use crate::policies::{PreparedWorld, RolePolicies};
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

/// A decision as evidence arguments, computed once: `decision` whole (`ImplicitDeny by statement
/// #1 "Sid": reason`, what the English templates show) and in parts for translations:
/// `outcome` (`Allow`, `ExplicitDeny`, `ImplicitDeny`), `by` (the deciding statements, or
/// `none`) and `reason` (the policy engine's reason and notes as it writes them, or `none`).
fn decision_args(decision: &Decision<'_>) -> [(&'static str, String); 4] {
    let deciding: Vec<String> = decision
        .deciding_statements
        .iter()
        .map(|d| match d.sid {
            Some(sid) => format!("#{} \"{sid}\"", d.index),
            None => format!("#{}", d.index),
        })
        .collect();
    let outcome = decision.decision.as_str();
    let mut whole = outcome.to_owned();
    if !deciding.is_empty() {
        whole.push_str(&format!(" by statement {}", deciding.join(", ")));
    }
    let mut reason = String::new();
    if let Some(note) = decision
        .notes
        .iter()
        .find(|n| n.kind == copylab_policy::NoteKind::Reason)
    {
        reason.push_str(&format!(": {}", note.message));
    }
    // Where AWS documents no single answer the policy engine says so; keep that in the evidence.
    for note in decision
        .notes
        .iter()
        .filter(|n| n.kind != copylab_policy::NoteKind::Reason)
    {
        reason.push_str(&format!(" ({}: {})", note.code, note.message));
    }
    whole.push_str(&reason);
    let or_none = |text: String| if text.is_empty() { "none".to_owned() } else { text };
    [
        ("decision", whole),
        ("outcome", outcome.to_owned()),
        ("by", or_none(deciding.join(", "))),
        ("reason", or_none(reason)),
    ]
}

/// An evidence sentence about a decision: `args` and then [`decision_args`].
fn decision_evidence(
    id: &'static str,
    template: &'static str,
    args: Vec<(&'static str, String)>,
    decision: &Decision<'_>,
) -> Text {
    let mut args = args;
    args.extend(decision_args(decision));
    Text::new(id, template, args)
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
    let key_account = key_arn.split(':').nth(4).unwrap_or_default();
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
                "the source key is AWS managed or AWS owned: its policy cannot be changed (see source-encryption)",
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
    let computed;
    let eval = match ctx
        .destination_vault
        .and_then(|vault| ctx.prepared.cached_key_eval(key, vault, ctx.partition))
    {
        Some(eval) => eval,
        None => {
            computed = key_eval(
                ctx.prepared,
                &key.arn,
                policy,
                ctx.partition,
                ctx.destination_account,
                ctx.destination_region,
            );
            &computed
        }
    };
    if eval.failed.is_empty() {
        return CheckOut {
            result: CheckResult::Pass,
            evidence: eval.evidence.clone(),
            message: None,
            remedy: None,
        };
    }
    CheckOut {
        result: CheckResult::Fail,
        evidence: eval.evidence.clone(),
        message: Some(ctx.key_message.clone()),
        remedy: crate::engine::lazy(ctx.want_remedy, || {
            remedy::fix_key_policy(
                key,
                &eval.failed,
                &eval.denies,
                ctx.partition,
                ctx.destination_account,
                key_account,
            )
        }),
    }
}

/// The copy role's session ARN, as the policies see it.
pub(crate) fn role_session(role_arn: &str, partition: &str, fallback_account: &str) -> String {
    let name = role_arn.rsplit('/').next().unwrap_or("role");
    let account = role_arn
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .unwrap_or(fallback_account);
    format!("arn:{partition}:sts::{account}:assumed-role/{name}/AWSBackup-copy")
}

/// The copy role session's request for `backup:CopyIntoBackupVault` on the destination vault.
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

/// What the role's trust and identity policies answer.
#[derive(Debug, Clone)]
pub(crate) struct RoleEval {
    evidence: Vec<Text>,
    trusted: bool,
    allowed: bool,
    denies: Vec<(String, usize)>,
}

/// Evaluates the trust policy (backup.amazonaws.com, `sts:AssumeRole`) and the identity side
/// of the copy (`backup:CopyIntoBackupVault` on `vault_arn`).
pub(crate) fn role_eval(
    role_arn: &str,
    role: &RolePolicies,
    copy: Option<&Request>,
    session: &str,
    vault_arn: &str,
) -> RoleEval {
    let role_account = role_arn.split(':').nth(4).unwrap_or_default();
    let mut eval = RoleEval {
        evidence: Vec::new(),
        trusted: false,
        allowed: false,
        denies: Vec::new(),
    };
    let trust_request = Request::new(
        Caller::Service {
            name: "backup.amazonaws.com".into(),
        },
        "sts:AssumeRole",
        role_arn,
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
    eval.evidence.push(decision_evidence(
        "role.trust",
        "sts:AssumeRole by backup.amazonaws.com on {role}: {decision}",
        vec![("role", role_arn.to_string())],
        &trust,
    ));
    eval.trusted = trust.decision == Decided::Allow;
    let Some(copy) = copy.filter(|_| eval.trusted) else {
        return eval;
    };
    // The identity side alone (the vault side is the next check).
    let mut request = copy.clone();
    request.resource_owner = None;
    let mut identity: Vec<LabeledPolicy<'_>> = role
        .inline
        .iter()
        .map(|(label, policy)| LabeledPolicy {
            label: label.as_str(),
            policy,
        })
        .collect();
    identity.extend(
        role.managed
            .iter()
            .zip(&role.managed_labels)
            .map(|(m, label)| LabeledPolicy {
                label: label.as_str(),
                policy: m.policy(),
            }),
    );
    for unknown in &role.unknown_managed {
        eval.evidence.push(text!(
            "role.unknown-managed",
            "managed policy {arn} is not known to copylab: treated as granting nothing",
            arn = unknown
        ));
    }
    let decision = decide(PolicyKind::Identity, None, identity, false, &request);
    eval.evidence.push(decision_evidence(
        "role.identity",
        "backup:CopyIntoBackupVault by {session} on {vault} (identity side): {decision}",
        vec![("session", session.to_string()), ("vault", vault_arn.to_string())],
        &decision,
    ));
    eval.allowed = decision.decision == Decided::Allow;
    if decision.decision == Decided::ExplicitDeny {
        eval.denies = decision
            .deciding_statements
            .iter()
            .map(|d| (d.policy.to_owned(), d.index))
            .collect();
    }
    eval
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
            remedy: crate::engine::lazy(ctx.want_remedy, || remedy::create_role(ctx.role_arn)),
        };
    };
    let role_account = ctx.role_arn.split(':').nth(4).unwrap_or_default();
    if role_account != ctx.source_account {
        return CheckOut {
            result: CheckResult::Fail,
            evidence: vec![text!(
                "role.other-account",
                "role {role} is in account {account}, not in the source account {source}",
                role = ctx.role_arn,
                account = role_account,
                source = ctx.source_account
            )],
            message: Some(role_message),
            remedy: crate::engine::lazy(ctx.want_remedy, || {
                remedy::create_role(&ctx.role_arn.replacen(role_account, ctx.source_account, 1))
            }),
        };
    }
    let computed;
    let eval = match ctx
        .destination_vault
        .and_then(|vault| ctx.prepared.cached_role_eval(ctx.role_arn, vault, ctx.partition))
    {
        Some(eval) => eval,
        None => {
            computed = role_eval(
                ctx.role_arn,
                role,
                ctx.copy_request(),
                &ctx.role_session,
                &ctx.destination_vault_arn,
            );
            &computed
        }
    };
    if !eval.trusted {
        return CheckOut {
            result: CheckResult::Fail,
            evidence: eval.evidence.clone(),
            message: Some(role_message),
            remedy: crate::engine::lazy(ctx.want_remedy, || remedy::fix_trust(ctx.role_arn)),
        };
    }
    if eval.allowed {
        return CheckOut {
            result: CheckResult::Pass,
            evidence: eval.evidence.clone(),
            message: None,
            remedy: None,
        };
    }
    CheckOut {
        result: CheckResult::Fail,
        evidence: eval.evidence.clone(),
        message: Some(MessageRef::new("vault-access-denied", vec![])),
        remedy: crate::engine::lazy(ctx.want_remedy, || {
            let world_role = ctx.prepared.world.roles.iter().find(|r| r.arn == ctx.role_arn);
            remedy::allow_copy_in_role(ctx.role_arn, world_role, &ctx.destination_vault_arn, &eval.denies)
        }),
    }
}

/// What the vault access policy answers (the vault side).
#[derive(Debug, Clone)]
pub(crate) struct VaultEval {
    evidence: Vec<Text>,
    allowed: bool,
    denies: Vec<usize>,
}

/// Evaluates the vault access policy for the copy request (identity side taken as allowing).
pub(crate) fn vault_eval(
    policy: &copylab_policy::Policy,
    request: &Request,
    session: &str,
    vault_arn: &str,
) -> VaultEval {
    let decision = decide(
        PolicyKind::Vault,
        Some(LabeledPolicy {
            label: "vault access policy",
            policy,
        }),
        vec![],
        true,
        request,
    );
    VaultEval {
        evidence: vec![decision_evidence(
            "vault.decision",
            "backup:CopyIntoBackupVault by {session} on {vault} (vault side): {decision}",
            vec![("session", session.to_string()), ("vault", vault_arn.to_string())],
            &decision,
        )],
        allowed: decision.decision == Decided::Allow,
        denies: deny_indexes(&decision, "vault access policy"),
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
            remedy: crate::engine::lazy(ctx.want_remedy, || {
                remedy::create_destination_vault(ctx.destination_vault_arn.as_str(), ctx.source_account, ctx.partition)
            }),
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
            remedy: crate::engine::lazy(ctx.want_remedy, || {
                remedy::allow_source_in_vault(
                    vault,
                    &ctx.destination_vault_arn,
                    ctx.partition,
                    ctx.source_account,
                    &[],
                )
            }),
        };
    };
    let computed;
    let eval = match ctx.prepared.cached_vault_eval(vault, ctx.role_arn, ctx.partition) {
        Some(eval) => eval,
        None => {
            let Some(request) = ctx.copy_request() else {
                return skip(Text::plain(
                    "role.bad-session",
                    "the role's session ARN could not be formed",
                ));
            };
            computed = vault_eval(policy, request, &ctx.role_session, &ctx.destination_vault_arn);
            &computed
        }
    };
    if eval.allowed {
        return CheckOut {
            result: CheckResult::Pass,
            evidence: eval.evidence.clone(),
            message: None,
            remedy: None,
        };
    }
    CheckOut {
        result: CheckResult::Fail,
        evidence: eval.evidence.clone(),
        message: Some(MessageRef::new("vault-access-denied", vec![])),
        remedy: crate::engine::lazy(ctx.want_remedy, || {
            remedy::allow_source_in_vault(
                vault,
                &ctx.destination_vault_arn,
                ctx.partition,
                ctx.source_account,
                &eval.denies,
            )
        }),
    }
}

//! `iam-role`: AWS Backup may assume the copy role and its identity policies allow `backup:CopyIntoBackupVault` on the destination vault; the fixes create the role, fix its trust or allow the copy.

use copylab_policy::{Caller, Context, LabeledPolicy, Outcome as Decided, PolicyKind, Request};
use serde_json::json;

use super::policy::{decide, decision_evidence, org_context};
use super::{Check, Ctx, lazy, lazy_merge};
use crate::engine::MessageRef;
use crate::policies::{PreparedWorld, RolePolicies};
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;
use crate::world::Role;

/// The copy role's session ARN, as the policies see it.
pub(crate) fn role_session(role_arn: &str, partition: &str, fallback_account: &str) -> String {
    let name = role_arn.rsplit('/').next().unwrap_or("role");
    let account = crate::arn::account(role_arn).unwrap_or(fallback_account);
    // Concatenated, not formatted: every copy's checks read it.
    [
        "arn:",
        partition,
        ":sts::",
        account,
        ":assumed-role/",
        name,
        "/AWSBackup-copy",
    ]
    .concat()
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
    /// The role's own policies allow the copy, its permissions boundary does not.
    boundary_blocks: bool,
}

/// What the role's permissions boundary answers for `request` (`None`: the role has none),
/// with its evidence. "Permissions boundaries" is a step of the evaluation, after the identity
/// policies, and limits a role even where a resource policy names the role's ARN in its own
/// account (iam-policy-semantics §1.1, [S2]): the request is allowed only if the boundary
/// allows it too, and a Deny in it denies.
fn boundary_allows(role: &RolePolicies, request: &Request, evidence: &mut Vec<Text>) -> Option<bool> {
    if let Some(arn) = &role.unknown_boundary {
        evidence.push(text!(
            "role.unknown-boundary",
            "permissions boundary {arn} is not known to copylab: treated as allowing nothing",
            arn = arn
        ));
        return Some(false);
    }
    let (label, policy) = role.boundary.as_ref()?;
    let decision = decide(
        PolicyKind::Identity,
        None,
        vec![LabeledPolicy {
            label: label.as_str(),
            policy: policy.policy(),
        }],
        false,
        request,
    );
    evidence.push(decision_evidence(
        "role.boundary",
        "{action} within the permissions boundary {boundary}: {decision}",
        vec![("action", request.action.to_string()), ("boundary", label.clone())],
        &decision,
    ));
    Some(decision.decision == Decided::Allow)
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
    let role_account = crate::arn::account(role_arn).unwrap_or_default();
    let mut eval = RoleEval {
        evidence: Vec::new(),
        trusted: false,
        allowed: false,
        denies: Vec::new(),
        boundary_blocks: false,
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
    let identity = identity_policies(role);
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
    if boundary_allows(role, &request, &mut eval.evidence) == Some(false) {
        eval.boundary_blocks = eval.allowed;
        eval.allowed = false;
    }
    if decision.decision == Decided::ExplicitDeny {
        eval.denies = decision
            .deciding_statements
            .iter()
            .map(|d| (d.policy.to_owned(), d.index))
            .collect();
    }
    eval
}

/// The role's identity policies, inline first, labelled.
fn identity_policies(role: &RolePolicies) -> Vec<LabeledPolicy<'_>> {
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
    identity
}

/// The copy role session's request for `backup:CopyFromBackupVault` on the recovery point, with
/// the condition keys AWS documents for it: `backup:CopyTargets` (the destination vault's ARN)
/// and `backup:CopyTargetOrgPaths` (the destination account's organization path).
pub(crate) fn copy_from_request(ctx: &Ctx<'_>) -> Option<Request> {
    let caller = Caller::parse(&ctx.role_session).ok()?;
    let mut context = org_context(ctx.prepared, caller.account().unwrap_or_default());
    context.insert("backup:CopyTargets", &ctx.destination_vault_arn);
    if let Some((_, path)) = ctx.prepared.org_info(&ctx.destination.account) {
        context.insert("backup:CopyTargetOrgPaths", path);
    }
    Some(Request::new(
        caller,
        "backup:CopyFromBackupVault",
        &ctx.recovery_point.arn,
        None,
        context,
        PolicyKind::Identity,
    ))
}

/// What the role's identity policies and permissions boundary answer the copy role session's
/// `backup:CopyFromBackupVault`: the same for every recovery point of one owner where no
/// statement for that action names a resource, so a kept index remembers it
/// ([`PreparedWorld::copy_from_eval`]).
#[derive(Debug)]
pub(crate) struct CopyFromEval {
    /// The decision as evidence arguments ([`super::policy::decision_args`]).
    decision: [(&'static str, String); 4],
    allowed: bool,
    /// The deciding Deny statements: (policy label, statement index).
    denies: Vec<(String, usize)>,
    /// The permissions boundary's evidence.
    boundary: Vec<Text>,
    /// The boundary does not refuse it.
    bounded: bool,
}

/// [`CopyFromEval`] of `request`.
fn copy_from_eval(role: &RolePolicies, request: &Request) -> CopyFromEval {
    let decision = decide(PolicyKind::Identity, None, identity_policies(role), false, request);
    let denies: Vec<(String, usize)> = if decision.decision == Decided::ExplicitDeny {
        decision
            .deciding_statements
            .iter()
            .map(|d| (d.policy.to_owned(), d.index))
            .collect()
    } else {
        Vec::new()
    };
    let mut boundary = Vec::new();
    let bounded = boundary_allows(role, request, &mut boundary) != Some(false);
    CopyFromEval {
        decision: super::policy::decision_args(&decision),
        allowed: decision.decision == Decided::Allow,
        denies,
        boundary,
        bounded,
    }
}

/// `iam-role`: AWS Backup can assume the role, and its identity policies allow the copy.
pub(crate) fn iam_role(ctx: &Ctx<'_>) -> Check {
    let role_message = MessageRef::new("role-cannot-be-assumed", vec![("role_arn", ctx.role_arn.to_owned())]);
    let Some(role) = ctx.prepared.role(ctx.role_arn) else {
        return Check::fail(
            vec![text!(
                "role.missing",
                "role {role} does not exist in the world",
                role = ctx.role_arn
            )],
            role_message,
            lazy(&ctx.want_remedy, || create_role(ctx.role_arn)),
        );
    };
    let role_account = crate::arn::account(ctx.role_arn).unwrap_or_default();
    if role_account != ctx.source_account {
        return Check::fail(
            vec![text!(
                "role.other-account",
                "role {role} is in account {account}, not in the source account {source}",
                role = ctx.role_arn,
                account = role_account,
                source = ctx.source_account
            )],
            role_message,
            lazy(&ctx.want_remedy, || {
                create_role(&ctx.role_arn.replacen(role_account, ctx.source_account, 1))
            }),
        );
    }
    let compute = || {
        role_eval(
            ctx.role_arn,
            role,
            ctx.copy_request(),
            &ctx.role_session,
            &ctx.destination_vault_arn,
        )
    };
    let eval = match ctx.destination_vault {
        Some(vault) => ctx
            .prepared
            .role_eval(ctx.role_arn, vault, ctx.destination.partition.as_str(), compute),
        None => std::sync::Arc::new(compute()),
    };
    if !eval.trusted {
        return Check::fail(
            eval.evidence.clone(),
            role_message,
            lazy(&ctx.want_remedy, || fix_trust(ctx.role_arn)),
        );
    }
    // The source side: "The permission "backup:CopyFromBackupVault" controls how a recovery
    // point in the backup vault behaves, and, in this case, the destinations where you can copy
    // that recovery point to" (create-cross-account-backup).
    let mut evidence = eval.evidence.clone();
    let compute = || copy_from_request(ctx).map(|request| copy_from_eval(role, &request));
    let from_eval = match ctx.destination_vault {
        Some(vault) => ctx.prepared.copy_from_eval(
            ctx.role_arn,
            role,
            vault,
            ctx.destination.partition.as_str(),
            &ctx.recovery_point.arn,
            compute,
        ),
        None => std::sync::Arc::new(compute()),
    };
    let from = from_eval.as_ref().as_ref().map(|from| {
        let mut args = vec![
            ("session", ctx.role_session.clone()),
            ("recovery_point", ctx.recovery_point.arn.clone()),
            ("vault", ctx.destination_vault_arn.clone()),
        ];
        args.extend(from.decision.iter().cloned());
        evidence.push(Text::new(
            "role.copy-from",
            "backup:CopyFromBackupVault by {session} on {recovery_point}, to {vault}: {decision}",
            args,
        ));
        evidence.extend(from.boundary.iter().cloned());
        (
            from.allowed && from.bounded,
            from.denies.clone(),
            from.allowed && !from.bounded,
        )
    });
    let from_allowed = from.as_ref().is_none_or(|(allowed, ..)| *allowed);
    if eval.allowed && from_allowed {
        return Check::pass(evidence);
    }
    // The role's own policies allow what the boundary does not: the boundary is why, and no
    // change to the role's policies helps.
    let boundary_blocks = eval.boundary_blocks || from.as_ref().is_some_and(|(_, _, blocked)| *blocked);
    let own_policies_allow = (eval.allowed || eval.boundary_blocks)
        && from.as_ref().is_none_or(|(allowed, _, blocked)| *allowed || *blocked);
    if boundary_blocks && own_policies_allow {
        return Check::fail(
            evidence,
            MessageRef::new("vault-access-denied", vec![]),
            lazy(&ctx.want_remedy, || fix_boundary(ctx.role_arn, role)),
        );
    }
    let from = from.map(|(allowed, denies, _)| (allowed, denies));
    let mut remedies = Vec::new();
    if !eval.allowed {
        remedies.push(lazy(&ctx.want_remedy, || {
            allow_copy_in_role(ctx.role_arn, &ctx.destination_vault_arn, &eval.denies)
        }));
    }
    if let Some((false, denies)) = &from {
        remedies.push(lazy(&ctx.want_remedy, || allow_copy_from_in_role(ctx.role_arn, denies)));
    }
    Check::fail(
        evidence,
        MessageRef::new("vault-access-denied", vec![]),
        lazy_merge(remedies),
    )
}

// The remedy.

/// The boundary's fix: no patch (copylab's patches do not change a boundary), the two ways out.
fn fix_boundary(role_arn: &str, role: &RolePolicies) -> Remedy {
    let boundary = role
        .boundary
        .as_ref()
        .map(|(_, policy)| policy.arn().to_owned())
        .or_else(|| role.unknown_boundary.clone())
        .unwrap_or_default();
    let name = role_arn.rsplit('/').next().unwrap_or(role_arn);
    Remedy {
        summary: text!(
            "remedy.role-boundary",
            "role {role}'s permissions boundary {boundary} does not allow the copy: remove the boundary or set one that allows backup:CopyIntoBackupVault and backup:CopyFromBackupVault",
            role = role_arn,
            boundary = boundary
        ),
        patches: Vec::new(),
        commands: Vec::new(),
        alternatives: vec![
            text!(
                "remedy.role-boundary-remove",
                "remove the permissions boundary: aws iam delete-role-permissions-boundary --role-name {name}",
                name = name
            ),
            text!(
                "remedy.role-boundary-replace",
                "set a boundary that allows the copy: aws iam put-role-permissions-boundary --role-name {name} --permissions-boundary {arn}",
                name = name,
                arn = BACKUP_ROLE_POLICY
            ),
        ],
    }
}

/// The name of the inline policy the remedy puts on a role for the source side.
pub(crate) const COPY_FROM_POLICY_NAME: &str = "CopyFromSourceVault";

pub(crate) fn allow_copy_from_in_role(role_arn: &str, denies: &[(String, usize)]) -> Remedy {
    let mut patches = removed_denies(role_arn, denies);
    if denies.is_empty() {
        patches.push(Patch::AddRolePolicy {
            role_arn: role_arn.to_owned(),
            policy_name: COPY_FROM_POLICY_NAME.to_owned(),
            policy: json!({"Version": "2012-10-17", "Statement": [{"Sid": "CopyFromSourceVault", "Effect": "Allow", "Action": "backup:CopyFromBackupVault", "Resource": "*"}]}),
        });
    }
    Remedy {
        summary: if denies.is_empty() {
            text!(
                "remedy.role-copy-from",
                "allow backup:CopyFromBackupVault in role {role}'s policies",
                role = role_arn
            )
        } else {
            text!(
                "remedy.role-copy-from-deny",
                "remove the Deny on backup:CopyFromBackupVault from role {role}'s policies, or let it name this destination in backup:CopyTargets",
                role = role_arn
            )
        },
        commands: Vec::new(),
        patches,
        // A Deny wins over any managed policy: attaching one helps only where nothing denies.
        alternatives: if denies.is_empty() {
            vec![text!(
                "remedy.role-managed",
                "attach the AWS managed policy {arn}, which allows it on every backup vault",
                arn = BACKUP_ROLE_POLICY
            )]
        } else {
            Vec::new()
        },
    }
}

/// Patches removing the Deny statements `denies` found in inline policies (AWS managed
/// policies cannot be changed).
fn removed_denies(role_arn: &str, denies: &[(String, usize)]) -> Vec<Patch> {
    let mut patches = Vec::new();
    for (label, index) in denies {
        // Inline policies are labelled `world.roles[i].policies[j]`.
        if let Some(j) = label
            .rsplit_once("policies[")
            .and_then(|(_, rest)| rest.trim_end_matches(']').parse::<usize>().ok())
        {
            patches.push(Patch::RemoveRolePolicyStatements {
                role_arn: role_arn.to_owned(),
                policy_index: j,
                indexes: vec![*index],
            });
        }
    }
    patches
}

pub(crate) const BACKUP_ROLE_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup";

pub(crate) fn create_role(role_arn: &str) -> Remedy {
    Remedy {
        summary: text!(
            "remedy.create-role",
            "create role {role} that backup.amazonaws.com may assume, with the AWS managed policy AWSBackupServiceRolePolicyForBackup",
            role = role_arn
        ),
        patches: vec![Patch::CreateRole {
            role: Role {
                arn: role_arn.to_owned(),
                trust_policy: None,
                policies: Vec::new(),
                managed_policies: vec![BACKUP_ROLE_POLICY.to_owned()],
                permissions_boundary: None,
            },
        }],
        commands: Vec::new(),
        alternatives: vec![Text::plain(
            "remedy.default-role",
            "use the default role, AWSBackupDefaultServiceRole, which AWS Backup creates with these permissions",
        )],
    }
}

pub(crate) fn fix_trust(role_arn: &str) -> Remedy {
    Remedy {
        summary: text!(
            "remedy.trust",
            "let backup.amazonaws.com assume role {role}",
            role = role_arn
        ),
        patches: vec![Patch::SetRoleTrustPolicy {
            role_arn: role_arn.to_owned(),
            policy: crate::policies::default_trust_policy(),
        }],
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}

/// The name of the inline policy the remedy puts on a role.
pub(crate) const ROLE_POLICY_NAME: &str = "CopyIntoDestinationVault";

pub(crate) fn allow_copy_in_role(role_arn: &str, vault_arn: &str, denies: &[(String, usize)]) -> Remedy {
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "CopyIntoDestinationVault", "Effect": "Allow", "Action": "backup:CopyIntoBackupVault", "Resource": vault_arn}]});
    let mut patches = removed_denies(role_arn, denies);
    if denies.is_empty() {
        patches.push(Patch::AddRolePolicy {
            role_arn: role_arn.to_owned(),
            policy_name: ROLE_POLICY_NAME.to_owned(),
            policy,
        });
    }
    Remedy {
        summary: if denies.is_empty() {
            text!(
                "remedy.role-policy",
                "allow backup:CopyIntoBackupVault on {vault} in role {role}'s policies",
                vault = vault_arn,
                role = role_arn
            )
        } else {
            text!(
                "remedy.role-deny",
                "remove the Deny on backup:CopyIntoBackupVault from role {role}'s policies",
                role = role_arn
            )
        },
        commands: Vec::new(),
        patches,
        alternatives: vec![text!(
            "remedy.role-managed",
            "attach the AWS managed policy {arn}, which allows it on every backup vault",
            arn = BACKUP_ROLE_POLICY
        )],
    }
}

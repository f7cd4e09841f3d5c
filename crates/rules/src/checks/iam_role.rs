//! `iam-role`: AWS Backup may assume the copy role and its identity policies allow `backup:CopyIntoBackupVault` on the destination vault; the fixes create the role, fix its trust or allow the copy.

use copylab_policy::{Caller, Context, LabeledPolicy, Outcome as Decided, PolicyKind, Request};
use serde_json::{Value, json};

use super::policy::{decide, decision_evidence, org_context};
use super::{Check, Ctx, lazy};
use crate::engine::{CheckResult, MessageRef};
use crate::policies::{PreparedWorld, RolePolicies};
use crate::remedy::{Command, Patch, Remedy, cmd, compact, remove_indexes, statements_of};
use crate::text;
use crate::text::Text;
use crate::world::Role;

/// The copy role's session ARN, as the policies see it.
pub(crate) fn role_session(role_arn: &str, partition: &str, fallback_account: &str) -> String {
    let name = role_arn.rsplit('/').next().unwrap_or("role");
    let account = crate::arn::account(role_arn).unwrap_or(fallback_account);
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
    let role_account = crate::arn::account(role_arn).unwrap_or_default();
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
pub(crate) fn iam_role(ctx: &Ctx<'_>) -> Check {
    let role_message = MessageRef::new("role-cannot-be-assumed", vec![("role_arn", ctx.role_arn.to_owned())]);
    let Some(role) = ctx.prepared.role(ctx.role_arn) else {
        return Check {
            result: CheckResult::Fail,
            evidence: vec![text!(
                "role.missing",
                "role {role} does not exist in the world",
                role = ctx.role_arn
            )],
            message: Some(role_message),
            remedy: lazy(&ctx.want_remedy, || create_role(ctx.role_arn)),
        };
    };
    let role_account = crate::arn::account(ctx.role_arn).unwrap_or_default();
    if role_account != ctx.source_account {
        return Check {
            result: CheckResult::Fail,
            evidence: vec![text!(
                "role.other-account",
                "role {role} is in account {account}, not in the source account {source}",
                role = ctx.role_arn,
                account = role_account,
                source = ctx.source_account
            )],
            message: Some(role_message),
            remedy: lazy(&ctx.want_remedy, || {
                create_role(&ctx.role_arn.replacen(role_account, ctx.source_account, 1))
            }),
        };
    }
    let computed;
    let eval = match ctx.destination_vault.and_then(|vault| {
        ctx.prepared
            .cached_role_eval(ctx.role_arn, vault, ctx.destination.partition.as_str())
    }) {
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
        return Check {
            result: CheckResult::Fail,
            evidence: eval.evidence.clone(),
            message: Some(role_message),
            remedy: lazy(&ctx.want_remedy, || fix_trust(ctx.role_arn)),
        };
    }
    if eval.allowed {
        return Check {
            result: CheckResult::Pass,
            evidence: eval.evidence.clone(),
            message: None,
            remedy: None,
        };
    }
    Check {
        result: CheckResult::Fail,
        evidence: eval.evidence.clone(),
        message: Some(MessageRef::new("vault-access-denied", vec![])),
        remedy: lazy(&ctx.want_remedy, || {
            let world_role = ctx.prepared.world.roles.iter().find(|r| r.arn == ctx.role_arn);
            allow_copy_in_role(ctx.role_arn, world_role, &ctx.destination_vault_arn, &eval.denies)
        }),
    }
}

// The remedy.

pub(crate) fn role_name(role_arn: &str) -> &str {
    role_arn.rsplit('/').next().unwrap_or(role_arn)
}

pub(crate) const BACKUP_ROLE_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup";

pub(crate) fn create_role(role_arn: &str) -> Remedy {
    let account = crate::arn::account(role_arn).unwrap_or_default();
    let trust = crate::policies::default_trust_policy();
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
            },
        }],
        commands: vec![
            cmd(
                account,
                None,
                format!(
                    "aws iam create-role --role-name {} --path /service-role/ --assume-role-policy-document '{}'",
                    role_name(role_arn),
                    compact(&trust)
                ),
            ),
            cmd(
                account,
                None,
                format!(
                    "aws iam attach-role-policy --role-name {} --policy-arn {BACKUP_ROLE_POLICY}",
                    role_name(role_arn)
                ),
            ),
        ],
        alternatives: vec![Text::plain(
            "remedy.default-role",
            "use the default role, AWSBackupDefaultServiceRole, which AWS Backup creates with these permissions",
        )],
    }
}

pub(crate) fn fix_trust(role_arn: &str) -> Remedy {
    let account = crate::arn::account(role_arn).unwrap_or_default();
    let trust = crate::policies::default_trust_policy();
    Remedy {
        summary: text!(
            "remedy.trust",
            "let backup.amazonaws.com assume role {role}",
            role = role_arn
        ),
        patches: vec![Patch::SetRoleTrustPolicy {
            role_arn: role_arn.to_owned(),
            policy: trust.clone(),
        }],
        commands: vec![cmd(
            account,
            None,
            format!(
                "aws iam update-assume-role-policy --role-name {} --policy-document '{}'",
                role_name(role_arn),
                compact(&trust)
            ),
        )],
        alternatives: Vec::new(),
    }
}

/// The name of the inline policy the remedy puts on a role.
pub(crate) const ROLE_POLICY_NAME: &str = "CopyIntoDestinationVault";

pub(crate) fn allow_copy_in_role(
    role_arn: &str,
    world_role: Option<&Role>,
    vault_arn: &str,
    denies: &[(String, usize)],
) -> Remedy {
    let account = crate::arn::account(role_arn).unwrap_or_default();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "CopyIntoDestinationVault", "Effect": "Allow", "Action": "backup:CopyIntoBackupVault", "Resource": vault_arn}]});
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
    if denies.is_empty() {
        patches.push(Patch::AddRolePolicy {
            role_arn: role_arn.to_owned(),
            policy_name: ROLE_POLICY_NAME.to_owned(),
            policy: policy.clone(),
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
        commands: role_policy_commands(account, role_arn, world_role, &patches, &policy),
        patches,
        alternatives: vec![text!(
            "remedy.role-managed",
            "attach the AWS managed policy {arn}, which allows it on every backup vault",
            arn = BACKUP_ROLE_POLICY
        )],
    }
}

/// The AWS CLI commands for a role's inline policy patches: `put-role-policy` with the policy
/// as it becomes (its Deny statements removed), or with the new Allow policy.
pub(crate) fn role_policy_commands(
    account: &str,
    role_arn: &str,
    world_role: Option<&Role>,
    patches: &[Patch],
    allow: &Value,
) -> Vec<Command> {
    let put = |name: &str, document: &Value| {
        cmd(
            account,
            None,
            format!(
                "aws iam put-role-policy --role-name {} --policy-name {name} --policy-document '{}'",
                role_name(role_arn),
                compact(document)
            ),
        )
    };
    let mut commands = Vec::new();
    for patch in patches {
        if let Patch::RemoveRolePolicyStatements {
            policy_index, indexes, ..
        } = patch
            && let Some(inline) = world_role.and_then(|r| r.policies.get(*policy_index))
        {
            let mut document = inline.document.clone();
            if let Some(list) = statements_of(&mut document) {
                remove_indexes(list, indexes);
            }
            commands.push(put(&inline.name, &document.0));
        }
    }
    if commands.is_empty() {
        commands.push(put(ROLE_POLICY_NAME, allow));
    }
    commands
}

//! `destination-vault-policy`: the destination vault exists and its access policy allows the copy role's session (the vault side; `iam-role` is the identity side); the fixes create the vault or allow the source account.

use copylab_policy::{LabeledPolicy, Outcome as Decided, PolicyKind, Request};
use serde_json::{Value, json};

use super::policy::{decide, decision_evidence, deny_indexes};
use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::remedy::{Patch, Remedy, new_key, shared_key_policy};
use crate::text;
use crate::text::Text;
use crate::world::{BackupVault, PolicyDocument, VaultType};

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
pub(crate) fn destination_vault_policy(ctx: &Ctx<'_>) -> Check {
    let Some(vault) = ctx.destination_vault else {
        return Check::fail(
            vec![text!(
                "vault.missing",
                "the destination vault {vault} does not exist (AWS answers AccessDenied for resources that do not exist: modeled for copy jobs)",
                vault = ctx.destination_vault_arn
            )],
            MessageRef::new("vault-access-denied", vec![]),
            lazy(&ctx.want_remedy, || {
                create_destination_vault(
                    ctx.destination_vault_arn.as_str(),
                    ctx.source_account,
                    ctx.destination.partition.as_str(),
                )
            }),
        );
    };
    if !ctx.cross_account {
        return Check::skip(Text::plain(
            "vault.same-account",
            "same-account copy: the copy role's identity policy is enough",
        ));
    }
    let Some(policy) = ctx.prepared.vault_policy(vault) else {
        return Check::fail(
            vec![text!(
                "vault.no-policy",
                "the destination vault {vault} has no access policy, so no other account may copy into it",
                vault = ctx.destination_vault_arn
            )],
            MessageRef::new("vault-access-denied", vec![]),
            lazy(&ctx.want_remedy, || {
                allow_source_in_vault(
                    vault,
                    &ctx.destination_vault_arn,
                    ctx.destination.partition.as_str(),
                    ctx.source_account,
                    &[],
                )
            }),
        );
    };
    let Some(request) = ctx.copy_request() else {
        return Check::skip(Text::plain(
            "role.bad-session",
            "the role's session ARN could not be formed",
        ));
    };
    let eval = ctx
        .prepared
        .vault_eval(vault, ctx.role_arn, ctx.destination.partition.as_str(), || {
            vault_eval(policy, request, &ctx.role_session, &ctx.destination_vault_arn)
        });
    if eval.allowed {
        return Check::pass(eval.evidence.clone());
    }
    Check::fail(
        eval.evidence.clone(),
        MessageRef::new("vault-access-denied", vec![]),
        lazy(&ctx.want_remedy, || {
            allow_source_in_vault(
                vault,
                &ctx.destination_vault_arn,
                ctx.destination.partition.as_str(),
                ctx.source_account,
                &eval.denies,
            )
        }),
    )
}

// The remedy.

pub(crate) fn vault_statement(partition: &str, source_account: &str) -> Value {
    json!({"Sid": "AllowCopyFromSourceAccount", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{source_account}:root")}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"})
}

pub(crate) fn create_destination_vault(vault_arn: &str, source_account: &str, partition: &str) -> Remedy {
    let arn = crate::arn::Arn::lenient(vault_arn);
    let (region, account) = (arn.region, arn.account);
    let name = arn.vault_name().unwrap_or_default();
    let key = new_key(
        partition,
        region,
        account,
        1,
        shared_key_policy(partition, account, source_account),
    );
    let policy = json!({"Version": "2012-10-17", "Statement": [vault_statement(partition, source_account)]});
    let vault = BackupVault {
        name: name.to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        encryption_key: Some(key.arn.clone()),
        access_policy: Some(PolicyDocument(policy.clone())),
        lock: None,
        vault_type: VaultType::BackupVault,
        tags: Default::default(),
        notifications: None,
    };
    Remedy {
        summary: text!(
            "remedy.create-vault",
            "create vault `{name}` in account {account}, {region}, with a customer managed key and an access policy that allows account {source}",
            name = name,
            account = account,
            region = region,
            source = source_account
        ),
        patches: vec![Patch::CreateVault { vault, key }],
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}

pub(crate) fn allow_source_in_vault(
    vault: &BackupVault,
    vault_arn: &str,
    partition: &str,
    source_account: &str,
    denies: &[usize],
) -> Remedy {
    let name = vault.name.as_str();
    let patches = if denies.is_empty() {
        vec![Patch::AddVaultAccessPolicyStatements {
            vault_arn: vault_arn.to_owned(),
            statements: vec![vault_statement(partition, source_account)],
        }]
    } else {
        vec![Patch::RemoveVaultAccessPolicyStatements {
            vault_arn: vault_arn.to_owned(),
            indexes: denies.to_vec(),
        }]
    };
    Remedy {
        summary: if denies.is_empty() {
            text!(
                "remedy.vault-policy",
                "allow account {source} to copy into vault `{name}` (backup:CopyIntoBackupVault in its access policy)",
                source = source_account,
                name = name
            )
        } else {
            text!(
                "remedy.vault-deny",
                "remove the Deny statements {indexes} from vault `{name}`'s access policy",
                indexes = format!("{denies:?}"),
                name = name
            )
        },
        patches,
        commands: Vec::new(),
        alternatives: vec![Text::plain(
            "remedy.vault-org",
            "allow the whole organization instead: Principal \"*\" with a StringEquals condition on aws:PrincipalOrgID",
        )],
    }
}

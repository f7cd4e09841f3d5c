//! `source-encryption`: the source backup's encryption allows this copy (customer managed keys for types AWS Backup does not fully manage, across accounts and into logically air-gapped vaults; never into a vault under `aws/backup`; out of a logically air-gapped vault only under a customer managed key); the fixes copy into a vault with a customer managed key or re-encrypt.

use super::{Check, Ctx, lazy, lazy_merge};
use crate::engine::{CheckResult, MessageRef};
use crate::features::KeyMessages;
use crate::kms::KeyRef;
use crate::remedy::{Patch, Remedy, new_key, shared_key_policy};
use crate::text;
use crate::text::Text;
use crate::world::{BackupVault, RecoveryPoint, VaultType};

/// The name of the default vault (`"TargetBackupVaultName": "Default"` in AWS's backup policy
/// example, aws-plans-policies-events-facts.md §2).
const DEFAULT_VAULT: &str = "Default";

pub(crate) fn source_encryption(ctx: &Ctx<'_>) -> Check {
    let mut evidence = Vec::new();
    let fully_managed = ctx.fully_managed();
    evidence.push(text!(
        "encryption.source-key",
        "{resource_type} is {managed} by AWS Backup, so the source key is {which}: {key}",
        resource_type = ctx.resource_type(),
        managed = if fully_managed {
            "fully managed"
        } else {
            "not fully managed"
        },
        which = if fully_managed {
            "the source vault's key"
        } else {
            "the source resource's key"
        },
        key = ctx.source_key.describe()
    ));
    evidence.push(text!(
        "encryption.destination-key",
        "the destination vault's key: {key}",
        key = ctx.destination_key.describe()
    ));
    if ctx.destination_vault.is_none() {
        return Check {
            result: CheckResult::Skip,
            evidence,
            message: None,
            remedy: None,
        };
    }
    let destination_aws_managed = ctx.destination_key.is_aws_managed();
    // The first problem decides the message; the remedy fixes every problem found.
    let mut message: Option<MessageRef> = None;
    let mut remedies = Vec::new();
    let cmk_vault = || {
        lazy(&ctx.want_remedy, || {
            use_cmk_vault(
                ctx.destination_vault,
                &ctx.destination.account,
                &ctx.destination.region,
                &ctx.destination.partition,
                ctx.source_account,
            )
        })
    };
    if ctx.resource_type() == "Storage Gateway" && destination_aws_managed {
        evidence.push(Text::plain(
            "encryption.sgw",
            "Storage Gateway copies need a user-created vault with a customer managed key at the destination",
        ));
        message = Some(MessageRef::new("storage-gateway-vault-key", vec![]));
        remedies.push(cmk_vault());
    } else if !fully_managed
        && ctx.destination_key.is_alias("aws/backup")
        && !ctx.cross_account
        && ctx.destination.region == ctx.source_region
    {
        // AWS documents the rule for copies to another account or Region only ("Encryption
        // for copies of a backup to a different account or AWS Region"): within one account
        // and Region it documents none, and the diagnosis says so.
        evidence.push(Text::plain(
            "encryption.default-vault-key-same-account",
            "AWS documents that types not fully managed by AWS Backup cannot be copied into a vault under aws/backup for copies to another account or Region; for a copy within one account and Region it documents no such rule, so copylab lets it through",
        ));
    } else if !fully_managed && ctx.destination_key.is_alias("aws/backup") {
        evidence.push(Text::plain("encryption.default-vault-key", "types not fully managed by AWS Backup cannot be copied into a vault encrypted with the AWS managed key aws/backup"));
        message = Some(MessageRef::new("destination-vault-default-key", vec![]));
        remedies.push(cmk_vault());
    } else if ctx.cross_account
        && ctx.destination_key.is_alias("aws/backup")
        && ctx.destination_vault.is_some_and(|v| v.name == DEFAULT_VAULT)
    {
        // Fully managed types: the cross-account page allows aws/backup at the destination and,
        // in its security considerations, forbids the default vault. copylab follows the
        // narrower rule and says that AWS does not say which wins.
        evidence.push(Text::plain(
            "encryption.default-vault-cross-account",
            "the destination is the account's Default vault, under aws/backup: AWS's cross-account page says the destination vault cannot be the default vault, whose key cannot be shared with other accounts, while the same page allows aws/backup for types AWS Backup fully manages; AWS does not say which rule wins or what message this copy gets, so copylab applies the narrower rule and gives the default-key message, a choice of its own",
        ));
        message = Some(MessageRef::new("default-vault-cross-account", vec![]));
        remedies.push(cmk_vault());
    }
    if ctx.cross_account && !fully_managed && ctx.source_key.is_aws_managed() {
        evidence.push(Text::plain("encryption.aws-managed-source", "cross-account copies of types not fully managed by AWS Backup need a customer managed source key: an AWS managed key's policy cannot be changed to share it"));
        message.get_or_insert_with(|| match ctx.key_messages() {
            KeyMessages::Ec2Image => MessageRef::new("aws-managed-key-ami", vec![]),
            KeyMessages::EbsSnapshot => MessageRef::new("aws-managed-key-ebs", vec![]),
            _ => ctx.key_message(false),
        });
        remedies.push(lazy(&ctx.want_remedy, || {
            reencrypt_with_cmk(
                ctx.recovery_point,
                ctx.source_account,
                ctx.source_region,
                &ctx.destination.partition,
                &ctx.destination.account,
            )
        }));
    }
    // Logically air-gapped vaults (the LAG page), in any account or Region: "When you create
    // or copy a backup of other resource types (ones not fully managed), the source must be
    // encrypted with a customer managed key. AWS managed keys for not fully managed resources
    // are not supported."
    let mut undecided = false;
    if ctx.destination_lag() && !fully_managed {
        if ctx.source_key.is_aws_managed() {
            evidence.push(Text::plain(
                "encryption.lag-aws-managed",
                "a logically air-gapped vault takes types not fully managed by AWS Backup only under a customer managed key: AWS managed keys are not supported for them",
            ));
            message.get_or_insert_with(|| MessageRef::new("lag-aws-managed-source-key", vec![]));
            if !ctx.cross_account {
                // Across accounts the remedy above already re-encrypts.
                remedies.push(reencrypt(ctx));
            }
        } else if matches!(ctx.source_key, KeyRef::Unencrypted) {
            if matches!(ctx.resource_type(), "Aurora" | "DocumentDB" | "Neptune") {
                evidence.push(Text::plain(
                    "encryption.lag-unencrypted-cluster",
                    "unencrypted Aurora, DocumentDB and Neptune clusters are not supported for logically air-gapped vaults",
                ));
                message.get_or_insert_with(|| MessageRef::new("lag-unencrypted-cluster", vec![]));
                remedies.push(reencrypt(ctx));
            } else {
                // AWS names unencrypted clusters only; its general sentence asks a customer
                // managed key of every type not fully managed. No message or outcome is
                // documented for, say, an unencrypted EBS snapshot.
                evidence.push(Text::plain(
                    "encryption.lag-unencrypted-undecided",
                    "the source backup is unencrypted: AWS's page says the source of a type not fully managed must be under a customer managed key, but names only unencrypted Aurora, DocumentDB and Neptune clusters as unsupported and documents no outcome for other unencrypted types, so copylab lets the copy through and marks this check indeterminate",
                ));
                undecided = true;
            }
        }
    }
    // Out of a logically air-gapped vault: "You can copy a backup from a logically air-gapped
    // vault to a standard backup vault as long as the copy is encrypted with a customer
    // managed key."
    if ctx.source_lag() && !ctx.destination_lag() && destination_aws_managed {
        evidence.push(Text::plain(
            "encryption.lag-copy-out",
            "a copy from a logically air-gapped vault into a standard vault must be encrypted with a customer managed key, and the destination vault's key is AWS managed",
        ));
        message.get_or_insert_with(|| MessageRef::new("lag-copy-out-needs-cmk", vec![]));
        remedies.push(cmk_vault());
    }
    match message {
        None if undecided => Check {
            result: CheckResult::Indeterminate,
            evidence,
            message: None,
            remedy: None,
        },
        None => Check::pass(evidence),
        Some(message) => Check::fail(evidence, message, lazy_merge(remedies)),
    }
}

fn reencrypt(ctx: &Ctx<'_>) -> Option<Remedy> {
    lazy(&ctx.want_remedy, || {
        reencrypt_with_cmk(
            ctx.recovery_point,
            ctx.source_account,
            ctx.source_region,
            &ctx.destination.partition,
            &ctx.destination.account,
        )
    })
}

// The remedy.

pub(crate) fn use_cmk_vault(
    existing: Option<&BackupVault>,
    account: &str,
    region: &str,
    partition: &str,
    source_account: &str,
) -> Remedy {
    let key = new_key(
        partition,
        region,
        account,
        1,
        shared_key_policy(partition, account, source_account),
    );
    let name = existing.map_or_else(|| "CopyTarget".to_owned(), |v| format!("{}-cmk", v.name));
    let vault = BackupVault {
        name: name.clone(),
        account: account.to_owned(),
        region: region.to_owned(),
        encryption_key: Some(key.arn.clone()),
        access_policy: existing.and_then(|v| v.access_policy.clone()),
        lock: existing.and_then(|v| v.lock.clone()),
        vault_type: VaultType::BackupVault,
        tags: Default::default(),
        notifications: None,
    };
    Remedy {
        summary: text!(
            "remedy.cmk-vault",
            "a vault's key cannot be changed: create vault `{name}` encrypted with a customer managed key in account {account} and copy into it",
            name = name,
            account = account
        ),
        patches: vec![Patch::UseDestinationVault {
            vault,
            key: key.clone(),
        }],
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}

pub(crate) fn reencrypt_with_cmk(
    recovery_point: &RecoveryPoint,
    source_account: &str,
    source_region: &str,
    partition: &str,
    destination_account: &str,
) -> Remedy {
    let policy = shared_key_policy(partition, source_account, destination_account);
    let key = new_key(partition, source_region, source_account, 2, policy);
    Remedy {
        summary: text!(
            "remedy.reencrypt",
            "a resource's key cannot be changed: restore {resource} from a backup under a customer managed key shared with account {destination}, back it up again and copy that recovery point",
            resource = recovery_point.resource_arn,
            destination = destination_account
        ),
        patches: vec![Patch::ReencryptRecoveryPoint {
            recovery_point_arn: recovery_point.arn.clone(),
            key: key.clone(),
        }],
        commands: Vec::new(),
        alternatives: vec![Text::plain(
            "remedy.reencrypt-how",
            "restore the recovery point choosing the new key during the restore, then start a backup of the restored resource",
        )],
    }
}

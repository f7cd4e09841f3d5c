//! `request`: the synchronous validation of `StartCopyJob` (members present, ARNs well formed, the source vault and recovery point exist and can be copied); its failures are API errors, and on success it builds the context every check reads.

use std::cell::{Cell, OnceCell};

use super::Ctx;
use crate::arn::VaultArn;
use crate::engine::MessageRef;
use crate::features::{self};
use crate::kms::{self, KeyRef};
use crate::policies::PreparedWorld;
use crate::text;
use crate::text::Text;
use crate::world::{StartCopyJob, StorageClass};

/// Synchronous validation of the request: the `StartCopyJob` errors. `added` is a recovery
/// point the world is read with, after its own ([`PreparedWorld::simulate_with`]).
pub(crate) fn validate<'s>(
    prepared: &'s PreparedWorld<'s>,
    request: &'s StartCopyJob,
    as_of: &str,
    added: Option<&'s crate::world::RecoveryPoint>,
) -> Result<Ctx<'s>, (MessageRef, Text)> {
    for (member, value) in request.members() {
        if value.is_none_or(str::is_empty) {
            return Err((
                MessageRef::new("missing-parameter", vec![("member", member.to_owned())]),
                text!(
                    "request.missing",
                    "the request has no `{member}`, which StartCopyJob requires",
                    member = member
                ),
            ));
        }
    }
    let (Some(rp_arn), Some(vault_name), Some(destination_arn), Some(role_arn)) = (
        request.recovery_point_arn.as_deref(),
        request.source_backup_vault_name.as_deref(),
        request.destination_backup_vault_arn.as_deref(),
        request.iam_role_arn.as_deref(),
    ) else {
        return Err((
            MessageRef::new("missing-parameter", vec![("member", "RecoveryPointArn".into())]),
            Text::plain("request.missing-any", "a required member is missing"),
        ));
    };
    let Some(destination) = VaultArn::parse(destination_arn) else {
        return Err((
            MessageRef::new(
                "invalid-parameter",
                vec![
                    ("member", "DestinationBackupVaultArn".into()),
                    ("reason", format!("`{destination_arn}` is not a backup vault ARN")),
                ],
            ),
            text!(
                "request.bad-vault-arn",
                "`{arn}` is not of the form arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME",
                arn = destination_arn
            ),
        ));
    };
    let role_ok =
        crate::arn::Arn::parse(role_arn).is_some_and(|a| a.service == "iam" && a.resource.starts_with("role/"));
    if !role_ok {
        return Err((
            MessageRef::new(
                "invalid-parameter",
                vec![
                    ("member", "IamRoleArn".into()),
                    ("reason", format!("`{role_arn}` is not an IAM role ARN")),
                ],
            ),
            text!(
                "request.bad-role-arn",
                "`{arn}` is not of the form arn:aws:iam::ACCOUNT:role/NAME",
                arn = role_arn
            ),
        ));
    }
    // Authorization: the source account's SCPs must let the caller start the copy.
    // The source account's SCPs, parsed once: they judge this call and the copy's (the
    // `control-policies` check reads them from the context).
    let source_scps = super::control_policies::member_policies(
        prepared,
        &request.account,
        copylab_policy::ControlPolicyType::ServiceControlPolicy,
    );
    if let Some(refusal) = super::control_policies::start_copy_job_refusal(
        prepared,
        source_scps.as_ref(),
        request,
        rp_arn,
        crate::regions::partition(&request.region),
    ) {
        return Err(refusal);
    }
    if let Some(refusal) = request.lifecycle.as_ref().and_then(lifecycle_refusal) {
        return Err(refusal);
    }
    let Some(source_vault) = prepared.vault(&request.account, &request.region, vault_name) else {
        return Err((
            MessageRef::new("source-vault-inaccessible", vec![]),
            text!(
                "request.no-source-vault",
                "account {account} has no backup vault `{vault}` in {region}; AWS answers AccessDenied for vaults that do not exist",
                account = request.account,
                vault = vault_name,
                region = request.region
            ),
        ));
    };
    // A recovery point added beside the world is not in it: the index alone is read for it.
    let added = added.filter(|rp| rp.arn == rp_arn);
    let in_world = match added {
        Some(_) => prepared.recovery_points_indexed(rp_arn),
        None => prepared.recovery_points_named(rp_arn),
    };
    let Some(recovery_point) = in_world
        .into_iter()
        .chain(added)
        .find(|rp| rp.vault == source_vault.name && rp.account.as_deref().is_none_or(|a| a == source_vault.account))
    else {
        return Err((
            MessageRef::new("recovery-point-not-found", vec![]),
            text!(
                "request.no-recovery-point",
                "vault `{vault}` has no recovery point `{arn}`",
                vault = vault_name,
                arn = rp_arn
            ),
        ));
    };
    let not_copyable = if recovery_point.storage_class == StorageClass::Cold {
        Some("backups in cold storage cannot be copied")
    } else if recovery_point.continuous {
        Some("StartCopyJob does not support continuous backups")
    } else if recovery_point.status != crate::world::RecoveryPointStatus::Completed {
        Some("only COMPLETED recovery points can be copied")
    } else {
        None
    };
    if let Some(reason) = not_copyable {
        return Err((
            MessageRef::new(
                "recovery-point-not-copyable",
                vec![("recovery_point_arn", rp_arn.to_owned()), ("reason", reason.to_owned())],
            ),
            text!(
                "request.not-copyable",
                "recovery point `{arn}`: {reason}",
                arn = rp_arn,
                reason = reason
            ),
        ));
    }
    let destination_vault = prepared.vault(&destination.account, &destination.region, &destination.name);
    // A DynamoDB backup is advanced or not as it was made: its ARN says which.
    let dynamodb_advanced = features::dynamodb_backup_is_advanced(&recovery_point.arn);
    let row = features::feature_row(&recovery_point.resource_type, dynamodb_advanced);
    let fully_managed = row.is_some_and(|r| r.fully_managed);
    // A logically air-gapped vault keeps every backup under its own key (its recovery points
    // are `arn:aws:backup:...:recovery-point:` whatever the type, the LAG page), like a fully
    // managed type's backup vault.
    let source_lag = source_vault.vault_type == crate::world::VaultType::LogicallyAirGappedBackupVault;
    let source_key = if fully_managed || source_lag {
        kms::vault_key(prepared, source_vault)
    } else {
        match recovery_point.key(fully_managed, source_vault.encryption_key.as_deref()) {
            Some(key) => kms::resolve(prepared, key, &source_vault.account, &source_vault.region),
            None => KeyRef::Unencrypted,
        }
    };
    let destination_key = match destination_vault {
        Some(vault) => kms::vault_key(prepared, vault),
        None => KeyRef::Unencrypted,
    };
    // The request's text: a vault ARN that parses is the one its fields spell.
    let destination_vault_arn = destination_arn.to_owned();
    debug_assert_eq!(destination_vault_arn, destination.to_string());
    let role_session = super::role_session(role_arn, &destination.partition, &request.account);
    Ok(Ctx {
        want_remedy: Cell::new(true),
        prepared,
        request,
        as_of: as_of.to_owned(),
        source_account: &request.account,
        source_region: &request.region,
        recovery_point,
        source_vault,
        cross_account: destination.account != request.account,
        destination,
        destination_vault,
        role_arn,
        row,
        source_key,
        destination_key,
        destination_vault_arn,
        role_session,
        copy_request: OnceCell::new(),
        source_scps,
    })
}

/// The most days a recovery point may be kept (the model: "a maximum value of 100 years").
pub(crate) const MAX_RETENTION_DAYS: i64 = 36_500;

/// Days between cold storage and deletion, at least ("must be at least 90 days after").
pub(crate) const COLD_STORAGE_DAYS: i64 = 90;

/// The copy's lifecycle, refused as AWS Backup refuses a rule's: `DeleteAfterDays` in 1 to
/// 36,500 or -1 (kept indefinitely), and deletion at least 90 days after cold storage.
fn lifecycle_refusal(lifecycle: &crate::world::Lifecycle) -> Option<(MessageRef, Text)> {
    let delete = lifecycle.delete_after_days;
    if let Some(days) = delete
        && days != -1
        && !(1..=MAX_RETENTION_DAYS).contains(&days)
    {
        return Some((
            MessageRef::new("lifecycle-retention-range", vec![]),
            text!(
                "request.retention-range",
                "the copy's DeleteAfterDays is {days}: it must be -1 (kept indefinitely) or from 1 to 36500",
                days = days
            ),
        ));
    }
    if let (Some(delete), Some(cold)) = (delete, lifecycle.move_to_cold_storage_after_days)
        && delete > 0
        && cold > 0
        && delete - cold < COLD_STORAGE_DAYS
    {
        return Some((
            MessageRef::new("lifecycle-cold-storage-gap", vec![]),
            text!(
                "request.cold-storage-gap",
                "the copy moves to cold storage after {cold} days and is deleted after {delete}: a recovery point stays in cold storage at least 90 days",
                cold = cold,
                delete = delete
            ),
        ));
    }
    None
}

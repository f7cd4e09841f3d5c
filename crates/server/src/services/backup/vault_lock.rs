//! AWS Backup Vault Lock: PutBackupVaultLockConfiguration (with `ChangeableForDays` and the `LockDate` it sets on the virtual clock) and DeleteBackupVaultLockConfiguration, both refused once the lock is immutable.

use copylab_rules::world::{BackupVault, VaultLock, VaultType};
use serde_json::{Map, Value};

use super::{Reply, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// The shortest minimum retention period ("The shortest minimum retention period you can
/// specify is 1 day.", the model's `MinRetentionDays`).
pub const MIN_RETENTION_DAYS: i64 = 1;
/// The longest maximum retention period ("The longest maximum retention period you can specify
/// is 36500 days", the model's `MaxRetentionDays`), also the most `ChangeableForDays` ("The
/// maximum value you can specify is 36,500 days").
pub const MAX_DAYS: i64 = 36_500;
/// The least `ChangeableForDays` ("Backup enforces a 72-hour cooling-off period before Vault
/// Lock takes effect and becomes immutable. Therefore, you must set ChangeableForDays to 3 or
/// greater.", the model).
pub const MIN_CHANGEABLE_FOR_DAYS: i64 = 3;

const DAY_SECONDS: f64 = 86_400.0;

/// The caller's vault named `name`, or `ResourceNotFoundException`, the error the pinned model
/// lists for the lock operations (the message is copylab's, as for tags). AWS answers
/// AccessDenied for a vault that does not exist on DescribeBackupVault and recovery point calls
/// (observed, facts §2.4); for the lock operations nothing is observed, so the model decides.
fn vault_mut<'s>(ctx: &'s mut Ctx<'_>, name: &str) -> Result<&'s mut BackupVault, ApiError> {
    let caller = &ctx.caller;
    let partition = copylab_rules::regions::partition(&caller.region);
    let missing = format!(
        "Resource arn:{partition}:backup:{}:{}:backup-vault:{name} not found",
        caller.region, caller.account
    );
    ctx.state
        .world_mut()
        .vaults
        .iter_mut()
        .find(|v| v.account == caller.account && v.region == caller.region && v.name == name)
        .ok_or_else(|| ApiError::not_found(missing).modeled())
}

/// The `LockDate` of a vault's lock in epoch seconds, if it has one.
pub fn lock_date(lock: &VaultLock) -> Option<f64> {
    lock.lock_date
        .as_deref()
        .and_then(copylab_rules::world::timestamp_seconds)
        .map(|s| s as f64)
}

/// Refuses a change to a vault whose lock is immutable at `now`: a logically air-gapped vault
/// (locked in compliance mode from creation), or a lock on or after its `LockDate` ("On and
/// after the lock date, the Vault Lock becomes immutable and cannot be changed or deleted", the
/// model). `InvalidRequestException` is the model's for the delete ("If the Vault Lock
/// configuration is immutable, then you cannot delete Vault Lock using API operations, and you
/// will receive an InvalidRequestException"); the text, and the same code for a change, are
/// modeled.
fn refuse_if_immutable(vault: &BackupVault, now: f64) -> Result<(), ApiError> {
    let immutable_since = match (&vault.vault_type, &vault.lock) {
        (VaultType::LogicallyAirGappedBackupVault, _) => Some(None),
        (_, Some(lock)) => lock_date(lock).filter(|date| now >= *date).map(Some),
        (_, None) => None,
    };
    match immutable_since {
        None => Ok(()),
        Some(date) => {
            let since = date.map_or_else(String::new, |d| format!(" since {}", crate::clock::iso8601(d)));
            Err(ApiError::invalid_request(format!(
                "The Vault Lock configuration of backup vault {} is immutable{since} and cannot be changed or deleted.",
                vault.name
            ))
            .modeled())
        }
    }
}

fn days(input: &Map<String, Value>, name: &str) -> Option<i64> {
    input.get(name).and_then(Value::as_i64)
}

fn out_of_range(name: &str, value: i64, low: i64, high: i64) -> ApiError {
    ApiError::invalid_value(format!(
        "{name} is {value}: it must be at least {low} and at most {high}"
    ))
    .modeled()
}

/// `PutBackupVaultLockConfiguration`: the bounds of the model's documentation, then the lock
/// (and its `LockDate`, `ChangeableForDays` after now on the virtual clock) replaces the vault's,
/// unless that one is immutable.
pub fn put(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    let min = days(input, "MinRetentionDays");
    let max = days(input, "MaxRetentionDays");
    let changeable = days(input, "ChangeableForDays");
    if let Some(min) = min.filter(|m| !(MIN_RETENTION_DAYS..=MAX_DAYS).contains(m)) {
        return Err(out_of_range("MinRetentionDays", min, MIN_RETENTION_DAYS, MAX_DAYS));
    }
    if let Some(max) = max.filter(|m| !(MIN_RETENTION_DAYS..=MAX_DAYS).contains(m)) {
        return Err(out_of_range("MaxRetentionDays", max, MIN_RETENTION_DAYS, MAX_DAYS));
    }
    if let Some(days) = changeable.filter(|d| !(MIN_CHANGEABLE_FOR_DAYS..=MAX_DAYS).contains(d)) {
        return Err(out_of_range(
            "ChangeableForDays",
            days,
            MIN_CHANGEABLE_FOR_DAYS,
            MAX_DAYS,
        ));
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(ApiError::invalid_value("MinRetentionDays must not exceed MaxRetentionDays").modeled());
    }
    let now = ctx.state.now();
    let vault = vault_mut(ctx, &name)?;
    refuse_if_immutable(vault, now)?;
    vault.lock = Some(VaultLock {
        min_retention_days: min,
        max_retention_days: max,
        changeable_for_days: changeable,
        lock_date: changeable.map(|d| crate::clock::iso8601(now + d as f64 * DAY_SECONDS)),
    });
    Ok(Value::Null)
}

/// `DeleteBackupVaultLockConfiguration`: removes the vault's lock unless it is immutable.
pub fn delete(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    let now = ctx.state.now();
    let vault = vault_mut(ctx, &name)?;
    refuse_if_immutable(vault, now)?;
    vault.lock = None;
    Ok(Value::Null)
}

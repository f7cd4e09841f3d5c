//! Backup vault operations: CreateBackupVault, CreateLogicallyAirGappedBackupVault, DescribeBackupVault, ListBackupVaults, DeleteBackupVault, and the vault access policy (Put, Get, Delete).

use copylab_policy::{Policy, PolicyKind};
use copylab_rules::world::{BackupVault, KeyManager, PolicyDocument, VaultLock, VaultType};
use serde_json::{Map, Value, json};

use super::{Reply, str_member};
use crate::call::{Ctx, Output};
use crate::wire::ApiError;

fn arn(vault: &BackupVault) -> String {
    VaultArnOf(vault).to_string()
}

fn find<'s>(ctx: &'s Ctx<'_>, name: &str) -> Option<&'s BackupVault> {
    ctx.state
        .world()
        .vaults
        .iter()
        .find(|v| v.account == ctx.caller.account && v.region == ctx.caller.region && v.name == name)
}

/// The caller's vault named `name`, to change.
fn find_mut<'s>(ctx: &'s mut Ctx<'_>, name: &str) -> Option<&'s mut BackupVault> {
    let caller = &ctx.caller;
    ctx.state
        .world_mut()
        .vaults
        .iter_mut()
        .find(|v| v.account == caller.account && v.region == caller.region && v.name == name)
}

/// How many recovery points `vault` holds (counted by the kept index, which the handlers make
/// first).
fn recovery_points(ctx: &Ctx<'_>, vault: &BackupVault) -> usize {
    ctx.state.recovery_points_in(&vault.account, &vault.name)
}

/// `CreateBackupVault`.
pub fn create(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    if find(ctx, &name).is_some() {
        return Err(already_exists(&name));
    }
    // `BackupVaultTags` are the vault's (ListTags shows them, and policies read them as
    // `aws:ResourceTag/KEY`).
    let tags = super::string_map(input, "BackupVaultTags");
    super::too_many_tags(tags.len())?;
    let vault = BackupVault {
        name: name.clone(),
        account: ctx.caller.account.clone(),
        region: ctx.caller.region.clone(),
        encryption_key: input.get("EncryptionKeyArn").and_then(Value::as_str).map(str::to_owned),
        access_policy: None,
        lock: None,
        vault_type: VaultType::BackupVault,
        tags,
        notifications: None,
    };
    let created = ctx.state.now();
    let body = json!({"BackupVaultName": name, "BackupVaultArn": arn(&vault), "CreationDate": created});
    ctx.state.world_mut().vaults.push(vault);
    Ok(body)
}

/// The least `MinRetentionDays` of a logically air-gapped vault ("The minimum value accepted is
/// 7 days.", the model's documentation of `MinRetentionDays`).
const LAG_MIN_RETENTION_DAYS: i64 = 7;

fn already_exists(name: &str) -> ApiError {
    // Observed on the wire (facts §2.4): AlreadyExistsException, 400.
    ApiError::new(
        "AlreadyExistsException",
        axum::http::StatusCode::BAD_REQUEST,
        format!("A Backup vault with the name {name} already exists"),
    )
}

/// `CreateLogicallyAirGappedBackupVault`: a vault locked in compliance mode from creation, with
/// the required `MinRetentionDays` and `MaxRetentionDays` and an optional customer managed key
/// (else an AWS owned key), `CREATING` for [`super::state::LAG_CREATING_SECONDS`] of the virtual
/// clock, then `AVAILABLE`.
pub fn create_lag(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    let creator_request_id = input.get("CreatorRequestId").and_then(Value::as_str).map(str::to_owned);
    if let Some(existing) = find(ctx, &name) {
        // An idempotent retry (the same `CreatorRequestId`) answers as the first call did.
        let arn = arn(existing);
        if let Some(record) = ctx.state.services.backup.vaults.get(&arn)
            && creator_request_id.is_some()
            && record.creator_request_id == creator_request_id
        {
            let now = ctx.state.now();
            return Ok(
                json!({"BackupVaultName": name, "BackupVaultArn": arn, "CreationDate": record.created, "VaultState": record.state(now)}),
            );
        }
        return Err(already_exists(&name));
    }
    // Required members are checked against the model before the handler runs.
    let min = input
        .get("MinRetentionDays")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let max = input
        .get("MaxRetentionDays")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    if min < LAG_MIN_RETENTION_DAYS {
        return Err(ApiError::invalid_value(format!(
            "MinRetentionDays is {min}: the minimum value accepted is 7 days"
        ))
        .modeled());
    }
    if min > max {
        return Err(ApiError::invalid_value("MinRetentionDays must not exceed MaxRetentionDays").modeled());
    }
    let key = match input.get("EncryptionKeyArn").and_then(Value::as_str) {
        Some(reference) => Some(customer_managed_key(ctx, reference)?),
        None => None,
    };
    let tags = super::string_map(input, "BackupVaultTags");
    super::too_many_tags(tags.len())?;
    let vault = BackupVault {
        name: name.clone(),
        account: ctx.caller.account.clone(),
        region: ctx.caller.region.clone(),
        encryption_key: key,
        access_policy: None,
        lock: Some(VaultLock {
            min_retention_days: Some(min),
            max_retention_days: Some(max),
            ..Default::default()
        }),
        vault_type: VaultType::LogicallyAirGappedBackupVault,
        tags,
        notifications: None,
    };
    let created = ctx.state.now();
    let arn = arn(&vault);
    let record = super::state::VaultRecord {
        created,
        creator_request_id,
    };
    let body = json!({"BackupVaultName": name, "BackupVaultArn": arn, "CreationDate": created, "VaultState": record.state(created)});
    ctx.state.services.backup.vaults.insert(arn, record);
    ctx.state.world_mut().vaults.push(vault);
    Ok(body)
}

/// The ARN of the customer managed key `reference` names in the caller's account and Region
/// (KMS's resolver, the one the engine uses), or `InvalidParameterValueException` (modeled: AWS
/// documents the key as "the customer-managed KMS key to use for encrypting the logically
/// air-gapped backup vault", but no error text).
fn customer_managed_key(ctx: &Ctx<'_>, reference: &str) -> Result<String, ApiError> {
    let (account, region) = (&ctx.caller.account, &ctx.caller.region);
    let keys = &ctx.state.world().keys;
    let located = copylab_rules::kms::locate(
        keys,
        |_| None,
        reference,
        copylab_rules::kms::KeyIdForms::KeyOrAlias,
        account,
        region,
    );
    let key = match located {
        copylab_rules::kms::Located::Listed(i) => keys.get(i),
        _ => None,
    };
    let in_scope = key.is_some_and(|k| {
        copylab_rules::arn::Arn::parse(&k.arn).is_some_and(|a| a.account == account && a.region == region)
    });
    match key {
        Some(key) if in_scope && key.manager == KeyManager::Customer => Ok(key.arn.clone()),
        _ => Err(ApiError::invalid_value(format!(
            "EncryptionKeyArn `{reference}` is not a customer managed KMS key of account {account} in {region}"
        ))
        .modeled()),
    }
}

/// A vault as `DescribeBackupVault` and `ListBackupVaults` show it. Members a vault does not
/// have are left out, as AWS leaves them out (not `null`).
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct VaultDescription<'v> {
    backup_vault_name: &'v str,
    backup_vault_arn: Shown<VaultArnOf<'v>>,
    vault_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vault_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption_key_type: Option<&'static str>,
    /// Left out for a logically air-gapped vault under an AWS owned key, as the LAG page's
    /// `describe-backup-vault` example shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption_key_arn: Option<Shown<super::copy_jobs::KeyArn<'v>>>,
    creation_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator_request_id: Option<&'v str>,
    number_of_recovery_points: usize,
    locked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_retention_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_retention_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock_date: Option<f64>,
}

fn describe_vault<'v>(ctx: &'v Ctx<'_>, vault: &'v BackupVault) -> VaultDescription<'v> {
    let lock = vault.lock.as_ref();
    let key_arn = |key: &'v str| {
        Shown(super::copy_jobs::KeyArn {
            key,
            partition: copylab_rules::regions::partition(&vault.region),
            region: &vault.region,
            account: &vault.account,
        })
    };
    if vault.vault_type == VaultType::LogicallyAirGappedBackupVault {
        // Always locked in compliance mode (the LAG page); a vault the world starts with is
        // AVAILABLE, one created through the API CREATING for a minute first.
        let record = ctx.state.services.backup.vaults.get(&arn(vault));
        let created = record.map_or_else(|| model_date(ctx), |r| r.created);
        return VaultDescription {
            backup_vault_name: &vault.name,
            backup_vault_arn: Shown(VaultArnOf(vault)),
            vault_type: vault_type_name(vault),
            vault_state: Some(record.map_or("AVAILABLE", |r| r.state(ctx.state.now()))),
            encryption_key_type: Some(if vault.encryption_key.is_some() {
                "CUSTOMER_MANAGED_KMS_KEY"
            } else {
                "AWS_OWNED_KMS_KEY"
            }),
            encryption_key_arn: vault.encryption_key.as_deref().map(key_arn),
            creation_date: created,
            creator_request_id: record.and_then(|r| r.creator_request_id.as_deref()),
            number_of_recovery_points: recovery_points(ctx, vault),
            locked: true,
            min_retention_days: Some(
                lock.and_then(|l| l.min_retention_days)
                    .unwrap_or(LAG_MIN_RETENTION_DAYS),
            ),
            max_retention_days: lock.and_then(|l| l.max_retention_days),
            lock_date: Some(created),
        };
    }
    VaultDescription {
        backup_vault_name: &vault.name,
        backup_vault_arn: Shown(VaultArnOf(vault)),
        vault_type: vault_type_name(vault),
        vault_state: None,
        encryption_key_type: None,
        // The vault's key as an ARN (AWS Backup's own key when it names none).
        encryption_key_arn: Some(key_arn(vault.encryption_key.as_deref().unwrap_or("alias/aws/backup"))),
        creation_date: model_date(ctx),
        creator_request_id: None,
        number_of_recovery_points: recovery_points(ctx, vault),
        locked: lock.is_some(),
        min_retention_days: lock.and_then(|l| l.min_retention_days),
        max_retention_days: lock.and_then(|l| l.max_retention_days),
        lock_date: lock.and_then(super::vault_lock::lock_date),
    }
}

/// A value serialized as its `Display` text, written straight into the answer (no `String` of
/// its own: a vault list writes two ARNs a vault).
struct Shown<T>(T);

impl<T: std::fmt::Display> serde::Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A vault's ARN.
struct VaultArnOf<'v>(&'v BackupVault);

impl std::fmt::Display for VaultArnOf<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let vault = self.0;
        let partition = copylab_rules::regions::partition(&vault.region);
        write!(
            f,
            "arn:{partition}:backup:{}:{}:backup-vault:{}",
            vault.region, vault.account, vault.name
        )
    }
}

/// The vault's `VaultType`.
fn vault_type_name(vault: &BackupVault) -> &'static str {
    match vault.vault_type {
        VaultType::BackupVault => "BACKUP_VAULT",
        VaultType::LogicallyAirGappedBackupVault => "LOGICALLY_AIR_GAPPED_BACKUP_VAULT",
    }
}

/// `ListBackupVaults`' output.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListBackupVaultsOutput<'v> {
    backup_vault_list: Vec<VaultDescription<'v>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The modeled date at midnight, as the creation date of vaults the world starts with.
fn model_date(ctx: &Ctx<'_>) -> f64 {
    ctx.state.started()
}

/// `DescribeBackupVault`: a vault that does not exist answers AccessDenied (observed, facts §2.4).
pub fn describe(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Result<Output, ApiError> {
    ctx.state.ensure_index();
    let name = str_member(input, "BackupVaultName")?;
    let vault = find(ctx, &name).ok_or_else(ApiError::access_denied)?;
    Output::typed(&describe_vault(ctx, vault))
}

/// `ListBackupVaults`.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Result<Output, ApiError> {
    ctx.state.ensure_index();
    let vault_type = super::filters::text(input, "ByVaultType");
    // `ByShared`: the vaults shared with the caller through AWS RAM (logically air-gapped
    // vaults); copylab models no sharing, so `true` lists none of the caller's own.
    let shared = input.get("ByShared").and_then(Value::as_bool).unwrap_or(false);
    let vaults: Vec<&BackupVault> = ctx
        .state
        .world()
        .vaults
        .iter()
        .filter(|v| v.account == ctx.caller.account && v.region == ctx.caller.region)
        .filter(|v| super::filters::matches(vault_type, Some(vault_type_name(v))))
        .filter(|_| !shared)
        .collect();
    let window = super::window(vaults.len(), input)?;
    Output::typed(&ListBackupVaultsOutput {
        backup_vault_list: vaults
            .get(window.range)
            .unwrap_or_default()
            .iter()
            .map(|v| describe_vault(ctx, v))
            .collect(),
        next_token: window.next,
    })
}

/// `DeleteBackupVault`.
pub fn delete(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    ctx.state.ensure_index();
    let name = str_member(input, "BackupVaultName")?;
    let vault = find(ctx, &name).ok_or_else(ApiError::access_denied)?;
    if recovery_points(ctx, vault) > 0 {
        // Observed on the wire (facts §2.4).
        return Err(ApiError::invalid_request(
            "Backup vault cannot be deleted because it contains recovery points.",
        ));
    }
    let vault_arn = arn(vault);
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    ctx.state
        .world_mut()
        .vaults
        .retain(|v| !(v.account == account && v.region == region && v.name == name));
    ctx.state.services.backup.vaults.remove(&vault_arn);
    Ok(Value::Null)
}

/// `PutBackupVaultAccessPolicy`: validated by the policy engine.
pub fn put_policy(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    if find(ctx, &name).is_none() {
        return Err(ApiError::access_denied());
    }
    let text = input
        .get("Policy")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Policy::parse(&text, PolicyKind::Vault).map_err(|errors| {
        let first = errors.first().map_or_else(String::new, |e| {
            format!(
                "{} at {} (line {}, column {})",
                e.message, e.path, e.span.line, e.span.column
            )
        });
        ApiError::invalid_value(format!("the vault access policy is invalid: {first}")).modeled()
    })?;
    let document: Value = serde_json::from_str(&text).map_err(|e| ApiError::invalid_value(e.to_string()))?;
    if let Some(vault) = find_mut(ctx, &name) {
        vault.access_policy = Some(PolicyDocument(document));
    }
    Ok(Value::Null)
}

/// `GetBackupVaultAccessPolicy`.
pub fn get_policy(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    let vault = find(ctx, &name).ok_or_else(ApiError::access_denied)?;
    let Some(policy) = &vault.access_policy else {
        return Err(ApiError::not_found(format!("Backup vault {name} has no access policy")).modeled());
    };
    Ok(
        json!({"BackupVaultName": vault.name, "BackupVaultArn": arn(vault), "Policy": serde_json::to_string(&policy.0).unwrap_or_default()}),
    )
}

/// `DeleteBackupVaultAccessPolicy`.
pub fn delete_policy(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    if find(ctx, &name).is_none() {
        return Err(ApiError::access_denied());
    }
    if let Some(vault) = find_mut(ctx, &name) {
        vault.access_policy = None;
    }
    Ok(Value::Null)
}

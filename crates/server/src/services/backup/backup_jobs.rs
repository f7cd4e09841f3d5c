//! Backup job operations: StartBackupJob (creates the recovery point a copy can then copy), DescribeBackupJob, ListBackupJobs.

use copylab_rules::features;
use copylab_rules::world::{Lifecycle, RecoveryPoint};
use serde_json::{Map, Value, json};

use super::{Reply, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// The `ResourceType` a resource ARN names (modeled: an RDS cluster is taken as Aurora, since
/// Aurora, DocumentDB and Neptune share one ARN form).
pub fn resource_type_of(arn: &str) -> Option<&'static str> {
    let arn = copylab_rules::arn::Arn::parse(arn)?;
    Some(
        match (arn.service, arn.resource.split(['/', ':']).next().unwrap_or_default()) {
            ("ec2", "volume") => "EBS",
            ("ec2", "instance") => "EC2",
            ("rds", "db") => "RDS",
            ("rds", "cluster") => "Aurora",
            ("dynamodb", _) => "DynamoDB",
            ("elasticfilesystem", _) => "EFS",
            ("s3", _) => "S3",
            ("fsx", _) => "FSx",
            ("storagegateway", _) => "Storage Gateway",
            ("timestream", _) => "Timestream",
            ("cloudformation", _) => "CloudFormation",
            ("backup-gateway", _) => "VirtualMachine",
            ("redshift", _) => "Redshift",
            _ => return None,
        },
    )
}

/// How long a backup job takes, virtual seconds (modeled): it ends `COMPLETED` this long
/// after it starts.
pub const BACKUP_SECONDS: f64 = 60.0;

/// `StartBackupJob`: the job completes and the recovery point is in the vault.
pub fn start(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let now = ctx.state.now();
    start_at(ctx, input, now, None, None)
}

/// A backup job created at `created` (epoch seconds), as `StartBackupJob` makes it; a plan's
/// rule run ([`super::runs`]) makes its jobs here too, with `created_by` (AWS's
/// `RecoveryPointCreator`) shown as the job's `CreatedBy`, and the declared resource it found
/// (`ResourceArn`'s) as `declared`.
pub fn start_at(
    ctx: &mut Ctx<'_>,
    input: &Map<String, Value>,
    created: f64,
    created_by: Option<&std::sync::Arc<Value>>,
    declared: Option<super::Resource>,
) -> Reply {
    let vault_name = str_member(input, "BackupVaultName")?;
    let resource_arn = str_member(input, "ResourceArn")?;
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    let Some(vault) = ctx
        .state
        .vault_named(&account, &region, &vault_name)
        .and_then(|i| ctx.state.world().vaults.get(i))
        .cloned()
    else {
        return Err(ApiError::access_denied());
    };
    let declared = declared.filter(|r| r.arn == resource_arn).or_else(|| {
        ctx.state
            .services
            .backup
            .resources
            .iter()
            .find(|r| r.arn == resource_arn)
            .cloned()
    });
    let Some(resource_type) = declared
        .as_ref()
        .and_then(|r| r.resource_type.clone())
        .or_else(|| resource_type_of(&resource_arn).map(str::to_owned))
    else {
        return Err(
            ApiError::invalid_value(format!("copylab cannot tell the resource type of {resource_arn}")).modeled(),
        );
    };
    let advanced = ctx
        .state
        .world()
        .region_settings
        .iter()
        .any(|s| s.account == account && s.region == region && s.dynamodb_advanced_features);
    let resource_type = resource_type.as_str();
    let fully_managed = features::feature_row(resource_type, advanced).is_some_and(|r| r.fully_managed);
    // A vault naming no key: `aws/backup`, or an AWS owned key for a logically air-gapped vault.
    let default_key = if vault.vault_type == copylab_rules::world::VaultType::LogicallyAirGappedBackupVault {
        copylab_rules::kms::AWS_OWNED_KEY
    } else {
        "alias/aws/backup"
    };
    let vault_key = vault.encryption_key.clone();
    let partition = copylab_rules::regions::partition(&region);
    let arn = match (resource_type, advanced) {
        ("DynamoDB", true) => copylab_rules::generate::recovery_point_arn("EFS", &region, &account, &mut ctx.state.ids),
        // Without advanced features a DynamoDB backup is DynamoDB's own, named after its table
        // (facts aws-backup-facts §6: `table/MyDynamoDBTable/backup/01547087347000-c8b6kdk3`,
        // the creation time in milliseconds and eight characters).
        ("DynamoDB", false) => {
            let table = resource_arn.rsplit_once(":table/").map_or("table", |(_, t)| t);
            format!(
                "arn:{partition}:dynamodb:{region}:{account}:table/{table}/backup/{:014}-{}",
                (created * 1000.0) as u64,
                ctx.state.ids.hex(8)
            )
        }
        _ => copylab_rules::generate::recovery_point_arn(resource_type, &region, &account, &mut ctx.state.ids),
    };
    let mut tags: std::collections::BTreeMap<String, String> =
        declared.as_ref().map(|r| r.tags.clone()).unwrap_or_default();
    tags.extend(super::string_map(input, "RecoveryPointTags"));
    super::too_many_tags(tags.len())?;
    let lifecycle = input.get("Lifecycle").and_then(Value::as_object).map(|l| Lifecycle {
        delete_after_days: l.get("DeleteAfterDays").and_then(Value::as_i64),
        move_to_cold_storage_after_days: l.get("MoveToColdStorageAfterDays").and_then(Value::as_i64),
    });
    ctx.state.add_recovery_point(RecoveryPoint {
        arn: arn.clone(),
        vault: vault_name.clone(),
        account: Some(account.clone()),
        resource_type: resource_type.to_owned(),
        resource_arn: resource_arn.clone(),
        // Fully managed types take the vault's key (EFS is "always encrypted", even a file
        // system declared under a key of its own); the others keep the resource's own (the
        // encryption page), which copylab knows for a declared resource (`POST
        // /_copylab/resources`) and takes as unencrypted for any other. The same rule as the
        // engine's (`RecoveryPoint::key`).
        // A logically air-gapped vault keeps every backup under its own key, an AWS owned key
        // when it names none.
        encryption_key: copylab_rules::world::backup_key(
            declared.as_ref().and_then(|r| r.encryption_key_arn.as_deref()),
            fully_managed || vault.vault_type == copylab_rules::world::VaultType::LogicallyAirGappedBackupVault,
            Some(vault_key.as_deref().unwrap_or(default_key)),
        )
        .map(str::to_owned),
        tags,
        status: Default::default(),
        storage_class: Default::default(),
        continuous: false,
        multi_az_cluster: false,
        marketplace_image: false,
        lifecycle,
        resource_name: declared.as_ref().and_then(|r| r.resource_name.clone()),
        backup_size_in_bytes: declared.as_ref().and_then(|r| r.backup_size_in_bytes),
        parent_recovery_point_arn: None,
        composite_member_identifier: None,
    });
    let id = ctx.state.ids.uuid_upper();
    if let Some(creator) = created_by {
        ctx.state
            .services
            .backup
            .recovery_point_creators
            .insert(arn.clone(), std::sync::Arc::clone(creator));
    }
    ctx.state.services.backup.backup_jobs_started += 1;
    ctx.state.services.backup.backup_jobs.push_back(json!({
        "AccountId": account,
        "BackupJobId": id,
        "BackupVaultName": vault_name,
        "BackupVaultArn": format!("arn:{partition}:backup:{region}:{account}:backup-vault:{vault_name}"),
        "RecoveryPointArn": arn,
        "ResourceArn": resource_arn,
        "ResourceType": resource_type,
        "CreationDate": created,
        "CompletionDate": created + BACKUP_SECONDS,
        "State": "COMPLETED",
        "IamRoleArn": input.get("IamRoleArn"),
        "MessageCategory": "SUCCESS",
        "Region": region,
        "ResourceName": declared.as_ref().and_then(|r| r.resource_name.clone()),
        "BackupSizeInBytes": declared.as_ref().and_then(|r| r.backup_size_in_bytes),
        "CreatedBy": created_by.map(|c| &**c),
    }));
    Ok(json!({"BackupJobId": id, "RecoveryPointArn": arn, "CreationDate": created, "IsParent": false}))
}

/// `DescribeBackupJob`.
pub fn describe(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let id = str_member(input, "BackupJobId")?;
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    // Jobs are Regional, as ListBackupJobs lists them.
    ctx.state
        .services
        .backup
        .backup_jobs
        .iter()
        .find(|j| {
            j["BackupJobId"] == id.as_str() && j["AccountId"] == account.as_str() && j["Region"] == region.as_str()
        })
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("Backup job {id} not found")).modeled())
}

/// `ListBackupJobs`.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    use super::filters::{Window, matches, text};
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    let created = Window::read(input, "ByCreatedAfter", "ByCreatedBefore");
    let completed = Window::read(input, "ByCompleteAfter", "ByCompleteBefore");
    // The member a filter reads, as the job shows it. A backup job ends as it starts
    // (COMPLETED, SUCCESS); copylab starts no composite jobs, so none has a parent.
    let by = [
        ("ByState", "State"),
        ("ByResourceArn", "ResourceArn"),
        ("ByResourceType", "ResourceType"),
        ("ByBackupVaultName", "BackupVaultName"),
        ("ByParentJobId", "ParentJobId"),
    ];
    let category = text(input, "ByMessageCategory").filter(|c| *c != "ANY");
    // `ByAccountId`: the caller's own jobs; another account's (or `*`) only for the management
    // account of its organization, as ListCopyJobs shows them.
    let account_filter = text(input, "ByAccountId");
    let management_of = |owner: &str| {
        ctx.state
            .world()
            .organizations
            .iter()
            .any(|o| o.management_account == account && o.accounts.iter().any(|a| a.id == owner))
    };
    let jobs: Vec<Value> = ctx
        .state
        .services
        .backup
        .backup_jobs
        .iter()
        .filter(|j| j["Region"] == region.as_str())
        .filter(|j| {
            let owner = j["AccountId"].as_str().unwrap_or_default();
            match account_filter {
                None => owner == account,
                Some(filter) if filter != "*" && filter != owner => false,
                Some(_) => owner == account || management_of(owner),
            }
        })
        .filter(|j| {
            by.iter()
                .all(|(filter, member)| matches(text(input, filter), j[*member].as_str()))
        })
        .filter(|j| matches(category, j["MessageCategory"].as_str()))
        .filter(|j| created.contains(j["CreationDate"].as_f64()) && completed.contains(j["CompletionDate"].as_f64()))
        .cloned()
        .collect();
    super::page_after(&jobs, input, "BackupJobs", "BackupJobId")
}

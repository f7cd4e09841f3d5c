//! Backup job operations: StartBackupJob (creates the recovery point a copy can then copy), DescribeBackupJob, ListBackupJobs.

use copylab_rules::plan_copies;
use copylab_rules::world::{Lifecycle, RecoveryPoint};
use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{Reply, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// How long a backup job takes, virtual seconds (modeled): it ends `COMPLETED` this long
/// after it starts.
pub const BACKUP_SECONDS: f64 = 60.0;

/// The start window when a job gives none: "the default is 8 hours" (StartBackupJob's
/// `StartWindowMinutes`, the model).
pub const DEFAULT_START_WINDOW_SECONDS: f64 = 8.0 * 3600.0;

/// A backup job, as `DescribeBackupJob` shows it (AWS's member names; a member without a value
/// is left out); a state document carries it so.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BackupJob {
    pub account_id: String,
    pub backup_job_id: String,
    pub backup_vault_name: String,
    pub backup_vault_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_point_arn: Option<String>,
    pub resource_arn: String,
    pub resource_type: String,
    pub creation_date: f64,
    pub completion_date: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_by: Option<f64>,
    pub state: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<Cow<'static, str>>,
    pub message_category: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_role_arn: Option<String>,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_size_in_bytes: Option<u64>,
    /// A plan's rule's `RecoveryPointCreator`, shared by the rule's jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Arc<Value>>,
}

impl BackupJob {
    /// The job as `DescribeBackupJob` and `ListBackupJobs` show it: the record without
    /// `Region`, which the pinned model's `DescribeBackupJobOutput` and `BackupJob` do not have
    /// (the record keeps it, jobs being Regional, and a state document carries it).
    pub fn to_json(&self) -> Value {
        let mut json = serde_json::to_value(self).unwrap_or_default();
        if let Some(members) = json.as_object_mut() {
            members.shift_remove("Region");
        }
        json
    }

    /// StartBackupJob's answer for it.
    fn started(&self) -> Value {
        json!({
            "BackupJobId": self.backup_job_id,
            "RecoveryPointArn": self.recovery_point_arn,
            "CreationDate": self.creation_date,
            "IsParent": false,
        })
    }
}

/// What `StartBackupJob` reads of its request; a plan's rule run ([`super::runs`]) makes it
/// from the rule.
#[derive(Debug, Clone, Default)]
pub struct BackupJobInput {
    /// `BackupVaultName`.
    pub vault_name: String,
    /// `ResourceArn`.
    pub resource_arn: String,
    /// `IamRoleArn`.
    pub iam_role_arn: Option<String>,
    /// `StartWindowMinutes`.
    pub start_window_minutes: Option<i64>,
    /// `CompleteWindowMinutes`.
    pub complete_window_minutes: Option<i64>,
    /// `Lifecycle`.
    pub lifecycle: Option<Lifecycle>,
    /// `RecoveryPointTags`.
    pub recovery_point_tags: std::collections::BTreeMap<String, String>,
}

impl BackupJobInput {
    /// The request's members (`BackupVaultName` and `ResourceArn` required, in that order).
    pub fn read(input: &Map<String, Value>) -> Result<Self, ApiError> {
        Ok(BackupJobInput {
            vault_name: str_member(input, "BackupVaultName")?,
            resource_arn: str_member(input, "ResourceArn")?,
            iam_role_arn: input.get("IamRoleArn").and_then(Value::as_str).map(str::to_owned),
            start_window_minutes: input.get("StartWindowMinutes").and_then(Value::as_i64),
            complete_window_minutes: input.get("CompleteWindowMinutes").and_then(Value::as_i64),
            lifecycle: input.get("Lifecycle").and_then(Value::as_object).map(|l| Lifecycle {
                delete_after_days: l.get("DeleteAfterDays").and_then(Value::as_i64),
                move_to_cold_storage_after_days: l.get("MoveToColdStorageAfterDays").and_then(Value::as_i64),
            }),
            recovery_point_tags: super::string_map(input, "RecoveryPointTags"),
        })
    }
}

/// A window of a job's request, in seconds (`StartWindowMinutes`, `CompleteWindowMinutes`).
fn window_seconds(minutes: Option<i64>) -> Option<f64> {
    minutes.map(|m| m as f64 * 60.0)
}

/// When a backup job runs, from its windows (the model's `StartWindowMinutes` and
/// `CompleteWindowMinutes`): it waits `CREATED` while another backup of the resource runs, and
/// expires if that lasts past its start window ("Backup job failed because there was a running
/// job for the same resource."), or if it cannot end within its complete window, which "begins
/// counting down from when the backup was scheduled" ("Backup job expired before completion.";
/// that AWS's state for it is `EXPIRED` is modeled on the message).
struct Timing {
    /// When it starts running, epoch seconds.
    begun: f64,
    /// How long it runs.
    duration: f64,
    /// `StartBy`: its creation plus its start window.
    start_by: f64,
    /// When and why it expires, if it does.
    expired: Option<(f64, &'static str)>,
}

impl Timing {
    fn of(
        state: &crate::state::ServerState,
        input: &BackupJobInput,
        created: f64,
        planned: bool,
        declared: Option<&super::Resource>,
        resource_arn: &str,
    ) -> Self {
        let duration = declared
            .and_then(|r| r.backup_duration_seconds)
            .map_or(BACKUP_SECONDS, |s| s as f64);
        let start_by = created + window_seconds(input.start_window_minutes).unwrap_or(DEFAULT_START_WINDOW_SECONDS);
        // One backup of a resource at a time: a plan's job waits for the running one. A job
        // started by hand never waits (modeled: on a frozen clock it would wait for ever).
        let busy_until = state
            .services
            .backup
            .backup_running_until
            .get(resource_arn)
            .copied()
            .filter(|until| planned && *until > created);
        let begun = busy_until.unwrap_or(created);
        let expired = if begun > start_by {
            Some((
                start_by,
                "Backup job failed because there was a running job for the same resource.",
            ))
        } else {
            window_seconds(input.complete_window_minutes)
                .map(|window| created + window)
                .filter(|deadline| begun + duration > *deadline)
                .map(|deadline| (deadline, "Backup job expired before completion."))
        };
        Timing {
            begun,
            duration,
            start_by,
            expired,
        }
    }
}

/// `StartBackupJob`: the job completes and the recovery point is in the vault.
pub fn start(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let input = BackupJobInput::read(input)?;
    let now = ctx.state.now();
    start_at(ctx, &input, now, None, None).map(|job| job.started())
}

/// A backup job created at `created` (epoch seconds), as `StartBackupJob` makes it; a plan's
/// rule run ([`super::runs`]) makes its jobs here too, with `created_by` (AWS's
/// `RecoveryPointCreator`) shown as the job's `CreatedBy`, and the declared resource it found
/// (`ResourceArn`'s) as `declared`.
pub fn start_at(
    ctx: &mut Ctx<'_>,
    input: &BackupJobInput,
    created: f64,
    created_by: Option<&std::sync::Arc<Value>>,
    declared: Option<&super::Resource>,
) -> Result<Arc<BackupJob>, ApiError> {
    let (vault_name, resource_arn) = (input.vault_name.clone(), input.resource_arn.clone());
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    let Some(vault_index) = ctx
        .state
        .vault_named(&account, &region, &vault_name)
        .filter(|&i| ctx.state.world().vaults.get(i).is_some())
    else {
        // A plan's rule naming a vault that is not there makes a job that fails, with the
        // message of AWS's FAILED example (AWS Backup's EventBridge page); a hand-started one is
        // refused as AWS refuses a missing vault.
        if created_by.is_some() {
            let partition = copylab_rules::regions::partition(&region);
            let vault_arn = copylab_rules::arn::vault_arn(partition, &region, &account, &vault_name);
            let id = ctx.state.ids.uuid_upper();
            let resource_type = plan_copies::backup_resource_type(declared, &resource_arn).unwrap_or_default();
            let message = format!("Backup job failed because backup vault {vault_arn} does not exist.");
            let job = BackupJob {
                account_id: account,
                backup_job_id: id,
                backup_vault_name: vault_name,
                backup_vault_arn: vault_arn,
                recovery_point_arn: None,
                resource_arn,
                resource_type,
                creation_date: created,
                completion_date: created,
                start_by: None,
                state: Cow::Borrowed("FAILED"),
                status_message: Some(Cow::Owned(message)),
                // Modeled: AWS documents the message, not its category.
                message_category: Cow::Borrowed("MISCELLANEOUS"),
                iam_role_arn: input.iam_role_arn.clone(),
                region,
                resource_name: None,
                backup_size_in_bytes: None,
                created_by: created_by.cloned(),
            };
            return Ok(keep_job(ctx, job, input, created, None));
        }
        return Err(ApiError::access_denied());
    };
    // The resource the caller found (a plan's run reads its world's), else the world's, copied
    // (the job changes the state that holds it).
    let declared: Option<Cow<'_, super::Resource>> = match declared.filter(|r| r.arn == resource_arn) {
        Some(found) => Some(Cow::Borrowed(found)),
        None => ctx
            .state
            .world()
            .resources
            .iter()
            .find(|r| r.arn == resource_arn)
            .cloned()
            .map(Cow::Owned),
    };
    let declared = declared.as_deref();
    let Some(resource_type) = plan_copies::backup_resource_type(declared, &resource_arn) else {
        return Err(
            ApiError::invalid_value(format!("copylab cannot tell the resource type of {resource_arn}")).modeled(),
        );
    };
    let partition = copylab_rules::regions::partition(&region);
    let timing = Timing::of(ctx.state, input, created, created_by.is_some(), declared, &resource_arn);
    if let Some((ended, message)) = timing.expired {
        let id = ctx.state.ids.uuid_upper();
        if ended > timing.begun {
            // It ran until its complete window closed: the resource was busy until then.
            ctx.state
                .services
                .backup
                .backup_running_until
                .insert(resource_arn.clone(), ended);
        }
        let job = BackupJob {
            backup_vault_arn: copylab_rules::arn::vault_arn(partition, &region, &account, &vault_name),
            account_id: account,
            backup_job_id: id,
            backup_vault_name: vault_name,
            recovery_point_arn: None,
            resource_arn,
            resource_type,
            creation_date: created,
            completion_date: ended,
            start_by: Some(timing.start_by),
            state: Cow::Borrowed("EXPIRED"),
            status_message: Some(Cow::Borrowed(message)),
            // Modeled: AWS documents the message, not its category.
            message_category: Cow::Borrowed("MISCELLANEOUS"),
            iam_role_arn: input.iam_role_arn.clone(),
            region,
            resource_name: declared.and_then(|r| r.resource_name.clone()),
            backup_size_in_bytes: None,
            created_by: created_by.cloned(),
        };
        return Ok(keep_job(ctx, job, input, timing.begun.min(ended), None));
    }
    let (begun, ended) = (timing.begun, timing.begun + timing.duration);
    // A resource's next backup finds its entry there: nothing is made for it.
    match ctx.state.services.backup.backup_running_until.get_mut(&resource_arn) {
        Some(until) => *until = ended,
        None => {
            ctx.state
                .services
                .backup
                .backup_running_until
                .insert(resource_arn.clone(), ended);
        }
    }
    let advanced = plan_copies::dynamodb_advanced(ctx.state.world(), &account, &region);
    let arn = plan_copies::recovery_point_arn(
        &resource_type,
        advanced,
        &resource_arn,
        &account,
        &region,
        created,
        &mut ctx.state.ids,
    );
    let tags = input.recovery_point_tags.clone();
    let mut all_tags = declared.map(|r| r.tags.clone()).unwrap_or_default();
    all_tags.extend(tags.clone());
    super::too_many_tags(all_tags.len())?;
    let lifecycle = input.lifecycle.clone();
    // The recovery point as the rules make it: the resource's key, or the vault's for the
    // types AWS Backup fully manages and in a logically air-gapped vault (the same rule as the
    // engine's `RecoveryPoint::key`).
    let recovery_point = plan_copies::backup_recovery_point(
        ctx.state.world(),
        &ctx.state.world().vaults[vault_index],
        &resource_type,
        &resource_arn,
        declared,
        arn.clone(),
        tags,
        lifecycle,
    );
    let id = ctx.state.ids.uuid_upper();
    if let Some(creator) = created_by {
        ctx.state
            .services
            .backup
            .recovery_point_creators
            .insert(arn.clone(), std::sync::Arc::clone(creator));
    }
    let job = BackupJob {
        backup_vault_arn: copylab_rules::arn::vault_arn(partition, &region, &account, &vault_name),
        account_id: account,
        backup_job_id: id,
        backup_vault_name: vault_name,
        recovery_point_arn: Some(arn),
        resource_arn,
        resource_type,
        creation_date: created,
        completion_date: ended,
        start_by: Some(timing.start_by),
        state: Cow::Borrowed("COMPLETED"),
        status_message: None,
        message_category: Cow::Borrowed("SUCCESS"),
        iam_role_arn: input.iam_role_arn.clone(),
        region,
        resource_name: declared.and_then(|r| r.resource_name.clone()),
        backup_size_in_bytes: declared.and_then(|r| r.backup_size_in_bytes),
        created_by: created_by.cloned(),
    };
    let job = keep_job(ctx, job, input, begun, Some(&recovery_point));
    ctx.state.add_recovery_point(recovery_point, begun);
    Ok(job)
}

/// A continuous backup rule's run (`EnableContinuousBackup`: "True causes Backup to create
/// continuous backups capable of point-in-time restore (PITR)", the model): the resource's
/// continuous recovery point in the rule's vault, made by its first run and kept by the next
/// (one per resource and vault, as PITR keeps one: modeled), beside the snapshot the run's
/// backup job makes. The snapshot is what the rule's copy actions copy ("AWS Backup takes a
/// snapshot of the resource and copies the snapshot to the destination vault", facts §1.7); the
/// continuous one cannot be copied on demand (the engine's `request` check). Its ARN is AWS
/// Backup's own form, as AWS's example of an S3 continuous recovery point shows.
pub fn keep_continuous(
    ctx: &mut Ctx<'_>,
    input: &BackupJobInput,
    at: f64,
    creator: &std::sync::Arc<Value>,
    declared: &super::Resource,
) {
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    let vault_name = input.vault_name.as_str();
    let Some(resource_type) = plan_copies::backup_resource_type(Some(declared), &declared.arn) else {
        return;
    };
    let kept = ctx.state.any_recovery_point(|rp| {
        rp.continuous
            && rp.resource_arn == declared.arn
            && rp.vault == vault_name
            && rp.account.as_deref() == Some(account.as_str())
    });
    let Some(vault) = ctx
        .state
        .vault_named(&account, &region, vault_name)
        .and_then(|i| ctx.state.world().vaults.get(i))
        .cloned()
    else {
        return;
    };
    if kept {
        return;
    }
    let arn = copylab_rules::generate::recovery_point_arn("EFS", &region, &account, &mut ctx.state.ids);
    let lifecycle = input.lifecycle.as_ref().map(|l| Lifecycle {
        delete_after_days: l.delete_after_days,
        move_to_cold_storage_after_days: None,
    });
    let mut point = plan_copies::backup_recovery_point(
        ctx.state.world(),
        &vault,
        &resource_type,
        &declared.arn,
        Some(declared),
        arn.clone(),
        input.recovery_point_tags.clone(),
        lifecycle,
    );
    point.continuous = true;
    ctx.state.add_recovery_point(point, at);
    ctx.state
        .services
        .backup
        .recovery_point_creators
        .insert(arn, std::sync::Arc::clone(creator));
}

/// Keeps a backup job's record (as `DescribeBackupJob` shows it) and emits its events (with
/// those of `made`, the recovery point it made, added next); the job runs from `begun`.
fn keep_job(
    ctx: &mut Ctx<'_>,
    job: BackupJob,
    input: &BackupJobInput,
    begun: f64,
    made: Option<&RecoveryPoint>,
) -> Arc<BackupJob> {
    let job = Arc::new(job);
    let backup = &mut ctx.state.services.backup;
    backup.backup_jobs_started += 1;
    backup.backup_jobs.push_back(Arc::clone(&job));
    emit_events(ctx, &job, input, begun, made);
    job
}

/// The events of backup job `job`, running from `begun`, its `startBy` its start window after
/// its creation.
fn emit_events(
    ctx: &mut Ctx<'_>,
    job: &Arc<BackupJob>,
    input: &BackupJobInput,
    begun: f64,
    made: Option<&RecoveryPoint>,
) {
    let window = window_seconds(input.start_window_minutes).unwrap_or(DEFAULT_START_WINDOW_SECONDS);
    let now = ctx.state.now();
    let backup = &mut ctx.state.services.backup;
    super::events::emit_backup_job(&mut backup.events, job, (begun, window), now);
    if let Some(point) = made.filter(|point| job.recovery_point_arn.as_ref() == Some(&point.arn)) {
        super::events::emit_recovery_point(
            &mut backup.events,
            point,
            &job.backup_vault_arn,
            job.iam_role_arn.as_deref(),
            (job.creation_date, job.completion_date, now),
            job.created_by.clone(),
        );
    }
    // The vault's notifications: started, then its end.
    let now = ctx.state.now();
    // The job shows its end as soon as it is made: its notification is no later than now.
    for (change, at) in [
        ("STARTED", begun),
        (&*job.state, job.completion_date.min(now).max(begun)),
    ] {
        let change = super::notifications::JobChange {
            event_type: "BACKUP_JOB",
            state: change,
            job_id: &job.backup_job_id,
            account: &job.account_id,
            resource_arn: &job.resource_arn,
            recovery_point_arn: job.recovery_point_arn.as_deref(),
            started: job.creation_date,
            at,
        };
        super::notifications::notify(
            ctx.state,
            (&job.account_id, &job.region, &job.backup_vault_name),
            &change,
        );
    }
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
        .find(|j| j.backup_job_id == id && j.account_id == account && j.region == region)
        .map(|job| job.to_json())
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
    type Member = fn(&BackupJob) -> Option<&str>;
    let by: [(&str, Member); 5] = [
        ("ByState", |j| Some(&j.state)),
        ("ByResourceArn", |j| Some(&j.resource_arn)),
        ("ByResourceType", |j| Some(&j.resource_type)),
        ("ByBackupVaultName", |j| Some(&j.backup_vault_name)),
        ("ByParentJobId", |_| None),
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
        .filter(|j| j.region == region)
        .filter(|j| {
            let owner = j.account_id.as_str();
            match account_filter {
                None => owner == account,
                Some(filter) if filter != "*" && filter != owner => false,
                Some(_) => owner == account || management_of(owner),
            }
        })
        .filter(|j| {
            by.iter()
                .all(|(filter, member)| matches(text(input, filter), member(j)))
        })
        .filter(|j| matches(category, Some(&j.message_category)))
        .filter(|j| created.contains(Some(j.creation_date)) && completed.contains(Some(j.completion_date)))
        .map(|job| job.to_json())
        .collect();
    super::page_after(&jobs, input, "BackupJobs", "BackupJobId")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_job_on_the_wire_has_no_region_member_and_its_record_keeps_one() {
        let job = BackupJob {
            account_id: "111122223333".to_owned(),
            backup_job_id: "J".to_owned(),
            backup_vault_name: "V".to_owned(),
            backup_vault_arn: "arn:aws:backup:eu-west-1:111122223333:backup-vault:V".to_owned(),
            recovery_point_arn: None,
            resource_arn: "arn:aws:rds:eu-west-1:111122223333:db:orders".to_owned(),
            resource_type: "RDS".to_owned(),
            creation_date: 1.0,
            completion_date: 2.0,
            start_by: None,
            state: Cow::Borrowed("COMPLETED"),
            status_message: None,
            message_category: Cow::Borrowed("SUCCESS"),
            iam_role_arn: None,
            region: "eu-west-1".to_owned(),
            resource_name: None,
            backup_size_in_bytes: None,
            created_by: None,
        };
        // The pinned model's DescribeBackupJobOutput and BackupJob have no `Region`.
        let wire = job.to_json();
        assert_eq!(wire.get("Region"), None);
        assert_eq!(wire["AccountId"], "111122223333");
        // A state document carries the record whole, and reads it back.
        let record = serde_json::to_value(&job).unwrap();
        assert_eq!(record["Region"], "eu-west-1");
        assert_eq!(serde_json::from_value::<BackupJob>(record).unwrap(), job);
    }
}

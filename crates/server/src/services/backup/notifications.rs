//! Vault notifications (issue 14, item 2): PutBackupVaultNotifications, GetBackupVaultNotifications and DeleteBackupVaultNotifications, and the SNS notifications a vault's topic receives when its jobs change state, as an SNS-subscribed Lambda receives them (`Records[].Sns`), in one bounded log read by `GET /_copylab/notifications`.

use std::collections::VecDeque;

use copylab_rules::world::VaultNotifications;
use serde_json::{Map, Value, json};

use super::{Reply, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// The most notifications one server keeps; beyond, the oldest are forgotten.
pub const MAX_NOTIFICATIONS: usize = 10_000;

/// The events AWS Backup no longer sends: "The list below shows items that are deprecated events
/// (for reference) and are no longer in use. They are no longer supported and will not return
/// statuses or notifications." (AWS Backup's SNS page, aws-org-wire-facts.md §6.4). The model
/// still takes them, so Put keeps them and no notification is sent for them.
pub const DEPRECATED: [&str; 7] = [
    "BACKUP_JOB_SUCCESSFUL",
    "BACKUP_JOB_FAILED",
    "BACKUP_JOB_EXPIRED",
    "RESTORE_JOB_SUCCESSFUL",
    "RESTORE_JOB_FAILED",
    "BACKUP_PLAN_CREATED",
    "BACKUP_PLAN_MODIFIED",
];

/// The caller's vault `name`'s index in the world's vaults.
fn vault_index(ctx: &Ctx<'_>, name: &str) -> Option<usize> {
    ctx.state
        .world()
        .vaults
        .iter()
        .position(|v| v.account == ctx.caller.account && v.region == ctx.caller.region && v.name == name)
}

/// `PutBackupVaultNotifications`: the topic must be a standard topic of the caller's account
/// ("AWS Backup does not currently support this feature. You must specify your own AWS account
/// ID and the resource ARN of your topic", "AWS Backup does not currently support SNS FIFO
/// topics"; the errors' texts are undocumented: modeled). A vault copylab does not find is
/// refused as `DescribeBackupVault` refuses it.
pub fn put(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    let topic = str_member(input, "SNSTopicArn")?;
    let events: Vec<String> = input
        .get("BackupVaultEvents")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let i = vault_index(ctx, &name).ok_or_else(ApiError::access_denied)?;
    let arn = copylab_rules::arn::Arn::parse(&topic).filter(|a| a.service == "sns");
    let Some(arn) = arn else {
        return Err(ApiError::invalid_value(format!("SNSTopicArn `{topic}` is not an SNS topic ARN")).modeled());
    };
    if arn.account != ctx.caller.account {
        return Err(ApiError::invalid_value(format!(
            "SNS topic {topic} is not in account {}: AWS Backup notifies only topics of the vault's account",
            ctx.caller.account
        ))
        .modeled());
    }
    if arn.resource.ends_with(".fifo") {
        return Err(ApiError::invalid_value(format!(
            "SNS topic {topic} is a FIFO topic: AWS Backup notifies standard topics only"
        ))
        .modeled());
    }
    ctx.state.world_mut().vaults[i].notifications = Some(VaultNotifications {
        sns_topic_arn: topic,
        backup_vault_events: events,
    });
    Ok(Value::Null)
}

/// `GetBackupVaultNotifications`; a vault without notifications is not found (modeled: AWS
/// documents no answer).
pub fn get(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    let i = vault_index(ctx, &name).ok_or_else(ApiError::access_denied)?;
    let vault = &ctx.state.world().vaults[i];
    let Some(notifications) = &vault.notifications else {
        return Err(ApiError::not_found(format!("Backup vault {name} has no notification configuration")).modeled());
    };
    let partition = copylab_rules::regions::partition(&vault.region);
    Ok(json!({
        "BackupVaultName": vault.name,
        "BackupVaultArn": format!("arn:{partition}:backup:{}:{}:backup-vault:{}", vault.region, vault.account, vault.name),
        "SNSTopicArn": notifications.sns_topic_arn,
        "BackupVaultEvents": notifications.backup_vault_events,
    }))
}

/// `DeleteBackupVaultNotifications`.
pub fn delete(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "BackupVaultName")?;
    let i = vault_index(ctx, &name).ok_or_else(ApiError::access_denied)?;
    if ctx.state.world().vaults[i].notifications.is_some() {
        ctx.state.world_mut().vaults[i].notifications = None;
    }
    Ok(Value::Null)
}

/// A notification sent to a topic, at a virtual time.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// When, epoch seconds of the virtual clock.
    pub at: f64,
    /// The account of the topic.
    pub account: String,
    /// What an SNS-subscribed Lambda receives: `{"Records": [{"EventSource": "aws:sns", "Sns":
    /// {...}}]}`.
    pub record: Value,
}

/// The notifications sent, oldest first, bounded by [`MAX_NOTIFICATIONS`].
#[derive(Debug, Clone, Default)]
pub struct NotificationLog {
    sent: VecDeque<(u64, Notification)>,
    numbered: u64,
}

impl NotificationLog {
    /// The notifications at or before `now`, after `since` when given, of `account` when given,
    /// in time order.
    pub fn read(&self, now: f64, since: Option<f64>, account: Option<&str>) -> Vec<&Notification> {
        let mut found: Vec<&Notification> = self
            .sent
            .iter()
            .map(|(_, n)| n)
            .filter(|n| n.at <= now && since.is_none_or(|s| n.at > s))
            .filter(|n| account.is_none_or(|a| n.account == a))
            .collect();
        found.sort_by(|a, b| a.at.total_cmp(&b.at));
        found
    }

    /// The notifications from number `from` on that are due by `now`, with their numbers, up to
    /// the first not yet due.
    pub fn due_from(&self, from: u64, now: f64) -> Vec<(u64, Value)> {
        self.sent
            .iter()
            .filter(|(number, _)| *number >= from)
            .take_while(|(_, n)| n.at <= now)
            .map(|(number, n)| (*number, n.record.clone()))
            .collect()
    }

    fn push(&mut self, notification: Notification) {
        self.sent.push_back((self.numbered, notification));
        self.numbered += 1;
        while self.sent.len() > MAX_NOTIFICATIONS {
            self.sent.pop_front();
        }
    }
}

/// A job's state change, for the notifications of its vault.
#[derive(Debug)]
pub struct JobChange<'a> {
    /// `BACKUP_JOB` or `COPY_JOB` (the `EventType` attribute; `COPY_JOB` is modeled).
    pub event_type: &'a str,
    /// `STARTED`, `COMPLETED`, `FAILED` or `EXPIRED` (the `State` attribute).
    pub state: &'a str,
    /// The job's id.
    pub job_id: &'a str,
    /// The job's account.
    pub account: &'a str,
    /// The resource backed up or copied.
    pub resource_arn: &'a str,
    /// The recovery point made (a backup's, or a copy's).
    pub recovery_point_arn: Option<&'a str>,
    /// When the job started (the `StartTime` attribute).
    pub started: f64,
    /// When the change happened.
    pub at: f64,
}

/// The `BackupVaultEvents` name a change is notified under: `BACKUP_JOB_STARTED`,
/// `BACKUP_JOB_COMPLETED` (also for a failed or expired job: its deprecated
/// `BACKUP_JOB_FAILED` and `BACKUP_JOB_EXPIRED` send nothing any more; modeled),
/// `COPY_JOB_STARTED`, `COPY_JOB_SUCCESSFUL`, `COPY_JOB_FAILED`.
fn vault_event(change: &JobChange<'_>) -> &'static str {
    match (change.event_type, change.state) {
        ("BACKUP_JOB", "STARTED") => "BACKUP_JOB_STARTED",
        ("BACKUP_JOB", _) => "BACKUP_JOB_COMPLETED",
        ("COPY_JOB", "STARTED") => "COPY_JOB_STARTED",
        ("COPY_JOB", "COMPLETED") => "COPY_JOB_SUCCESSFUL",
        _ => "COPY_JOB_FAILED",
    }
}

/// The `Message` text: AWS's for backup jobs that completed, failed or expired (AWS Backup's SNS
/// page, aws-org-wire-facts.md §6.4); the rest modeled on them (a started backup job, every copy
/// job's).
fn message(change: &JobChange<'_>) -> String {
    let (resource, id) = (change.resource_arn, change.job_id);
    let recovery_point = change.recovery_point_arn.unwrap_or_default();
    match (change.event_type, change.state) {
        ("BACKUP_JOB", "COMPLETED") => format!(
            "An AWS Backup job was completed successfully. Recovery point ARN: {recovery_point}. Resource ARN : {resource}. BackupJob ID : {id}"
        ),
        ("BACKUP_JOB", "FAILED") => format!("An AWS Backup job failed. Resource ARN : {resource}. BackupJob ID : {id}"),
        ("BACKUP_JOB", "EXPIRED") => {
            format!("An AWS Backup job failed to complete in time. Resource ARN : {resource}. BackupJob ID : {id}")
        }
        ("BACKUP_JOB", _) => format!("An AWS Backup job was started. Resource ARN : {resource}. BackupJob ID : {id}"),
        ("COPY_JOB", "STARTED") => {
            format!("An AWS Backup copy job was started. Resource ARN : {resource}. CopyJob ID : {id}")
        }
        ("COPY_JOB", "COMPLETED") => format!(
            "An AWS Backup copy job was completed successfully. Recovery point ARN: {recovery_point}. Resource ARN : {resource}. CopyJob ID : {id}"
        ),
        _ => format!("An AWS Backup copy job failed. Resource ARN : {resource}. CopyJob ID : {id}"),
    }
}

/// Sends `change` to the topic of `vault` (account, Region, name) when the vault's
/// notifications name its event: a record as an SNS-subscribed Lambda receives it, with the
/// subject, message and message attributes AWS documents (`Signature` and the URLs are
/// placeholders: copylab signs nothing).
pub fn notify(state: &mut crate::state::ServerState, vault: (&str, &str, &str), change: &JobChange<'_>) {
    let (account, region, name) = vault;
    // Through the kept index: a job's vault is found without reading every vault.
    let Some(notifications) = state
        .vault_named(account, region, name)
        .and_then(|i| state.world().vaults.get(i))
        .and_then(|v| v.notifications.clone())
    else {
        return;
    };
    let event = vault_event(change);
    if DEPRECATED.contains(&event) || !notifications.backup_vault_events.iter().any(|e| e == event) {
        return;
    }
    let topic = notifications.sns_topic_arn;
    let message_id = super::events::event_id(&["sns", change.job_id, change.state, event]);
    let subscription = super::events::event_id(&["sns-subscription", &topic]);
    let timestamp = super::events::detail_time(change.at);
    let attribute = |value: &str| json!({"Type": "String", "Value": value});
    let record = json!({"Records": [{
        "EventVersion": "1.0",
        "EventSubscriptionArn": format!("{topic}:{subscription}"),
        "EventSource": "aws:sns",
        "Sns": {
            "SignatureVersion": "1",
            "Timestamp": timestamp,
            "Signature": "copylab-unsigned",
            "SigningCertUrl": format!("https://sns.{region}.amazonaws.com/SimpleNotificationService-copylab.pem"),
            "MessageId": message_id,
            "Message": message(change),
            "MessageAttributes": {
                "EventType": attribute(change.event_type),
                "State": attribute(change.state),
                "AccountId": attribute(change.account),
                "Id": attribute(change.job_id),
                "StartTime": attribute(&super::events::detail_time(change.started)),
            },
            "Type": "Notification",
            "UnsubscribeUrl": format!("https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic}:{subscription}"),
            "TopicArn": topic,
            "Subject": "Notification from AWS Backup",
        },
    }]});
    state.services.backup.notifications.push(Notification {
        at: change.at,
        account: account.to_owned(),
        record,
    });
}

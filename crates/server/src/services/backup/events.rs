//! AWS Backup's EventBridge events (issue 14): one log of every job state change, in virtual time, with the envelope AWS sends (`version`, `id`, `detail-type`, `source: aws.backup`, `account`, `time`, `region`, `resources`, `detail`); `GET /_copylab/events` reads it.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

/// The most events one server keeps: beyond, the oldest are forgotten (copylab's bound, so that
/// no client grows the server's memory without bound).
pub const MAX_EVENTS: usize = 10_000;

/// What an event is made from, the first time it is read: where it is emitted, and its `id`,
/// `resources` and `detail`. One source serves every event of a job (its states differ), so that
/// emitting an event costs a shared pointer, not a copy of what it will say.
pub trait Source: Send + Sync {
    /// The account and Region the event is emitted in.
    fn place(&self) -> (&str, &str);

    /// The event's `id`, `resources` and `detail` in `state`, with the number its emitter gave
    /// it (a backup job's start window, a copy job's completion date).
    fn render(&self, state: &'static str, number: f64) -> (String, Vec<String>, Value);
}

/// An event as EventBridge delivers it, with the virtual time it happened at. Its envelope is
/// made when it is first read (most events of a long run are forgotten unread: a simulated year
/// emits millions and the log keeps [`MAX_EVENTS`]), from what the emitter captured when the
/// event happened, so that it is the same whenever it is read.
#[derive(Clone)]
pub struct Event {
    /// When it happened, epoch seconds of the virtual clock.
    pub at: f64,
    /// Its place in the log (the order events were emitted in).
    pub sequence: u64,
    /// `detail-type`, as `"Copy Job State Change"`.
    pub detail_type: &'static str,
    state: &'static str,
    number: f64,
    source: Arc<dyn Source>,
    envelope: OnceLock<Value>,
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("at", &self.at)
            .field("sequence", &self.sequence)
            .field("envelope", self.envelope())
            .finish()
    }
}

impl Event {
    /// The account the event is emitted in.
    pub fn account(&self) -> &str {
        self.source.place().0
    }

    /// The envelope, `detail` included.
    pub fn envelope(&self) -> &Value {
        self.envelope.get_or_init(|| {
            let (id, resources, detail) = self.source.render(self.state, self.number);
            let (account, region) = self.source.place();
            json!({
                "version": "0",
                "id": id,
                "detail-type": self.detail_type,
                "source": "aws.backup",
                "account": account,
                "time": crate::clock::iso8601(self.at),
                "region": region,
                "resources": resources,
                "detail": detail,
            })
        })
    }
}

/// The log of events, oldest first, bounded by [`MAX_EVENTS`].
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    events: VecDeque<Event>,
    emitted: u64,
    /// Events forgotten, to free off the request's thread.
    pub gone: crate::drops::Later<Event>,
}

/// An event to emit, made already: what changed, in which account and Region, about which
/// resources.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// `detail-type`, as `"Copy Job State Change"`.
    pub detail_type: &'static str,
    /// The account the event is emitted in.
    pub account: &'a str,
    /// The Region.
    pub region: &'a str,
    /// `resources`.
    pub resources: Vec<String>,
    /// `detail`.
    pub detail: Value,
    /// When, epoch seconds of the virtual clock.
    pub at: f64,
    /// The event's `id`.
    pub id: String,
}

/// An event made already ([`EventLog::emit`]).
struct Made {
    account: String,
    region: String,
    id: String,
    resources: Vec<String>,
    detail: Value,
}

impl Source for Made {
    fn place(&self) -> (&str, &str) {
        (&self.account, &self.region)
    }

    fn render(&self, _: &'static str, _: f64) -> (String, Vec<String>, Value) {
        (self.id.clone(), self.resources.clone(), self.detail.clone())
    }
}

impl EventLog {
    /// Adds an event made already; beyond [`MAX_EVENTS`] the oldest is forgotten.
    pub fn emit(&mut self, event: NewEvent<'_>) {
        let NewEvent {
            detail_type,
            account,
            region,
            resources,
            detail,
            at,
            id,
        } = event;
        let made = Made {
            account: account.to_owned(),
            region: region.to_owned(),
            id,
            resources,
            detail,
        };
        self.emit_from(detail_type, at, (Arc::new(made), "", 0.0));
    }

    /// Adds the event of `detail_type` at `at` (virtual) that `source` makes in `state` with
    /// `number` when the event is first read; beyond [`MAX_EVENTS`] the oldest is forgotten.
    pub fn emit_from(
        &mut self,
        detail_type: &'static str,
        at: f64,
        (source, state, number): (Arc<dyn Source>, &'static str, f64),
    ) {
        self.events.push_back(Event {
            at,
            sequence: self.emitted,
            detail_type,
            state,
            number,
            source,
            envelope: OnceLock::new(),
        });
        self.emitted += 1;
        while self.events.len() > MAX_EVENTS {
            if let Some(event) = self.events.pop_front() {
                self.gone.free_later(event);
            }
        }
    }

    /// The events at or before `now` (virtual), after `since` when given, of `detail_type` and
    /// `account` when given, in time order (then emission order).
    pub fn read(&self, now: f64, since: Option<f64>, detail_type: Option<&str>, account: Option<&str>) -> Vec<&Event> {
        let mut found: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| e.at <= now && since.is_none_or(|s| e.at > s))
            .filter(|e| detail_type.is_none_or(|d| e.detail_type == d))
            .filter(|e| account.is_none_or(|a| e.account() == a))
            .collect();
        found.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.sequence.cmp(&b.sequence)));
        found
    }

    /// The events from emission number `from` on that are due by `now`, with their numbers, in
    /// emission order, up to the first one not yet due (so that none is skipped).
    pub fn due_from(&self, from: u64, now: f64) -> Vec<(u64, Value)> {
        self.events
            .iter()
            .filter(|e| e.sequence >= from)
            .take_while(|e| e.at <= now)
            .map(|e| (e.sequence, e.envelope().clone()))
            .collect()
    }

    /// How many events were ever emitted.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }
}

/// A detail timestamp, as AWS's examples write them: UTC with milliseconds
/// (`2020-07-15T22:06:27.234Z`).
pub fn detail_time(at: f64) -> String {
    let whole = crate::clock::iso8601(at);
    let millis = ((at - at.floor()) * 1000.0).round().clamp(0.0, 999.0) as u32;
    format!("{}.{millis:03}Z", whole.trim_end_matches('Z'))
}

/// The RUNNING backup job's `expectedCompletionDate`, in the form AWS's example shows
/// (`"Jul 15, 2020 9:39:07 PM"`).
pub fn expected_completion(at: f64) -> String {
    let iso = crate::clock::iso8601(at);
    let (date, time) = iso.split_once('T').unwrap_or((&iso, "00:00:00Z"));
    let mut parts = date.split('-');
    let (year, month, day) = (
        parts.next().unwrap_or("1970"),
        parts.next().and_then(|m| m.parse::<usize>().ok()).unwrap_or(1),
        parts.next().and_then(|d| d.parse::<u32>().ok()).unwrap_or(1),
    );
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let name = MONTHS.get(month.saturating_sub(1)).copied().unwrap_or("Jan");
    let mut clock = time.trim_end_matches('Z').split(':');
    let hour: u32 = clock.next().and_then(|h| h.parse().ok()).unwrap_or(0);
    let (minute, second) = (clock.next().unwrap_or("00"), clock.next().unwrap_or("00"));
    let (twelve, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!("{name} {day}, {year} {twelve}:{minute}:{second} {half}")
}

/// A `createdBy` as the events write it (lower camel case, four members, `backupPlanRuleId`),
/// from AWS's `RecoveryPointCreator`.
pub fn created_by(creator: &Value) -> Value {
    json!({
        "backupPlanId": creator["BackupPlanId"],
        "backupPlanArn": creator["BackupPlanArn"],
        "backupPlanVersion": creator["BackupPlanVersion"],
        "backupPlanRuleId": creator["BackupRuleId"],
    })
}

/// An event id derived from what the event is about (so that emitting draws no id from the
/// server's stream): a lower-case UUID.
pub fn event_id(parts: &[&str]) -> String {
    copylab_rules::ids::IdGenerator::for_names(parts).uuid()
}

/// What a copy job's events say of it, taken from the job when it is created or ends (so that an
/// event read later says what it said when it happened).
#[derive(Debug, Clone)]
pub struct CopyJobFacts {
    /// The job's id, account, Region, vaults, recovery points, role, resource and status
    /// message (see [`CopyJobFacts::of`]).
    texts: Texts<11>,
    backup_size_in_bytes: Option<u64>,
    created: f64,
    created_by: Option<std::sync::Arc<Value>>,
}

/// Texts kept in one allocation: an event's facts are made for every job and freed a night
/// later, one allocation each rather than one per text.
#[derive(Debug, Clone)]
struct Texts<const N: usize> {
    text: Box<str>,
    /// Where each text ends in `text`; `usize::MAX` for one that is absent.
    ends: [usize; N],
}

impl<const N: usize> Texts<N> {
    fn new(texts: [Option<&str>; N]) -> Self {
        let mut text = String::with_capacity(texts.iter().flatten().map(|t| t.len()).sum());
        let mut ends = [usize::MAX; N];
        for (end, t) in ends.iter_mut().zip(texts) {
            if let Some(t) = t {
                text.push_str(t);
                *end = text.len();
            }
        }
        Texts {
            text: text.into_boxed_str(),
            ends,
        }
    }

    /// Text `i`, if it is present.
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i).filter(|end| **end != usize::MAX)?;
        let start = self
            .ends
            .get(..i)?
            .iter()
            .rev()
            .find(|end| **end != usize::MAX)
            .copied()
            .unwrap_or(0);
        self.text.get(start..end)
    }

    /// Text `i`, empty if it is absent.
    fn text(&self, i: usize) -> &str {
        self.get(i).unwrap_or_default()
    }
}

impl CopyJobFacts {
    const ID: usize = 0;
    const ACCOUNT: usize = 1;
    const REGION: usize = 2;
    const SOURCE_VAULT_ARN: usize = 3;
    const DESTINATION_VAULT_ARN: usize = 4;
    const RECOVERY_POINT_ARN: usize = 5;
    const IAM_ROLE_ARN: usize = 6;
    const RESOURCE_ARN: usize = 7;
    const RESOURCE_TYPE: usize = 8;
    const STATUS_MESSAGE: usize = 9;
    const DESTINATION_RECOVERY_POINT_ARN: usize = 10;

    /// The facts of `job` as it is now.
    pub fn of(job: &super::CopyJobRecord) -> Self {
        let (status_message, destination_recovery_point_arn) = match &job.outcome {
            copylab_rules::Outcome::CopyJob {
                status_message,
                destination_recovery_point,
                ..
            } => (
                status_message.as_deref(),
                destination_recovery_point.as_ref().map(|rp| rp.arn.as_str()),
            ),
            _ => (None, None),
        };
        CopyJobFacts {
            texts: Texts::new([
                Some(&job.id),
                Some(&job.account),
                Some(&job.region),
                Some(&job.source_vault_arn),
                job.request.destination_backup_vault_arn.as_deref(),
                job.request.recovery_point_arn.as_deref(),
                job.request.iam_role_arn.as_deref(),
                Some(&job.resource_arn),
                Some(&job.resource_type),
                status_message,
                destination_recovery_point_arn,
            ]),
            backup_size_in_bytes: job.backup_size_in_bytes,
            created: job.created,
            created_by: job.created_by.clone(),
        }
    }
}

/// A copy job's "Copy Job State Change" event in `state` (aws-org-wire-facts.md §6.3:
/// CREATED carries only the dates, state and vaults; `copyJobId` from RUNNING on;
/// `backupSizeInBytes` a number; `destinationRecoveryPointArn` `{}` until the copy exists;
/// `resources` the source recovery point; `createdBy` for a plan's copy). Emitted in the account
/// that owns the job (the documented examples' `account` is the job's; other accounts'
/// events are undocumented).
pub fn copy_job_event(job: &CopyJobFacts, state: &str, completion: f64) -> (String, Vec<String>, Value) {
    let texts = &job.texts;
    let resources: Vec<String> = texts
        .get(CopyJobFacts::RECOVERY_POINT_ARN)
        .map(str::to_owned)
        .into_iter()
        .collect();
    let mut detail = serde_json::Map::new();
    if state != "CREATED" {
        detail.insert("copyJobId".to_owned(), json!(texts.text(CopyJobFacts::ID)));
        // AWS's examples always carry the size; copylab computes none, so an undeclared one is
        // 0 (modeled).
        detail.insert(
            "backupSizeInBytes".to_owned(),
            json!(job.backup_size_in_bytes.unwrap_or(0)),
        );
    }
    detail.insert("creationDate".to_owned(), json!(detail_time(job.created)));
    if state == "CREATED" {
        // The CREATED example's order: the date, the state, the vaults.
        detail.insert("state".to_owned(), json!(state));
    } else {
        detail.insert("iamRoleArn".to_owned(), json!(texts.get(CopyJobFacts::IAM_ROLE_ARN)));
        detail.insert("resourceArn".to_owned(), json!(texts.text(CopyJobFacts::RESOURCE_ARN)));
        detail.insert(
            "resourceType".to_owned(),
            json!(texts.text(CopyJobFacts::RESOURCE_TYPE)),
        );
    }
    detail.insert(
        "sourceBackupVaultArn".to_owned(),
        json!(texts.text(CopyJobFacts::SOURCE_VAULT_ARN)),
    );
    if state != "CREATED" {
        detail.insert("state".to_owned(), json!(state));
    }
    let ended = matches!(state, "COMPLETED" | "FAILED" | "PARTIAL");
    if ended {
        if let Some(message) = texts.get(CopyJobFacts::STATUS_MESSAGE)
            && state != "COMPLETED"
        {
            detail.insert("statusMessage".to_owned(), json!(message));
        }
        detail.insert("completionDate".to_owned(), json!(detail_time(completion)));
    }
    detail.insert(
        "destinationBackupVaultArn".to_owned(),
        json!(texts.get(CopyJobFacts::DESTINATION_VAULT_ARN)),
    );
    if state != "CREATED" {
        let destination_rp = match texts.get(CopyJobFacts::DESTINATION_RECOVERY_POINT_ARN) {
            Some(arn) if state == "COMPLETED" => json!(arn),
            _ => json!({}),
        };
        detail.insert("destinationRecoveryPointArn".to_owned(), destination_rp);
        if let Some(creator) = &job.created_by {
            detail.insert("createdBy".to_owned(), created_by(creator));
        }
    }
    (
        event_id(&["copy-job-event", texts.text(CopyJobFacts::ID), state]),
        resources,
        Value::Object(detail),
    )
}

/// Emits a copy job's event in `state` at `at` (for its end, `completion` is its
/// `completionDate`; the event itself is at most as late as the moment the server sees the end,
/// so that a job seen ended on a frozen clock has its event now).
pub fn emit_copy_job(log: &mut EventLog, job: &Arc<CopyJobFacts>, state: &'static str, at: f64, completion: f64) {
    log.emit_from(
        "Copy Job State Change",
        at,
        (Arc::clone(job) as Arc<dyn Source>, state, completion),
    );
}

impl Source for CopyJobFacts {
    fn place(&self) -> (&str, &str) {
        (self.texts.text(Self::ACCOUNT), self.texts.text(Self::REGION))
    }

    fn render(&self, state: &'static str, completion: f64) -> (String, Vec<String>, Value) {
        copy_job_event(self, state, completion)
    }
}

/// A backup job's "Backup Job State Change" events, from the job as `DescribeBackupJob` shows
/// it (aws-plans-policies-events-facts.md §6.1): CREATED (the id, state and date), then RUNNING
/// when it begins (`begun`: a job waiting for a running backup of its resource begins later)
/// (sizes and bytes as strings, `startBy`, `expectedCompletionDate` in AWS's odd form,
/// `percentDone` 0: modeled, `createdBy` for a plan's job) and COMPLETED (`resources` the new
/// recovery point, `percentDone` 100, `retryCount` 0: modeled) at its end; or EXPIRED, its
/// status message in escaped quotes as AWS's fragment shows it.
pub fn emit_backup_job(
    log: &mut EventLog,
    job: &Arc<super::backup_jobs::BackupJob>,
    (begun, start_window_seconds): (f64, f64),
    now: f64,
) {
    let (created, ended) = (job.creation_date, job.completion_date);
    let states: &[&'static str] = match &*job.state {
        "EXPIRED" => &["CREATED", "EXPIRED"],
        "FAILED" => &["CREATED", "FAILED"],
        _ => &["CREATED", "RUNNING", "COMPLETED"],
    };
    for &state in states {
        let at = match state {
            "CREATED" => created,
            "RUNNING" => begun,
            // The job shows its end as soon as it is made: its event is no later than now.
            _ => ended.min(now).max(begun),
        };
        let source = Arc::clone(job) as Arc<dyn Source>;
        log.emit_from("Backup Job State Change", at, (source, state, start_window_seconds));
    }
}

impl Source for super::backup_jobs::BackupJob {
    fn place(&self) -> (&str, &str) {
        (&self.account_id, &self.region)
    }

    fn render(&self, state: &'static str, start_window_seconds: f64) -> (String, Vec<String>, Value) {
        backup_job_event(&self.to_json(), state, start_window_seconds)
    }
}

/// The `id`, `resources` and `detail` of a backup job's event in `state` (see
/// [`emit_backup_job`]).
fn backup_job_event(job: &Value, state: &str, start_window_seconds: f64) -> (String, Vec<String>, Value) {
    let text = |k: &str| job[k].as_str().unwrap_or_default().to_owned();
    let id = text("BackupJobId");
    let event_id = event_id(&["backup-job-event", &id, state]);
    let created = job["CreationDate"].as_f64().unwrap_or_default();
    let ended = job["CompletionDate"].as_f64().unwrap_or(created);
    if state == "CREATED" {
        let detail = json!({"backupJobId": id, "state": "CREATED", "creationDate": detail_time(created)});
        return (event_id, Vec::new(), detail);
    }
    // An undeclared size is "0" (modeled: copylab computes none; AWS's examples carry one).
    let size = job["BackupSizeInBytes"].as_u64().unwrap_or(0).to_string();
    let mut common = serde_json::Map::new();
    common.insert("backupJobId".to_owned(), json!(id));
    common.insert("backupSizeInBytes".to_owned(), json!(size));
    common.insert("backupVaultArn".to_owned(), job["BackupVaultArn"].clone());
    common.insert("backupVaultName".to_owned(), job["BackupVaultName"].clone());
    common.insert("bytesTransferred".to_owned(), json!("0"));
    common.insert("creationDate".to_owned(), json!(detail_time(created)));
    common.insert("iamRoleArn".to_owned(), job["IamRoleArn"].clone());
    common.insert("resourceArn".to_owned(), job["ResourceArn"].clone());
    common.insert("resourceType".to_owned(), job["ResourceType"].clone());
    let start_by = crate::clock::iso8601(created + start_window_seconds);
    let creator = job.get("CreatedBy").filter(|c| !c.is_null()).map(created_by);
    let mut detail = common;
    match state {
        "EXPIRED" | "FAILED" => {
            // AWS's FAILED example: no size, no completion date, the message in escaped
            // quotes, `percentDone` 0 and `retryCount` (0 here: modeled); its EXPIRED fragment
            // has the message and `createdBy`.
            detail.shift_remove("backupSizeInBytes");
            detail.insert("state".to_owned(), json!(state));
            detail.insert(
                "statusMessage".to_owned(),
                json!(format!("\"{}\"", text("StatusMessage"))),
            );
            detail.insert("startBy".to_owned(), json!(start_by));
            if state == "FAILED" {
                detail.insert("percentDone".to_owned(), json!(0));
                detail.insert("retryCount".to_owned(), json!(0));
            }
        }
        "RUNNING" => {
            detail.insert("state".to_owned(), json!("RUNNING"));
            detail.insert("startBy".to_owned(), json!(start_by));
            detail.insert("expectedCompletionDate".to_owned(), json!(expected_completion(ended)));
            detail.insert("percentDone".to_owned(), json!(0));
        }
        _ => {
            detail.insert("bytesTransferred".to_owned(), json!(size));
            detail.insert("state".to_owned(), json!("COMPLETED"));
            detail.insert("completionDate".to_owned(), json!(detail_time(ended)));
            detail.insert("startBy".to_owned(), json!(start_by));
            detail.insert("percentDone".to_owned(), json!(100));
            detail.insert("retryCount".to_owned(), json!(0));
            let resources = job["RecoveryPointArn"]
                .as_str()
                .map(str::to_owned)
                .into_iter()
                .collect();
            return (event_id, resources, Value::Object(detail));
        }
    }
    if let Some(creator) = creator {
        detail.insert("createdBy".to_owned(), creator);
    }
    (event_id, Vec::new(), Value::Object(detail))
}

/// A recovery point's "Recovery Point State Change" event when it is COMPLETED
/// (aws-plans-policies-events-facts.md §6.1, the only state AWS exemplifies: `status`, not
/// `state`; `isEncrypted` a string; `calculatedLifeCycle` spelled so; `resources` the recovery
/// point). A copy's recovery point's event is emitted in the destination vault's account
/// (modeled: AWS documents the event, not the account).
pub fn emit_recovery_point(
    log: &mut EventLog,
    recovery_point: &copylab_rules::world::RecoveryPoint,
    vault_arn: &str,
    role: Option<&str>,
    times: (f64, f64, f64),
    creator: Option<std::sync::Arc<Value>>,
) {
    let (created, completed, now) = times;
    let facts = RecoveryPointFacts {
        texts: Texts::new([
            recovery_point.account.as_deref(),
            copylab_rules::arn::Arn::parse(vault_arn).map(|a| a.region),
            Some(&recovery_point.vault),
            Some(vault_arn),
            Some(&recovery_point.arn),
            Some(&recovery_point.resource_type),
            Some(&recovery_point.resource_arn),
            role,
        ]),
        encrypted: recovery_point.encryption_key.is_some(),
        delete_after_days: recovery_point
            .lifecycle
            .as_ref()
            .and_then(|l| l.delete_after_days)
            .filter(|d| *d > 0),
        created,
        completed,
        creator,
    };
    log.emit_from(
        "Recovery Point State Change",
        completed.min(now).max(created),
        (Arc::new(facts), "COMPLETED", 0.0),
    );
}

/// What a recovery point's event says of it, taken when it is made.
struct RecoveryPointFacts {
    /// Its account, Region, vault, vault's ARN, ARN, resource type and ARN, and role.
    texts: Texts<8>,
    encrypted: bool,
    delete_after_days: Option<i64>,
    created: f64,
    completed: f64,
    creator: Option<std::sync::Arc<Value>>,
}

impl RecoveryPointFacts {
    const ACCOUNT: usize = 0;
    const REGION: usize = 1;
    const VAULT: usize = 2;
    const VAULT_ARN: usize = 3;
    const ARN: usize = 4;
    const RESOURCE_TYPE: usize = 5;
    const RESOURCE_ARN: usize = 6;
    const ROLE: usize = 7;
}

impl Source for RecoveryPointFacts {
    fn place(&self) -> (&str, &str) {
        (self.texts.text(Self::ACCOUNT), self.texts.text(Self::REGION))
    }

    fn render(&self, _: &'static str, _: f64) -> (String, Vec<String>, Value) {
        let texts = &self.texts;
        let mut detail = serde_json::Map::new();
        detail.insert("backupVaultName".to_owned(), json!(texts.text(Self::VAULT)));
        detail.insert("backupVaultArn".to_owned(), json!(texts.text(Self::VAULT_ARN)));
        detail.insert("creationDate".to_owned(), json!(detail_time(self.created)));
        detail.insert("iamRoleArn".to_owned(), json!(texts.get(Self::ROLE)));
        detail.insert("resourceType".to_owned(), json!(texts.text(Self::RESOURCE_TYPE)));
        detail.insert("resourceArn".to_owned(), json!(texts.text(Self::RESOURCE_ARN)));
        detail.insert("status".to_owned(), json!("COMPLETED"));
        detail.insert(
            "isEncrypted".to_owned(),
            json!(if self.encrypted { "true" } else { "false" }),
        );
        detail.insert("storageClass".to_owned(), json!("WARM"));
        detail.insert("completionDate".to_owned(), json!(detail_time(self.completed)));
        if let Some(creator) = &self.creator {
            detail.insert("createdBy".to_owned(), created_by(creator));
        }
        if let Some(days) = self.delete_after_days {
            detail.insert("lifecycle".to_owned(), json!({"deleteAfterDays": days}));
            detail.insert(
                "calculatedLifeCycle".to_owned(),
                json!({"deleteAt": detail_time(self.created + days as f64 * 86_400.0)}),
            );
        }
        (
            event_id(&["recovery-point-event", texts.text(Self::ARN), "COMPLETED"]),
            vec![texts.text(Self::ARN).to_owned()],
            Value::Object(detail),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each text comes back as it was given, an absent one absent and an empty one empty,
    /// whatever is around it.
    #[test]
    fn texts_kept_together_come_back_one_by_one() {
        let texts = Texts::new([None, Some("arn:aws:backup"), Some(""), None, Some("é:x"), None]);
        let got: Vec<Option<&str>> = (0..6).map(|i| texts.get(i)).collect();
        assert_eq!(got, [None, Some("arn:aws:backup"), Some(""), None, Some("é:x"), None]);
        assert_eq!((texts.text(0), texts.get(6)), ("", None));
        let none: Texts<2> = Texts::new([None, None]);
        assert_eq!((none.get(0), none.get(1)), (None, None));
    }

    #[test]
    fn detail_times_are_those_of_awss_examples() {
        assert_eq!(detail_time(1_594_851_573.239), "2020-07-15T22:19:33.239Z");
        assert_eq!(detail_time(1_594_851_573.0), "2020-07-15T22:19:33.000Z");
        assert_eq!(expected_completion(1_594_849_147.0), "Jul 15, 2020 9:39:07 PM");
        assert_eq!(expected_completion(1_594_771_200.0), "Jul 15, 2020 12:00:00 AM");
    }

    #[test]
    fn the_log_reads_in_time_order_and_forgets_the_oldest_beyond_its_bound() {
        let mut log = EventLog::default();
        for (i, at) in [30.0, 10.0, 20.0].into_iter().enumerate() {
            log.emit(NewEvent {
                detail_type: "Copy Job State Change",
                account: "111122223333",
                region: "us-east-1",
                resources: Vec::new(),
                detail: json!({"n": i}),
                at,
                id: format!("id-{i}"),
            });
        }
        let read: Vec<f64> = log.read(25.0, None, None, None).iter().map(|e| e.at).collect();
        assert_eq!(read, [10.0, 20.0], "not after now, in time order");
        assert_eq!(log.read(100.0, Some(10.0), None, None).len(), 2, "after since");
        for _ in 0..MAX_EVENTS {
            log.emit(NewEvent {
                detail_type: "Backup Job State Change",
                account: "111122223333",
                region: "us-east-1",
                resources: Vec::new(),
                detail: json!({}),
                at: 1.0,
                id: String::new(),
            });
        }
        assert_eq!(log.read(100.0, None, None, None).len(), MAX_EVENTS);
        assert!(log.read(100.0, None, Some("Copy Job State Change"), None).is_empty());
    }
}

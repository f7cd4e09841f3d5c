//! The state document: what `GET /_copylab/state` shows, and `POST /_copylab/scenario` and `copylab serve --scenario FILE` take back whole (the world, the clock, the id stream, copy and backup jobs, and what each service keeps beyond the world), so that a server's state can be saved, read, and served again elsewhere.
//!
//! What it does not carry: the EventBridge events and SNS notifications already sent (a log of
//! what happened, not state a request reads), the lab's sessions, and the server's options
//! (progression, clock scale, accepted keys). A copy job's checks are kept as the JSON its
//! diagnosis showed: the rules engine's texts are templates in code, which JSON does not give
//! back, so a restored job's diagnosis is that JSON, not a new decision.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use copylab_rules::World;
use copylab_rules::world::Wording;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Clock;
use crate::services::backup::backup_jobs::BackupJob;
use crate::services::backup::report_plans::ReportPlan;
use crate::services::backup::{CopyJobRecord, Decision, LifecycleStep, VaultRecord};
use crate::services::{iam, kms, organizations};
use crate::state::ServerState;

/// The document's `format`.
pub const FORMAT: &str = "copylab-state-document";
/// The version this copylab writes and reads.
pub const VERSION: u64 = 1;

/// The whole state, as JSON, as read back ([`to_json`] writes it from the state itself).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDocument {
    /// [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written; a newer one is refused.
    pub version: u64,
    /// The world.
    pub world: World,
    /// The seed the server's ids started from.
    pub seed: u64,
    /// The pinned behaviour date, if any.
    #[serde(default)]
    pub as_of: Option<String>,
    /// The wording of changed messages.
    #[serde(default)]
    pub wording: Wording,
    /// The clock when the document was taken.
    pub clock: ClockReading,
    /// How many draws the id stream has made: a server restored with the same seed goes on
    /// after them, so that no id in the document is issued again (absent: the server's own
    /// stream goes on).
    #[serde(default)]
    pub ids_drawn: u64,
    /// The decisions copy jobs were given, each once (jobs name theirs by place).
    pub decisions: Vec<DecisionEntry>,
    /// The copy jobs, in start order.
    pub copy_jobs: Vec<CopyJobEntry>,
    /// What each service keeps beyond the world.
    pub services: ServicesEntry,
}

/// The clock, as `GET /_copylab/clock` shows it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockReading {
    /// Now, epoch seconds.
    pub now: f64,
    /// Now, ISO 8601 (for readers; `now` is what is restored).
    #[serde(default)]
    pub iso8601: String,
    /// When the clock started: the creation date of what the world defines.
    pub start: f64,
    /// Virtual seconds per real second (a server option: not restored).
    #[serde(default)]
    pub scale: f64,
    /// Seconds advanced by hand (for readers).
    #[serde(default)]
    pub advanced: f64,
}

/// A copy job's decision: the date AWS's behaviour was modeled at, and the checks as its
/// diagnosis shows them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionEntry {
    /// `as_of`.
    pub as_of: String,
    /// The checks, in order.
    pub checks: Value,
    /// The check that decided a failure.
    #[serde(default)]
    pub failed_check: Option<String>,
}

/// A copy job.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyJobEntry {
    /// Its state when the document was taken (for readers: the state follows from the record
    /// and the clock).
    #[serde(default)]
    pub state: String,
    /// Its decision's place in `decisions`.
    pub decision: usize,
    /// The job.
    pub record: CopyJobRecord,
}

/// What each service keeps beyond the world.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServicesEntry {
    /// AWS Backup, copy jobs apart.
    pub backup: BackupEntry,
    /// AWS KMS: descriptions, dates, tags, further aliases.
    pub kms: kms::KmsState,
    /// AWS Organizations: enabled policy types, accounts made through the API, handshakes.
    pub organizations: organizations::OrganizationsState,
    /// AWS IAM: role ids, dates, descriptions, tags.
    pub iam: iam::IamState,
}

/// What AWS Backup keeps beyond the world and its copy jobs.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupEntry {
    /// Backup jobs, as `DescribeBackupJob` shows them, in creation order.
    pub backup_jobs: Vec<BackupJob>,
    /// How many backup jobs were ever started.
    pub backup_jobs_started: u64,
    /// When the last backup job of each resource ends, by resource ARN.
    pub backup_running_until: BTreeMap<String, f64>,
    /// Recovery points' lifecycle steps due: (epoch seconds, step, recovery point ARN).
    pub lifecycle_due: Vec<(i64, LifecycleStep, String)>,
    /// The `CreatedBy` of recovery points a plan's rule made, by recovery point ARN.
    pub recovery_point_creators: BTreeMap<String, Value>,
    /// Tags of vaults and plans, by ARN.
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    /// Logically air-gapped vaults created through the API, by vault ARN.
    pub vaults: BTreeMap<String, VaultRecord>,
    /// Report plans, in creation order.
    pub report_plans: Vec<ReportPlan>,
}

/// Whether a JSON document is a state document (by its `format`).
pub fn is_state_document(document: &Value) -> bool {
    document.get("format").and_then(Value::as_str) == Some(FORMAT)
}

/// The server's state as a document, serialized straight from the state (no copy of the world,
/// the jobs or a JSON tree of them: the document costs its bytes). [`StateDocument`] reads it
/// back; the two name the same members.
pub fn to_json(state: &ServerState) -> Result<Vec<u8>, serde_json::Error> {
    let now = state.now();
    let backup = &state.services.backup;
    let mut places: HashMap<*const Decision, usize> = HashMap::new();
    let mut decisions = Vec::new();
    let copy_jobs: Vec<CopyJobView<'_>> = backup
        .jobs
        .iter()
        .map(|job| {
            let decision = *places.entry(Arc::as_ptr(&job.decision)).or_insert_with(|| {
                decisions.push(DecisionView {
                    as_of: &job.decision.as_of,
                    checks: match &job.decision.restored_checks {
                        Some(checks) => ChecksView::Restored(checks),
                        None => ChecksView::Decided(&job.decision.checks),
                    },
                    failed_check: job.decision.failed_check,
                });
                decisions.len() - 1
            });
            CopyJobView {
                state: job.state(state.progression, now).as_str(),
                decision,
                record: job,
            }
        })
        .collect();
    let mut lifecycle_due: Vec<(i64, LifecycleStep, &String)> = backup.lifecycle_due.iter().collect();
    lifecycle_due.sort();
    let view = DocumentView {
        format: FORMAT,
        version: VERSION,
        world: state.world(),
        seed: state.seed,
        as_of: state.as_of.as_deref(),
        wording: state.wording,
        clock: ClockReading {
            now,
            iso8601: crate::clock::iso8601(now),
            start: state.clock.start(),
            scale: state.clock.scale(),
            advanced: state.clock.advanced(),
        },
        ids_drawn: state.ids.drawn(),
        decisions,
        copy_jobs,
        services: ServicesView {
            backup: BackupView {
                backup_jobs: backup.backup_jobs.iter().map(|job| &**job).collect(),
                backup_jobs_started: backup.backup_jobs_started,
                backup_running_until: backup
                    .backup_running_until
                    .iter()
                    .map(|(arn, until)| (arn.as_str(), *until))
                    .collect(),
                lifecycle_due,
                recovery_point_creators: backup
                    .recovery_point_creators
                    .iter()
                    .map(|(arn, creator)| (arn.as_str(), &**creator))
                    .collect(),
                tags: &backup.tags,
                vaults: &backup.vaults,
                report_plans: &backup.report_plans,
            },
            kms: &state.services.kms,
            organizations: &state.services.organizations,
            iam: &state.services.iam,
        },
    };
    serde_json::to_vec(&view)
}

/// [`StateDocument`], borrowed from the state to write it.
#[derive(Serialize)]
struct DocumentView<'a> {
    format: &'static str,
    version: u64,
    world: &'a World,
    seed: u64,
    as_of: Option<&'a str>,
    wording: Wording,
    clock: ClockReading,
    ids_drawn: u64,
    decisions: Vec<DecisionView<'a>>,
    copy_jobs: Vec<CopyJobView<'a>>,
    services: ServicesView<'a>,
}

/// [`DecisionEntry`], borrowed.
#[derive(Serialize)]
struct DecisionView<'a> {
    as_of: &'a str,
    checks: ChecksView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_check: Option<&'static str>,
}

/// A decision's checks: the engine's, or a restored job's JSON.
#[derive(Serialize)]
#[serde(untagged)]
enum ChecksView<'a> {
    Decided(&'a [Arc<copylab_rules::CheckReport>]),
    Restored(&'a Value),
}

/// [`CopyJobEntry`], borrowed.
#[derive(Serialize)]
struct CopyJobView<'a> {
    state: &'static str,
    decision: usize,
    record: &'a CopyJobRecord,
}

/// [`ServicesEntry`], borrowed.
#[derive(Serialize)]
struct ServicesView<'a> {
    backup: BackupView<'a>,
    kms: &'a kms::KmsState,
    organizations: &'a organizations::OrganizationsState,
    iam: &'a iam::IamState,
}

/// [`BackupEntry`], borrowed (maps in key order, so that the same state writes the same bytes).
#[derive(Serialize)]
struct BackupView<'a> {
    backup_jobs: Vec<&'a BackupJob>,
    backup_jobs_started: u64,
    backup_running_until: BTreeMap<&'a str, f64>,
    lifecycle_due: Vec<(i64, LifecycleStep, &'a String)>,
    recovery_point_creators: BTreeMap<&'a str, &'a Value>,
    tags: &'a BTreeMap<String, BTreeMap<String, String>>,
    vaults: &'a BTreeMap<String, VaultRecord>,
    report_plans: &'a [ReportPlan],
}

/// Why a text is not a state document this copylab reads.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentError {
    /// Line and column, 1-based, when the text says where.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{line}:{column}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Reads a state document from its text: a document of a newer version is refused before its
/// members are read, and a member that does not fit is named with its line and column.
pub fn parse(text: &str) -> Result<StateDocument, DocumentError> {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u64>,
    }
    let at = |e: serde_json::Error, what: &str| DocumentError {
        position: Some((e.line(), e.column())),
        message: format!("{what}: {e}"),
    };
    let plain = |message: String| DocumentError {
        position: None,
        message,
    };
    let head: Head = serde_json::from_str(text).map_err(|e| at(e, "not JSON"))?;
    if head.format.as_deref() != Some(FORMAT) {
        return Err(plain(format!(
            "not a copylab state document (`format` is not `{FORMAT}`)"
        )));
    }
    match head.version {
        Some(version) if version > VERSION => {
            return Err(plain(format!(
                "written by a newer copylab (state document version {version}; this copylab reads version {VERSION})"
            )));
        }
        Some(_) => {}
        None => return Err(plain("the state document has no `version`".to_owned())),
    }
    serde_json::from_str(text).map_err(|e| at(e, "not a state document"))
}

/// Replaces the server's state with a document's. Everything is checked before anything
/// changes: a refused document leaves the state as it was. The server's own options
/// (progression, clock scale) stay; its id stream goes on after the document's when they share
/// a seed.
pub fn restore(state: &mut ServerState, mut document: StateDocument) -> Result<(), String> {
    if document.format != FORMAT || document.version > VERSION {
        return Err(format!("not a copylab state document of version {VERSION} or older"));
    }
    copylab_rules::PreparedWorld::new(&document.world).map_err(|e| format!("the world is invalid: {e}"))?;
    if let Some(day) = &document.as_of
        && (day.len() != 10 || crate::clock::date_seconds(day).is_none())
    {
        return Err(format!("as_of `{day}` is not a YYYY-MM-DD date"));
    }
    let clock = &document.clock;
    if !(clock.start >= 0.0 && clock.now >= clock.start && clock.now <= crate::clock::LATEST) {
        return Err(format!(
            "clock: now {} and start {} are not epoch seconds with start <= now <= {} (9999-12-31T23:59:59Z)",
            clock.now,
            clock.start,
            crate::clock::LATEST
        ));
    }
    if document.ids_drawn > MAX_IDS_DRAWN {
        return Err(format!(
            "ids_drawn {} is more than a server draws ({MAX_IDS_DRAWN})",
            document.ids_drawn
        ));
    }
    let decisions = document
        .decisions
        .into_iter()
        .enumerate()
        .map(|(place, entry)| decision(entry).map_err(|why| format!("decisions[{place}]: {why}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut jobs = Vec::with_capacity(document.copy_jobs.len());
    let mut seen = std::collections::HashSet::new();
    for (place, entry) in document.copy_jobs.into_iter().enumerate() {
        let mut job = entry.record;
        job.decision = decisions
            .get(entry.decision)
            .cloned()
            .ok_or_else(|| format!("copy_jobs[{place}]: decision {} is not in `decisions`", entry.decision))?;
        if !seen.insert(job.id.clone()) {
            return Err(format!("copy_jobs[{place}]: a second job with id {}", job.id));
        }
        jobs.push(job);
    }
    related_jobs(&jobs)?;
    // A lifecycle step of a recovery point the world does not have would be looked for in every
    // recovery point when it comes due: it is dropped.
    let points: std::collections::HashSet<&str> = document
        .world
        .recovery_points
        .iter()
        .map(|rp| rp.arn.as_str())
        .collect();
    document
        .services
        .backup
        .lifecycle_due
        .retain(|(_, _, arn)| points.contains(arn.as_str()));
    let (start, now) = (clock.start, clock.now);
    let scale = state.clock.scale();
    state.replace_world(document.world, document.as_of, document.wording);
    state.clock = Clock::resumed(start, now, scale);
    // The document's jobs are every plan run until its now.
    state.plans_ran_until = now.floor() as i64;
    if document.seed == state.ids.seed() && document.ids_drawn > state.ids.drawn() {
        state.ids = copylab_rules::ids::IdGenerator::resume(document.seed, document.ids_drawn);
    }
    let ServicesEntry {
        backup: entry,
        kms,
        organizations,
        iam,
    } = document.services;
    let services = &mut state.services;
    (services.kms, services.organizations, services.iam) = (kms, organizations, iam);
    let backup = &mut services.backup;
    for job in jobs {
        backup.jobs.push(job);
    }
    backup.backup_jobs = entry.backup_jobs.into_iter().map(Arc::new).collect();
    backup.backup_jobs_started = entry.backup_jobs_started;
    backup.backup_running_until = entry.backup_running_until.into_iter().collect();
    backup.lifecycle_due = entry.lifecycle_due.into_iter().collect();
    // A rule's creator is one value shared by its recovery points, as when they were made.
    let mut creators: HashMap<String, Arc<Value>> = HashMap::new();
    backup.recovery_point_creators = entry
        .recovery_point_creators
        .into_iter()
        .map(|(arn, creator)| {
            let shared = creators.entry(creator.to_string()).or_insert_with(|| Arc::new(creator));
            (arn, Arc::clone(shared))
        })
        .collect();
    backup.tags = entry.tags;
    backup.vaults = entry.vaults;
    backup.report_plans = entry.report_plans;
    Ok(())
}

/// The most draws a restored id stream may have made: far more than a server makes (a draw
/// takes nanoseconds), far from where the stream would wrap round to ids it issued.
const MAX_IDS_DRAWN: u64 = 1 << 48;

/// Checks that the jobs' references are what copylab makes: a nested job's `parent` is a
/// composite job listing it among its `children`, a composite job is no one's nested job, and
/// `next` names another job. Anything else (a job its own child, a cycle) is refused: a job's
/// end follows its nested jobs' ends.
fn related_jobs(jobs: &[CopyJobRecord]) -> Result<(), String> {
    let by_id: HashMap<&str, &CopyJobRecord> = jobs.iter().map(|job| (job.id.as_str(), job)).collect();
    for job in jobs {
        let id = &job.id;
        if let Some(parent) = &job.parent {
            let named = by_id.get(parent.as_str()).copied();
            if !named.is_some_and(|p| p.parent.is_none() && p.children.iter().any(|c| c == id)) {
                return Err(format!(
                    "copy job {id}: its parent {parent} is not a composite job listing it"
                ));
            }
            if !job.children.is_empty() {
                return Err(format!("copy job {id}: a nested job has no nested jobs"));
            }
        }
        for child in &job.children {
            if by_id
                .get(child.as_str())
                .is_none_or(|c| c.parent.as_deref() != Some(id.as_str()))
            {
                return Err(format!(
                    "copy job {id}: its nested job {child} does not name it its parent"
                ));
            }
        }
        if let Some(next) = &job.next
            && (next == id || !by_id.contains_key(next.as_str()))
        {
            return Err(format!(
                "copy job {id}: the job waiting behind it, {next}, is not another job"
            ));
        }
    }
    Ok(())
}

/// A decision from its entry: the failed check named by one of the engine's ids.
fn decision(entry: DecisionEntry) -> Result<Arc<Decision>, String> {
    if !entry.checks.is_array() {
        return Err("`checks` is not a list".to_owned());
    }
    let failed_check = match entry.failed_check {
        None => None,
        Some(id) => Some(
            copylab_rules::checks::CHECKS
                .iter()
                .map(|check| check.id)
                .chain(["request"])
                .find(|known| *known == id)
                .ok_or_else(|| format!("failed_check `{id}` is not one of the engine's checks"))?,
        ),
    };
    Ok(Arc::new(Decision {
        as_of: entry.as_of,
        checks: Vec::new(),
        failed_check,
        restored_checks: Some(entry.checks),
    }))
}

/// A copy job's outcome in a state document: as the diagnosis shows it, read back with the
/// catalog's own message ids, categories and provenance.
pub mod outcome {
    use copylab_rules::Outcome;
    use copylab_rules::engine::DestinationRecoveryPoint;
    use copylab_rules::world::CopyJobState;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes it as the diagnosis does.
    pub fn serialize<S: Serializer>(outcome: &Outcome, serializer: S) -> Result<S::Ok, S::Error> {
        outcome.serialize(serializer)
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "snake_case")]
    struct Entry {
        kind: String,
        copy_job_id: String,
        state: CopyJobState,
        #[serde(default)]
        status_message: Option<String>,
        message_category: String,
        #[serde(default)]
        message_id: Option<String>,
        /// Read from the catalog by `message_id`, not from the document.
        #[serde(default, rename = "provenance")]
        _provenance: Option<serde_json::Value>,
        #[serde(default)]
        other_wordings: Vec<String>,
        #[serde(default)]
        destination_recovery_point: Option<DestinationRecoveryPoint>,
    }

    /// Reads it back: the message id must be the catalog's, the category one a job can have.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Outcome, D::Error> {
        use serde::de::Error;
        let entry = Entry::deserialize(deserializer)?;
        if entry.kind != "copy-job" {
            return Err(D::Error::custom(format!(
                "outcome kind `{}`: a copy job's outcome is `copy-job`",
                entry.kind
            )));
        }
        let message = match &entry.message_id {
            None => None,
            Some(id) => Some(
                copylab_rules::catalog::message(id)
                    .ok_or_else(|| D::Error::custom(format!("message_id `{id}` is not in the catalog")))?,
            ),
        };
        let category = categories()
            .find(|known| *known == entry.message_category)
            .ok_or_else(|| {
                D::Error::custom(format!(
                    "message_category `{}` is not one a copy job has",
                    entry.message_category
                ))
            })?;
        Ok(Outcome::CopyJob {
            copy_job_id: entry.copy_job_id,
            state: entry.state,
            status_message: entry.status_message,
            message_category: category,
            message_id: message.map(|m| m.id),
            provenance: message.map(|m| m.provenance),
            other_wordings: entry.other_wordings,
            destination_recovery_point: entry.destination_recovery_point,
        })
    }

    /// The categories a copy job can have: `SUCCESS`, `MISCELLANEOUS` and the catalog's.
    fn categories() -> impl Iterator<Item = &'static str> {
        ["SUCCESS", "MISCELLANEOUS"]
            .into_iter()
            .chain(
                copylab_rules::catalog::MESSAGES
                    .iter()
                    .filter_map(|m| match m.delivery {
                        copylab_rules::catalog::Delivery::FailedJob { category } => Some(category),
                        copylab_rules::catalog::Delivery::ApiError { .. } => None,
                    }),
            )
    }
}

//! AWS Backup's state beyond the world: copy jobs with their lifecycle, backup jobs, tags of resources other than recovery points, resources declared at run time, and logically air-gapped vaults' creation (`VaultState`).

use std::sync::Arc;

use copylab_rules::engine::{CheckReport, Outcome, Verdict};
use copylab_rules::world::{CopyJobState, StartCopyJob};

/// What AWS Backup keeps beyond the world.
#[derive(Debug, Clone, Default)]
pub struct BackupState {
    /// Copy jobs, in start order, indexed by id.
    pub jobs: CopyJobs,
    /// Backup jobs, as `DescribeBackupJob` shows them, in creation order; forgotten 30 days
    /// after they end ([`BackupState::expire_backup_jobs`]); each shared with the events that
    /// show it.
    pub backup_jobs: std::collections::VecDeque<Arc<super::backup_jobs::BackupJob>>,
    /// How many backup jobs were ever started, those forgotten included.
    pub backup_jobs_started: u64,
    /// The EventBridge events of AWS Backup, in virtual time.
    pub events: super::events::EventLog,
    /// The SNS notifications vaults' topics were sent, in virtual time.
    pub notifications: super::notifications::NotificationLog,
    /// When the last backup job of each resource (by ARN) ends: a job started before then
    /// finds a running job for the same resource.
    pub backup_running_until: hashbrown::HashMap<String, f64>,
    /// Recovery points' lifecycle steps due on the clock: the move to cold storage and the
    /// deletion their `Lifecycle` asks for.
    pub lifecycle_due: LifecycleDue,
    /// The `CreatedBy` (AWS's `RecoveryPointCreator`) of each recovery point a plan's rule
    /// made, by recovery point ARN: kept with the recovery point, after its backup job is
    /// forgotten; a rule's creator is one value shared by its recovery points.
    pub recovery_point_creators: hashbrown::HashMap<String, std::sync::Arc<serde_json::Value>>,
    /// The `CreatedBy` each plan's rule last gave its jobs, with what it was made of, by a hash
    /// of that: the next run of the same rule shares it while the plan's strings it is made of
    /// are the same (a year of nightly runs holds one per rule, not one per night).
    pub rule_creators: hashbrown::HashMap<u64, (Vec<Option<String>>, std::sync::Arc<serde_json::Value>)>,
    /// Backup jobs forgotten, to free off the request's thread.
    pub gone_backup_jobs: crate::drops::Later<Arc<super::backup_jobs::BackupJob>>,
    /// Tags of AWS Backup resources other than recovery points (vaults, plans), by ARN.
    pub tags: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Logically air-gapped vaults created through the API, by vault ARN.
    pub vaults: std::collections::BTreeMap<String, VaultRecord>,
    /// Report plans (Backup Audit Manager), in creation order.
    pub report_plans: Vec<super::report_plans::ReportPlan>,
}

/// Recovery points' lifecycle steps due on the clock, by when (epoch seconds) and step, the
/// recovery points of each in the order they were scheduled: taking what is due costs what is
/// due (a night's recovery points are due at the same second, and a heap ordered by ARN
/// compared their ARNs at each step).
#[derive(Debug, Clone, Default)]
pub struct LifecycleDue(std::collections::BTreeMap<(i64, LifecycleStep), Vec<String>>);

impl LifecycleDue {
    /// Schedules `step` of recovery point `arn` at `due`.
    pub fn push(&mut self, due: i64, step: LifecycleStep, arn: String) {
        self.0.entry((due, step)).or_default().push(arn);
    }

    /// Takes the steps due by `now`, earliest first.
    pub fn take_due(&mut self, now: i64) -> Vec<(LifecycleStep, String)> {
        let later = self.0.split_off(&(now.saturating_add(1), LifecycleStep::Cold));
        let due = std::mem::replace(&mut self.0, later);
        due.into_iter()
            .flat_map(|((_, step), arns)| arns.into_iter().map(move |arn| (step, arn)))
            .collect()
    }

    /// Every step scheduled: (when, step, recovery point ARN), by when and step.
    pub fn iter(&self) -> impl Iterator<Item = (i64, LifecycleStep, &String)> {
        self.0
            .iter()
            .flat_map(|(&(due, step), arns)| arns.iter().map(move |arn| (due, step, arn)))
    }
}

impl FromIterator<(i64, LifecycleStep, String)> for LifecycleDue {
    fn from_iter<I: IntoIterator<Item = (i64, LifecycleStep, String)>>(steps: I) -> Self {
        let mut due = LifecycleDue::default();
        for (at, step, arn) in steps {
            due.push(at, step, arn);
        }
        due
    }
}

/// A recovery point's lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LifecycleStep {
    /// `MoveToColdStorageAfterDays` reached: the recovery point is in cold storage (which no
    /// copy takes).
    Cold,
    /// `DeleteAfterDays` reached: the recovery point is deleted.
    Delete,
}

/// How long a backup job's record is kept after it ends: `ListBackupJobs` "Returns a list of
/// existing backup jobs for an authenticated account for the last 30 days" (the model).
pub const BACKUP_JOB_RECORD_SECONDS: f64 = 30.0 * 24.0 * 3600.0;

impl BackupState {
    /// Forgets the backup jobs that ended 30 days or more before `now`, oldest first (a job
    /// made out of order is forgotten when the ones before it are).
    pub fn expire_backup_jobs(&mut self, now: f64) {
        while self
            .backup_jobs
            .front()
            .is_some_and(|job| job.completion_date + BACKUP_JOB_RECORD_SECONDS <= now)
        {
            if let Some(job) = self.backup_jobs.pop_front() {
                self.gone_backup_jobs.free_later(job);
            }
        }
    }
}

/// How long a logically air-gapped vault stays `CREATING`, in seconds of the virtual clock:
/// modeled. AWS says the vault is `CREATING` until "the KMS encrypted key has been assigned",
/// and its console that "The KMS key will be available approximately 1 to 3 minutes after the
/// vault creation" (aws-plans-policies-events-facts.md §4.1); copylab takes the lower bound.
pub const LAG_CREATING_SECONDS: f64 = 60.0;

/// What AWS Backup keeps of a logically air-gapped vault created through the API beyond the
/// world's vault.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultRecord {
    /// `CreationDate` (and `LockDate`: the vault is locked from creation), epoch seconds.
    pub created: f64,
    /// `CreatorRequestId`.
    pub creator_request_id: Option<String>,
}

impl VaultRecord {
    /// `VaultState` at `now`: `CREATING` for [`LAG_CREATING_SECONDS`], then `AVAILABLE`.
    pub fn state(&self, now: f64) -> &'static str {
        if now < self.created + LAG_CREATING_SECONDS {
            "CREATING"
        } else {
            "AVAILABLE"
        }
    }
}

/// How a copy job moves from CREATED to its end state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progression {
    /// The end state at once.
    Instant,
    /// CREATED on the first `DescribeCopyJob`, RUNNING until the N-th, the end state after.
    Polls(u32),
    /// In virtual time: a copy takes 10 minutes divided by the scale.
    Realtime(f64),
}

impl Progression {
    /// Parses `instant`, `polls:N` or `realtime:SCALE`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "instant" => Ok(Progression::Instant),
            Some(("polls", n)) => n
                .parse()
                .map(Progression::Polls)
                .map_err(|_| format!("`{n}` is not a number of polls")),
            Some(("realtime", scale)) => match scale.parse::<f64>() {
                Ok(s) if s > 0.0 && s.is_finite() => Ok(Progression::Realtime(s)),
                _ => Err(format!("`{scale}` is not a positive scale")),
            },
            _ => Err(format!(
                "progression `{text}` is not instant, polls:N or realtime:SCALE"
            )),
        }
    }
}

/// Copy jobs in start order, with an index by id, so that a job is found and a page resumed
/// without reading every job kept. Jobs are added at the end and leave from the front only
/// (the lab keeps its sessions' last jobs), a night's expired jobs without moving those kept
/// behind them; read them as a `VecDeque` (a page reads its two slices).
#[derive(Debug, Clone, Default)]
pub struct CopyJobs {
    jobs: std::collections::VecDeque<CopyJobRecord>,
    /// How many jobs left from the front: a job's place is its number minus this.
    left: u64,
    /// Each job's number (its place when nothing has left), by id.
    numbers: hashbrown::HashMap<String, u64>,
    /// The last distinct decisions, to share ([`CopyJobs::share`]).
    recent: Vec<Arc<Decision>>,
    /// Checks kept once for every decision that has an equal one, by fingerprint
    /// ([`CopyJobs::share`]); while they are lent ([`CopyJobs::lend_checks`]), those of the
    /// batch's decisions.
    checks: KeptChecks,
    /// The number of the last job started for each resource (account, Region and resource ARN,
    /// [`ResourceKey`]): the one a new job of the same resource waits behind while it has not
    /// ended.
    last_of_resource: hashbrown::HashMap<ResourceKey, u64>,
    /// Jobs that left, to free off the request's thread.
    pub gone: crate::drops::Later<CopyJobRecord>,
}

impl CopyJobs {
    /// How many jobs were ever added, those forgotten included.
    pub fn added(&self) -> u64 {
        self.left + self.jobs.len() as u64
    }

    /// Adds a job at the end.
    pub fn push(&mut self, job: CopyJobRecord) {
        let number = self.left + self.jobs.len() as u64;
        self.numbers.insert(job.id.clone(), number);
        if let Some(key) = job.resource_key() {
            // A resource's next job finds its key there: nothing is made for it.
            match self.last_of_resource.get_mut(&key) {
                Some(last) => *last = number,
                None => {
                    self.last_of_resource.insert(key.to_owned(), number);
                }
            }
        }
        self.jobs.push_back(job);
    }

    /// The job a new job of `resource_arn` (started by `account` in `region`) must wait
    /// behind at virtual time `now`: the last job of that resource, while it has not ended.
    /// "Only one backup or copy job can run at a time for a given resource. Additional copy
    /// jobs for the same resource remain in `CREATED` status until the running job completes."
    /// (aws-org-wire-facts.md §6.1). Jobs are a resource's when the same account started them
    /// in the same Region (copylab's reading: AWS does not say whether a copy of a copy in
    /// another account counts).
    pub fn running_for(
        &self,
        account: &str,
        region: &str,
        resource_arn: &str,
        progression: Progression,
        now: f64,
    ) -> Option<&CopyJobRecord> {
        let number = self
            .last_of_resource
            .get(&ResourceRef::of(account, region, resource_arn)?)?;
        let job = self.jobs.get(self.place(*number)?)?;
        (job.state(progression, now) != job.end_state()).then_some(job)
    }

    /// Lets `waiter` (the job waiting behind one that ended) run from virtual time `from`.
    pub fn release(&mut self, waiter: Option<String>, from: f64) {
        let Some(index) = waiter.and_then(|id| self.position(&id)) else {
            return;
        };
        let job = &mut self.jobs[index];
        job.waiting = false;
        job.runs_from = job.runs_from.max(from);
    }

    /// Removes the oldest job, if any.
    pub fn remove_oldest(&mut self) {
        let Some(job) = self.jobs.pop_front() else {
            return;
        };
        self.forget(&job);
        self.left += 1;
        self.release(job.next, f64::MIN);
    }

    /// Removes a job that left from the indexes.
    fn forget(&mut self, job: &CopyJobRecord) {
        let Some(number) = self.numbers.remove(&job.id) else {
            return;
        };
        if let Some(key) = job.resource_key()
            && self.last_of_resource.get(&key) == Some(&number)
        {
            self.last_of_resource.remove(&key);
        }
    }

    /// The place of the job with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.place(*self.numbers.get(id)?)
            .filter(|i| self.jobs.get(*i).is_some_and(|job| job.id == id))
    }

    /// The place of the job with this number, if it is kept.
    fn place(&self, number: u64) -> Option<usize> {
        usize::try_from(number.checked_sub(self.left)?)
            .ok()
            .filter(|i| *i < self.jobs.len())
    }
}

/// How long a finished copy job is kept: "Copy job records expire and are removed 30 days after
/// they finish. After this period, you cannot use `ListCopyJobs` to determine historical copy
/// status." (facts aws-plans-policies-events §1.7).
pub const COPY_JOB_RECORD_SECONDS: f64 = 30.0 * 24.0 * 3600.0;

/// The most copy jobs one server keeps (copylab's bound, not AWS's: AWS documents none beyond
/// the 30 days): starting one more forgets the oldest, so that no client can grow the server's
/// memory without bound (docs/security.md).
pub const MAX_COPY_JOBS: usize = 100_000;

impl CopyJobs {
    /// Forgets the jobs AWS would have removed by virtual time `now` (30 days after they
    /// finished, oldest first) and, beyond [`MAX_COPY_JOBS`], the oldest.
    pub fn expire(&mut self, progression: Progression, now: f64) {
        self.expire_beyond(progression, now, MAX_COPY_JOBS);
    }

    /// [`CopyJobs::expire`] keeping at most `max` jobs.
    fn expire_beyond(&mut self, progression: Progression, now: f64, max: usize) {
        let over = self.jobs.len().saturating_sub(max);
        let expired = self
            .jobs
            .iter()
            .skip(over)
            .take_while(|job| {
                job.state(progression, now) == job.end_state()
                    && job.completed(progression) + COPY_JOB_RECORD_SECONDS <= now
            })
            .count();
        let gone = over + expired;
        if gone == 0 {
            return;
        }
        let gone: Vec<CopyJobRecord> = self.jobs.drain(..gone).collect();
        self.left += gone.len() as u64;
        for mut job in gone {
            self.forget(&job);
            // A job forgotten before it ended (beyond the bound) no longer holds its resource.
            self.release(job.next.take(), f64::MIN);
            self.gone.free_later(job);
        }
    }
}

impl std::ops::Deref for CopyJobs {
    type Target = std::collections::VecDeque<CopyJobRecord>;

    fn deref(&self) -> &std::collections::VecDeque<CopyJobRecord> {
        &self.jobs
    }
}

impl<'a> IntoIterator for &'a CopyJobs {
    type Item = &'a CopyJobRecord;
    type IntoIter = std::collections::vec_deque::Iter<'a, CopyJobRecord>;

    fn into_iter(self) -> Self::IntoIter {
        self.jobs.iter()
    }
}

/// Jobs change in place (polls, end states); their ids and order do not.
impl CopyJobs {
    /// The job at place `index`, to change.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut CopyJobRecord> {
        self.jobs.get_mut(index)
    }

    /// Every job, to change.
    pub fn iter_mut(&mut self) -> std::collections::vec_deque::IterMut<'_, CopyJobRecord> {
        self.jobs.iter_mut()
    }
}

impl std::ops::IndexMut<usize> for CopyJobs {
    fn index_mut(&mut self, index: usize) -> &mut CopyJobRecord {
        &mut self.jobs[index]
    }
}

impl std::ops::Index<usize> for CopyJobs {
    type Output = CopyJobRecord;

    fn index(&self, index: usize) -> &CopyJobRecord {
        &self.jobs[index]
    }
}

/// What decided a copy job beyond its outcome: the date AWS's behaviour was modelled at, every
/// check with its evidence and remedy, and the check that failed. Most of a job's memory (about
/// 8 KB as JSON), and the same for every job of a loop that repeats one copy: jobs share it.
/// Jobs decided differently share the checks they agree on, so what a job adds is the checks
/// that differ (usually those that name the resource or the request's own values).
#[derive(Debug, PartialEq)]
pub struct Decision {
    /// [`Verdict::as_of`].
    pub as_of: String,
    /// [`Verdict::checks`], each shared with the decisions that have an equal one.
    pub checks: Vec<Arc<CheckReport>>,
    /// [`Verdict::failed_check`].
    pub failed_check: Option<&'static str>,
    /// For a job restored from a state document (`crate::state_document`): its checks as the
    /// document showed them, `checks` being empty (a check's texts are the engine's templates,
    /// which JSON does not give back).
    pub restored_checks: Option<serde_json::Value>,
}

/// How many distinct decisions [`CopyJobs::share`] remembers to share.
const RECENT_DECISIONS: usize = 16;

/// How many distinct checks [`CopyJobs::share`] remembers to share: beyond it, the checks no
/// job holds any more are forgotten, and if that is not enough, all (jobs keep theirs). Enough
/// for the checks that stay the same night after night for each of a thousand accounts' plans
/// (most of a copy's checks name its account, key and vaults, not its recovery point); what
/// it keeps beyond the checks jobs hold is bounded by it.
const SHARED_CHECKS: usize = 32_768;

/// Checks kept to share, by [`fingerprint`] (a hash already: Fx, not SipHash, hashes it again;
/// fingerprints that collide keep one check, so no chain grows).
pub type KeptChecks = hashbrown::HashMap<u64, Arc<CheckReport>, rustc_hash::FxBuildHasher>;

/// A verdict with its checks ready to share ([`CopyJobs::share`]), made where the verdict is
/// made (a night's copies are decided on the machine's cores, their checks' fingerprints and
/// the lookup of the checks already kept included).
#[derive(Debug, Clone)]
pub struct Decided {
    /// The engine's verdict, its checks moved to `checks`.
    pub verdict: Verdict,
    /// Its checks, in order.
    checks: Vec<SharedCheck>,
}

/// A check of a [`Decided`] verdict.
#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "held for one batch; boxing a new check would add an allocation where most are kept"
)]
enum SharedCheck {
    /// An equal check the jobs already keep.
    Kept(Arc<CheckReport>),
    /// A check to share, with its [`fingerprint`].
    New(CheckReport, u64),
}

impl From<Verdict> for Decided {
    fn from(verdict: Verdict) -> Self {
        Decided::sharing(verdict, None)
    }
}

impl Decided {
    /// `verdict`, each of its checks found among the `kept` ones where there is an equal one
    /// (the copy's own checks are dropped here, on the thread that made them).
    pub fn sharing(mut verdict: Verdict, kept: Option<&KeptChecks>) -> Self {
        let checks = std::mem::take(&mut verdict.checks)
            .into_iter()
            .map(|check| {
                let fingerprint = fingerprint(&check);
                match kept.and_then(|kept| kept_check(kept, &check, fingerprint)) {
                    Some(kept) => SharedCheck::Kept(Arc::clone(kept)),
                    None => SharedCheck::New(check, fingerprint),
                }
            })
            .collect();
        Decided { verdict, checks }
    }

    /// The verdict, its checks back in it.
    pub fn into_verdict(self) -> Verdict {
        let Decided { mut verdict, checks } = self;
        verdict.checks = checks
            .into_iter()
            .map(|check| match check {
                SharedCheck::Kept(kept) => Arc::unwrap_or_clone(kept),
                SharedCheck::New(check, _) => check,
            })
            .collect();
        verdict
    }

    /// The verdict whole, its checks back in it, as a copy.
    pub fn whole(&self) -> Verdict {
        self.clone().into_verdict()
    }
}

/// What tells a check from another ([`CopyJobs::share`]): Fx, fast, where a collision only
/// misses a share, since a kept check is compared whole before it is shared. Equal checks made
/// by the same engine have equal fingerprints: it hashes part of what equality compares. The
/// remedy is left out (it has floats), and so are the evidence's templates (a text's id names
/// its template); the evidence's arguments count by the hash each text took of them when it was
/// made, and its ids by their address (each id is written at one place in the engine; an equal
/// id at another address would only miss a share).
pub fn fingerprint(check: &CheckReport) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    (check.id, check.result, &check.message).hash(&mut hasher);
    for text in &check.evidence {
        (text.id.as_ptr() as usize, text.args_hash()).hash(&mut hasher);
    }
    hasher.finish()
}

impl CopyJobs {
    /// A job's outcome, and its decision shared with a recent job's when they are equal.
    pub fn share(&mut self, decided: impl Into<Decided>) -> (Outcome, Arc<Decision>) {
        let Decided { verdict, checks } = decided.into();
        let Verdict {
            as_of,
            outcome,
            failed_check,
            ..
        } = verdict;
        let checks = checks
            .into_iter()
            .map(|check| match check {
                SharedCheck::Kept(kept) => kept,
                SharedCheck::New(check, fingerprint) => self.share_check(check, fingerprint),
            })
            .collect();
        let decision = Decision {
            as_of,
            checks,
            failed_check,
            restored_checks: None,
        };
        // Equal checks are one shared check: comparing pointers compares them (a check shared
        // no more, after the bound, only misses a share).
        let same = |d: &Decision| {
            d.as_of == decision.as_of
                && d.failed_check == decision.failed_check
                && d.checks.len() == decision.checks.len()
                && d.checks.iter().zip(&decision.checks).all(|(a, b)| Arc::ptr_eq(a, b))
        };
        if let Some(found) = self.recent.iter().find(|d| same(d)) {
            return (outcome, Arc::clone(found));
        }
        let decision = Arc::new(decision);
        if self.recent.len() >= RECENT_DECISIONS {
            self.recent.remove(0);
        }
        self.recent.push(Arc::clone(&decision));
        (outcome, decision)
    }

    /// The checks kept to share, for the threads deciding a batch (to find its checks among them
    /// while [`CopyJobs::share`] keeps the batch's new ones apart), until
    /// [`CopyJobs::return_checks`].
    pub fn lend_checks(&mut self) -> Arc<KeptChecks> {
        Arc::new(std::mem::take(&mut self.checks))
    }

    /// Takes back the checks [`CopyJobs::lend_checks`] lent, with those kept meanwhile.
    pub fn return_checks(&mut self, lent: Arc<KeptChecks>) {
        let mut kept = Arc::unwrap_or_clone(lent);
        kept.extend(self.checks.drain());
        self.checks = kept;
        self.bound_checks();
    }

    /// Keeps the checks kept to share within [`SHARED_CHECKS`]: beyond it, those no job holds
    /// any more are forgotten, and if that is not enough, all (jobs keep theirs).
    fn bound_checks(&mut self) {
        if self.checks.len() >= SHARED_CHECKS {
            self.checks.retain(|_, kept| Arc::strong_count(kept) > 1);
            if self.checks.len() >= SHARED_CHECKS {
                self.checks.clear();
            }
        }
    }

    /// The kept checks: to decide copies by ([`Decided::sharing`]).
    pub fn kept_checks(&self) -> &KeptChecks {
        &self.checks
    }

    /// `check`, or the equal check a decision already holds.
    fn share_check(&mut self, check: CheckReport, fingerprint: u64) -> Arc<CheckReport> {
        if let Some(kept) = kept_check(&self.checks, &check, fingerprint) {
            return Arc::clone(kept);
        }
        self.bound_checks();
        let check = Arc::new(check);
        self.checks.insert(fingerprint, Arc::clone(&check));
        check
    }
}

/// The check of `kept` equal to `check`, whose fingerprint is `fingerprint`.
fn kept_check<'k>(kept: &'k KeptChecks, check: &CheckReport, fingerprint: u64) -> Option<&'k Arc<CheckReport>> {
    kept.get(&fingerprint).filter(|kept| ***kept == *check)
}

/// A copy job the server runs; a state document (`crate::state_document`) carries it as it
/// serializes, its decision apart.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyJobRecord {
    /// `CopyJobId`.
    pub id: String,
    /// The account that started it.
    pub account: String,
    /// The Region it was started in.
    pub region: String,
    /// The request.
    pub request: StartCopyJob,
    /// How the copy ends (this job's ids in it).
    #[serde(with = "crate::state_document::outcome")]
    pub outcome: Outcome,
    /// What decided it, shared with the jobs whose checks are equal ([`CopyJobs::share`]); a
    /// state document lists decisions apart, once each.
    #[serde(skip, default = "Decision::none")]
    pub decision: Arc<Decision>,
    /// `CreationDate`, epoch seconds.
    pub created: f64,
    /// When it was started on the wall clock: only the lab's live list orders by it (sessions
    /// have clocks of their own); no timestamp is taken from it.
    #[serde(skip, default = "std::time::Instant::now")]
    pub started: std::time::Instant,
    /// How many times `DescribeCopyJob` has read it.
    pub polls: u32,
    /// Whether its end state has been applied to the world (destination recovery point).
    pub finished: bool,
    /// `ResourceType` and `ResourceArn` of the source.
    pub resource_type: String,
    /// The source resource.
    pub resource_arn: String,
    /// `ResourceName` and `BackupSizeInBytes`: the source recovery point's, as the world declares them.
    pub resource_name: Option<String>,
    /// See `resource_name`.
    pub backup_size_in_bytes: Option<u64>,
    /// `SourceBackupVaultArn`.
    pub source_vault_arn: String,
    /// The `IdempotencyToken` it was started with.
    pub idempotency_token: Option<String>,
    /// Under `polls:N`, whether it waits behind a job of the same resource that has not ended
    /// ([`CopyJobs::running_for`]): it stays CREATED and its polls do not count.
    pub waiting: bool,
    /// When it starts to run (virtual epoch seconds): its creation, or the end of the job of
    /// the same resource it waited behind.
    pub runs_from: f64,
    /// The job of the same resource waiting behind it, released when it ends.
    pub next: Option<String>,
    /// `ParentJobId`: the composite job of a nested job.
    pub parent: Option<String>,
    /// `CompositeMemberIdentifier`: a nested job's resource's logical ID in its stack.
    pub composite_member_identifier: Option<String>,
    /// A composite job's nested jobs, in start order (`IsParent`, `NumberOfChildJobs`).
    pub children: Vec<String>,
    /// How many of its nested jobs have not been seen to end: a composite job runs until they
    /// have.
    pub pending_children: usize,
    /// When its last nested job ends (virtual epoch seconds; on the clock, known when it starts).
    pub children_completed: f64,
    /// `CreatedBy` (AWS's `RecoveryPointCreator`), for a copy a plan's rule started.
    pub created_by: Option<Arc<serde_json::Value>>,
    /// `CreatedByBackupJobId`, for a copy a plan's rule started.
    pub created_by_backup_job_id: Option<String>,
    /// What its events show of it, made when it started: its end's events share them while its
    /// outcome is the one it started with ([`crate::state::ServerState::finish`]).
    #[serde(skip)]
    pub facts: Option<Arc<super::events::CopyJobFacts>>,
}

/// The key of the jobs of one resource ([`CopyJobs::running_for`]): the account that started
/// them, the Region and the resource's ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ResourceKey {
    account: String,
    region: String,
    resource_arn: String,
}

/// A [`ResourceKey`] to look up, borrowed: it hashes as the key it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ResourceRef<'a> {
    account: &'a str,
    region: &'a str,
    resource_arn: &'a str,
}

impl<'a> ResourceRef<'a> {
    /// The key of a job of `resource_arn`; none for a job whose resource copylab does not
    /// know.
    fn of(account: &'a str, region: &'a str, resource_arn: &'a str) -> Option<Self> {
        (!resource_arn.is_empty()).then_some(ResourceRef {
            account,
            region,
            resource_arn,
        })
    }

    fn to_owned(self) -> ResourceKey {
        ResourceKey {
            account: self.account.to_owned(),
            region: self.region.to_owned(),
            resource_arn: self.resource_arn.to_owned(),
        }
    }
}

impl hashbrown::Equivalent<ResourceKey> for ResourceRef<'_> {
    fn equivalent(&self, key: &ResourceKey) -> bool {
        self.account == key.account && self.region == key.region && self.resource_arn == key.resource_arn
    }
}

impl Decision {
    /// No decision yet: a restored job's, until its own is put in.
    pub fn none() -> Arc<Decision> {
        Arc::new(Decision {
            as_of: String::new(),
            checks: Vec::new(),
            failed_check: None,
            restored_checks: Some(serde_json::Value::Array(Vec::new())),
        })
    }
}

impl CopyJobRecord {
    /// The end state the engine decided.
    pub fn end_state(&self) -> CopyJobState {
        self.outcome.state().unwrap_or(CopyJobState::Failed)
    }

    /// The diagnosis `GET /_copylab/copy-jobs/{id}/diagnosis` shows: the engine's verdict as
    /// JSON, or for a job restored from a state document, the checks the document gave.
    pub fn diagnosis(&self) -> serde_json::Value {
        let Some(checks) = &self.decision.restored_checks else {
            return serde_json::to_value(self.verdict()).unwrap_or_default();
        };
        let mut body = serde_json::json!({
            "as_of": self.decision.as_of,
            "outcome": self.outcome,
            "checks": checks,
        });
        if let Some(failed) = self.decision.failed_check {
            body["failed_check"] = serde_json::json!(failed);
        }
        body
    }

    /// The engine's verdict, whole (for a diagnosis; a restored job's has no checks: see
    /// [`CopyJobRecord::diagnosis`]).
    pub fn verdict(&self) -> Verdict {
        Verdict {
            as_of: self.decision.as_of.clone(),
            outcome: self.outcome.clone(),
            checks: self
                .decision
                .checks
                .iter()
                .map(|check| CheckReport::clone(check))
                .collect(),
            failed_check: self.decision.failed_check,
        }
    }

    /// The key of its resource's jobs ([`CopyJobs::running_for`]).
    fn resource_key(&self) -> Option<ResourceRef<'_>> {
        ResourceRef::of(&self.account, &self.region, &self.resource_arn)
    }

    /// Its `CompletionDate` once it has ended (modeled): under `realtime:SCALE`, when the clock
    /// ends it (10 minutes divided by the scale after it starts to run); otherwise a minute
    /// after it starts to run.
    pub fn completed(&self, progression: Progression) -> f64 {
        let own = match progression {
            Progression::Realtime(scale) => self.runs_from + 600.0 / scale,
            _ => self.runs_from + 60.0,
        };
        own.max(self.children_completed)
    }

    /// The state at virtual time `now`, under `progression`, without counting a poll. A job
    /// waiting behind another of the same resource is CREATED until that one ends.
    pub fn state(&self, progression: Progression, now: f64) -> CopyJobState {
        let own = self.own_state(progression, now);
        // A composite job runs until its nested jobs have ended.
        let children_running = match progression {
            Progression::Instant => false,
            Progression::Polls(_) => self.pending_children > 0,
            Progression::Realtime(_) => now < self.children_completed,
        };
        if own == self.end_state() && children_running {
            CopyJobState::Running
        } else {
            own
        }
    }

    /// The state its own progression gives, its nested jobs aside.
    fn own_state(&self, progression: Progression, now: f64) -> CopyJobState {
        match progression {
            Progression::Instant => self.end_state(),
            Progression::Polls(_) if self.waiting => CopyJobState::Created,
            Progression::Polls(n) => match self.polls {
                p if p > n => self.end_state(),
                0 | 1 => CopyJobState::Created,
                _ => CopyJobState::Running,
            },
            Progression::Realtime(scale) => {
                let duration = 600.0 / scale;
                let elapsed = now - self.runs_from;
                if elapsed >= duration {
                    self.end_state()
                } else if elapsed < duration / 10.0 {
                    CopyJobState::Created
                } else {
                    CopyJobState::Running
                }
            }
        }
    }
}

/// A resource (the world's).
pub use copylab_rules::world::Resource;

#[cfg(test)]
mod tests {
    use super::*;
    use copylab_rules::engine::Options;

    #[test]
    fn progression_parses() {
        assert_eq!(Progression::parse("instant"), Ok(Progression::Instant));
        assert_eq!(Progression::parse("polls:3"), Ok(Progression::Polls(3)));
        assert_eq!(Progression::parse("realtime:60"), Ok(Progression::Realtime(60.0)));
        assert!(Progression::parse("polls:x").is_err());
        assert!(Progression::parse("later").is_err());
    }

    fn job(polls: u32) -> CopyJobRecord {
        let world = copylab_rules::World::default();
        let request = StartCopyJob {
            account: "111122223333".into(),
            caller: None,
            region: "us-east-1".into(),
            recovery_point_arn: None,
            source_backup_vault_name: None,
            destination_backup_vault_arn: None,
            iam_role_arn: None,
            lifecycle: None,
        };
        let verdict = copylab_rules::simulate(&world, &request, &Options::default()).unwrap();
        let (outcome, decision) = CopyJobs::default().share(verdict);
        CopyJobRecord {
            id: "job".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            request,
            outcome,
            decision,
            created: 0.0,
            started: std::time::Instant::now(),
            polls,
            finished: false,
            resource_type: String::new(),
            resource_arn: String::new(),
            resource_name: None,
            backup_size_in_bytes: None,
            source_vault_arn: String::new(),
            idempotency_token: None,
            waiting: false,
            runs_from: 0.0,
            next: None,
            parent: None,
            composite_member_identifier: None,
            children: Vec::new(),
            pending_children: 0,
            children_completed: 0.0,
            created_by: None,
            created_by_backup_job_id: None,
            facts: None,
        }
    }

    #[test]
    fn realtime_progression_follows_the_clock() {
        // A copy takes 600 s / scale: at a huge scale it has ended, at a tiny one it just began.
        assert_eq!(job(0).state(Progression::Realtime(1e12), 1.0), job(0).end_state());
        assert_eq!(job(0).state(Progression::Realtime(1e-6), 1.0), CopyJobState::Created);
    }

    #[test]
    fn polls_progression_counts_describes() {
        let states: Vec<CopyJobState> = (1..=4).map(|p| job(p).state(Progression::Polls(2), 0.0)).collect();
        let end = job(0).end_state();
        assert_eq!(states, [CopyJobState::Created, CopyJobState::Running, end, end]);
    }

    fn job_at(id: &str, created: f64) -> CopyJobRecord {
        CopyJobRecord {
            id: id.to_owned(),
            created,
            runs_from: created,
            ..job(0)
        }
    }

    #[test]
    fn lifecycle_steps_are_taken_when_due_earliest_first_and_not_before() {
        let mut due: LifecycleDue = [
            (20, LifecycleStep::Delete, "c".to_owned()),
            (10, LifecycleStep::Delete, "b".to_owned()),
            (10, LifecycleStep::Cold, "a".to_owned()),
            (11, LifecycleStep::Cold, "d".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(due.take_due(9), []);
        assert_eq!(
            due.take_due(10),
            [
                (LifecycleStep::Cold, "a".to_owned()),
                (LifecycleStep::Delete, "b".to_owned())
            ]
        );
        assert_eq!(due.take_due(10), []);
        let left: Vec<(i64, LifecycleStep, &String)> = due.iter().collect();
        assert_eq!(
            left,
            [
                (11, LifecycleStep::Cold, &"d".to_owned()),
                (20, LifecycleStep::Delete, &"c".to_owned())
            ]
        );
        assert_eq!(due.take_due(i64::MAX).len(), 2);
    }

    /// While a batch's deciders hold the kept checks ([`CopyJobs::lend_checks`]), the batch's
    /// new checks are kept apart; taking the lent ones back keeps the whole within the bound,
    /// so a year of nights whose copies each have a check of their own keeps no more.
    #[test]
    fn checks_kept_while_lent_stay_within_the_bound() {
        let mut jobs = CopyJobs::default();
        let check = |n: usize| CheckReport {
            id: "iam-role",
            title: "a check",
            result: copylab_rules::CheckResult::Pass,
            evidence: vec![copylab_rules::text::Text::new(
                "test.n",
                "copy {n}",
                vec![("n", n.to_string())],
            )],
            message: None,
            remedy: None,
        };
        for night in 0..3 {
            let lent = jobs.lend_checks();
            for n in 0..SHARED_CHECKS / 2 + 10 {
                let check = check(night * SHARED_CHECKS + n);
                let fingerprint = fingerprint(&check);
                // No job keeps it (it is a check of a copy whose job is gone).
                drop(jobs.share_check(check, fingerprint));
            }
            jobs.return_checks(lent);
            assert!(
                jobs.checks.len() < SHARED_CHECKS,
                "night {night}: {} kept",
                jobs.checks.len()
            );
        }
        // A check a job still holds stays shareable.
        let held = jobs.share_check(check(1), fingerprint(&check(1)));
        let lent = jobs.lend_checks();
        jobs.return_checks(lent);
        assert!(Arc::ptr_eq(&held, &jobs.share_check(check(1), fingerprint(&check(1)))));
    }

    #[test]
    fn jobs_whose_checks_are_equal_share_one_decision_and_keep_their_own_outcome() {
        let mut jobs = CopyJobs::default();
        let request = |vault: &str| StartCopyJob {
            account: "111122223333".to_owned(),
            caller: None,
            region: "us-east-1".to_owned(),
            recovery_point_arn: (vault == "B").then(|| "arn:aws:ec2:us-east-1::image/ami-0000000000000000f".to_owned()),
            source_backup_vault_name: Some(vault.to_owned()),
            destination_backup_vault_arn: None,
            iam_role_arn: None,
            lifecycle: None,
        };
        let verdict = |vault: &str, seed: u64| {
            let options = Options {
                seed,
                ..Default::default()
            };
            copylab_rules::simulate(&Default::default(), &request(vault), &options).unwrap()
        };
        let (_, first) = jobs.share(verdict("A", 1));
        let (_, again) = jobs.share(verdict("A", 2));
        let (_, other) = jobs.share(verdict("B", 3));
        assert!(Arc::ptr_eq(&first, &again), "equal checks are kept once");
        assert_ne!(*first, *other, "the two requests are decided differently");
        assert!(!Arc::ptr_eq(&first, &other), "other checks are kept apart");
        // What the two decisions agree on is kept once; what differs, apart.
        let shared = |a: &Decision, b: &Decision| {
            a.checks
                .iter()
                .zip(&b.checks)
                .filter(|(x, y)| Arc::ptr_eq(x, y))
                .count()
        };
        let equal = first.checks.iter().zip(&other.checks).filter(|(x, y)| x == y).count();
        assert!(
            equal > 0 && equal < first.checks.len(),
            "the requests agree on some checks"
        );
        assert_eq!(shared(&first, &other), equal, "every equal check is shared");
        // A job's verdict, put back together, is the engine's.
        let engine = verdict("A", 1);
        let (outcome, decision) = jobs.share(engine.clone());
        let mut record = job_at("job-0", 0.0);
        (record.outcome, record.decision) = (outcome, decision);
        assert_eq!(
            serde_json::to_value(record.verdict()).unwrap(),
            serde_json::to_value(&engine).unwrap()
        );
    }

    #[test]
    fn shared_checks_stay_bounded_and_jobs_keep_theirs() {
        let mut jobs = CopyJobs::default();
        let world = copylab_rules::World::default();
        let request = |n: i64| StartCopyJob {
            account: "111122223333".to_owned(),
            caller: None,
            region: "us-east-1".to_owned(),
            recovery_point_arn: Some("arn:aws:ec2:us-east-1::image/ami-0000000000000000f".to_owned()),
            source_backup_vault_name: Some("A".to_owned()),
            // A name where the ARN belongs: the request check names it in its evidence.
            destination_backup_vault_arn: Some(format!("Vault{n}")),
            iam_role_arn: Some("arn:aws:iam::111122223333:role/R".to_owned()),
            lifecycle: None,
        };
        let mut held = Vec::new();
        let mut most = 0;
        for i in 0..(SHARED_CHECKS as i64 + 10) {
            let verdict = copylab_rules::simulate(&world, &request(i), &Options::default()).unwrap();
            let (_, decision) = jobs.share(verdict);
            held.push(decision);
            assert!(jobs.checks.len() <= SHARED_CHECKS);
            most = most.max(jobs.checks.len());
        }
        assert_eq!(most, SHARED_CHECKS, "each request adds a check of its own");
        // Forgetting checks to share never takes them from a job.
        let verdict = copylab_rules::simulate(&world, &request(0), &Options::default()).unwrap();
        assert_eq!(
            held[0].checks.iter().map(|c| CheckReport::clone(c)).collect::<Vec<_>>(),
            verdict.checks
        );
    }

    #[test]
    fn jobs_leave_30_days_after_they_finish_or_oldest_first_beyond_the_bound() {
        let mut jobs = CopyJobs::default();
        for (i, created) in [0.0, 10.0, 20.0, 30.0].into_iter().enumerate() {
            jobs.push(job_at(&format!("job-{i}"), created));
        }
        // job-0 finished at 60 s; 30 days later it is gone, job-1 (finished at 70 s) is not yet.
        jobs.expire(Progression::Instant, 60.0 + COPY_JOB_RECORD_SECONDS);
        assert_eq!(
            jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
            ["job-1", "job-2", "job-3"]
        );
        assert_eq!((jobs.position("job-0"), jobs.position("job-2")), (None, Some(1)));
        // Beyond the bound, the oldest go first, whatever their age.
        jobs.expire_beyond(Progression::Instant, 0.0, 2);
        assert_eq!(
            jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
            ["job-2", "job-3"]
        );
        jobs.push(job_at("job-4", 40.0));
        assert_eq!((jobs.position("job-1"), jobs.position("job-4")), (None, Some(2)));
        // A job that has not ended (polls progression, never polled) stays, and keeps those after it.
        jobs.expire(Progression::Polls(2), 1e12);
        assert_eq!(jobs.len(), 3);
    }
}

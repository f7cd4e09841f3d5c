//! The server's state: the world (per account and Region through its vaults), copy jobs with their lifecycle, and the deterministic clock and ids.

use std::time::Instant;

use copylab_rules::World;
use copylab_rules::engine::{Options, Outcome, Verdict};
use copylab_rules::ids::IdGenerator;
use copylab_rules::world::{CopyJobState, RecoveryPoint, StartCopyJob, Wording};

/// How a copy job moves from CREATED to its end state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progression {
    /// The end state at once.
    Instant,
    /// CREATED on the first `DescribeCopyJob`, RUNNING until the N-th, the end state after.
    Polls(u32),
    /// In time: a copy takes 10 minutes divided by the scale.
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

/// A copy job the server runs.
#[derive(Debug, Clone)]
pub struct CopyJobRecord {
    /// `CopyJobId`.
    pub id: String,
    /// The account that started it.
    pub account: String,
    /// The Region it was started in.
    pub region: String,
    /// The request.
    pub request: StartCopyJob,
    /// The engine's verdict (a job outcome).
    pub verdict: Verdict,
    /// `CreationDate`, epoch seconds.
    pub created: f64,
    /// When it was started, for realtime progression.
    pub started: Instant,
    /// How many times `DescribeCopyJob` has read it.
    pub polls: u32,
    /// Whether its end state has been applied to the world (destination recovery point).
    pub finished: bool,
    /// `ResourceType` and `ResourceArn` of the source.
    pub resource_type: String,
    /// The source resource.
    pub resource_arn: String,
    /// `SourceBackupVaultArn`.
    pub source_vault_arn: String,
    /// The `IdempotencyToken` it was started with.
    pub idempotency_token: Option<String>,
    /// Virtual seconds added by `POST /_copylab/clock/advance` since it started.
    pub advanced: f64,
}

impl CopyJobRecord {
    /// The end state the engine decided.
    pub fn end_state(&self) -> CopyJobState {
        self.verdict.outcome.state().unwrap_or(CopyJobState::Failed)
    }

    /// The state now, under `progression`, without counting a poll.
    pub fn state(&self, progression: Progression) -> CopyJobState {
        match progression {
            Progression::Instant => self.end_state(),
            Progression::Polls(n) => match self.polls {
                p if p > n => self.end_state(),
                0 | 1 => CopyJobState::Created,
                _ => CopyJobState::Running,
            },
            Progression::Realtime(scale) => {
                let duration = 600.0 / scale;
                let elapsed = self.started.elapsed().as_secs_f64() + self.advanced;
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

/// Everything the server keeps.
#[derive(Debug)]
pub struct ServerState {
    /// The world.
    pub world: World,
    /// Copy jobs, in start order.
    pub jobs: Vec<CopyJobRecord>,
    /// Ids for jobs and requests.
    pub ids: IdGenerator,
    /// The modeled date.
    pub as_of: Option<String>,
    /// The wording of changed messages.
    pub wording: Wording,
    /// How jobs progress.
    pub progression: Progression,
    /// The deterministic clock: epoch seconds of the next event.
    pub clock: f64,
    /// Backup jobs, as `DescribeBackupJob` shows them.
    pub backup_jobs: Vec<serde_json::Value>,
    /// Tags of AWS Backup resources other than recovery points (vaults, plans), by ARN.
    pub tags: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Resources declared at run time (`POST /_copylab/resources`) that backup jobs back up.
    pub resources: Vec<Resource>,
    /// KMS state beyond the world's keys (descriptions, tags, dates, further aliases).
    pub kms: crate::kms::KmsState,
    /// Organizations state beyond the world's organizations (backup policies, enabled types).
    pub organizations: crate::organizations::OrganizationsState,
    /// IAM state beyond the world's roles (ids, dates, descriptions and tags of created roles).
    pub iam: crate::iam::IamState,
    /// What `POST /_copylab/reset` returns to.
    pub initial: (World, u64, Option<String>, Wording),
    /// Finds a built-in scenario by name for `POST /_copylab/scenario` (set by the CLI, which
    /// embeds the catalog).
    pub builtin_scenarios: Option<fn(&str) -> Option<copylab_rules::Scenario>>,
    /// The built-in scenarios, by name, for the lab (set by the CLI; see [`ServerState::set_catalog`]).
    pub catalog: std::sync::Arc<Vec<(String, copylab_rules::Scenario)>>,
    /// The lab's exercise sessions.
    pub lab: crate::lab::exercises::LabState,
    /// The catalog's exercises, computed on first use.
    lab_cache: std::sync::Arc<std::sync::OnceLock<std::sync::Arc<Vec<crate::lab::exercises::Exercise>>>>,
}

/// A resource declared at run time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Its ARN.
    pub arn: String,
    /// Its `ResourceType` (may be omitted where the ARN determines it).
    #[serde(default)]
    pub resource_type: Option<String>,
    /// Its KMS key, for types AWS Backup does not fully manage.
    #[serde(default)]
    pub encryption_key_arn: Option<String>,
    /// Its tags (copied to recovery points).
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
}

impl ServerState {
    /// A state serving `world`.
    pub fn new(world: World, seed: u64, as_of: Option<String>, wording: Wording, progression: Progression) -> Self {
        let day = as_of.as_deref().unwrap_or(copylab_rules::MODEL_DATE);
        let clock = date_seconds(day);
        let (world_copy, as_of_copy) = (world.clone(), as_of.clone());
        ServerState {
            world,
            jobs: Vec::new(),
            ids: IdGenerator::new(seed),
            as_of,
            wording,
            progression,
            clock,
            backup_jobs: Vec::new(),
            tags: Default::default(),
            resources: Vec::new(),
            kms: Default::default(),
            organizations: Default::default(),
            iam: Default::default(),
            initial: (world_copy, seed, as_of_copy, wording),
            builtin_scenarios: None,
            catalog: Default::default(),
            lab: Default::default(),
            lab_cache: Default::default(),
        }
    }

    /// The next timestamp (a second later than the last).
    pub fn tick(&mut self) -> f64 {
        self.clock += 1.0;
        self.clock
    }

    /// The epoch seconds the world starts at (its `as_of` day): the creation date of what the
    /// world's files define.
    pub fn started(&self) -> f64 {
        date_seconds(self.as_of.as_deref().unwrap_or(copylab_rules::MODEL_DATE))
    }

    /// Sets the scenarios the lab's exercises come from.
    pub fn set_catalog(&mut self, catalog: Vec<(String, copylab_rules::Scenario)>) {
        self.catalog = std::sync::Arc::new(catalog);
        self.lab_cache = Default::default();
    }

    /// The lab's exercises (the catalog's scenarios with their verdicts), computed once.
    pub fn lab_exercises(&self) -> std::sync::Arc<Vec<crate::lab::exercises::Exercise>> {
        self.lab_cache
            .get_or_init(|| std::sync::Arc::new(crate::lab::exercises::exercises(&self.catalog)))
            .clone()
    }

    /// Replaces this state by `next` (a reset or a loaded world), keeping what is not the
    /// world's: the built-in scenarios, the lab's catalog and its sessions.
    pub fn replace_keeping_lab(&mut self, mut next: ServerState) {
        next.builtin_scenarios = self.builtin_scenarios;
        next.catalog = self.catalog.clone();
        next.lab_cache = self.lab_cache.clone();
        next.lab = std::mem::take(&mut self.lab);
        *self = next;
    }

    /// Whether an operation only reads (AWS's `Describe`, `Get` and `List` operations): it runs
    /// without [`ServerState::guarded`]'s snapshot.
    pub fn read_only(operation: &str) -> bool {
        ["Describe", "Get", "List"].iter().any(|p| operation.starts_with(p))
    }

    /// Runs `operation`, keeping the world valid: when it succeeds but leaves a world the rules
    /// engine would refuse (a role ARN that is not one, a duplicate, an OU cycle), everything it
    /// changed is put back and `invalid` describes why. No request can break later copy jobs.
    pub fn guarded<T, E>(
        &mut self,
        operation: impl FnOnce(&mut ServerState) -> Result<T, E>,
        invalid: impl FnOnce(String) -> E,
    ) -> Result<T, E> {
        let before = (
            self.world.clone(),
            self.kms.clone(),
            self.organizations.clone(),
            self.iam.clone(),
        );
        let result = operation(self)?;
        if self.world != before.0
            && let Err(error) = copylab_rules::PreparedWorld::new(&self.world)
        {
            (self.world, self.kms, self.organizations, self.iam) = before;
            return Err(invalid(error.to_string()));
        }
        Ok(result)
    }

    /// A request id.
    pub fn request_id(&mut self) -> String {
        self.ids.uuid()
    }

    /// Simulates a copy with the rules engine.
    pub fn simulate(&mut self, request: &StartCopyJob) -> Result<Verdict, copylab_rules::WorldError> {
        let options = Options {
            as_of: self.as_of.clone(),
            seed: self.ids.next_u64(),
            wording: self.wording,
        };
        copylab_rules::simulate(&self.world, request, &options)
    }

    /// Applies a job's end state once it is observed: a completed copy creates the destination
    /// recovery point.
    pub fn finish(&mut self, index: usize) {
        let Some(job) = self.jobs.get_mut(index) else { return };
        if job.finished || job.state(self.progression) != job.end_state() {
            return;
        }
        job.finished = true;
        if let Outcome::CopyJob {
            destination_recovery_point: Some(rp),
            ..
        } = &job.verdict.outcome
        {
            let destination = job.request.destination_backup_vault_arn.clone().unwrap_or_default();
            let parts: Vec<&str> = destination.splitn(6, ':').collect();
            let account = parts.get(4).copied().unwrap_or_default().to_owned();
            let vault = parts
                .get(5)
                .and_then(|r| r.strip_prefix("backup-vault:"))
                .unwrap_or_default()
                .to_owned();
            let resource_type = job.resource_type.clone();
            let resource_arn = job.resource_arn.clone();
            self.world.recovery_points.push(RecoveryPoint {
                arn: rp.arn.clone(),
                vault,
                account: Some(account),
                resource_type,
                resource_arn,
                encryption_key: Some(rp.encryption_key_arn.clone()),
                tags: rp.tags.clone(),
                status: Default::default(),
                storage_class: Default::default(),
                continuous: false,
                multi_az_cluster: false,
                marketplace_image: false,
                lifecycle: rp.delete_after_days.map(|d| copylab_rules::world::Lifecycle {
                    delete_after_days: Some(d),
                    move_to_cold_storage_after_days: None,
                }),
            });
        }
    }
}

/// Epoch seconds of a `YYYY-MM-DD` date at midnight UTC.
pub fn date_seconds(date: &str) -> f64 {
    copylab_rules::world::timestamp_seconds(&format!("{date}T00:00:00Z")).unwrap_or(0) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_that_would_leave_an_invalid_world_is_put_back() {
        let mut state = ServerState::new(World::default(), 0, None, Wording::Current, Progression::Instant);
        let refused: Result<(), String> = state.guarded(
            |state| {
                state.world.roles.push(copylab_rules::world::Role {
                    arn: "arn:aws:iam::111122223333:user/not-a-role".to_owned(),
                    trust_policy: None,
                    policies: Vec::new(),
                    managed_policies: Vec::new(),
                });
                Ok(())
            },
            |reason| reason,
        );
        assert!(refused.unwrap_err().contains("not a role ARN"));
        assert!(state.world.roles.is_empty());
        let kept: Result<usize, String> = state.guarded(|_| Ok(1), |reason| reason);
        assert_eq!(kept, Ok(1));
    }

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
            region: "us-east-1".into(),
            recovery_point_arn: None,
            source_backup_vault_name: None,
            destination_backup_vault_arn: None,
            iam_role_arn: None,
            lifecycle: None,
        };
        let verdict = copylab_rules::simulate(&world, &request, &Options::default()).unwrap();
        CopyJobRecord {
            id: "job".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            request,
            verdict,
            created: 0.0,
            started: Instant::now(),
            polls,
            finished: false,
            resource_type: String::new(),
            resource_arn: String::new(),
            source_vault_arn: String::new(),
            idempotency_token: None,
            advanced: 0.0,
        }
    }

    #[test]
    fn realtime_progression_follows_the_clock() {
        // A copy takes 600 s / scale: at a huge scale it has ended, at a tiny one it just began.
        assert_eq!(job(0).state(Progression::Realtime(1e12)), job(0).end_state());
        assert_eq!(job(0).state(Progression::Realtime(1e-6)), CopyJobState::Created);
    }

    #[test]
    fn polls_progression_counts_describes() {
        let states: Vec<CopyJobState> = (1..=4).map(|p| job(p).state(Progression::Polls(2))).collect();
        let end = job(0).end_state();
        assert_eq!(states, [CopyJobState::Created, CopyJobState::Running, end, end]);
    }

    #[test]
    fn dates_are_epoch_seconds() {
        assert_eq!(date_seconds("1970-01-02"), 86_400.0);
        assert_eq!(date_seconds("2026-08-07"), 1_786_060_800.0);
    }
}

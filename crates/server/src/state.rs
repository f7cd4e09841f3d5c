//! The server's state: the world every service reads and writes, each service's own state, the one clock, and the ids.

use std::sync::Arc;

use copylab_rules::World;
use copylab_rules::engine::{Options, Outcome, Verdict};
use copylab_rules::ids::IdGenerator;
use copylab_rules::world::{RecoveryPoint, StartCopyJob, Wording};

use crate::clock::Clock;
use crate::services::States;
pub use crate::services::backup::Progression;

/// What `POST /_copylab/reset` returns to: the world the server started with.
#[derive(Debug, Clone)]
pub struct Initial {
    /// The world.
    pub world: World,
    /// The modeled date.
    pub as_of: Option<String>,
    /// The wording of changed messages.
    pub wording: Wording,
}

/// Everything the server keeps.
#[derive(Debug)]
pub struct ServerState {
    /// The world: read with [`ServerState::world`], changed through [`ServerState::world_mut`]
    /// (which forgets `index`) or [`ServerState::add_recovery_point`] (which keeps it).
    /// Shared, copied on write: a plan run's deciding threads read it while the run completes
    /// the copies decided ([`ServerState::hold_recovery_points`]).
    world: Arc<World>,
    /// The rules engine's index of `world`, kept across requests while the world only gains
    /// recovery points, so that a copy job parses and indexes nothing it did before.
    index: Option<Arc<copylab_rules::WorldIndex>>,
    /// While deciding threads read the world, the recovery points added, appended when they
    /// are done ([`ServerState::hold_recovery_points`]).
    held: Option<Held>,
    /// What each service keeps beyond the world.
    pub services: States,
    /// Ids for jobs and requests: one stream for the server's life, reset or not, so no id is
    /// issued twice; a fresh server with the same seed issues the same ids.
    pub ids: IdGenerator,
    /// Request ids of the requests a journal does not replay: control API requests
    /// (`/_copylab/`, whose replay draws no request id) and requests refused before they are
    /// journaled (a body that cannot be read, a journal that cannot write). A stream of their
    /// own, so that reading or loading the state leaves the ids the world's requests get as they
    /// were, and a replay draws from `ids` exactly what the live server drew.
    pub control_ids: IdGenerator,
    /// The seed the ids started from.
    pub seed: u64,
    /// The modeled date, when pinned (otherwise the clock's day).
    pub as_of: Option<String>,
    /// The wording of changed messages.
    pub wording: Wording,
    /// How jobs progress.
    pub progression: Progression,
    /// The one clock every timestamp comes from.
    pub clock: Clock,
    /// Until when (epoch seconds) backup plans' rules have run: the next clock observation
    /// ([`ServerState::observe_clock`]) runs the occurrences after it.
    pub plans_ran_until: i64,
    /// What `POST /_copylab/reset` returns to.
    pub initial: Initial,
    /// Finds a built-in scenario by name for `POST /_copylab/scenario` (set by the CLI, which
    /// embeds the catalog); it must never open a file, since a client chooses the name.
    pub builtin_scenarios: Option<fn(&str) -> Option<copylab_rules::Scenario>>,
    /// `copylab serve --accept-any-key ACCOUNT`: an access key the world does not know acts as
    /// this account (unauthenticated), as LocalStack takes any key; `None` refuses it.
    pub accept_any_key: Option<String>,
    /// Where accepted requests are journaled (`copylab serve --state-dir`), if anywhere.
    pub journal: crate::journal::JournalHook,
}

impl ServerState {
    /// A state serving `world`, its clock frozen at the start of its `as_of` day (or the
    /// engine's model date), so a run is reproducible; [`ServerState::with_clock`] gives it
    /// another.
    pub fn new(world: World, seed: u64, as_of: Option<String>, wording: Wording, progression: Progression) -> Self {
        let clock = Clock::frozen(day_start(as_of.as_deref()));
        let initial = Initial {
            world: world.clone(),
            as_of: as_of.clone(),
            wording,
        };
        let mut state = ServerState {
            world: Arc::new(world),
            index: None,
            held: None,
            services: States::default(),
            ids: IdGenerator::new(seed),
            control_ids: IdGenerator::for_names(&["control", &seed.to_string()]),
            seed,
            as_of,
            wording,
            progression,
            plans_ran_until: clock.now().floor() as i64,
            clock,
            initial,
            builtin_scenarios: None,
            accept_any_key: None,
            journal: Default::default(),
        };
        state.sync_org_backup_plans();
        state
    }

    /// The same state on `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self.plans_ran_until = self.clock.now().floor() as i64;
        self
    }

    /// Sees the clock where it is now: runs every backup plan rule occurrence since the last
    /// look ([`crate::services::backup::runs::run_due`]). Called by `call::call` before
    /// every AWS request (HTTP, the lab's sessions, the mocks), by `control::handle` before
    /// every control API request, and after `POST /_copylab/clock/advance`, so time passing
    /// under a scale and advances both run plans.
    pub fn observe_clock(&mut self) {
        crate::services::backup::runs::run_due(self);
        let now = self.now();
        self.services.backup.expire_backup_jobs(now);
        self.apply_lifecycle();
    }

    /// Whether what leaves the state (expired jobs, forgotten events) is kept to free later
    /// ([`ServerState::take_garbage`]): while a plan run runs.
    pub fn defer_drops(&mut self, deferring: bool) {
        let backup = &mut self.services.backup;
        backup.jobs.gone.defer(deferring);
        backup.gone_backup_jobs.defer(deferring);
        backup.events.gone.defer(deferring);
    }

    /// What left the state while drops were deferred, to free: a plan run frees it on another
    /// thread while its next batch completes.
    pub fn take_garbage(&mut self) -> impl Send + use<> {
        let backup = &mut self.services.backup;
        (
            backup.jobs.gone.take(),
            backup.gone_backup_jobs.take(),
            backup.events.gone.take(),
        )
    }

    /// The world.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world, to change: the rules engine's kept index of it is forgotten.
    pub fn world_mut(&mut self) -> &mut World {
        self.index = None;
        Arc::make_mut(&mut self.world)
    }

    /// Serves `world` (as [`ServerState::world_mut`], without copying the world it replaces).
    pub fn set_world(&mut self, world: World) {
        self.index = None;
        self.world = Arc::new(world);
    }

    /// The world and its kept index (made if there is none), shared: for threads that decide
    /// copies while this state changes ([`ServerState::hold_recovery_points`]).
    pub fn shared_world(&mut self) -> (Arc<World>, Arc<copylab_rules::WorldIndex>) {
        let index = self
            .index
            .get_or_insert_with(|| Arc::new(copylab_rules::WorldIndex::new(&self.world)));
        (Arc::clone(&self.world), Arc::clone(index))
    }

    /// While `holding`, the recovery points added ([`ServerState::add_recovery_point`]) are
    /// held apart, so that threads deciding copies on the [`ServerState::shared_world`] read
    /// the world as it was and it is not copied; this state reads them after the world's
    /// (at the places they will have: [`ServerState::recovery_point`]). When holding ends,
    /// they are appended in the order they were added.
    pub fn hold_recovery_points(&mut self, holding: bool) {
        if holding {
            self.held.get_or_insert_with(Held::default);
        } else if let Some(held) = self.held.take()
            && !held.points.is_empty()
        {
            // The deciders are done: each point is held once.
            Arc::make_mut(&mut self.world)
                .recovery_points
                .extend(held.points.into_iter().map(Arc::unwrap_or_clone));
        }
    }

    /// The recovery point at place `i`: the world's, or one held after them.
    pub fn recovery_point(&self, i: usize) -> Option<&RecoveryPoint> {
        let own = self.world.recovery_points.len();
        match i.checked_sub(own) {
            None => self.world.recovery_points.get(i),
            Some(j) => self.held.as_ref().and_then(|held| held.points.get(j)).map(|p| &**p),
        }
    }

    /// The held recovery point named `arn`, if any ([`ServerState::hold_recovery_points`]),
    /// shared.
    pub fn held_recovery_point(&self, arn: &str) -> Option<&Arc<RecoveryPoint>> {
        self.held.as_ref()?.named(arn)
    }

    /// Whether a recovery point, the world's or held, is one `found` is looking for.
    pub fn any_recovery_point(&self, found: impl Fn(&RecoveryPoint) -> bool) -> bool {
        self.world.recovery_points.iter().any(&found)
            || self
                .held
                .as_ref()
                .is_some_and(|held| held.points.iter().any(|p| found(p)))
    }

    /// Brings the plans the organizations' backup policies make (`orgs/` ids) in line with the
    /// policies (`copylab_rules::backup_policy::sync_plans`).
    pub fn sync_org_backup_plans(&mut self) {
        // Plans are not in the kept index: it stays valid either way.
        copylab_rules::backup_policy::sync_plans(Arc::make_mut(&mut self.world));
    }

    /// The world to read and the services' state to change, together (the kept index stays).
    pub fn world_and_services(&mut self) -> (&World, &mut States) {
        (&self.world, &mut self.services)
    }

    /// The world and the services' state, to change together (as [`ServerState::world_mut`]).
    pub fn world_and_services_mut(&mut self) -> (&mut World, &mut States) {
        self.index = None;
        (Arc::make_mut(&mut self.world), &mut self.services)
    }

    /// Adds a recovery point (a backup job's, a completed copy's) made at `created` (epoch
    /// seconds), keeping the rules engine's index, which finds appended recovery points by
    /// itself, and schedules its lifecycle.
    pub fn add_recovery_point(&mut self, recovery_point: copylab_rules::world::RecoveryPoint, created: f64) {
        self.schedule_lifecycle(&recovery_point, created);
        match &mut self.held {
            Some(held) => held.push(recovery_point),
            None => Arc::make_mut(&mut self.world).recovery_points.push(recovery_point),
        }
    }

    /// Schedules a new recovery point's lifecycle steps: to cold storage after
    /// `MoveToColdStorageAfterDays`, deleted after `DeleteAfterDays` (days of 86,400 seconds
    /// from its creation; -1 or absent: never).
    fn schedule_lifecycle(&mut self, recovery_point: &copylab_rules::world::RecoveryPoint, created: f64) {
        use crate::services::backup::LifecycleStep;
        let Some(lifecycle) = &recovery_point.lifecycle else {
            return;
        };
        for (days, step) in [
            (lifecycle.move_to_cold_storage_after_days, LifecycleStep::Cold),
            (lifecycle.delete_after_days, LifecycleStep::Delete),
        ] {
            if let Some(days) = days.filter(|d| *d > 0) {
                let due = created.floor() as i64 + days.saturating_mul(86_400);
                self.services
                    .backup
                    .lifecycle_due
                    .push(due, step, recovery_point.arn.clone());
            }
        }
    }

    /// Applies the lifecycle steps due by now: recovery points move to cold storage or are
    /// deleted (with what the server kept about them).
    fn apply_lifecycle(&mut self) {
        use crate::services::backup::LifecycleStep;
        let now = self.now().floor() as i64;
        let (mut cold, mut deleted) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        for (step, arn) in self.services.backup.lifecycle_due.take_due(now) {
            match step {
                LifecycleStep::Cold => cold.insert(arn),
                LifecycleStep::Delete => deleted.insert(arn),
            };
        }
        if cold.is_empty() && deleted.is_empty() {
            return;
        }
        // Only recovery points change, found through the kept index (no other recovery point is
        // read); it follows the deletions (a recovery point's storage class is read from the
        // world, never kept in the index).
        let mut places = |arns: &std::collections::HashSet<String>| {
            let mut found: Vec<usize> = arns.iter().flat_map(|arn| self.recovery_points_named(arn)).collect();
            found.sort_unstable();
            found.dedup();
            found
        };
        let (cold, removed) = (places(&cold), places(&deleted));
        let world = Arc::make_mut(&mut self.world);
        for &i in &cold {
            if let Some(rp) = world.recovery_points.get_mut(i) {
                rp.storage_class = copylab_rules::world::StorageClass::Cold;
            }
        }
        if !removed.is_empty() {
            let moving = self
                .index
                .as_deref()
                .map(|index| index.remove_recovery_points(world, &removed));
            let mut place = 0;
            let mut forget = || {
                world.recovery_points.retain(|_| {
                    let kept = removed.binary_search(&place).is_err();
                    place += 1;
                    kept
                })
            };
            // The index's places move on another thread while the world loses the points.
            match moving {
                Some(moving) => std::thread::scope(|scope| {
                    scope.spawn(|| moving.run());
                    forget();
                }),
                None => forget(),
            }
        }
        for arn in &deleted {
            self.services.backup.recovery_point_creators.remove(arn);
        }
    }

    /// Makes the rules engine's index of the world, kept until the world changes, if there is
    /// none.
    pub fn ensure_index(&mut self) {
        if self.index.is_none() {
            self.index = Some(Arc::new(copylab_rules::WorldIndex::new(&self.world)));
        }
    }

    /// The recovery points named `arn` (indexes into the world's), through the kept index.
    pub fn recovery_points_named(&mut self, arn: &str) -> Vec<usize> {
        self.ensure_index();
        let held = self.held.as_ref().and_then(|held| held.by_arn.get(arn));
        let mut found = match (&self.index, held) {
            // Held: the index alone is read for the world's (the world need not be read whole).
            (Some(index), Some(_)) => index.recovery_points_indexed(&self.world, arn),
            (Some(index), None) => index.recovery_points_named(&self.world, arn),
            (None, _) => Vec::new(),
        };
        let own = self.world.recovery_points.len();
        found.extend(held.into_iter().flatten().map(|j| own + j));
        found
    }

    /// The index in the world's vaults of `account`'s vault `name` in `region`.
    pub fn vault_named(&mut self, account: &str, region: &str, name: &str) -> Option<usize> {
        self.ensure_index();
        self.index
            .as_ref()
            .and_then(|index| index.vault_named(&self.world, account, region, name))
    }

    /// [`ServerState::vault_named`] without making an index: through the kept one when there
    /// is one, else by reading the vaults (for readers that change nothing).
    pub fn vault_found(&self, account: &str, region: &str, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.vault_named(&self.world, account, region, name),
            None => self
                .world
                .vaults
                .iter()
                .position(|v| v.account == account && v.region == region && v.name == name),
        }
    }

    /// How many recovery points `account`'s vault `vault_name` holds: through the kept index
    /// ([`ServerState::ensure_index`] makes one), else counted.
    pub fn recovery_points_in(&self, account: &str, vault_name: &str) -> usize {
        let counted = || {
            self.world
                .recovery_points
                .iter()
                .filter(|rp| rp.vault == vault_name && rp.account.as_deref().is_none_or(|a| a == account))
                .count()
        };
        match &self.index {
            Some(index) => {
                let indexed = index.recovery_points_in(&self.world, account, vault_name);
                debug_assert_eq!(indexed, counted(), "the kept index miscounts vault {vault_name}");
                indexed
            }
            None => counted(),
        }
    }

    /// The nested recovery points of the composite `parent_arn` (indexes into the world's).
    pub fn nested_recovery_points(&mut self, parent_arn: &str) -> Vec<usize> {
        self.ensure_index();
        let mut found = match &self.index {
            Some(index) => index.nested_recovery_points(&self.world, parent_arn),
            None => Vec::new(),
        };
        if let Some(held) = &self.held {
            let own = self.world.recovery_points.len();
            found.extend(held.by_parent.get(parent_arn).into_iter().flatten().map(|j| own + j));
        }
        found
    }

    /// Virtual now, epoch seconds: the timestamp of anything written now.
    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    /// When the clock started: the creation date of what the world's files define.
    pub fn started(&self) -> f64 {
        self.clock.start()
    }

    /// Serves `world` from now on, with everything the services kept forgotten. The ids go on
    /// (none is issued twice in a server's life); the clock goes on unless `as_of` pins a new
    /// day, which restarts it there at the same scale.
    pub fn replace_world(&mut self, world: World, as_of: Option<String>, wording: Wording) {
        if let Some(day) = as_of.as_deref() {
            self.clock = Clock::new(day_start(Some(day)), self.clock.scale());
        }
        self.set_world(world);
        self.sync_org_backup_plans();
        self.as_of = as_of;
        self.wording = wording;
        self.services = States::default();
        // Plans run from now on, not over the time before the new world.
        self.plans_ran_until = self.clock.now().floor() as i64;
    }

    /// Back to the world the server started with (`POST /_copylab/reset`).
    pub fn reset(&mut self) {
        let Initial { world, as_of, wording } = self.initial.clone();
        self.replace_world(world, as_of, wording);
    }

    /// Whether an operation only reads (AWS's `Describe`, `Get` and `List` operations): it runs
    /// without [`ServerState::guarded`]'s snapshot.
    pub fn read_only(operation: &str) -> bool {
        ["Describe", "Get", "List"].iter().any(|p| operation.starts_with(p))
    }

    /// Whether an operation runs without [`ServerState::guarded`]: reads, and the writes that
    /// check their input before changing anything and then add only what copylab makes
    /// (`StartCopyJob`: the job, and the recovery point a completed copy creates), which leaves
    /// a valid world valid. The guard's snapshot and check cost the whole world per request.
    pub fn unguarded(operation: &str) -> bool {
        Self::read_only(operation) || operation == "StartCopyJob"
    }

    /// Runs `operation`, keeping the world valid: when it fails, or succeeds but leaves a world
    /// the rules engine would refuse (a role ARN that is not one, a duplicate, an OU cycle),
    /// everything it changed is put back (ids drawn meanwhile stay drawn, so none repeats) and
    /// `invalid` describes why. No request can break later copy jobs or half-apply.
    pub fn guarded<T, E>(
        &mut self,
        operation: impl FnOnce(&mut ServerState) -> Result<T, E>,
        invalid: impl FnOnce(String) -> E,
    ) -> Result<T, E> {
        // The world is shared with the snapshot: the operation's first change copies it.
        let before = (Arc::clone(&self.world), self.services.snapshot());
        // A write that fails changes nothing, whatever it changed before failing.
        let result = match operation(self) {
            Ok(result) => result,
            Err(error) => {
                self.put_back(before.0);
                self.services.restore(before.1);
                return Err(error);
            }
        };
        if !Arc::ptr_eq(&self.world, &before.0)
            && *self.world != *before.0
            && let Err(error) = copylab_rules::PreparedWorld::check_change(&before.0, &self.world)
        {
            self.put_back(before.0);
            self.services.restore(before.1);
            return Err(invalid(error.to_string()));
        }
        Ok(result)
    }

    /// The world as it was before a refused write ([`ServerState::guarded`]).
    fn put_back(&mut self, world: Arc<World>) {
        if !Arc::ptr_eq(&self.world, &world) {
            self.index = None;
            self.world = world;
        }
    }

    /// A request id.
    pub fn request_id(&mut self) -> String {
        self.ids.uuid()
    }

    /// Simulates a copy with the rules engine, at the pinned date or the clock's day.
    pub fn simulate(&mut self, request: &StartCopyJob) -> Result<Verdict, copylab_rules::WorldError> {
        let options = self.decision_options();
        Ok(self.decide_all(&[(request, &options)]).pop().map_or_else(
            || {
                let added = request
                    .recovery_point_arn
                    .as_deref()
                    .and_then(|arn| self.held_recovery_point(arn))
                    .map(|p| &**p);
                copylab_rules::PreparedWorld::trusted(&self.world).simulate_with(request, &options, added)
            },
            crate::services::backup::Decided::into_verdict,
        ))
    }

    /// The options of the next decision: the pinned date or the clock's day, and the seed of
    /// its ids, drawn from the server's stream (so decisions drawn in one order get the same
    /// ids however they are then computed).
    pub fn decision_options(&mut self) -> Options {
        Options {
            as_of: Some(self.as_of.clone().unwrap_or_else(|| self.clock.date())),
            seed: self.ids.next_u64(),
            wording: self.wording,
        }
    }

    /// The rules engine's verdicts of copies on the world as it is (its held recovery points
    /// after it), in order. The engine reads the world and the kept index and changes neither,
    /// and each decision's ids come from its options: the verdicts are those of one at a time.
    /// (A plan run decides its batches on another core: `runs::run_batch`.)
    pub fn decide_all(&mut self, batch: &[(&StartCopyJob, &Options)]) -> Vec<crate::services::backup::Decided> {
        use crate::services::backup::Decided;
        // The world is valid (loaded through `PreparedWorld::new`, and every write is guarded):
        // a request parses only the policies it reads, each once while the world keeps them.
        let index = self
            .index
            .get_or_insert_with(|| Arc::new(copylab_rules::WorldIndex::new(&self.world)));
        let prepared = copylab_rules::PreparedWorld::with_index(&self.world, index);
        let kept = self.services.backup.jobs.kept_checks();
        // A held recovery point is read after the world's ([`ServerState::hold_recovery_points`]).
        let held = self.held.as_ref();
        let decide = |(request, options): &(&StartCopyJob, &Options)| {
            let added = held.and_then(|held| held.named(request.recovery_point_arn.as_deref()?));
            Decided::sharing(
                prepared.simulate_with(request, options, added.map(|p| &**p)),
                Some(kept),
            )
        };
        let verdicts: Vec<Decided> = batch.iter().map(decide).collect();
        for ((request, options), verdict) in batch.iter().zip(&verdicts) {
            self.check_decided(request, options, verdict);
        }
        verdicts
    }

    /// In debug builds, that a verdict decided with the kept index is a fresh index's: every
    /// test that starts a copy checks the kept index this way.
    pub fn check_decided(&self, request: &StartCopyJob, options: &Options, decided: &crate::services::backup::Decided) {
        #[cfg(debug_assertions)]
        debug_assert_eq!(
            serde_json::to_value(decided.whole()).ok(),
            serde_json::to_value(
                copylab_rules::PreparedWorld::trusted(&self.world).simulate_with(
                    request,
                    options,
                    request
                        .recovery_point_arn
                        .as_deref()
                        .and_then(|arn| self.held_recovery_point(arn))
                        .map(|p| &**p)
                )
            )
            .ok(),
            "the kept index of the world is stale: a change of the world did not go through world_mut"
        );
        #[cfg(not(debug_assertions))]
        let _ = (request, options, decided);
    }

    /// Applies a job's end state once it is observed: a completed copy creates the destination
    /// recovery point (a composite job's nested jobs first).
    pub fn finish(&mut self, index: usize) {
        let now = self.clock.now();
        let children: Vec<usize> = match self.services.backup.jobs.get(index) {
            Some(job) if !job.finished && job.state(self.progression, now) == job.end_state() => job
                .children
                .iter()
                .filter_map(|id| self.services.backup.jobs.position(id))
                .collect(),
            _ => return,
        };
        for child in children {
            self.finish(child);
        }
        // A nested job's copy belongs to its composite job's copy.
        let parent_copy = self.services.backup.jobs.get(index).and_then(|job| {
            let parent = &self.services.backup.jobs[self.services.backup.jobs.position(job.parent.as_deref()?)?];
            match &parent.outcome {
                Outcome::CopyJob {
                    destination_recovery_point: Some(rp),
                    ..
                } => Some(rp.arn.clone()),
                _ => None,
            }
        });
        let Some(job) = self.services.backup.jobs.get_mut(index) else {
            return;
        };
        job.finished = true;
        // "If you delete a copy job role during a cross-account copy, AWS Backup can't unshare
        // snapshots from the source account when the copy job completes ... the copy job status
        // shows as Failed to unshare snapshot" (create-cross-account-backup): a snapshot's copy
        // (a type AWS Backup does not fully manage) to another account, whose role is gone now.
        let role_gone = job.request.iam_role_arn.as_deref().is_some_and(|role| {
            !self.index.as_ref().map_or_else(
                || self.world.roles.iter().any(|r| r.arn == role),
                |i| i.has_role(&self.world, role),
            )
        });
        let cross_account = job
            .request
            .destination_backup_vault_arn
            .as_deref()
            .and_then(copylab_rules::arn::account)
            .is_some_and(|account| account != job.account);
        // What its events show of it, unless its end changes its outcome (below).
        let mut facts = job.facts.take();
        if let Outcome::CopyJob {
            state,
            status_message,
            message_category,
            message_id,
            provenance,
            other_wordings,
            destination_recovery_point: Some(rp),
            ..
        } = &mut job.outcome
            && *state == copylab_rules::world::CopyJobState::Completed
            && role_gone
            && cross_account
            && !rp.arn.contains(":backup:")
            && let Some(message) = copylab_rules::catalog::message("unshare-snapshot-failed")
        {
            *state = copylab_rules::world::CopyJobState::Failed;
            *status_message = Some(message.text.to_owned());
            *message_category = match message.delivery {
                copylab_rules::catalog::Delivery::FailedJob { category } => category,
                copylab_rules::catalog::Delivery::ApiError { .. } => "MISCELLANEOUS",
            };
            *message_id = Some(message.id);
            *provenance = Some(message.provenance);
            other_wordings.clear();
            facts = None;
        }
        // The job of the same resource waiting behind this one may run now.
        let (waiter, ended) = (job.next.take(), job.completed(self.progression));
        crate::services::backup::events::emit_copy_job(
            &mut self.services.backup.events,
            &facts.unwrap_or_else(|| Arc::new(crate::services::backup::events::CopyJobFacts::of(job))),
            job.end_state().as_str(),
            ended.min(now).max(job.created),
            ended,
        );
        // The source vault's notifications (modeled: AWS documents no copy job's).
        let notice = (
            job.id.clone(),
            job.account.clone(),
            job.region.clone(),
            job.request.source_backup_vault_name.clone().unwrap_or_default(),
            job.resource_arn.clone(),
            job.end_state().as_str(),
            job.runs_from,
            match &job.outcome {
                Outcome::CopyJob {
                    destination_recovery_point: Some(rp),
                    ..
                } => Some(rp.arn.clone()),
                _ => None,
            },
        );
        let (parent, member) = (job.parent.clone(), job.composite_member_identifier.clone());
        if let Outcome::CopyJob {
            destination_recovery_point: Some(rp),
            ..
        } = &job.outcome
        {
            let destination = job.request.destination_backup_vault_arn.clone().unwrap_or_default();
            let arn = copylab_rules::arn::Arn::lenient(&destination);
            let account = arn.account.to_owned();
            let vault = arn.vault_name().unwrap_or_default().to_owned();
            let resource_type = job.resource_type.clone();
            let resource_arn = job.resource_arn.clone();
            let (resource_name, backup_size_in_bytes) = (job.resource_name.clone(), job.backup_size_in_bytes);
            // Appended: the kept index finds it (as [`ServerState::add_recovery_point`]).
            let created = job.created;
            let made = RecoveryPoint {
                arn: rp.arn.clone(),
                vault,
                account: Some(account),
                resource_type,
                resource_arn,
                encryption_key: rp.encryption_key_arn.clone(),
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
                resource_name,
                backup_size_in_bytes,
                parent_recovery_point_arn: parent_copy,
                composite_member_identifier: member,
            };
            // The copy exists from when the job ended; its Recovery Point State Change is the
            // destination account's (modeled: AWS documents the event, not its account).
            let vault_arn = destination.clone();
            let (role, creator) = (job.request.iam_role_arn.clone(), job.created_by.clone());
            crate::services::backup::events::emit_recovery_point(
                &mut self.services.backup.events,
                &made,
                &vault_arn,
                role.as_deref(),
                (created, ended.max(created), now),
                creator,
            );
            self.add_recovery_point(made, ended.max(created));
        }
        self.services.backup.jobs.release(waiter, ended);
        let (id, account, region, vault, resource, end, started, made) = notice;
        let change = crate::services::backup::notifications::JobChange {
            event_type: "COPY_JOB",
            state: end,
            job_id: &id,
            account: &account,
            resource_arn: &resource,
            recovery_point_arn: made.as_deref(),
            started,
            at: ended.min(now).max(started),
        };
        crate::services::backup::notifications::notify(self, (&account, &region, &vault), &change);
        // A composite job runs until its nested jobs have ended.
        let jobs = &mut self.services.backup.jobs;
        if let Some(parent) = parent.and_then(|id| jobs.position(&id)).and_then(|i| jobs.get_mut(i)) {
            parent.pending_children = parent.pending_children.saturating_sub(1);
            parent.children_completed = parent.children_completed.max(ended);
        }
    }

    /// Applies every job's end state that the clock has reached.
    pub fn finish_all(&mut self) {
        for index in 0..self.services.backup.jobs.len() {
            self.finish(index);
        }
    }
}

/// The recovery points added while deciding threads read the world
/// ([`ServerState::hold_recovery_points`]), in order, found by ARN and by parent.
#[derive(Debug, Default)]
struct Held {
    /// Shared with the deciders that read them beside the world.
    points: Vec<Arc<RecoveryPoint>>,
    by_arn: rustc_hash::FxHashMap<String, Vec<usize>>,
    by_parent: rustc_hash::FxHashMap<String, Vec<usize>>,
}

impl Held {
    /// The first held recovery point named `arn`.
    fn named(&self, arn: &str) -> Option<&Arc<RecoveryPoint>> {
        self.points.get(*self.by_arn.get(arn)?.first()?)
    }

    fn push(&mut self, point: RecoveryPoint) {
        let j = self.points.len();
        self.by_arn.entry(point.arn.clone()).or_default().push(j);
        if let Some(parent) = &point.parent_recovery_point_arn {
            self.by_parent.entry(parent.clone()).or_default().push(j);
        }
        self.points.push(Arc::new(point));
    }
}

/// Epoch seconds of the start of `as_of`'s day, or of the engine's model date.
fn day_start(as_of: Option<&str>) -> f64 {
    crate::clock::date_seconds(as_of.unwrap_or(copylab_rules::MODEL_DATE))
        .or_else(|| crate::clock::date_seconds(copylab_rules::MODEL_DATE))
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::backup::Progression;

    #[test]
    fn a_change_that_would_leave_an_invalid_world_is_put_back() {
        let mut state = ServerState::new(World::default(), 0, None, Wording::Current, Progression::Instant);
        let refused: Result<(), String> = state.guarded(
            |state| {
                state.world_mut().roles.push(copylab_rules::world::Role {
                    arn: "arn:aws:iam::111122223333:user/not-a-role".to_owned(),
                    trust_policy: None,
                    policies: Vec::new(),
                    managed_policies: Vec::new(),
                    permissions_boundary: None,
                });
                Ok(())
            },
            |reason| reason,
        );
        assert!(refused.unwrap_err().contains("not a role ARN"));
        assert!(state.world().roles.is_empty());
        let kept: Result<usize, String> = state.guarded(|_| Ok(1), |reason| reason);
        assert_eq!(kept, Ok(1));
    }

    #[test]
    fn a_write_that_fails_after_changing_the_world_changes_nothing() {
        let mut state = ServerState::new(World::default(), 0, None, Wording::Current, Progression::Instant);
        let failed: Result<(), String> = state.guarded(
            |state| {
                state.world_mut().roles.push(copylab_rules::world::Role {
                    arn: "arn:aws:iam::111122223333:role/HalfMade".to_owned(),
                    trust_policy: None,
                    policies: Vec::new(),
                    managed_policies: Vec::new(),
                    permissions_boundary: None,
                });
                Err("failed after the change".to_owned())
            },
            |reason| reason,
        );
        assert_eq!(failed, Err("failed after the change".to_owned()));
        assert!(state.world().roles.is_empty(), "a failed write left its change");
    }
}

//! Backup plan rule runs on the virtual clock (issue 13, item 3): every rule occurrence since the last run, in time order, backs up the resources its plan's selections pick through StartBackupJob's path, then starts one copy job per copy action through StartCopyJob's path (the rules engine decides it, the occurrences due at one time together), in the plan's account.

use copylab_rules::backup_plans::{BackupPlan, BackupRule, DEFAULT_SCHEDULE_EXPRESSION, derived_rule_id};
use copylab_rules::schedule::Schedule;
use copylab_rules::world::{Lifecycle, RecoveryPoint, StartCopyJob};
use serde_json::{Value, json};

use super::Decided;
use super::backup_jobs::BackupJobInput;
use super::copy_jobs::{PendingCopy, PlanOrigin, Prepared};
use crate::call::Ctx;
use crate::state::ServerState;
use crate::wire::Caller;

/// The most occurrences of one rule a single clock move runs: the latest ones; earlier ones in
/// the window are skipped, counted and logged. A client moving the clock by centuries must not
/// make one request start unbounded work (modeled: AWS has no clock to move).
pub const MAX_OCCURRENCES_PER_RULE: usize = 32;

/// The most copies of one batch ([`run_batch`]): a bound on what a batch holds at once
/// (each verdict until its job shares it), however many rules share a schedule.
const MAX_BATCH: usize = 1024;

/// The most rules whose `CreatedBy` is kept to share ([`super::BackupState::rule_creators`]).
const MAX_RULE_CREATORS: usize = 100_000;

/// The most occurrences counted (not run) when some are skipped; beyond it the log says "at
/// least".
const MAX_COUNTED: usize = 10_000;

/// Runs every rule occurrence in `(state.plans_ran_until, now]`, in time order (then plan and
/// rule order), and moves `plans_ran_until` to now. Deterministic: the same world and the same
/// clock moves make the same jobs with the same ids.
pub fn run_due(state: &mut ServerState) {
    let now = state.now().floor() as i64;
    let after = state.plans_ran_until;
    if now <= after {
        return;
    }
    state.plans_ran_until = now;
    let mut due: Vec<(i64, usize, usize)> = Vec::new();
    // Rules with the same schedule (an organization's plans share a few) have the same
    // occurrences: each schedule is parsed and walked once.
    let mut schedules: std::collections::HashMap<(&str, Option<&str>), Result<Occurrences, String>> =
        std::collections::HashMap::new();
    for (p, plan) in state.world().backup_plans.iter().enumerate() {
        if plan.deletion_date.is_some() || plan.selections.is_empty() {
            continue;
        }
        for (r, rule) in plan.plan.rules.iter().enumerate() {
            let expression = rule
                .schedule_expression
                .as_deref()
                .unwrap_or(DEFAULT_SCHEDULE_EXPRESSION);
            let timezone = rule.schedule_expression_timezone.as_deref();
            let occurrences = schedules.entry((expression, timezone)).or_insert_with(|| {
                Schedule::parse(expression, timezone)
                    .map(|schedule| latest_occurrences(&schedule, after, now, MAX_OCCURRENCES_PER_RULE))
            });
            let (times, skipped) = match occurrences {
                Ok((times, skipped)) => (times.clone(), *skipped),
                Err(reason) => {
                    tracing::warn!(plan = plan.id, rule = rule.name, reason, "backup rule not run");
                    continue;
                }
            };
            if skipped > 0 {
                let at_least = if skipped >= MAX_COUNTED { "at least " } else { "" };
                tracing::warn!(
                    plan = plan.id,
                    rule = rule.name,
                    "backup rule occurrences skipped: {at_least}{skipped} (a clock move runs at most the latest {MAX_OCCURRENCES_PER_RULE} of a rule)"
                );
            }
            due.extend(times.into_iter().map(|at| (at, p, r)));
        }
    }
    due.sort_unstable();
    let due = without_overlaps(state, due);
    if due.is_empty() {
        return;
    }
    // What the run's jobs leave (expired jobs, forgotten events) is freed beside its batches.
    state.defer_drops(true);
    // Each plan looks only at the resources of its account and Region (backup jobs add none):
    // found by a hash of the two (Fx: a collision only adds resources that are then left out).
    let scope = |account: &str, region: &str| {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one((account, region))
    };
    let mut scopes: hashbrown::HashMap<u64, Vec<usize>, rustc_hash::FxBuildHasher> = hashbrown::HashMap::default();
    let mut everywhere: Vec<usize> = Vec::new();
    for (i, resource) in state.world().resources.iter().enumerate() {
        match copylab_rules::arn::Arn::parse(&resource.arn) {
            Some(arn) if arn.account.is_empty() || arn.region.is_empty() => everywhere.push(i),
            Some(arn) => scopes.entry(scope(arn.account, arn.region)).or_default().push(i),
            None => {}
        }
    }
    // The occurrences due at one time run together, up to MAX_BATCH copies ([`run_batch`]).
    let candidates = |state: &ServerState, p: usize| {
        let world = state.world();
        let plan = world.backup_plans.get(p)?;
        let in_scope = |i: &&usize| {
            world
                .resources
                .get(**i)
                .and_then(|r| copylab_rules::arn::Arn::parse(&r.arn))
                .is_some_and(|arn| arn.account == plan.account && arn.region == plan.region)
        };
        let mut candidates: Vec<usize> = scopes
            .get(&scope(&plan.account, &plan.region))
            .into_iter()
            .flatten()
            .filter(in_scope)
            .chain(&everywhere)
            .copied()
            .collect();
        candidates.sort_unstable();
        Some(candidates)
    };
    let mut next = 0;
    while next < due.len() {
        next = run_batch(state, &due, next, &candidates);
    }
    state.defer_drops(false);
}

/// Which rule's run a copy is of, for the log: the plan and rule (shared by the run's copies)
/// and the recovery point.
#[derive(Debug)]
struct CopyOf {
    run: std::sync::Arc<(String, String)>,
    recovery_point: String,
}

/// A copy to decide: its request, and the recovery point it copies when the world does not
/// have it yet (held while the batch runs: [`ServerState::hold_recovery_points`]).
type Offered = (Box<PendingCopy>, Option<std::sync::Arc<RecoveryPoint>>);

/// Runs the rule occurrences of `due` from `from` that are due at the same time, until they
/// make [`MAX_BATCH`] copies; returns where the next batch starts.
///
/// The backups run in order, each copy prepared after its backup (its decision's seed drawn
/// then) and offered at once to the machine's other cores, which decide the copies in order
/// while the backups go on. Then the copies complete in order, each as soon as it is decided,
/// this thread deciding too while the next copy is still being decided. The deciders read the
/// world as it was before the batch, with the copy's own recovery point: the recovery points
/// the batch adds are held apart until it ends, and the engine reads recovery points only to
/// find a copy's source. So every verdict is the one deciding the copy alone gives on the
/// world after the batch's backups. Deterministic: the same world and clock moves make the
/// same jobs.
fn run_batch(
    state: &mut ServerState,
    due: &[(i64, usize, usize)],
    from: usize,
    candidates: &dyn Fn(&ServerState, usize) -> Option<Vec<usize>>,
) -> usize {
    let Some(&(at, ..)) = due.get(from) else {
        return due.len();
    };
    let (world, index) = state.shared_world();
    let kept = state.services.backup.jobs.lend_checks();
    state.hold_recovery_points(true);
    // What earlier batches left (expired jobs, forgotten events) is freed on another thread
    // while this one runs: nothing reads it, so the state and its order are the same.
    let garbage = state.take_garbage();
    let batch: Batch<Offered, Decided> = Batch::new(MAX_BATCH);
    let mut next = from;
    {
        let prepared = copylab_rules::PreparedWorld::with_index(&world, &index);
        let decide = |(pending, point): &Offered| {
            let (request, options) = pending.decision();
            Decided::sharing(prepared.simulate_with(request, options, point.as_deref()), Some(&kept))
        };
        let helpers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(4)
            .saturating_sub(1);
        std::thread::scope(|scope| {
            scope.spawn(move || drop(garbage));
            for _ in 0..helpers {
                scope.spawn(|| batch.decide_ahead(&decide));
            }
            // However this thread leaves (a panic included), the helpers stop.
            let _ending = Ending(&batch);
            let mut runs = Vec::new();
            let mut copies = Vec::new();
            while let Some(&(_, p, r)) = due.get(next).filter(|d| d.0 == at && runs.len() < MAX_BATCH) {
                if let Some(candidates) = candidates(state, p) {
                    run_rule(state, &world, at, (p, r), &candidates, &mut copies);
                }
                for (of, caller, pending) in copies.drain(..) {
                    let point = pending
                        .decision()
                        .0
                        .recovery_point_arn
                        .as_deref()
                        .and_then(|arn| state.held_recovery_point(arn))
                        .map(std::sync::Arc::clone);
                    runs.push((of, caller));
                    batch.offer((pending, point));
                }
                next += 1;
            }
            batch.close();
            for (i, (of, caller)) in runs.into_iter().enumerate() {
                let Some(((pending, _), verdict)) = batch.take(i, &decide) else {
                    continue;
                };
                let (request, options) = pending.decision();
                state.check_decided(request, options, &verdict);
                let mut ctx = Ctx {
                    state: &mut *state,
                    caller: &caller,
                };
                if let Err(error) = super::copy_jobs::complete(&mut ctx, *pending, verdict) {
                    tracing::warn!(
                        plan = of.run.0,
                        rule = of.run.1,
                        recovery_point = of.recovery_point,
                        error = error.message,
                        "copy job not started"
                    );
                }
            }
        });
    }
    // The deciders are done: the world, the index and the held recovery points are this
    // state's alone again.
    drop((world, index, batch));
    state.hold_recovery_points(false);
    state.services.backup.jobs.return_checks(kept);
    next
}

/// How many times a helper with nothing to decide yields before it sleeps between looks.
const HELPER_SPINS: u32 = 256;

/// Ends a batch when dropped: the helpers stop once what is offered is decided or taken.
struct Ending<'b, T, D>(&'b Batch<T, D>);

impl<T, D> Drop for Ending<'_, T, D> {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// A batch's item, and its verdict once decided.
type Slot<T, D> = (T, Option<D>);

/// A batch's copies (items `T`), offered one by one ([`Batch::offer`]) while helpers decide
/// them in order ([`Batch::decide_ahead`]) into verdicts `D`; each is in a slot until it is
/// taken decided ([`Batch::take`]). Whoever locks a slot first with its item undecided decides
/// it, holding the lock meanwhile: a helper that claimed it, or the completing thread when it
/// reaches it. So a helper that panicked leaves its item to be decided again, where the panic
/// shows. Items beyond the slots are decided by the completing thread.
struct Batch<T, D> {
    slots: Vec<std::sync::Mutex<Option<Slot<T, D>>>>,
    /// How many slots hold a copy offered.
    ready: std::sync::atomic::AtomicUsize,
    /// The next slot a helper claims.
    next: std::sync::atomic::AtomicUsize,
    /// No more copies come: a helper with nothing to claim stops.
    closed: std::sync::atomic::AtomicBool,
    /// Items offered beyond the slots.
    beyond: std::sync::Mutex<Vec<Option<T>>>,
}

impl<T, D> Batch<T, D> {
    fn new(slots: usize) -> Self {
        Batch {
            slots: (0..slots).map(|_| std::sync::Mutex::new(None)).collect(),
            ready: std::sync::atomic::AtomicUsize::new(0),
            next: std::sync::atomic::AtomicUsize::new(0),
            closed: std::sync::atomic::AtomicBool::new(false),
            beyond: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Adds an item, for the helpers to decide.
    fn offer(&self, copy: T) {
        use std::sync::atomic::Ordering;
        let i = self.ready.load(Ordering::Relaxed);
        match self.slots.get(i) {
            Some(slot) => {
                *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((copy, None));
                self.ready.store(i + 1, Ordering::Release);
            }
            None => self
                .beyond
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(Some(copy)),
        }
    }

    /// No more copies come.
    fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Claims the next offered copy no helper has claimed.
    fn claim(&self) -> Option<usize> {
        use std::sync::atomic::Ordering;
        loop {
            let i = self.next.load(Ordering::Acquire);
            if i >= self.ready.load(Ordering::Acquire) {
                return None;
            }
            if self
                .next
                .compare_exchange(i, i + 1, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Some(i);
            }
        }
    }

    /// Decides slot `i`'s copy if it is still there undecided.
    fn decide(&self, i: usize, decide: &impl Fn(&T) -> D) {
        if let Some(slot) = self.slots.get(i) {
            let mut slot = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((copy, decided @ None)) = &mut *slot {
                *decided = Some(decide(copy));
            }
        }
    }

    /// A helper's work: decides the copies it claims, in order, waiting for more until the
    /// batch is closed and none is left. It waits by yielding, then, when no copy has come for
    /// a while (a night of backups without copies), by sleeping: a helper spins no core.
    fn decide_ahead(&self, decide: &impl Fn(&T) -> D) {
        use std::sync::atomic::Ordering;
        let mut idle = 0_u32;
        loop {
            match self.claim() {
                Some(i) => {
                    idle = 0;
                    self.decide(i, decide);
                }
                // Closed first, then nothing left: no copy can come after.
                None if self.closed.load(Ordering::Acquire) && self.claim_left() == 0 => return,
                None if idle < HELPER_SPINS => {
                    idle += 1;
                    std::thread::yield_now();
                }
                None => std::thread::sleep(std::time::Duration::from_micros(50)),
            }
        }
    }

    /// How many offered copies no helper has claimed.
    fn claim_left(&self) -> usize {
        use std::sync::atomic::Ordering;
        self.ready
            .load(Ordering::Acquire)
            .saturating_sub(self.next.load(Ordering::Acquire))
    }

    /// Copy `i` (in the order offered) and its verdict: decided here if no helper has started
    /// it; while a helper decides it, this thread decides copies further on.
    fn take(&self, i: usize, decide: &impl Fn(&T) -> D) -> Option<(T, D)> {
        let Some(slot) = self.slots.get(i) else {
            let copy = self
                .beyond
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get_mut(i - self.slots.len())?
                .take()?;
            let decided = decide(&copy);
            return Some((copy, decided));
        };
        loop {
            let mut guard = match slot.try_lock() {
                Ok(guard) => guard,
                Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    match self.claim() {
                        Some(ahead) => self.decide(ahead, decide),
                        None => std::thread::yield_now(),
                    }
                    continue;
                }
            };
            let (copy, decided) = guard.take()?;
            let decided = decided.unwrap_or_else(|| decide(&copy));
            return Some((copy, decided));
        }
    }

    /// Nothing is left to claim: helpers stop (those deciding skip what was taken).
    fn end(&self) {
        use std::sync::atomic::Ordering;
        self.next
            .fetch_max(self.ready.load(Ordering::Acquire), Ordering::AcqRel);
        self.close();
    }
}

/// A schedule's occurrences in a clock move ([`latest_occurrences`]): the latest, and how many
/// earlier ones are skipped.
type Occurrences = (Vec<i64>, usize);

/// A rule's retention for overlapping rules: `DeleteAfterDays`, none meaning kept for ever.
fn retention(rule: &BackupRule) -> i64 {
    rule.lifecycle
        .as_ref()
        .and_then(|l| l.delete_after_days)
        .filter(|d| *d > 0)
        .unwrap_or(i64::MAX)
}

/// The occurrences that run: "If you have a backup plan with multiple rules and the time frames
/// of the two rules overlap, AWS Backup optimizes the backup and takes a backup for the rule
/// with the longer retention time" (AWS Backup's troubleshooting page). A rule's time frame is
/// its start window from its occurrence (`StartWindowMinutes`, the console's 480 when not
/// given: modeled); of two overlapping occurrences of one plan's rules, the one with the
/// shorter retention does not run (on a tie, the later rule in the plan). Since a plan's
/// selections are its rules' too, both would back up the same resources.
fn without_overlaps(state: &ServerState, due: Vec<(i64, usize, usize)>) -> Vec<(i64, usize, usize)> {
    let plans = &state.world().backup_plans;
    let rule = |p: usize, r: usize| plans.get(p).and_then(|plan| plan.plan.rules.get(r));
    let window = |p: usize, r: usize| {
        rule(p, r)
            .and_then(|rule| rule.start_window_minutes)
            .unwrap_or(super::plans::DEFAULT_START_WINDOW_MINUTES)
            .saturating_mul(60)
    };
    let mut by_plan: hashbrown::HashMap<usize, Vec<(i64, usize)>, rustc_hash::FxBuildHasher> =
        hashbrown::HashMap::default();
    for &(at, p, r) in &due {
        by_plan.entry(p).or_default().push((at, r));
    }
    due.into_iter()
        .filter(|&(at, p, r)| {
            let Some(mine) = rule(p, r) else { return false };
            let beaten = by_plan.get(&p).into_iter().flatten().any(|&(other_at, other)| {
                let Some(theirs) = rule(p, other) else { return false };
                let overlap = other != r
                    && if other_at <= at {
                        at < other_at.saturating_add(window(p, other))
                    } else {
                        other_at < at.saturating_add(window(p, r))
                    };
                overlap && (retention(theirs), std::cmp::Reverse(other)) > (retention(mine), std::cmp::Reverse(r))
            });
            if beaten {
                tracing::info!(
                    plan = plans[p].id,
                    rule = mine.name,
                    "backup rule occurrence not run: an overlapping rule of the plan with a longer retention backs up"
                );
            }
            !beaten
        })
        .collect()
}

/// The latest `n` occurrences in `(after, until]`, in order, and how many earlier ones there
/// are (counted up to [`MAX_COUNTED`]). Looks back from `until` over a window that doubles, so
/// the work is bounded however far apart `after` and `until` are.
fn latest_occurrences(schedule: &Schedule, after: i64, until: i64, n: usize) -> (Vec<i64>, usize) {
    let mut span: i64 = 3_600;
    loop {
        let from = after.max(until.saturating_sub(span));
        let found = schedule.occurrences(from, until, MAX_COUNTED);
        if found.len() >= n || from == after || found.len() == MAX_COUNTED {
            let keep = found.len().saturating_sub(n);
            let earlier = if from > after {
                schedule.occurrences(after, from, MAX_COUNTED).len()
            } else {
                0
            };
            let skipped = (keep + earlier).min(MAX_COUNTED);
            return (found[keep..].to_vec(), skipped);
        }
        span = span.saturating_mul(2);
    }
}

/// AWS's `RecoveryPointCreator` for a rule of a plan: what its jobs show as `CreatedBy`.
fn created_by(plan: &BackupPlan, rule: &BackupRule) -> Value {
    json!({
        "BackupPlanId": plan.id,
        "BackupPlanArn": plan.arn(),
        "BackupPlanName": plan.plan.name,
        "BackupPlanVersion": plan.version_id(),
        "BackupRuleId": rule.rule_id.clone().unwrap_or_else(|| derived_rule_id(&plan.id, &rule.name)),
        "BackupRuleName": rule.name,
        "BackupRuleCron": rule.schedule_expression.as_deref().unwrap_or(DEFAULT_SCHEDULE_EXPRESSION),
        // Unset, UTC: "By default, ScheduleExpressions are in UTC" (the model); Backup Audit
        // Manager's sample shows "backupRuleTimezone": "UTC" (facts §1.3).
        "BackupRuleTimezone": rule.schedule_expression_timezone.as_deref().unwrap_or("UTC"),
    })
}

/// The plan's strings a rule's `CreatedBy` is made of ([`created_by`]).
fn creator_parts<'a>(plan: &'a BackupPlan, rule: &'a BackupRule) -> [Option<&'a str>; 9] {
    [
        Some(&plan.id),
        plan.version_id.as_deref(),
        Some(&plan.plan.name),
        Some(&plan.account),
        Some(&plan.region),
        rule.rule_id.as_deref(),
        Some(&rule.name),
        rule.schedule_expression.as_deref(),
        rule.schedule_expression_timezone.as_deref(),
    ]
}

/// The `CreatedBy` of a run of `rule`: the one `creators` keeps for it while the plan's strings
/// it is made of are the same, else made (and kept).
fn rule_creator(
    creators: &mut hashbrown::HashMap<u64, (Vec<Option<String>>, std::sync::Arc<Value>)>,
    plan: &BackupPlan,
    rule: &BackupRule,
) -> std::sync::Arc<Value> {
    use std::hash::BuildHasher;
    let parts = creator_parts(plan, rule);
    let key = rustc_hash::FxBuildHasher.hash_one(parts);
    if let Some((kept_parts, kept)) = creators.get(&key)
        && kept_parts.iter().map(Option::as_deref).eq(parts)
    {
        return std::sync::Arc::clone(kept);
    }
    // A bound on what is kept for plans that are gone: every live rule's comes back.
    if creators.len() >= MAX_RULE_CREATORS {
        creators.clear();
    }
    let made = std::sync::Arc::new(created_by(plan, rule));
    let owned = parts.iter().map(|p| p.map(str::to_owned)).collect();
    creators.insert(key, (owned, std::sync::Arc::clone(&made)));
    made
}

/// A rule's or copy action's `Lifecycle`, as StartBackupJob and StartCopyJob read it.
fn lifecycle(rule: &copylab_rules::backup_plans::RuleLifecycle) -> Lifecycle {
    Lifecycle {
        delete_after_days: rule.delete_after_days,
        move_to_cold_storage_after_days: rule.move_to_cold_storage_after_days,
    }
}

/// One occurrence of rule `r` of plan `p` at `at`: the backup jobs, then their copy jobs, of
/// the resources at `candidates` (indexes into the declared resources, in order) that the
/// plan's selections pick. `world` is the state's, shared for the batch
/// ([`ServerState::shared_world`]): the plan, its rule and the resources are read from it while
/// the jobs change the state (which holds the recovery points they add apart from the world).
fn run_rule(
    state: &mut ServerState,
    world: &copylab_rules::World,
    at: i64,
    (p, r): (usize, usize),
    candidates: &[usize],
    copies: &mut Vec<(CopyOf, std::sync::Arc<Caller>, Box<PendingCopy>)>,
) {
    let Some(plan) = world.backup_plans.get(p) else {
        return;
    };
    let Some(rule) = plan.plan.rules.get(r) else {
        return;
    };
    // Each resource once per occurrence, with the role of the first selection that picks it
    // (the rules' `rule_picks`, which `copylab explain` shows).
    let picks =
        copylab_rules::plan_copies::rule_picks(world, plan, candidates.iter().filter_map(|&i| world.resources.get(i)));
    if picks.picked.is_empty() {
        return;
    }
    let creator = rule_creator(&mut state.services.backup.rule_creators, plan, rule);
    // AWS Backup runs the plan in the plan's account: its jobs are that account's, and its
    // copies start in the source account (the account owning the source recovery point, facts
    // aws-org-wire-facts §6.1, plans §1.7).
    let caller = std::sync::Arc::new(Caller::account(&plan.account, &plan.region));
    let run = std::sync::Arc::new((plan.id.clone(), rule.name.clone()));
    let mut ctx = Ctx { state, caller: &caller };
    let created = at as f64;
    for &copylab_rules::plan_copies::Picked { resource, role, .. } in &picks.picked {
        let resource_arn = resource.arn.clone();
        // StartBackupJob's request, as the rule asks it (its `CompletionWindowMinutes` is
        // StartBackupJob's `CompleteWindowMinutes`).
        let input = BackupJobInput {
            vault_name: rule.target_backup_vault_name.clone(),
            resource_arn: resource_arn.clone(),
            iam_role_arn: Some(role.to_owned()),
            start_window_minutes: rule.start_window_minutes,
            complete_window_minutes: rule.completion_window_minutes,
            lifecycle: rule.lifecycle.as_ref().map(lifecycle),
            recovery_point_tags: rule.recovery_point_tags.clone(),
        };
        let backup = match super::backup_jobs::start_at(&mut ctx, &input, created, Some(&creator), Some(resource)) {
            Ok(backup) => backup,
            Err(error) => {
                tracing::warn!(
                    plan = plan.id,
                    rule = rule.name,
                    resource_arn,
                    error = error.message,
                    "backup job not started"
                );
                continue;
            }
        };
        let Some(recovery_point) = backup.recovery_point_arn.clone() else {
            continue;
        };
        let job_id = backup.backup_job_id.clone();
        if rule.enable_continuous_backup == Some(true) {
            super::backup_jobs::keep_continuous(&mut ctx, &input, created, &creator, resource);
        }
        // Copies start once the backup job has completed (facts §1.7's sequencing).
        let copies_at = backup.completion_date;
        for action in &rule.copy_actions {
            // StartCopyJob's request, as the copy action asks it, in the plan's account.
            let request = StartCopyJob {
                account: caller.account.clone(),
                caller: caller.principal.clone(),
                region: caller.region.clone(),
                recovery_point_arn: Some(recovery_point.clone()),
                source_backup_vault_name: Some(rule.target_backup_vault_name.clone()),
                destination_backup_vault_arn: Some(action.destination_backup_vault_arn.clone()),
                iam_role_arn: Some(role.to_owned()),
                lifecycle: action.lifecycle.as_ref().map(lifecycle),
            };
            let origin = PlanOrigin {
                created_by: std::sync::Arc::clone(&creator),
                backup_job_id: job_id.clone(),
            };
            match super::copy_jobs::prepare_request(&mut ctx, request, None, copies_at, Some(origin)) {
                Ok(Prepared::Pending(pending)) => copies.push((
                    CopyOf {
                        run: std::sync::Arc::clone(&run),
                        recovery_point: recovery_point.clone(),
                    },
                    std::sync::Arc::clone(&caller),
                    pending,
                )),
                Ok(Prepared::Answered(_)) => {}
                Err(error) => tracing::warn!(
                    plan = plan.id,
                    rule = rule.name,
                    recovery_point,
                    error = error.message,
                    "copy job not started"
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each item's verdict is its own, taken in the order offered, beyond the slots too, and
    /// each is decided once, whichever thread decides it.
    #[test]
    fn a_batch_gives_each_item_its_verdict_in_order_once() {
        for helpers in [0, 1, 3] {
            let batch: Batch<u64, u64> = Batch::new(4);
            let decided = std::sync::atomic::AtomicUsize::new(0);
            let decide = |item: &u64| {
                decided.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_micros(200));
                item * 10
            };
            let taken: Vec<(u64, u64)> = std::thread::scope(|scope| {
                for _ in 0..helpers {
                    scope.spawn(|| batch.decide_ahead(&decide));
                }
                let _ending = Ending(&batch);
                for item in 0..10 {
                    batch.offer(item);
                }
                batch.close();
                (0..10).filter_map(|i| batch.take(i, &decide)).collect()
            });
            let expected: Vec<(u64, u64)> = (0..10).map(|i| (i, i * 10)).collect();
            assert_eq!(taken, expected, "{helpers} helpers");
            assert_eq!(decided.into_inner(), 10, "{helpers} helpers: each item decided once");
        }
    }

    /// A helper whose decision panics leaves its item to the completing thread, which decides
    /// it again (where a panic of its own would show); a batch left early stops its helpers.
    #[test]
    fn a_helpers_panic_leaves_its_item_to_be_decided_again_and_an_early_end_stops_helpers() {
        let batch: Batch<u64, u64> = Batch::new(8);
        let main = std::thread::current().id();
        let decide = |item: &u64| {
            assert!(
                *item != 1 || std::thread::current().id() == main,
                "the helper fails item 1"
            );
            item + 100
        };
        for item in 0..3 {
            batch.offer(item);
        }
        batch.close();
        let helper_panicked = std::thread::scope(|scope| {
            let helper = scope.spawn(|| batch.decide_ahead(&decide));
            let panicked = helper.join().is_err();
            let taken: Vec<(u64, u64)> = (0..3).filter_map(|i| batch.take(i, &decide)).collect();
            assert_eq!(taken, [(0, 100), (1, 101), (2, 102)]);
            panicked
        });
        assert!(helper_panicked);
        // Never closed: the ending stops the helper all the same (the scope would not end).
        let open: Batch<u64, u64> = Batch::new(2);
        std::thread::scope(|scope| {
            scope.spawn(|| open.decide_ahead(&|item: &u64| *item));
            let _ending = Ending(&open);
            open.offer(7);
        });
    }

    #[test]
    fn a_clock_move_runs_the_latest_occurrences_and_counts_the_rest() {
        let daily = Schedule::parse("cron(0 5 ? * * *)", None).unwrap();
        let (times, skipped) = latest_occurrences(&daily, 0, 100 * 86_400, 3);
        assert_eq!(
            times,
            [97 * 86_400 + 18_000, 98 * 86_400 + 18_000, 99 * 86_400 + 18_000]
        );
        assert_eq!(skipped, 97);
        let (times, skipped) = latest_occurrences(&daily, 0, 2 * 86_400, 32);
        assert_eq!((times.len(), skipped), (2, 0));
        // A century (AWS's years end at 2199): bounded work, the rest counted up to the bound.
        let (times, skipped) = latest_occurrences(&daily, 0, 36_500 * 86_400, 32);
        assert_eq!((times.len(), skipped), (32, MAX_COUNTED));
    }
}

//! Copy job operations: StartCopyJob (decided by the rules engine), DescribeCopyJob (with the configured progression) and ListCopyJobs (filters and pagination); recovery point reads.

use copylab_rules::catalog::{self, Delivery};
use copylab_rules::engine::Outcome;
use copylab_rules::kms::AWS_OWNED_KEY;
use copylab_rules::world::{CopyJobState, Lifecycle, StartCopyJob};
use serde_json::{Map, Value, json};

use super::{CopyJobRecord, Progression};
use super::{Reply, page, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// `StartCopyJob`.
pub fn start(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let now = ctx.state.now();
    start_at(ctx, input, now, None)
}

/// What started a copy job that a plan's rule started ([`super::runs`]): AWS's
/// `RecoveryPointCreator` (`CreatedBy`) and the backup job whose recovery point it copies
/// (`CreatedByBackupJobId`).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOrigin {
    /// `CreatedBy`, shared by the rule's jobs.
    pub created_by: std::sync::Arc<Value>,
    /// `CreatedByBackupJobId`.
    pub backup_job_id: String,
}

/// A copy job created at `created` (epoch seconds), decided by the rules engine as
/// `StartCopyJob` decides one: the one path for hand-started and plan-started copies ([`prepare`],
/// the engine, [`complete`]); a plan's carries its `origin`.
pub fn start_at(ctx: &mut Ctx<'_>, input: &Map<String, Value>, created: f64, origin: Option<PlanOrigin>) -> Reply {
    match prepare(ctx, input, created, origin)? {
        Prepared::Answered(answer) => Ok(answer),
        Prepared::Pending(pending) => {
            let verdict = ctx
                .state
                .decide_all(&[(&pending.request, &pending.options)])
                .pop()
                .ok_or_else(|| ApiError::invalid_request("the rules engine gave no verdict").modeled())?;
            complete(ctx, *pending, verdict).map(|started| started.answer())
        }
    }
}

/// A copy job [`complete`] started: what `StartCopyJob` answers ([`Started::answer`]); a plan's
/// rule run answers nobody.
#[derive(Debug)]
pub struct Started {
    /// `CopyJobId`.
    pub copy_job_id: String,
    /// `CreationDate`.
    pub created: f64,
    /// `IsParent`.
    pub is_parent: bool,
}

impl Started {
    /// `StartCopyJob`'s answer.
    pub fn answer(&self) -> Value {
        json!({"CopyJobId": self.copy_job_id, "CreationDate": self.created, "IsParent": self.is_parent})
    }
}

/// A copy before the rules engine decides it: the request, and the options of its decision
/// (drawn in the order copies are started, so that a batch decided together gets the ids one
/// at a time would).
#[derive(Debug)]
pub struct PendingCopy {
    request: StartCopyJob,
    options: copylab_rules::Options,
    token: Option<String>,
    created: f64,
    origin: Option<PlanOrigin>,
}

impl PendingCopy {
    /// What the rules engine decides, and how.
    pub fn decision(&self) -> (&StartCopyJob, &copylab_rules::Options) {
        (&self.request, &self.options)
    }
}

/// What [`prepare`] makes of a `StartCopyJob`.
#[derive(Debug)]
pub enum Prepared {
    /// Answered without a decision (a retried idempotency token).
    Answered(Value),
    /// To be decided, then [`complete`]d.
    Pending(Box<PendingCopy>),
}

/// Everything `StartCopyJob` does before the rules engine decides the copy: its request, and the
/// refusals that need no decision.
pub fn prepare(
    ctx: &mut Ctx<'_>,
    input: &Map<String, Value>,
    created: f64,
    origin: Option<PlanOrigin>,
) -> Result<Prepared, ApiError> {
    let token = input.get("IdempotencyToken").and_then(Value::as_str).map(str::to_owned);
    let lifecycle = input.get("Lifecycle").and_then(Value::as_object).map(|l| Lifecycle {
        delete_after_days: l.get("DeleteAfterDays").and_then(Value::as_i64),
        move_to_cold_storage_after_days: l.get("MoveToColdStorageAfterDays").and_then(Value::as_i64),
    });
    let member = |name: &str| input.get(name).and_then(Value::as_str).map(str::to_owned);
    let request = StartCopyJob {
        account: ctx.caller.account.clone(),
        caller: ctx.caller.principal.clone(),
        region: ctx.caller.region.clone(),
        recovery_point_arn: member("RecoveryPointArn"),
        source_backup_vault_name: member("SourceBackupVaultName"),
        destination_backup_vault_arn: member("DestinationBackupVaultArn"),
        iam_role_arn: member("IamRoleArn"),
        lifecycle,
    };
    prepare_request(ctx, request, token, created, origin)
}

/// [`prepare`] of a request already read (a plan's rule run makes it from the rule's copy
/// action), with its `IdempotencyToken`.
pub fn prepare_request(
    ctx: &mut Ctx<'_>,
    request: StartCopyJob,
    token: Option<String>,
    created: f64,
    origin: Option<PlanOrigin>,
) -> Result<Prepared, ApiError> {
    // "Retrying a successful request with the same idempotency token results in a success
    // message with no action taken" (model doc).
    if let Some(token) = &token
        && let Some(job) = ctx
            .state
            .services
            .backup
            .jobs
            .iter()
            .find(|j| j.account == ctx.caller.account && j.idempotency_token.as_deref() == Some(token))
    {
        return Ok(Prepared::Answered(
            json!({"CopyJobId": job.id, "CreationDate": job.created, "IsParent": !job.children.is_empty()}),
        ));
    }
    // A logically air-gapped vault still CREATING takes no copy: AWS documents no answer, so
    // copylab refuses the call before it changes anything (modeled).
    if let Some(destination) = &request.destination_backup_vault_arn
        && let Some(record) = ctx.state.services.backup.vaults.get(destination)
        && record.state(ctx.state.now()) == "CREATING"
    {
        return Err(ApiError::invalid_request(format!(
            "destination backup vault `{destination}` is CREATING: a logically air-gapped vault takes copies once its VaultState is AVAILABLE"
        ))
        .modeled());
    }
    let options = ctx.state.decision_options();
    Ok(Prepared::Pending(Box::new(PendingCopy {
        request,
        options,
        token,
        created,
        origin,
    })))
}

/// Everything `StartCopyJob` does once the rules engine has decided the copy: the refusal, or
/// the job (and a composite copy's nested jobs) with its end.
pub fn complete(ctx: &mut Ctx<'_>, pending: PendingCopy, decided: super::Decided) -> Result<Started, ApiError> {
    let PendingCopy {
        request,
        token,
        created,
        origin,
        ..
    } = pending;
    // Nobody is refused a plan's copy: what would refuse a StartCopyJob fails the plan's job
    // with the same message instead (modeled, as for a nested job). The checks stay: so do
    // their fingerprints.
    let mut decided = decided;
    if origin.is_some() {
        decided.verdict = nested_job(decided.verdict, &mut ctx.state.ids);
    }
    let copy_job_id = match &decided.verdict.outcome {
        Outcome::ApiError {
            error_code,
            message,
            message_id,
            ..
        } => {
            let status = match catalog::message(message_id).map(|m| m.delivery) {
                Some(Delivery::ApiError { http_status, .. }) => {
                    axum::http::StatusCode::from_u16(http_status).unwrap_or(axum::http::StatusCode::BAD_REQUEST)
                }
                _ => axum::http::StatusCode::BAD_REQUEST,
            };
            return Err(ApiError::new(error_code, status, message.clone()));
        }
        Outcome::CopyJob { copy_job_id, .. } => copy_job_id.clone(),
    };
    let rp_arn = request.recovery_point_arn.clone().unwrap_or_default();
    let partition = copylab_rules::regions::partition(&request.region);
    let source_vault_arn = copylab_rules::arn::vault_arn(
        partition,
        &request.region,
        &request.account,
        request.source_backup_vault_name.as_deref().unwrap_or_default(),
    );
    // A composite recovery point (a CloudFormation stack's) is copied by a "parent (composite)
    // copy job" with "child (nested) copy jobs" (the model): one nested job per nested recovery
    // point the world lists in the same vault, each decided by the engine as a copy of its own.
    let vault = request.source_backup_vault_name.clone().unwrap_or_default();
    let nested: Vec<copylab_rules::world::RecoveryPoint> = ctx
        .state
        .nested_recovery_points(&rp_arn)
        .into_iter()
        .filter_map(|i| ctx.state.recovery_point(i))
        .filter(|rp| rp.vault == vault && rp.account.as_deref().is_none_or(|a| a == request.account))
        .cloned()
        .collect();
    let mut children = Vec::with_capacity(nested.len());
    for point in nested {
        let child_request = StartCopyJob {
            recovery_point_arn: Some(point.arn.clone()),
            ..request.clone()
        };
        let child = simulate(ctx, &child_request)?;
        children.push((child_request, point, nested_job(child, &mut ctx.state.ids)));
    }
    if !children.is_empty() {
        let own = decided.verdict.outcome.clone();
        decided.verdict.outcome = composite_outcome(own, children.iter().map(|(_, _, v)| &v.outcome));
    }
    let source = ctx
        .state
        .recovery_points_named(&rp_arn)
        .first()
        .and_then(|&i| ctx.state.recovery_point(i))
        .map(Source::of);
    let is_parent = !children.is_empty();
    let child_ids: Vec<String> = children
        .iter()
        .filter_map(|(_, _, v)| match &v.outcome {
            Outcome::CopyJob { copy_job_id, .. } => Some(copy_job_id.clone()),
            Outcome::ApiError { .. } => None,
        })
        .collect();
    let job = NewJob {
        id: copy_job_id.clone(),
        request,
        decided,
        created,
        source,
        source_vault_arn: source_vault_arn.clone(),
        token,
        parent: None,
        origin: origin.clone(),
    };
    push_job(ctx, job, child_ids);
    let parent_index = ctx.state.services.backup.jobs.position(&copy_job_id);
    for (child_request, point, child) in children {
        let id = match &child.outcome {
            Outcome::CopyJob { copy_job_id, .. } => copy_job_id.clone(),
            Outcome::ApiError { .. } => continue,
        };
        let job = NewJob {
            id,
            request: child_request,
            decided: child.into(),
            created,
            source: Some(Source::of(&point)),
            source_vault_arn: source_vault_arn.clone(),
            token: None,
            parent: Some(copy_job_id.clone()),
            origin: origin.clone(),
        };
        let completed = push_job(ctx, job, Vec::new());
        if let Some(parent) = parent_index.and_then(|i| ctx.state.services.backup.jobs.get_mut(i)) {
            parent.children_completed = parent.children_completed.max(completed);
        }
    }
    expire_jobs(ctx);
    // Under `instant` every job ends at once (`finish` ends a composite job's nested jobs first).
    if let Some(index) = ctx.state.services.backup.jobs.position(&copy_job_id) {
        ctx.state.finish(index);
    }
    Ok(Started {
        copy_job_id,
        created,
        is_parent,
    })
}

/// Asks the rules engine about `request`.
fn simulate(ctx: &mut Ctx<'_>, request: &StartCopyJob) -> Result<copylab_rules::engine::Verdict, ApiError> {
    ctx.state.simulate(request).map_err(|e| {
        ApiError::new(
            "ServiceUnavailableException",
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("the world is invalid: {e}"),
        )
        .modeled()
    })
}

/// A nested job's verdict: what would refuse its own StartCopyJob fails the nested job with
/// the same message instead (modeled: AWS documents no nested job's failures).
fn nested_job(
    mut verdict: copylab_rules::engine::Verdict,
    ids: &mut copylab_rules::ids::IdGenerator,
) -> copylab_rules::engine::Verdict {
    if let Outcome::ApiError {
        message,
        message_id,
        provenance,
        ..
    } = &verdict.outcome
    {
        verdict.outcome = Outcome::CopyJob {
            copy_job_id: ids.uuid_upper(),
            state: CopyJobState::Failed,
            status_message: Some(message.clone()),
            message_category: "MISCELLANEOUS",
            message_id: Some(message_id),
            provenance: Some(*provenance),
            other_wordings: Vec::new(),
            destination_recovery_point: None,
        };
    }
    verdict
}

/// A composite job's end, from its own verdict and its nested jobs' (modeled: AWS documents
/// the states and that a composite recovery point is PARTIAL when "one or more nested recovery
/// points ... were not in the backup", not how a composite copy job's state follows its nested
/// jobs'). Its own failure fails it; otherwise it completes when every nested job completes,
/// fails with the first nested job's message when every one fails, and is PARTIAL between.
fn composite_outcome<'a>(own: Outcome, nested: impl Iterator<Item = &'a Outcome>) -> Outcome {
    let nested: Vec<&Outcome> = nested.collect();
    let failed: Vec<&Outcome> = nested
        .iter()
        .copied()
        .filter(|o| o.state() != Some(CopyJobState::Completed))
        .collect();
    match own {
        Outcome::CopyJob {
            copy_job_id,
            state: CopyJobState::Completed,
            status_message,
            message_category,
            message_id,
            provenance,
            other_wordings,
            destination_recovery_point,
        } => {
            if failed.is_empty() {
                return Outcome::CopyJob {
                    copy_job_id,
                    state: CopyJobState::Completed,
                    status_message,
                    message_category,
                    message_id,
                    provenance,
                    other_wordings,
                    destination_recovery_point,
                };
            }
            if failed.len() < nested.len() {
                return Outcome::CopyJob {
                    copy_job_id,
                    state: CopyJobState::Partial,
                    status_message,
                    message_category,
                    message_id,
                    provenance,
                    other_wordings,
                    destination_recovery_point,
                };
            }
            match failed[0].clone() {
                Outcome::CopyJob {
                    status_message,
                    message_category,
                    message_id,
                    provenance,
                    other_wordings,
                    ..
                } => Outcome::CopyJob {
                    copy_job_id,
                    state: CopyJobState::Failed,
                    status_message,
                    message_category,
                    message_id,
                    provenance,
                    other_wordings,
                    destination_recovery_point: None,
                },
                other => other,
            }
        }
        own => own,
    }
}

/// A job to add ([`push_job`]).
struct NewJob {
    id: String,
    request: StartCopyJob,
    decided: super::Decided,
    created: f64,
    /// The recovery point it copies.
    source: Option<Source>,
    source_vault_arn: String,
    token: Option<String>,
    parent: Option<String>,
    /// The plan and backup job that started it, if a plan did.
    origin: Option<PlanOrigin>,
}

/// What a job shows of the recovery point it copies.
#[derive(Debug, Default)]
struct Source {
    resource_type: String,
    resource_arn: String,
    resource_name: Option<String>,
    backup_size_in_bytes: Option<u64>,
    composite_member_identifier: Option<String>,
}

impl Source {
    fn of(point: &copylab_rules::world::RecoveryPoint) -> Self {
        Source {
            resource_type: point.resource_type.clone(),
            resource_arn: point.resource_arn.clone(),
            resource_name: point.resource_name.clone(),
            backup_size_in_bytes: point.backup_size_in_bytes,
            composite_member_identifier: point.composite_member_identifier.clone(),
        }
    }
}

/// Adds a job, behind a job of the same resource that has not ended ("Only one backup or copy
/// job can run at a time for a given resource": the new one stays CREATED until that one
/// ends; on the clock, it starts to run when that one's time is up; under `polls:N`, when that
/// one is seen to end). Returns when it will end, as far as is known at its start.
fn push_job(ctx: &mut Ctx<'_>, job: NewJob, children: Vec<String>) -> f64 {
    let NewJob {
        id,
        request,
        decided,
        created,
        source,
        source_vault_arn,
        token,
        parent,
        origin,
    } = job;
    // The engine found the recovery point (it refuses a request for one it does not find).
    let source = source.unwrap_or_default();
    let progression = ctx.state.progression;
    let jobs = &mut ctx.state.services.backup.jobs;
    let (mut waiting, mut runs_from) = (false, created);
    if let Some((running_id, ends)) = jobs
        .running_for(
            &ctx.caller.account,
            &ctx.caller.region,
            &source.resource_arn,
            progression,
            created,
        )
        .map(|job| (job.id.clone(), job.completed(progression)))
    {
        match progression {
            Progression::Realtime(_) => runs_from = ends,
            _ => waiting = true,
        }
        if let Some(index) = jobs.position(&running_id) {
            jobs[index].next = Some(id.clone());
        }
    }
    let (outcome, decision) = jobs.share(decided);
    let record = CopyJobRecord {
        id,
        account: ctx.caller.account.clone(),
        region: ctx.caller.region.clone(),
        request,
        outcome,
        decision,
        created,
        started: std::time::Instant::now(),
        polls: 0,
        finished: false,
        resource_type: source.resource_type,
        resource_arn: source.resource_arn,
        resource_name: source.resource_name,
        backup_size_in_bytes: source.backup_size_in_bytes,
        source_vault_arn,
        idempotency_token: token,
        waiting,
        runs_from,
        next: None,
        parent,
        composite_member_identifier: source.composite_member_identifier,
        pending_children: children.len(),
        children,
        children_completed: 0.0,
        created_by: origin.as_ref().map(|o| o.created_by.clone()),
        created_by_backup_job_id: origin.map(|o| o.backup_job_id),
        facts: None,
    };
    let completed = record.completed(progression);
    // Its events: CREATED now, RUNNING when it starts to run (its end, when `finish` sees it).
    let events = &mut ctx.state.services.backup.events;
    let facts = std::sync::Arc::new(super::events::CopyJobFacts::of(&record));
    super::events::emit_copy_job(events, &facts, "CREATED", created, completed);
    super::events::emit_copy_job(events, &facts, "RUNNING", runs_from, completed);
    let mut record = record;
    record.facts = Some(facts);
    let change = super::notifications::JobChange {
        event_type: "COPY_JOB",
        state: "STARTED",
        job_id: &record.id,
        account: &record.account,
        resource_arn: &record.resource_arn,
        recovery_point_arn: None,
        started: runs_from,
        at: runs_from,
    };
    let vault = record.request.source_backup_vault_name.clone().unwrap_or_default();
    super::notifications::notify(ctx.state, (&record.account, &record.region, &vault), &change);
    ctx.state.services.backup.jobs.push(record);
    completed
}

fn describe_job(ctx: &Ctx<'_>, job: &CopyJobRecord) -> Value {
    let state = job.state(ctx.state.progression, ctx.state.now());
    let mut body = json!({
        "AccountId": job.account,
        "CopyJobId": job.id,
        "SourceBackupVaultArn": job.source_vault_arn,
        "SourceRecoveryPointArn": job.request.recovery_point_arn,
        "DestinationBackupVaultArn": job.request.destination_backup_vault_arn,
        "ResourceArn": job.resource_arn,
        "ResourceType": job.resource_type,
        "CreationDate": job.created,
        "State": state.as_str(),
        "IamRoleArn": job.request.iam_role_arn,
        "IsParent": !job.children.is_empty(),
    });
    // A nested job names its composite job and its resource's logical ID; a composite job counts
    // its nested jobs by state.
    if let Some(parent) = &job.parent {
        body["ParentJobId"] = json!(parent);
    }
    if let Some(member) = &job.composite_member_identifier {
        body["CompositeMemberIdentifier"] = json!(member);
    }
    // A plan's copy names the plan and rule, and the backup job that made its source.
    if let Some(created_by) = &job.created_by {
        body["CreatedBy"] = Value::clone(created_by);
    }
    if let Some(backup_job) = &job.created_by_backup_job_id {
        body["CreatedByBackupJobId"] = json!(backup_job);
    }
    if !job.children.is_empty() {
        let (progression, now) = (ctx.state.progression, ctx.state.now());
        let jobs = &ctx.state.services.backup.jobs;
        let mut in_state = Map::new();
        for child in job.children.iter().filter_map(|id| jobs.get(jobs.position(id)?)) {
            let count = in_state
                .entry(child.state(progression, now).as_str())
                .or_insert(json!(0));
            *count = json!(count.as_u64().unwrap_or_default() + 1);
        }
        body["NumberOfChildJobs"] = json!(job.children.len());
        body["ChildJobsInState"] = Value::Object(in_state);
    }
    // The source recovery point's name and size, when the world declares them (copylab
    // computes no sizes). `CreatedBy` is left out: it names "the backup plan and rule that AWS
    // Backup used to initiate the recovery point backup" (the model), and an on-demand
    // StartCopyJob has none.
    if let Some(name) = &job.resource_name {
        body["ResourceName"] = json!(name);
    }
    if let Some(size) = job.backup_size_in_bytes {
        body["BackupSizeInBytes"] = json!(size);
    }
    // The destination vault's type, and for a logically air-gapped vault its lock state
    // (the model documents `DestinationVaultLockState` for those; whether AWS sends it for a
    // standard vault is not documented, so copylab leaves it out).
    let destination = job
        .request
        .destination_backup_vault_arn
        .as_deref()
        .and_then(copylab_rules::arn::VaultArn::parse)
        .and_then(|arn| ctx.state.vault_found(&arn.account, &arn.region, &arn.name))
        .and_then(|i| ctx.state.world().vaults.get(i));
    if let Some(vault) = destination {
        let air_gapped = vault.vault_type == copylab_rules::world::VaultType::LogicallyAirGappedBackupVault;
        body["DestinationVaultType"] = json!(if air_gapped {
            "LOGICALLY_AIR_GAPPED_BACKUP_VAULT"
        } else {
            "BACKUP_VAULT"
        });
        if air_gapped {
            // "Is always locked with a vault lock in compliance mode" (the LAG page).
            body["DestinationVaultLockState"] = json!("LOCKED");
        }
    }
    if state == job.end_state() {
        body["CompletionDate"] = json!(job.completed(ctx.state.progression));
        if let Outcome::CopyJob {
            status_message,
            message_category,
            destination_recovery_point,
            ..
        } = &job.outcome
        {
            body["MessageCategory"] = json!(message_category);
            if let Some(message) = status_message {
                body["StatusMessage"] = json!(message);
            }
            if let Some(rp) = destination_recovery_point {
                body["DestinationRecoveryPointArn"] = json!(rp.arn);
                body["DestinationEncryptionKeyArn"] =
                    json!(rp.encryption_key_arn.as_deref().filter(|key| *key != AWS_OWNED_KEY));
                if let Some(days) = rp.delete_after_days {
                    body["DestinationRecoveryPointLifecycle"] = json!({"DeleteAfterDays": days});
                }
            }
        }
    }
    body
}

/// Forgets the jobs AWS would have removed by now, and the oldest beyond copylab's bound.
fn expire_jobs(ctx: &mut Ctx<'_>) {
    let (progression, now) = (ctx.state.progression, ctx.state.now());
    ctx.state.services.backup.jobs.expire(progression, now);
}

/// `DescribeCopyJob`: each call counts as a poll for `polls:N` progression.
pub fn describe(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    expire_jobs(ctx);
    let id = str_member(input, "CopyJobId")?;
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    // Jobs are Regional: another Region's job is not found, as ListCopyJobs does not list it.
    let jobs = &ctx.state.services.backup.jobs;
    let Some(index) = jobs
        .position(&id)
        .filter(|i| jobs.get(*i).is_some_and(|j| j.account == account && j.region == region))
    else {
        return Err(ApiError::not_found(format!("Copy job {id} not found")).modeled());
    };
    // A job waiting behind another of the same resource does not move: its polls do not count.
    // A composite job's nested jobs run with it: a poll of it is a poll of each.
    let jobs = &mut ctx.state.services.backup.jobs;
    let children: Vec<usize> = jobs
        .get(index)
        .map(|job| job.children.iter().filter_map(|id| jobs.position(id)).collect())
        .unwrap_or_default();
    for i in children.iter().copied().chain([index]) {
        if let Some(job) = jobs.get_mut(i)
            && !job.waiting
        {
            job.polls = job.polls.saturating_add(1);
        }
    }
    for child in children {
        ctx.state.finish(child);
    }
    ctx.state.finish(index);
    let job = &ctx.state.services.backup.jobs[index];
    Ok(json!({"CopyJob": describe_job(ctx, job)}))
}

/// Whether `caller` sees jobs of `owner`: its own; and, for an organization's management
/// account asking with `accountId` (`*` or a member), the members' jobs (`managed`; documented for
/// cross-account monitoring; the destination account of a copy does not see the job: AWS
/// documents no such visibility, so copylab shows none).
fn visible(caller: &str, managed: &std::collections::HashSet<&str>, owner: &str, account_filter: Option<&str>) -> bool {
    match account_filter {
        None => owner == caller,
        Some(filter) if filter != "*" && filter != owner => false,
        Some(_) => owner == caller || managed.contains(owner),
    }
}

/// The member accounts of the organizations `caller` is the management account of.
fn managed_accounts<'w>(world: &'w copylab_rules::World, caller: &str) -> std::collections::HashSet<&'w str> {
    world
        .organizations
        .iter()
        .filter(|o| o.management_account == caller)
        .flat_map(|o| o.accounts.iter().map(|a| a.id.as_str()))
        .collect()
}

/// `ListCopyJobs`: the caller's jobs (or, for a management account with `accountId`, its
/// members'), filtered, paginated.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    expire_jobs(ctx);
    let account_filter = input.get("ByAccountId").and_then(Value::as_str).map(str::to_owned);
    let filter = |name: &str| input.get(name).and_then(Value::as_str).map(str::to_owned);
    let (state, resource_type, resource_arn, destination, category, source_rp) = (
        filter("ByState"),
        filter("ByResourceType"),
        filter("ByResourceArn"),
        filter("ByDestinationVaultArn"),
        filter("ByMessageCategory"),
        filter("BySourceRecoveryPointArn"),
    );
    let created = super::filters::Window::read(input, "ByCreatedAfter", "ByCreatedBefore");
    let completed = super::filters::Window::read(input, "ByCompleteAfter", "ByCompleteBefore");
    // The nested jobs of a composite job (a CloudFormation stack's).
    let parent = super::filters::text(input, "ByParentJobId");
    // The filters a job's record answers (the rendered job shows the same values).
    let matches = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| Some(w) == have);
    let managed = match account_filter {
        Some(_) => managed_accounts(ctx.state.world(), &ctx.caller.account),
        None => std::collections::HashSet::new(),
    };
    let keep = |j: &CopyJobRecord| {
        j.region == ctx.caller.region
            && visible(&ctx.caller.account, &managed, &j.account, account_filter.as_deref())
            && matches(&resource_type, Some(&j.resource_type))
            && matches(&resource_arn, Some(&j.resource_arn))
            && matches(&destination, j.request.destination_backup_vault_arn.as_deref())
            && matches(&source_rp, j.request.recovery_point_arn.as_deref())
            && created.contains(Some(j.created))
            && super::filters::matches(parent, j.parent.as_deref())
    };
    let jobs = &ctx.state.services.backup.jobs;
    let category = category.filter(|c| c != "ANY");
    if state.is_none() && category.is_none() && completed.is_open() {
        // Read from the token's job on, only as far as the page: a page costs its jobs, not
        // every job kept.
        let page = crate::wire::paging::Paging::NEXT_TOKEN.page_after_indexed(
            jobs.as_slices(),
            input,
            |message| ApiError::invalid_value(message).modeled(),
            |job| job.id.as_str(),
            |id| jobs.position(id),
            keep,
            |job| describe_job(ctx, job),
        )?;
        return Ok(page.into_body("CopyJobs", "NextToken"));
    }
    // State, message category and completion change as a job progresses: read them as it
    // shows them.
    let jobs: Vec<Value> = jobs
        .iter()
        .filter(|j| keep(j))
        .map(|j| describe_job(ctx, j))
        .filter(|j| state.as_deref().is_none_or(|s| j["State"] == s))
        .filter(|j| category.as_deref().is_none_or(|s| j["MessageCategory"] == s))
        .filter(|j| completed.contains(j["CompletionDate"].as_f64()))
        .collect();
    super::page_after(&jobs, input, "CopyJobs", "CopyJobId")
}

/// The `CreatedBy` of a recovery point a plan's rule made.
fn creator_of<'s>(ctx: &'s Ctx<'_>, recovery_point_arn: &str) -> Option<&'s Value> {
    ctx.state
        .services
        .backup
        .recovery_point_creators
        .get(recovery_point_arn)
        .map(|c| &**c)
}

fn recovery_point_view(
    ctx: &Ctx<'_>,
    rp: &copylab_rules::world::RecoveryPoint,
    vault_arn: &str,
    created_by: Option<&Value>,
) -> Value {
    // The key as the engine reads it: a fully managed type (EFS, S3, ...) is "always
    // encrypted" with its vault's key, whatever the world says of the recovery point.
    let arn = copylab_rules::arn::Arn::lenient(vault_arn);
    let vault = ctx
        .state
        .world()
        .vaults
        .iter()
        .find(|v| v.account == arn.account && v.region == arn.region && Some(v.name.as_str()) == arn.vault_name());
    let advanced = ctx
        .state
        .world()
        .region_settings
        .iter()
        .any(|s| s.account == arn.account && s.region == arn.region && s.dynamodb_advanced_features);
    let fully_managed =
        copylab_rules::features::feature_row(&rp.resource_type, advanced).is_some_and(|row| row.fully_managed);
    // A logically air-gapped vault keeps every recovery point under its own key, an AWS owned
    // key when it names none.
    let lag = vault.is_some_and(|v| v.vault_type == copylab_rules::world::VaultType::LogicallyAirGappedBackupVault);
    let vault_key = vault
        .and_then(|v| v.encryption_key.as_deref())
        .or(lag.then_some(AWS_OWNED_KEY));
    let key = rp.key(fully_managed || (lag && rp.encryption_key.is_none()), vault_key);
    // As AWS shows it: the key's ARN, also when the world names the key by an alias of a key
    // it lists (an AWS managed key the world does not list keeps its alias ARN: it has no other).
    let shown_key = key.filter(|key| *key != AWS_OWNED_KEY).map(|key| {
        let reference = key_arn(key, vault_arn);
        let world = ctx.state.world();
        match copylab_rules::kms::locate(
            &world.keys,
            |_| None,
            &reference,
            copylab_rules::kms::KeyIdForms::KeyOrAlias,
            arn.account,
            arn.region,
        ) {
            copylab_rules::kms::Located::Listed(i) => world.keys.get(i).map_or(reference, |k| k.arn.clone()),
            _ => reference,
        }
    });
    json!({
        "RecoveryPointArn": rp.arn,
        "BackupVaultName": rp.vault,
        "BackupVaultArn": vault_arn,
        "ResourceArn": rp.resource_arn,
        "ResourceType": rp.resource_type,
        "Status": match rp.status {
            copylab_rules::world::RecoveryPointStatus::Completed => "COMPLETED",
            copylab_rules::world::RecoveryPointStatus::Partial => "PARTIAL",
            copylab_rules::world::RecoveryPointStatus::Expired => "EXPIRED",
            // The model's statuses have no DELETED: a deleted recovery point is on its way out.
            copylab_rules::world::RecoveryPointStatus::Deleted => "DELETING",
        },
        "StorageClass": match rp.storage_class { copylab_rules::world::StorageClass::Warm => "WARM", copylab_rules::world::StorageClass::Cold => "COLD", copylab_rules::world::StorageClass::Deleted => "DELETED" },
        "IsEncrypted": key.is_some(),
        // An AWS owned key (a logically air-gapped vault's) has no ARN to show.
        "EncryptionKeyArn": shown_key,
        "EncryptionKeyType": (key == Some(AWS_OWNED_KEY)).then_some(AWS_OWNED_KEY),
        "CreationDate": ctx.state.started(),
        "Lifecycle": rp.lifecycle.as_ref().map(|l| json!({"DeleteAfterDays": l.delete_after_days})),
        "ResourceName": rp.resource_name,
        "BackupSizeInBytes": rp.backup_size_in_bytes,
        "ParentRecoveryPointArn": rp.parent_recovery_point_arn,
        "CompositeMemberIdentifier": rp.composite_member_identifier,
        // A plan's rule made it: the plan and rule.
        "CreatedBy": created_by,
        "IsParent": ctx
            .state
            .world()
            .recovery_points
            .iter()
            .any(|nested| nested.parent_recovery_point_arn.as_deref() == Some(rp.arn.as_str())),
    })
}

/// A key reference as an ARN: aliases and key ids become ARNs in the vault's account and Region.
pub(crate) fn key_arn(key: &str, vault_arn: &str) -> String {
    if key.starts_with("arn:") {
        return key.to_owned();
    }
    let copylab_rules::arn::Arn {
        partition,
        region,
        account,
        ..
    } = copylab_rules::arn::Arn::lenient(vault_arn);
    key_arn_in(key, partition, region, account)
}

/// A key reference (ARN, alias or id) as an ARN in `partition`, `region` and `account`.
pub(crate) fn key_arn_in(key: &str, partition: &str, region: &str, account: &str) -> String {
    KeyArn {
        key,
        partition,
        region,
        account,
    }
    .to_string()
}

/// A key reference (ARN, alias or id) written as an ARN in `partition`, `region` and `account`:
/// an ARN as it is, an alias or a key id in that account and Region.
pub(crate) struct KeyArn<'a> {
    pub key: &'a str,
    pub partition: &'a str,
    pub region: &'a str,
    pub account: &'a str,
}

impl std::fmt::Display for KeyArn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let KeyArn {
            key,
            partition,
            region,
            account,
        } = self;
        if key.starts_with("arn:") {
            f.write_str(key)
        } else if key.starts_with("alias/") {
            write!(f, "arn:{partition}:kms:{region}:{account}:{key}")
        } else {
            write!(f, "arn:{partition}:kms:{region}:{account}:key/{key}")
        }
    }
}

/// `DescribeRecoveryPoint`: AccessDenied when the vault does not exist, ResourceNotFound
/// "Cannot find recovery point" when the vault exists but the recovery point does not (observed,
/// facts §2.4).
pub fn describe_recovery_point(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let vault_name = str_member(input, "BackupVaultName")?;
    let arn = str_member(input, "RecoveryPointArn")?;
    let (account, region) = (&ctx.caller.account, &ctx.caller.region);
    if !ctx
        .state
        .world()
        .vaults
        .iter()
        .any(|v| &v.account == account && &v.region == region && v.name == vault_name)
    {
        return Err(ApiError::access_denied());
    }
    let vault_arn = format!(
        "arn:{}:backup:{region}:{account}:backup-vault:{vault_name}",
        copylab_rules::regions::partition(region)
    );
    let rp = ctx
        .state
        .world()
        .recovery_points
        .iter()
        .find(|rp| rp.arn == arn && rp.vault == vault_name && rp.account.as_deref().is_none_or(|a| a == account))
        .ok_or_else(|| ApiError::not_found("Cannot find recovery point"))?;
    Ok(recovery_point_view(ctx, rp, &vault_arn, creator_of(ctx, &rp.arn)))
}

/// `ListRecoveryPointsByBackupVault`.
pub fn list_recovery_points(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let vault_name = str_member(input, "BackupVaultName")?;
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    // `BackupVaultAccountId` names the owner of a vault shared with the caller; copylab models
    // no sharing, so another account's vault is one the caller cannot see.
    let owner_ok = super::filters::matches(super::filters::text(input, "BackupVaultAccountId"), Some(&account));
    if !owner_ok
        || !ctx
            .state
            .world()
            .vaults
            .iter()
            .any(|v| v.account == account && v.region == region && v.name == vault_name)
    {
        return Err(ApiError::access_denied());
    }
    let created = super::filters::Window::read(input, "ByCreatedAfter", "ByCreatedBefore");
    let (resource_arn, resource_type) = (
        super::filters::text(input, "ByResourceArn"),
        super::filters::text(input, "ByResourceType"),
    );
    // A recovery point has a backup plan when a plan's rule made it.
    let (plan, parent) = (
        super::filters::text(input, "ByBackupPlanId"),
        super::filters::text(input, "ByParentRecoveryPointArn"),
    );
    let vault_arn = format!(
        "arn:{}:backup:{region}:{account}:backup-vault:{vault_name}",
        copylab_rules::regions::partition(&region)
    );
    let points: Vec<Value> = ctx
        .state
        .world()
        .recovery_points
        .iter()
        .filter(|rp| rp.vault == vault_name && rp.account.as_deref().is_none_or(|a| a == account))
        .filter(|rp| {
            // A recovery point without an account belongs to the only vault of that name.
            rp.account.is_some() || ctx.state.world().vaults.iter().filter(|v| v.name == vault_name).count() == 1
        })
        .filter(|rp| super::filters::matches(resource_arn, Some(&rp.resource_arn)))
        .filter(|rp| super::filters::matches(resource_type, Some(&rp.resource_type)))
        .filter(|rp| {
            super::filters::matches(plan, creator_of(ctx, &rp.arn).and_then(|c| c["BackupPlanId"].as_str()))
                && super::filters::matches(parent, rp.parent_recovery_point_arn.as_deref())
        })
        .map(|rp| recovery_point_view(ctx, rp, &vault_arn, creator_of(ctx, &rp.arn)))
        .filter(|view| created.contains(view["CreationDate"].as_f64()))
        .collect();
    page(&points, input, "RecoveryPoints")
}

//! Backup plans on the wire: CreateBackupPlan, GetBackupPlan (by version too), UpdateBackupPlan, DeleteBackupPlan, ListBackupPlans, ListBackupPlanVersions, GetBackupPlanFromJSON, and the validation of a plan document (aws-plans-policies-events-facts.md §1). The plans are the world's `backup_plans`.

use copylab_rules::backup_plans::{
    BackupPlan, BackupPlanDocument, BackupPlanVersion, BackupRule, DEFAULT_SCHEDULE_EXPRESSION, RuleLifecycle,
};
use copylab_rules::schedule::Schedule;
use serde_json::{Map, Value, json};

use super::{Reply, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// `StartWindowMinutes` when a rule gives none, and `CompletionWindowMinutes`: modeled. The
/// API's defaults are not documented (facts §1.3); AWS's CLI example of `get-backup-plan` shows
/// a plan with 480 and 10080, the console's defaults ("Start within defaults to 8 hours.",
/// "Complete within defaults to 7 days.").
pub const DEFAULT_START_WINDOW_MINUTES: i64 = 480;
/// See [`DEFAULT_START_WINDOW_MINUTES`].
pub const DEFAULT_COMPLETION_WINDOW_MINUTES: i64 = 10_080;
/// "Backup plan rules in a plan 10" (quotas, facts §1.4).
const MAX_RULES: usize = 10;
/// "Copy actions per backup rule 5" (quotas, facts §1.4).
const MAX_COPY_ACTIONS: usize = 5;
/// The longest retention: "This parameter has a maximum value of 100 years (36,500 days)."
const MAX_RETENTION_DAYS: i64 = 36_500;
/// "PITR-enabled backups have 35-day maximum retention." (facts §1.4).
const MAX_CONTINUOUS_RETENTION_DAYS: i64 = 35;

/// A UTC timestamp of the virtual clock, whole seconds (as the world keeps dates).
pub fn timestamp(now: f64) -> String {
    crate::clock::iso8601(now)
}

/// Epoch seconds of a world date, or `default` when it has none.
pub fn seconds(date: Option<&String>, default: f64) -> f64 {
    date.and_then(|d| copylab_rules::world::timestamp_seconds(d))
        .map_or(default, |s| s as f64)
}

/// `ResourceNotFoundException` for a plan the caller does not have (the text is copylab's).
pub fn plan_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Backup plan {id} not found")).modeled()
}

/// The caller's plan `id` (deleted ones too), by index in the world.
pub fn position(ctx: &Ctx<'_>, id: &str) -> Option<usize> {
    ctx.state
        .world()
        .backup_plans
        .iter()
        .position(|p| p.id == id && p.account == ctx.caller.account && p.region == ctx.caller.region)
}

/// The caller's plan `id` that is not deleted, or ResourceNotFoundException.
pub fn live_position(ctx: &Ctx<'_>, id: &str) -> Result<usize, ApiError> {
    position(ctx, id)
        .filter(|&i| ctx.state.world().backup_plans[i].deletion_date.is_none())
        .ok_or_else(|| plan_not_found(id))
}

/// A plan document from a request member, checked as AWS checks it.
fn document(value: Option<&Value>) -> Result<BackupPlanDocument, ApiError> {
    let value = value.cloned().unwrap_or_default();
    let document: BackupPlanDocument = serde_json::from_value(value)
        .map_err(|e| ApiError::invalid_value(format!("the backup plan is not a BackupPlanInput: {e}")).modeled())?;
    validate(&document)?;
    Ok(document)
}

/// The documented validation of a plan: AWS's observed messages where the facts hold them
/// (lifecycle gap, continuous backup and cold storage, schedule interval), the rest modeled.
pub fn validate(document: &BackupPlanDocument) -> Result<(), ApiError> {
    if document.rules.len() > MAX_RULES {
        return Err(limit(format!(
            "A backup plan can have at most {MAX_RULES} rules; this one has {}",
            document.rules.len()
        )));
    }
    for rule in &document.rules {
        validate_rule(rule)?;
    }
    Ok(())
}

fn limit(message: String) -> ApiError {
    ApiError::new("LimitExceededException", axum::http::StatusCode::BAD_REQUEST, message).modeled()
}

fn validate_rule(rule: &BackupRule) -> Result<(), ApiError> {
    let name = &rule.name;
    if rule.copy_actions.len() > MAX_COPY_ACTIONS {
        return Err(limit(format!(
            "Error in rule {name} : A backup rule can have at most {MAX_COPY_ACTIONS} copy actions"
        )));
    }
    if rule.schedule_expression.is_some() || rule.schedule_expression_timezone.is_some() {
        validate_schedule(
            rule.schedule_expression
                .as_deref()
                .unwrap_or(DEFAULT_SCHEDULE_EXPRESSION),
            rule.schedule_expression_timezone.as_deref(),
        )?;
    }
    if let Some(minutes) = rule.start_window_minutes.filter(|m| *m < 60) {
        // The model: "If this value is included, it must be at least 60 minutes to avoid
        // errors."; the text is AWS's framework wording (modeled).
        return Err(ApiError::invalid_value(format!(
            "1 validation error detected: Value '{minutes}' at 'backupPlan.rules.member.startWindowMinutes' failed to satisfy constraint: Member must have value greater than or equal to 60"
        ))
        .modeled());
    }
    let continuous = rule.enable_continuous_backup == Some(true);
    if let Some(lifecycle) = &rule.lifecycle {
        if continuous && lifecycle.move_to_cold_storage_after_days.is_some() {
            // Observed (lgallard/terraform-aws-backup#40, facts §1.4).
            return Err(ApiError::invalid_value(format!(
                "Error in rule {name} : Invalid lifecycle. MoveToColdStorageAfterDays is unavailable"
            )));
        }
        if continuous
            && lifecycle
                .delete_after_days
                .is_some_and(|d| d > MAX_CONTINUOUS_RETENTION_DAYS)
        {
            return Err(ApiError::invalid_value(format!(
                "Error in rule {name} : Invalid lifecycle. DeleteAfterDays cannot be more than {MAX_CONTINUOUS_RETENTION_DAYS} days for continuous backups"
            ))
            .modeled());
        }
        validate_lifecycle(name, lifecycle, false)?;
    }
    for action in &rule.copy_actions {
        if let Some(lifecycle) = &action.lifecycle {
            validate_lifecycle(name, lifecycle, true)?;
        }
    }
    Ok(())
}

/// A lifecycle's days. A copy action may keep its copies indefinitely with -1 for both ("specify
/// -1 for MoveToColdStorageAfterDays and DeleteAfterDays", the model's `CopyAction.Lifecycle`).
fn validate_lifecycle(rule: &str, lifecycle: &RuleLifecycle, copy: bool) -> Result<(), ApiError> {
    let (cold, delete) = (lifecycle.move_to_cold_storage_after_days, lifecycle.delete_after_days);
    if copy && cold == Some(-1) && delete == Some(-1) {
        return Ok(());
    }
    if delete.is_some_and(|d| !(1..=MAX_RETENTION_DAYS).contains(&d)) {
        // The text is AWS's (hashicorp/terraform-provider-aws#24960, facts §1.4); the rule-name
        // prefix, which the other observed rule errors carry, is inferred.
        return Err(ApiError::invalid_value(format!(
            "Error in rule {rule} : Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days"
        ))
        .modeled());
    }
    if let (Some(cold), Some(delete)) = (cold, delete)
        && delete - cold < 90
    {
        // Observed (hashicorp/terraform-provider-aws PR #7350, facts §1.4).
        return Err(ApiError::invalid_value(format!(
            "Error in rule {rule} : Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays"
        )));
    }
    Ok(())
}

/// A schedule: `cron(...)` in EventBridge's dialect, read by the scheduler's own parser
/// (`copylab_rules::schedule`, facts §1.3), in an IANA time zone, at most once an hour ("The
/// interval between backup jobs shouldn't be less than 60 minutes.", observed; the exception name
/// is inferred). AWS documents no text for a malformed expression or time zone: those messages are
/// modeled, AWS's framework form with the parser's reason.
fn validate_schedule(expression: &str, timezone: Option<&str>) -> Result<(), ApiError> {
    let schedule = Schedule::parse(expression, None).map_err(|reason| {
        ApiError::invalid_value(format!("Invalid schedule expression {expression}: {reason}")).modeled()
    })?;
    if let Some(timezone) = timezone {
        Schedule::parse(expression, Some(timezone)).map_err(|reason| {
            ApiError::invalid_value(format!("Invalid ScheduleExpressionTimezone {timezone}: {reason}")).modeled()
        })?;
    }
    if schedule.minutes_per_hour() > 1 {
        return Err(ApiError::invalid_value(
            "The interval between backup jobs shouldn't be less than 60 minutes.",
        ));
    }
    Ok(())
}

/// A plan document as AWS answers it: each rule with its `RuleId` and AWS's defaults filled in
/// (`ScheduleExpression`; `StartWindowMinutes` and `CompletionWindowMinutes`, modeled).
pub fn render_document(plan_id: Option<&str>, document: &BackupPlanDocument) -> Value {
    let mut document = document.clone();
    for rule in &mut document.rules {
        rule.schedule_expression
            .get_or_insert_with(|| DEFAULT_SCHEDULE_EXPRESSION.to_owned());
        rule.start_window_minutes.get_or_insert(DEFAULT_START_WINDOW_MINUTES);
        rule.completion_window_minutes
            .get_or_insert(DEFAULT_COMPLETION_WINDOW_MINUTES);
        if let Some(plan_id) = plan_id {
            let name = rule.name.clone();
            rule.rule_id
                .get_or_insert_with(|| copylab_rules::backup_plans::derived_rule_id(plan_id, &name));
        }
    }
    serde_json::to_value(&document).unwrap_or_default()
}

/// Two documents are the same plan document when they are equal with AWS's defaults filled in and
/// without rule ids.
fn same_document(a: &BackupPlanDocument, b: &BackupPlanDocument) -> bool {
    let strip = |d: &BackupPlanDocument| {
        let mut value = render_document(None, d);
        if let Some(rules) = value.get_mut("Rules").and_then(Value::as_array_mut) {
            for rule in rules.iter_mut().filter_map(Value::as_object_mut) {
                rule.remove("RuleId");
            }
        }
        value
    };
    strip(a) == strip(b)
}

fn with_advanced(mut body: Value, document: &BackupPlanDocument) -> Value {
    if !document.advanced_backup_settings.is_empty()
        && let Some(body) = body.as_object_mut()
    {
        body.insert(
            "AdvancedBackupSettings".to_owned(),
            Value::from(document.advanced_backup_settings.clone()),
        );
    }
    body
}

/// `CreateBackupPlan`.
pub fn create(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let mut document = document(input.get("BackupPlan"))?;
    let creator_request_id = input.get("CreatorRequestId").and_then(Value::as_str).map(str::to_owned);
    let started = ctx.state.started();
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    let existing = ctx.state.world().backup_plans.iter().find(|p| {
        p.account == account && p.region == region && p.deletion_date.is_none() && same_document(&p.plan, &document)
    });
    if let Some(existing) = existing {
        // A retry with the same `CreatorRequestId` answers as the first call did.
        if creator_request_id.is_some() && existing.creator_request_id == creator_request_id {
            let body = json!({
                "BackupPlanId": existing.id,
                "BackupPlanArn": existing.arn(),
                "CreationDate": seconds(existing.creation_date.as_ref(), started),
                "VersionId": existing.version_id(),
            });
            return Ok(with_advanced(body, &existing.plan));
        }
        // Observed (ministryofjustice/modernisation-platform PR #4909, facts §1.4).
        return Err(ApiError::new(
            "AlreadyExistsException",
            axum::http::StatusCode::BAD_REQUEST,
            "Backup plan with the same plan document already exists",
        ));
    }
    let tags = super::string_map(input, "BackupPlanTags");
    super::too_many_tags(tags.len())?;
    let id = ctx.state.ids.uuid();
    let version_id = copylab_rules::backup_plans::version_id(&mut ctx.state.ids);
    for rule in &mut document.rules {
        rule.rule_id = Some(ctx.state.ids.uuid());
    }
    let created = timestamp(ctx.state.now());
    let plan = BackupPlan {
        id,
        account,
        region,
        plan: document,
        version_id: Some(version_id.clone()),
        creation_date: Some(created.clone()),
        deletion_date: None,
        creator_request_id,
        tags,
        versions: Vec::new(),
        selections: Vec::new(),
    };
    let body = json!({
        "BackupPlanId": plan.id,
        "BackupPlanArn": plan.arn(),
        "CreationDate": seconds(Some(&created), started),
        "VersionId": version_id,
    });
    let body = with_advanced(body, &plan.plan);
    ctx.state.world_mut().backup_plans.push(plan);
    Ok(body)
}

/// `GetBackupPlan`: the current version, or the one `VersionId` names (an earlier one, or the
/// current). `MaxScheduledRunsPreview` (0 to 10, the model's range) previews the next runs of
/// the current version's rules from the virtual clock's now, by the scheduler's calendar.
pub fn get(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let id = str_member(input, "BackupPlanId")?;
    let i = position(ctx, &id).ok_or_else(|| plan_not_found(&id))?;
    let plan = &ctx.state.world().backup_plans[i];
    let started = ctx.state.started();
    let current = plan.version_id();
    let wanted = input.get("VersionId").and_then(Value::as_str);
    let (version_id, document, created, deleted) = match wanted {
        None => (
            current,
            &plan.plan,
            plan.creation_date.as_ref(),
            plan.deletion_date.as_ref(),
        ),
        Some(v) if v == current => (
            current,
            &plan.plan,
            plan.creation_date.as_ref(),
            plan.deletion_date.as_ref(),
        ),
        Some(v) => {
            let version = plan
                .versions
                .iter()
                .find(|ver| ver.version_id == v)
                .ok_or_else(|| ApiError::not_found(format!("Backup plan {id} has no version {v}")).modeled())?;
            (
                version.version_id.clone(),
                &version.plan,
                version.creation_date.as_ref(),
                None,
            )
        }
    };
    let mut body = json!({
        "BackupPlan": render_document(Some(&plan.id), document),
        "BackupPlanId": plan.id,
        "BackupPlanArn": plan.arn(),
        "VersionId": version_id,
        "CreationDate": seconds(created, started),
    });
    if let Some(object) = body.as_object_mut() {
        if let Some(request) = &plan.creator_request_id {
            object.insert("CreatorRequestId".to_owned(), Value::from(request.clone()));
        }
        if let Some(deleted) = deleted {
            object.insert("DeletionDate".to_owned(), Value::from(seconds(Some(deleted), started)));
        }
        let wanted_runs = input
            .get("MaxScheduledRunsPreview")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if wanted_runs > 0 && deleted.is_none() {
            let runs = scheduled_runs(plan, ctx.state.now(), usize::try_from(wanted_runs).unwrap_or(10));
            object.insert("ScheduledRunsPreview".to_owned(), Value::from(runs));
        }
    }
    Ok(with_advanced(body, document))
}

/// The next `limit` runs of `plan`'s rules after `now` (the model's `ScheduledPlanExecutionMember`:
/// `ExecutionTime`, `RuleId`, `RuleExecutionType`), in time order, looking a year and a day
/// ahead. A rule with continuous backup is `CONTINUOUS_AND_SNAPSHOTS`, another `SNAPSHOTS`
/// (modeled: the model names the values, not when each is given).
fn scheduled_runs(plan: &copylab_rules::backup_plans::BackupPlan, now: f64, limit: usize) -> Vec<Value> {
    let after = now.floor() as i64;
    let until = after + 366 * 86_400;
    let mut runs: Vec<(i64, String, &'static str)> = Vec::new();
    for rule in &plan.plan.rules {
        let expression = rule
            .schedule_expression
            .as_deref()
            .unwrap_or(copylab_rules::backup_plans::DEFAULT_SCHEDULE_EXPRESSION);
        let Ok(schedule) =
            copylab_rules::schedule::Schedule::parse(expression, rule.schedule_expression_timezone.as_deref())
        else {
            continue;
        };
        let rule_id = rule
            .rule_id
            .clone()
            .unwrap_or_else(|| copylab_rules::backup_plans::derived_rule_id(&plan.id, &rule.name));
        let kind = if rule.enable_continuous_backup == Some(true) {
            "CONTINUOUS_AND_SNAPSHOTS"
        } else {
            "SNAPSHOTS"
        };
        runs.extend(
            schedule
                .occurrences(after, until, limit)
                .into_iter()
                .map(|at| (at, rule_id.clone(), kind)),
        );
    }
    runs.sort();
    runs.truncate(limit);
    runs.into_iter()
        .map(|(at, rule_id, kind)| json!({"ExecutionTime": at, "RuleId": rule_id, "RuleExecutionType": kind}))
        .collect()
}

/// `UpdateBackupPlan`: the document becomes a new version with a new `VersionId`; the current
/// one is kept as an earlier version. A rule keeps its `RuleId` when the new version has a rule
/// of the same name (modeled: AWS documents no rule ids across versions).
pub fn update(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let id = str_member(input, "BackupPlanId")?;
    let i = live_position(ctx, &id)?;
    if copylab_rules::backup_policy::is_org_plan(&id) {
        // Modeled on the observed refusal to delete such a plan (facts §1.4): AWS's text for an
        // update is not documented.
        return Err(ApiError::invalid_value(format!(
            "Backup plan cannot be updated for backup plan {id} created by organizations"
        ))
        .modeled());
    }
    let mut document = document(input.get("BackupPlan"))?;
    let version_id = copylab_rules::backup_plans::version_id(&mut ctx.state.ids);
    let started = ctx.state.started();
    let now = timestamp(ctx.state.now());
    for rule in &mut document.rules {
        let kept = ctx.state.world().backup_plans[i]
            .plan
            .rules
            .iter()
            .find(|r| r.name == rule.name)
            .map(|r| {
                r.rule_id
                    .clone()
                    .unwrap_or_else(|| copylab_rules::backup_plans::derived_rule_id(&id, &r.name))
            });
        rule.rule_id = Some(match kept {
            Some(kept) => kept,
            None => ctx.state.ids.uuid(),
        });
    }
    let plan = &mut ctx.state.world_mut().backup_plans[i];
    let earlier = BackupPlanVersion {
        version_id: plan.version_id(),
        plan: std::mem::replace(&mut plan.plan, document),
        creation_date: plan.creation_date.clone(),
    };
    plan.versions.push(earlier);
    plan.version_id = Some(version_id.clone());
    plan.creation_date = Some(now.clone());
    let body = json!({
        "BackupPlanId": plan.id,
        "BackupPlanArn": plan.arn(),
        "CreationDate": seconds(Some(&now), started),
        "VersionId": version_id,
    });
    Ok(with_advanced(body, &plan.plan))
}

/// `DeleteBackupPlan`: refused while the plan has selections; a deleted plan stays listed with
/// `IncludeDeleted`, and its versions stay readable.
pub fn delete(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let id = str_member(input, "BackupPlanId")?;
    let i = live_position(ctx, &id)?;
    if copylab_rules::backup_policy::is_org_plan(&id) {
        // Observed (rebuy-de/aws-nuke#633, facts §1.4), before the selections' refusal.
        return Err(ApiError::invalid_value(format!(
            "Backup plan cannot be deleted for backup plan {id} created by organizations"
        )));
    }
    let started = ctx.state.started();
    let now = timestamp(ctx.state.now());
    let plan = &mut ctx.state.world_mut().backup_plans[i];
    if !plan.selections.is_empty() {
        // Observed (hashicorp/terraform-provider-aws#10414, facts §1.4).
        return Err(ApiError::invalid_request(
            "Related backup plan selections must be deleted prior to backup plan deletion",
        ));
    }
    plan.deletion_date = Some(now.clone());
    Ok(json!({
        "BackupPlanId": plan.id,
        "BackupPlanArn": plan.arn(),
        "DeletionDate": seconds(Some(&now), started),
        "VersionId": plan.version_id(),
    }))
}

/// One plan (or one version) as `ListBackupPlans` and `ListBackupPlanVersions` show it.
fn list_member(
    plan: &BackupPlan,
    version_id: String,
    document: &BackupPlanDocument,
    created: Option<&String>,
    deleted: Option<&String>,
    started: f64,
) -> Value {
    let mut body = json!({
        "BackupPlanArn": plan.arn(),
        "BackupPlanId": plan.id,
        "CreationDate": seconds(created, started),
        "VersionId": version_id,
        "BackupPlanName": document.name,
    });
    if let Some(object) = body.as_object_mut() {
        if let Some(deleted) = deleted {
            object.insert("DeletionDate".to_owned(), Value::from(seconds(Some(deleted), started)));
        }
        if let Some(request) = &plan.creator_request_id {
            object.insert("CreatorRequestId".to_owned(), Value::from(request.clone()));
        }
    }
    with_advanced(body, document)
}

/// `ListBackupPlans`: the caller's plans in creation order, deleted ones with `IncludeDeleted`.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let include_deleted = input.get("IncludeDeleted").and_then(Value::as_bool).unwrap_or(false);
    let started = ctx.state.started();
    let plans: Vec<&BackupPlan> = ctx
        .state
        .world()
        .backup_plans
        .iter()
        .filter(|p| p.account == ctx.caller.account && p.region == ctx.caller.region)
        .filter(|p| include_deleted || p.deletion_date.is_none())
        .collect();
    super::page_by(&plans, input, "BackupPlansList", |p| {
        list_member(
            p,
            p.version_id(),
            &p.plan,
            p.creation_date.as_ref(),
            p.deletion_date.as_ref(),
            started,
        )
    })
}

/// `ListBackupPlanVersions`: every version of the plan, oldest first, the current one last.
pub fn list_versions(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let id = str_member(input, "BackupPlanId")?;
    let i = position(ctx, &id).ok_or_else(|| plan_not_found(&id))?;
    let plan = &ctx.state.world().backup_plans[i];
    let started = ctx.state.started();
    let mut versions: Vec<Value> = plan
        .versions
        .iter()
        .map(|v| {
            list_member(
                plan,
                v.version_id.clone(),
                &v.plan,
                v.creation_date.as_ref(),
                None,
                started,
            )
        })
        .collect();
    versions.push(list_member(
        plan,
        plan.version_id(),
        &plan.plan,
        plan.creation_date.as_ref(),
        plan.deletion_date.as_ref(),
        started,
    ));
    super::page(&versions, input, "BackupPlanVersionsList")
}

/// `GetBackupPlanFromJSON`: the plan a JSON document describes (`{"BackupPlan": {...}}` or the
/// `BackupPlan` itself), checked as `CreateBackupPlan` checks it; nothing is stored.
pub fn from_json(_ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let text = str_member(input, "BackupPlanTemplateJson")?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| ApiError::invalid_value(format!("BackupPlanTemplateJson is not JSON: {e}")).modeled())?;
    let plan = match value.get("BackupPlan") {
        Some(inner) => inner.clone(),
        None => value,
    };
    let document = document(Some(&plan))?;
    Ok(json!({"BackupPlan": render_document(None, &document)}))
}

/// `ExportBackupPlanTemplate`: the plan's current document as JSON text, which
/// `GetBackupPlanFromJSON` reads back. AWS's template "is a signed JSON document that cannot be
/// modified before being passed to GetBackupPlanFromJSON" (the model); its format is not
/// documented, so copylab's is the `BackupPlan` document itself, unsigned (modeled).
pub fn export_template(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let id = str_member(input, "BackupPlanId")?;
    let i = live_position(ctx, &id)?;
    let plan = &ctx.state.world().backup_plans[i];
    let document = render_document(None, &plan.plan);
    Ok(json!({"BackupPlanTemplateJson": json!({"BackupPlan": document}).to_string()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minutes_field_names_the_minutes_of_an_hour_it_matches() {
        for (field, count) in [
            ("0", Some(1)),
            ("15", Some(1)),
            ("*", Some(60)),
            ("0/10", Some(6)),
            ("*/30", Some(2)),
            ("0,30", Some(2)),
            ("10-12", Some(3)),
            ("0/60", Some(1)),
            ("60", None),
            ("a", None),
            ("5-1", None),
            ("*/0", None),
        ] {
            let schedule = Schedule::parse(&format!("cron({field} 5 ? * * *)"), None).ok();
            assert_eq!(schedule.map(|s| s.minutes_per_hour()), count, "{field}");
        }
    }
}

//! What a backup plan's rule does when it runs, decided without running it: which resources its selections pick (and why the others are not picked), the recovery point each backup makes, and the copy each copy action starts. The server's plan runner and `copylab explain` (a scenario's `plan_run`) both use it, so a plan's copies are decided as a hand-started copy of the same recovery point is.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::backup_plans::{BackupPlan, BackupRule, BackupSelectionDocument, ConditionParameter, CopyAction};
use crate::ids::IdGenerator;
use crate::world::{BackupVault, Lifecycle, RecoveryPoint, Resource, StartCopyJob, VaultType, World};

/// A scenario's copy started by a backup plan (instead of `copy_job`): the plan, the rule, the
/// resource and the copy action whose copy the scenario decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRun {
    /// The plan's `BackupPlanId` or `BackupPlanName` (in `backup_plans`, or made by an
    /// organization's backup policy).
    pub plan: String,
    /// The plan's account, where plans of several accounts share the name (an organization's
    /// backup policy makes one in each account); default: the first plan of that name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The rule's `RuleName`; default: the plan's first rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The ARN of the resource whose copy is decided (one the selections pick); default: the
    /// first resource they pick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Which of the rule's `CopyActions` (from 0); default: the first.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub copy_action: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The `ResourceType` a resource ARN names (modeled: an RDS cluster is taken as Aurora, since
/// Aurora, DocumentDB and Neptune share one ARN form).
pub fn resource_type_of(arn: &str) -> Option<&'static str> {
    let arn = crate::arn::Arn::parse(arn)?;
    Some(
        match (arn.service, arn.resource.split(['/', ':']).next().unwrap_or_default()) {
            ("ec2", "volume") => "EBS",
            ("ec2", "instance") => "EC2",
            ("rds", "db") => "RDS",
            ("rds", "cluster") => "Aurora",
            ("dynamodb", _) => "DynamoDB",
            ("elasticfilesystem", _) => "EFS",
            ("s3", _) => "S3",
            ("fsx", _) => "FSx",
            ("storagegateway", _) => "Storage Gateway",
            ("timestream", _) => "Timestream",
            ("cloudformation", _) => "CloudFormation",
            ("backup-gateway", _) => "VirtualMachine",
            ("redshift", _) => "Redshift",
            _ => return None,
        },
    )
}

/// Whether a resource's ARN is in `account` and `region` (an ARN that names neither, as an S3
/// bucket's, is in every account that selects it).
pub fn in_scope(resource: &Resource, account: &str, region: &str) -> bool {
    crate::arn::Arn::parse(&resource.arn).is_some_and(|arn| {
        (arn.account.is_empty() || arn.account == account) && (arn.region.is_empty() || arn.region == region)
    })
}

/// A `Resources` pattern: an ARN, or a prefix ending in `*` ("the asterisk (*) must appear at
/// the end of the ARN string (prefix pattern)", the model); a backup policy's
/// `resource_types` may put `*` anywhere ("at the start, end, and middle of a string", the
/// backup policy syntax page), and so may a pattern here: `*` matches any characters.
fn arn_matches(pattern: &str, arn: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = arn.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// `StringLike`: `*` matches zero or more characters anywhere ("prod*" or "*rod*" match
/// "production", the model), but no white space ("The wildcard * represents zero or more
/// non-whitespace characters", assigning-resources-json).
pub fn like(pattern: &str, value: &str) -> bool {
    fn go(p: &[char], v: &[char]) -> bool {
        match p.split_first() {
            None => v.is_empty(),
            Some(('*', rest)) => (0..=v.len())
                .take_while(|&i| i == 0 || !v[i - 1].is_whitespace())
                .any(|i| go(rest, &v[i..])),
            Some((c, rest)) => v.first() == Some(c) && go(rest, &v[1..]),
        }
    }
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    go(&p, &v)
}

/// A condition's resource tag (its key is `aws:ResourceTag/KEY`), its key and the wanted value.
fn condition<'a>(resource: &'a Resource, p: &'a ConditionParameter) -> (Option<&'a str>, &'a str, &'a str) {
    let key = p.condition_key.as_deref().unwrap_or_default();
    let have = key
        .strip_prefix("aws:ResourceTag/")
        .and_then(|k| resource.tags.get(k))
        .map(String::as_str);
    (have, key, p.condition_value.as_deref().unwrap_or_default())
}

/// Whether a selection picks a resource (aws-plans-policies-events-facts.md §1.6), and if not,
/// why: it is among `Resources` (OR) when they are given, and matches one of `ListOfTags` (OR)
/// when they are given ("the specified resource types are filtered first, then tags further
/// filter those resources"), is not among `NotResources`, and meets every one of `Conditions`
/// (AND) on `aws:ResourceTag/KEY`. Operators are case sensitive.
pub fn picks(selection: &BackupSelectionDocument, resource: &Resource) -> Result<(), String> {
    let arn = resource.arn.as_str();
    if !selection.resources.is_empty() && !selection.resources.iter().any(|p| arn_matches(p, arn)) {
        return Err(format!("not among Resources {:?}", selection.resources));
    }
    if !selection.list_of_tags.is_empty()
        && !selection.list_of_tags.iter().any(|c| {
            c.condition_type == "STRINGEQUALS" && resource.tags.get(&c.condition_key) == Some(&c.condition_value)
        })
    {
        return Err("has none of the ListOfTags tags".to_owned());
    }
    if let Some(pattern) = selection.not_resources.iter().find(|p| arn_matches(p, arn)) {
        return Err(format!("excluded by NotResources {pattern}"));
    }
    let Some(conditions) = &selection.conditions else {
        return Ok(());
    };
    let failed = |operator: &str, (have, key, want): (Option<&str>, &str, &str)| {
        let have = have.map_or_else(|| "no such tag".to_owned(), |h| format!("`{h}`"));
        Err(format!("fails Conditions {operator} {key} `{want}`: it has {have}"))
    };
    for (have, key, want) in conditions.string_equals.iter().map(|p| condition(resource, p)) {
        if have != Some(want) {
            return failed("StringEquals", (have, key, want));
        }
    }
    for (have, key, want) in conditions.string_not_equals.iter().map(|p| condition(resource, p)) {
        if have == Some(want) {
            return failed("StringNotEquals", (have, key, want));
        }
    }
    for (have, key, want) in conditions.string_like.iter().map(|p| condition(resource, p)) {
        if !have.is_some_and(|h| like(want, h)) {
            return failed("StringLike", (have, key, want));
        }
    }
    for (have, key, want) in conditions.string_not_like.iter().map(|p| condition(resource, p)) {
        if have.is_some_and(|h| like(want, h)) {
            return failed("StringNotLike", (have, key, want));
        }
    }
    Ok(())
}

/// What a rule's run backs up: each resource once, with the role of the first selection that
/// picks it; and why each other candidate is not picked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Picks<'w> {
    /// Resources picked, in the candidates' order, each with the selection that picked it.
    pub picked: Vec<Picked<'w>>,
    /// Candidates no selection picks, each with every selection's reason.
    pub not_picked: Vec<NotPicked<'w>>,
}

/// A resource a rule's run backs up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Picked<'w> {
    /// The resource.
    pub resource: &'w Resource,
    /// The `SelectionName` of the first selection that picks it.
    pub selection: &'w str,
    /// That selection's `IamRoleArn`: the backup's role and the copies'.
    pub role: &'w str,
}

/// A resource a rule's run leaves out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotPicked<'w> {
    /// The resource.
    pub resource: &'w Resource,
    /// Each selection's name and why it does not pick the resource.
    pub reasons: Vec<(&'w str, String)>,
}

/// Whether `resource_type` is opted out for `plan` (`ResourceTypeOptInPreference` false): in the
/// plan's account and Region, or for a plan an organization's backup policy made, in the
/// management account's ("the resource opt-in settings in the management account override the
/// settings in a member account for that particular backup plan", facts §2.3).
fn opted_out(world: &World, plan: &BackupPlan, resource_type: &str) -> bool {
    let account = if crate::backup_policy::is_org_plan(&plan.id) {
        world
            .organizations
            .iter()
            .find(|o| o.management_account == plan.account || o.accounts.iter().any(|a| a.id == plan.account))
            .map_or(plan.account.as_str(), |o| o.management_account.as_str())
    } else {
        plan.account.as_str()
    };
    world
        .region_settings
        .iter()
        .filter(|s| s.account == account && s.region == plan.region)
        .any(|s| s.opted_out.iter().any(|t| t == resource_type))
}

/// Whether a selection assigns resources by tags only (no `Resources`, or only `*`): then the
/// opt-in settings apply ("If resource assignments are only based on tags, then service opt-in
/// settings are applied. If a resource type is explicitly assigned to a backup plan ... it will
/// be included in the backup even if the opt-in is not enabled", the model's
/// `UpdateRegionSettings`; `*` taken as no type: modeled).
fn by_tags_only(selection: &BackupSelectionDocument) -> bool {
    selection.resources.iter().all(|r| r == "*")
}

/// Which of `candidates` the plan's selections pick.
pub fn rule_picks<'w>(
    world: &World,
    plan: &'w BackupPlan,
    candidates: impl IntoIterator<Item = &'w Resource>,
) -> Picks<'w> {
    let mut out = Picks {
        picked: Vec::new(),
        not_picked: Vec::new(),
    };
    for resource in candidates {
        if !in_scope(resource, &plan.account, &plan.region) || out.picked.iter().any(|p| p.resource.arn == resource.arn)
        {
            continue;
        }
        let mut reasons = Vec::new();
        let mut found = None;
        let resource_type = backup_resource_type(Some(resource), &resource.arn).unwrap_or_default();
        let opted = opted_out(world, plan, &resource_type);
        for selection in &plan.selections {
            let picked = picks(&selection.selection, resource).and_then(|()| {
                if opted && by_tags_only(&selection.selection) {
                    Err(format!(
                        "assigns by tags only, and resource type {resource_type} is opted out in this Region (ResourceTypeOptInPreference)"
                    ))
                } else {
                    Ok(())
                }
            });
            match picked {
                Ok(()) => {
                    found = Some(selection);
                    break;
                }
                Err(reason) => reasons.push((selection.selection.name.as_str(), reason)),
            }
        }
        match found {
            Some(selection) => out.picked.push(Picked {
                resource,
                selection: &selection.selection.name,
                role: &selection.selection.iam_role_arn,
            }),
            None => out.not_picked.push(NotPicked { resource, reasons }),
        }
    }
    out
}

/// The resource type of a backup of `resource_arn` (declared, or read from the ARN).
pub fn backup_resource_type(declared: Option<&Resource>, resource_arn: &str) -> Option<String> {
    declared
        .and_then(|r| r.resource_type.clone())
        .or_else(|| resource_type_of(resource_arn).map(str::to_owned))
}

/// Whether DynamoDB advanced features are on in `account`, `region`.
pub fn dynamodb_advanced(world: &World, account: &str, region: &str) -> bool {
    world
        .region_settings
        .iter()
        .any(|s| s.account == account && s.region == region && s.dynamodb_advanced_features)
}

/// The ARN of a backup of `resource_arn` (of `resource_type`) made at `created` (epoch seconds)
/// in `account`, `region`.
pub fn recovery_point_arn(
    resource_type: &str,
    advanced: bool,
    resource_arn: &str,
    account: &str,
    region: &str,
    created: f64,
    ids: &mut IdGenerator,
) -> String {
    let partition = crate::regions::partition(region);
    match (resource_type, advanced) {
        ("DynamoDB", true) => crate::generate::recovery_point_arn("EFS", region, account, ids),
        // Without advanced features a DynamoDB backup is DynamoDB's own, named after its table
        // (facts aws-backup-facts §6: `table/MyDynamoDBTable/backup/01547087347000-c8b6kdk3`,
        // the creation time in milliseconds and eight characters).
        ("DynamoDB", false) => {
            let table = resource_arn.rsplit_once(":table/").map_or("table", |(_, t)| t);
            format!(
                "arn:{partition}:dynamodb:{region}:{account}:table/{table}/backup/{:014}-{}",
                (created * 1000.0) as u64,
                ids.hex(8)
            )
        }
        _ => crate::generate::recovery_point_arn(resource_type, region, account, ids),
    }
}

/// The recovery point a backup job makes of `resource_arn` in `vault`: under the vault's key
/// for the types AWS Backup fully manages and in a logically air-gapped vault (an AWS owned
/// key when it names none), else under the resource's own key (the encryption page), which the
/// world knows for a declared resource and takes as unencrypted for any other; with the
/// resource's tags and `tags` (the rule's `RecoveryPointTags`) and the rule's `lifecycle`.
#[allow(clippy::too_many_arguments, reason = "the backup job's inputs, each named")]
pub fn backup_recovery_point(
    world: &World,
    vault: &BackupVault,
    resource_type: &str,
    resource_arn: &str,
    declared: Option<&Resource>,
    arn: String,
    tags: std::collections::BTreeMap<String, String>,
    lifecycle: Option<Lifecycle>,
) -> RecoveryPoint {
    let advanced = dynamodb_advanced(world, &vault.account, &vault.region);
    let fully_managed = crate::features::feature_row(resource_type, advanced).is_some_and(|r| r.fully_managed);
    let air_gapped = vault.vault_type == VaultType::LogicallyAirGappedBackupVault;
    let default_key = if air_gapped {
        crate::kms::AWS_OWNED_KEY
    } else {
        "alias/aws/backup"
    };
    let mut all_tags = declared.map(|r| r.tags.clone()).unwrap_or_default();
    all_tags.extend(tags);
    RecoveryPoint {
        arn,
        vault: vault.name.clone(),
        account: Some(vault.account.clone()),
        resource_type: resource_type.to_owned(),
        resource_arn: resource_arn.to_owned(),
        encryption_key: crate::world::backup_key(
            declared.and_then(|r| r.encryption_key_arn.as_deref()),
            fully_managed || air_gapped,
            Some(vault.encryption_key.as_deref().unwrap_or(default_key)),
        )
        .map(str::to_owned),
        tags: all_tags,
        status: Default::default(),
        storage_class: Default::default(),
        continuous: false,
        multi_az_cluster: false,
        marketplace_image: false,
        lifecycle,
        resource_name: declared.and_then(|r| r.resource_name.clone()),
        backup_size_in_bytes: declared.and_then(|r| r.backup_size_in_bytes),
        parent_recovery_point_arn: None,
        composite_member_identifier: None,
    }
}

/// A rule's `Lifecycle` as a recovery point keeps it.
pub fn rule_lifecycle(rule: &BackupRule) -> Option<Lifecycle> {
    rule.lifecycle.as_ref().map(|l| Lifecycle {
        delete_after_days: l.delete_after_days,
        move_to_cold_storage_after_days: l.move_to_cold_storage_after_days,
    })
}

/// The `StartCopyJob` a copy action starts for a recovery point the rule made, with the
/// selection's role, sent in the plan's account and Region (AWS runs the plan there and the
/// copy starts from the source account, facts §1.7).
pub fn copy_request(
    plan: &BackupPlan,
    rule: &BackupRule,
    action: &CopyAction,
    recovery_point_arn: &str,
    role: &str,
) -> StartCopyJob {
    StartCopyJob {
        account: plan.account.clone(),
        caller: None,
        region: plan.region.clone(),
        recovery_point_arn: Some(recovery_point_arn.to_owned()),
        source_backup_vault_name: Some(rule.target_backup_vault_name.clone()),
        destination_backup_vault_arn: Some(action.destination_backup_vault_arn.clone()),
        iam_role_arn: Some(role.to_owned()),
        lifecycle: action.lifecycle.as_ref().map(|l| Lifecycle {
            delete_after_days: l.delete_after_days,
            move_to_cold_storage_after_days: l.move_to_cold_storage_after_days,
        }),
    }
}

/// The plan and rule a `plan_run` names.
pub fn find_rule<'w>(world: &'w World, run: &PlanRun) -> Result<(&'w BackupPlan, &'w BackupRule), String> {
    let plan = world
        .backup_plans
        .iter()
        .find(|p| {
            (p.id == run.plan || p.plan.name == run.plan) && run.account.as_deref().is_none_or(|a| a == p.account)
        })
        .ok_or_else(|| {
            format!(
                "plan_run: no backup plan `{}` in backup_plans (give its id or name)",
                run.plan
            )
        })?;
    let rule = match &run.rule {
        Some(name) => plan.plan.rules.iter().find(|r| r.name == *name),
        None => plan.plan.rules.first(),
    }
    .ok_or_else(|| {
        format!(
            "plan_run: plan `{}` has no rule {}",
            plan.plan.name,
            run.rule
                .as_deref()
                .map_or_else(|| "at all".to_owned(), |r| format!("`{r}`"))
        )
    })?;
    Ok((plan, rule))
}

/// One copy a rule's run would start: the recovery point its backup makes (not in the world
/// yet) and the request.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedCopy {
    /// The backup's recovery point.
    pub recovery_point: RecoveryPoint,
    /// The copy action's `StartCopyJob`.
    pub request: StartCopyJob,
}

/// Each copy `run`'s rule would start, resource by resource (those its selections pick, in
/// the world's order) and copy action by copy action; recovery point ARNs derived from the
/// plan, the rule and the resource (and `created`, for DynamoDB's own backups), so that the
/// same world gives the same copies.
pub fn planned_copies(world: &World, run: &PlanRun, created: f64) -> Result<Vec<PlannedCopy>, String> {
    let (plan, rule) = find_rule(world, run)?;
    let vault = world
        .vaults
        .iter()
        .find(|v| v.account == plan.account && v.region == plan.region && v.name == rule.target_backup_vault_name)
        .ok_or_else(|| {
            format!(
                "plan_run: the rule's target vault `{}` is not in account {} in {}",
                rule.target_backup_vault_name, plan.account, plan.region
            )
        })?;
    let picks = rule_picks(world, plan, &world.resources);
    let mut copies = Vec::new();
    for picked in &picks.picked {
        let resource = picked.resource;
        let Some(resource_type) = backup_resource_type(Some(resource), &resource.arn) else {
            return Err(format!(
                "plan_run: the type of resource {} cannot be told from its ARN: give resource_type",
                resource.arn
            ));
        };
        let mut ids = IdGenerator::for_names(&["plan-run", &plan.id, &rule.name, &resource.arn]);
        let advanced = dynamodb_advanced(world, &plan.account, &plan.region);
        let arn = recovery_point_arn(
            &resource_type,
            advanced,
            &resource.arn,
            &plan.account,
            &plan.region,
            created,
            &mut ids,
        );
        let recovery_point = backup_recovery_point(
            world,
            vault,
            &resource_type,
            &resource.arn,
            Some(resource),
            arn,
            rule.recovery_point_tags.clone(),
            rule_lifecycle(rule),
        );
        for action in &rule.copy_actions {
            copies.push(PlannedCopy {
                request: copy_request(plan, rule, action, &recovery_point.arn, picked.role),
                recovery_point: recovery_point.clone(),
            });
        }
    }
    Ok(copies)
}

/// The start of a `YYYY-MM-DD` day (the model's date by default), epoch seconds: when a
/// scenario's `plan_run` backs up.
pub fn day_start(as_of: Option<&str>) -> f64 {
    chrono::NaiveDate::parse_from_str(as_of.unwrap_or(crate::MODEL_DATE), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0.0, |t| t.and_utc().timestamp() as f64)
}

/// The copy a scenario's `plan_run` decides, and the world with its backup's recovery point
/// added: what the scenario loader turns a `plan_run` into.
pub fn resolve(world: &World, run: &PlanRun, created: f64) -> Result<(World, StartCopyJob), String> {
    let (plan, rule) = find_rule(world, run)?;
    if rule.copy_actions.is_empty() {
        return Err(format!(
            "plan_run: rule `{}` of plan `{}` has no CopyActions: it starts no copy",
            rule.name, plan.plan.name
        ));
    }
    let copies = planned_copies(world, run, created)?;
    let actions = rule.copy_actions.len();
    let chosen = copies
        .chunks(actions)
        .find(|chunk| {
            run.resource
                .as_deref()
                .is_none_or(|arn| chunk.first().is_some_and(|c| c.recovery_point.resource_arn == arn))
        })
        .and_then(|chunk| chunk.get(run.copy_action))
        .ok_or_else(|| match &run.resource {
            Some(arn) if run.copy_action < actions => {
                format!(
                    "plan_run: the plan's selections do not pick resource {arn} (see `resources` and the selections)"
                )
            }
            _ if run.copy_action >= actions => format!(
                "plan_run: copy_action {} is beyond the rule's {actions} CopyActions (they count from 0)",
                run.copy_action
            ),
            _ => "plan_run: the plan's selections pick none of the world's resources".to_owned(),
        })?;
    let mut world = world.clone();
    world.recovery_points.push(chosen.recovery_point.clone());
    Ok((world, chosen.request.clone()))
}

/// What a rule's run does, decided without running it: the resources it picks and leaves out
/// (with why), and each copy it would start with its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport<'w> {
    /// The plan's `BackupPlanId`.
    pub plan_id: &'w str,
    /// The plan's `BackupPlanName`.
    pub plan_name: &'w str,
    /// The rule's `RuleName`.
    pub rule: &'w str,
    /// The rule's `ScheduleExpression` (AWS's default when it gives none).
    pub schedule: &'w str,
    /// The rule's `ScheduleExpressionTimezone` (UTC when it gives none).
    pub timezone: &'w str,
    /// The rule's `TargetBackupVaultName`.
    pub target_vault: &'w str,
    /// What the selections pick and leave out.
    pub picks: Picks<'w>,
    /// Each copy the run would start: resource by resource, copy action by copy action.
    pub copies: Vec<PlannedOutcome>,
}

/// A copy a rule's run would start, and how it ends.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedOutcome {
    /// The resource backed up.
    pub resource_arn: String,
    /// The copy action's `DestinationBackupVaultArn`.
    pub destination_backup_vault_arn: String,
    /// The engine's outcome for the copy (a plan's copy that a hand-started `StartCopyJob`
    /// would have refused fails with the same message instead).
    pub outcome: crate::engine::Outcome,
    /// The check that failed, if any.
    pub failed_check: Option<&'static str>,
}

/// [`RuleReport`] of `run`'s rule in `world`, its copies decided with `options`.
pub fn rule_report<'w>(
    world: &'w World,
    run: &PlanRun,
    created: f64,
    options: &crate::engine::Options,
) -> Result<RuleReport<'w>, String> {
    let (plan, rule) = find_rule(world, run)?;
    let planned = planned_copies(world, run, created)?;
    // One world with every backup's recovery point (each copy reads only its own), checked
    // and prepared once for all the copies.
    let mut with_backups = world.clone();
    let wanted: std::collections::HashSet<&str> = planned.iter().map(|c| c.recovery_point.arn.as_str()).collect();
    let mut present: std::collections::HashSet<String> = world
        .recovery_points
        .iter()
        .filter(|rp| wanted.contains(rp.arn.as_str()))
        .map(|rp| rp.arn.clone())
        .collect();
    for copy in &planned {
        if present.insert(copy.recovery_point.arn.clone()) {
            with_backups.recovery_points.push(copy.recovery_point.clone());
        }
    }
    let prepared = crate::policies::PreparedWorld::new(&with_backups).map_err(|e| e.to_string())?;
    let copies = planned
        .iter()
        .map(|copy| {
            let verdict = prepared.simulate(&copy.request, options);
            PlannedOutcome {
                resource_arn: copy.recovery_point.resource_arn.clone(),
                destination_backup_vault_arn: copy.request.destination_backup_vault_arn.clone().unwrap_or_default(),
                outcome: verdict.outcome,
                failed_check: verdict.failed_check,
            }
        })
        .collect();
    Ok(RuleReport {
        plan_id: &plan.id,
        plan_name: &plan.plan.name,
        rule: &rule.name,
        schedule: rule
            .schedule_expression
            .as_deref()
            .unwrap_or(crate::backup_plans::DEFAULT_SCHEDULE_EXPRESSION),
        timezone: rule.schedule_expression_timezone.as_deref().unwrap_or("UTC"),
        target_vault: &rule.target_backup_vault_name,
        picks: rule_picks(world, plan, &world.resources),
        copies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn resource(arn: &str, tags: &[(&str, &str)]) -> Resource {
        Resource {
            arn: arn.to_owned(),
            resource_type: None,
            encryption_key_arn: None,
            tags: tags.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            resource_name: None,
            backup_size_in_bytes: None,
            backup_duration_seconds: None,
        }
    }

    fn selection(value: Value) -> BackupSelectionDocument {
        let mut document = json!({"SelectionName": "s", "IamRoleArn": "arn:aws:iam::111122223333:role/r"});
        if let (Some(into), Some(from)) = (document.as_object_mut(), value.as_object()) {
            into.extend(from.clone());
        }
        serde_json::from_value(document).unwrap()
    }

    #[test]
    fn selections_pick_by_arn_prefix_not_resources_tags_and_conditions() {
        let db = resource(
            "arn:aws:rds:us-east-1:111122223333:db:orders",
            &[("backup", "daily"), ("env", "production")],
        );
        let volume = resource(
            "arn:aws:ec2:us-east-1:111122223333:volume/vol-1",
            &[("backup", "weekly")],
        );
        let all = selection(json!({"Resources": ["*"]}));
        assert!(picks(&all, &db).is_ok() && picks(&all, &volume).is_ok());
        let rds = selection(json!({"Resources": ["arn:aws:rds:*"]}));
        assert!(picks(&rds, &db).is_ok() && picks(&rds, &volume).is_err());
        let not_volumes = selection(json!({"Resources": ["*"], "NotResources": ["arn:aws:ec2:*"]}));
        assert!(picks(&not_volumes, &db).is_ok() && picks(&not_volumes, &volume).is_err());
        let tags = selection(
            json!({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "weekly"}]}),
        );
        assert!(picks(&tags, &db).is_err() && picks(&tags, &volume).is_ok());
        let conditions = selection(json!({"Resources": ["*"], "Conditions": {
            "StringLike": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "*rod*"}],
            "StringNotEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "weekly"}],
        }}));
        assert!(picks(&conditions, &db).is_ok() && picks(&conditions, &volume).is_err());
        let case = selection(json!({"Resources": ["*"], "Conditions": {
            "StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "Daily"}],
        }}));
        assert!(picks(&case, &db).is_err(), "operators are case sensitive");
        let not_like = selection(json!({"Resources": ["*"], "Conditions": {
            "StringNotLike": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "prod*"}],
        }}));
        assert!(picks(&not_like, &db).is_err() && picks(&not_like, &volume).is_ok());
        assert!(!like("a*", "a b"), "* matches no white space");
    }

    #[test]
    fn resource_patterns_take_a_star_anywhere() {
        let db = "arn:aws:rds:us-east-1:111122223333:db:orders";
        for (pattern, matches) in [
            ("*", true),
            ("arn:aws:rds:*", true),
            ("arn:aws:rds:*:*:db:*", true),
            ("arn:aws:rds:*:*:cluster:*", false),
            (db, true),
            ("arn:aws:rds:us-east-1:111122223333:db:order", false),
            ("*:db:orders", true),
            ("*orders*", true),
            ("arn:aws:ec2:*", false),
        ] {
            assert_eq!(arn_matches(pattern, db), matches, "{pattern}");
        }
    }

    #[test]
    fn a_resource_left_out_is_told_why_by_each_selection() {
        let volume = resource(
            "arn:aws:ec2:us-east-1:111122223333:volume/vol-1",
            &[("backup", "weekly")],
        );
        let rds = selection(json!({"Resources": ["arn:aws:rds:*"]}));
        assert_eq!(
            picks(&rds, &volume),
            Err("not among Resources [\"arn:aws:rds:*\"]".to_owned())
        );
        let tagged = selection(json!({"Resources": ["*"], "Conditions": {
            "StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "nightly"}],
        }}));
        assert_eq!(
            picks(&tagged, &volume),
            Err("fails Conditions StringEquals aws:ResourceTag/backup `nightly`: it has `weekly`".to_owned())
        );
    }
}

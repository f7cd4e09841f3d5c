//! Backup selections on the wire: CreateBackupSelection, GetBackupSelection, ListBackupSelections, DeleteBackupSelection, kept in their plan in the world (aws-plans-policies-events-facts.md §1.6).

use copylab_rules::backup_plans::{BackupSelection, BackupSelectionDocument};
use serde_json::{Map, Value, json};

use super::plans::{live_position, seconds, timestamp};
use super::{Reply, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// "Resource assignments per backup plan 100" (quotas, facts §1.4).
const MAX_SELECTIONS: usize = 100;

fn selection_not_found(plan: &str, id: &str) -> ApiError {
    ApiError::not_found(format!("Backup selection {id} of backup plan {plan} not found")).modeled()
}

/// `CreateBackupSelection`.
pub fn create(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let plan_id = str_member(input, "BackupPlanId")?;
    if copylab_rules::backup_policy::is_org_plan(&plan_id) {
        live_position(ctx, &plan_id)?;
        // Modeled on the observed refusal to delete such a plan's selection (facts §1.4).
        return Err(ApiError::invalid_value(format!(
            "Cannot create selection for backup plan {plan_id} created by organizations"
        ))
        .modeled());
    }
    let document: BackupSelectionDocument =
        serde_json::from_value(input.get("BackupSelection").cloned().unwrap_or_default()).map_err(|e| {
            ApiError::invalid_value(format!("the backup selection is not a BackupSelection: {e}")).modeled()
        })?;
    if document.resources.is_empty() && document.list_of_tags.is_empty() {
        // Observed (ministryofjustice/modernisation-platform-terraform-baselines PR #90).
        return Err(ApiError::invalid_value(
            "Invalid backup selection. Either 'ListOfTags' or 'Resources' section must be non-empty.",
        ));
    }
    let creator_request_id = input.get("CreatorRequestId").and_then(Value::as_str).map(str::to_owned);
    let i = live_position(ctx, &plan_id)?;
    let started = ctx.state.started();
    let plan = &ctx.state.world().backup_plans[i];
    // A retry with the same `CreatorRequestId` answers as the first call did.
    if let Some(existing) = plan
        .selections
        .iter()
        .find(|s| creator_request_id.is_some() && s.creator_request_id == creator_request_id && s.selection == document)
    {
        return Ok(json!({
            "SelectionId": existing.id,
            "BackupPlanId": plan_id,
            "CreationDate": seconds(existing.creation_date.as_ref(), started),
        }));
    }
    if plan.selections.len() >= MAX_SELECTIONS {
        return Err(ApiError::new(
            "LimitExceededException",
            axum::http::StatusCode::BAD_REQUEST,
            format!("A backup plan can have at most {MAX_SELECTIONS} resource assignments"),
        )
        .modeled());
    }
    let id = ctx.state.ids.uuid();
    let created = timestamp(ctx.state.now());
    let body = json!({"SelectionId": id, "BackupPlanId": plan_id, "CreationDate": seconds(Some(&created), started)});
    ctx.state.world_mut().backup_plans[i].selections.push(BackupSelection {
        id,
        selection: document,
        creation_date: Some(created),
        creator_request_id,
    });
    Ok(body)
}

/// `GetBackupSelection`.
pub fn get(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let plan_id = str_member(input, "BackupPlanId")?;
    let id = str_member(input, "SelectionId")?;
    let i = live_position(ctx, &plan_id)?;
    let started = ctx.state.started();
    let selection = ctx.state.world().backup_plans[i]
        .selections
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| selection_not_found(&plan_id, &id))?;
    let mut body = json!({
        "BackupSelection": selection.selection,
        "SelectionId": selection.id,
        "BackupPlanId": plan_id,
        "CreationDate": seconds(selection.creation_date.as_ref(), started),
    });
    if let (Some(request), Some(object)) = (&selection.creator_request_id, body.as_object_mut()) {
        object.insert("CreatorRequestId".to_owned(), Value::from(request.clone()));
    }
    Ok(body)
}

/// `ListBackupSelections`: the plan's selections in creation order.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let plan_id = str_member(input, "BackupPlanId")?;
    let i = live_position(ctx, &plan_id)?;
    let started = ctx.state.started();
    let selections = &ctx.state.world().backup_plans[i].selections;
    super::page_by(selections, input, "BackupSelectionsList", |s| {
        let mut member = json!({
            "SelectionId": s.id,
            "SelectionName": s.selection.name,
            "BackupPlanId": plan_id,
            "CreationDate": seconds(s.creation_date.as_ref(), started),
            "IamRoleArn": s.selection.iam_role_arn,
        });
        if let (Some(request), Some(object)) = (&s.creator_request_id, member.as_object_mut()) {
            object.insert("CreatorRequestId".to_owned(), Value::from(request.clone()));
        }
        member
    })
}

/// `DeleteBackupSelection`.
pub fn delete(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let plan_id = str_member(input, "BackupPlanId")?;
    let id = str_member(input, "SelectionId")?;
    let i = live_position(ctx, &plan_id)?;
    if copylab_rules::backup_policy::is_org_plan(&plan_id) {
        // Observed (rebuy-de/aws-nuke#633, facts §1.4).
        return Err(ApiError::invalid_value(format!(
            "Cannot delete selection for backup plan {plan_id} created by organizations"
        )));
    }
    let selections = &mut ctx.state.world_mut().backup_plans[i].selections;
    let position = selections
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| selection_not_found(&plan_id, &id))?;
    selections.remove(position);
    Ok(Value::Null)
}

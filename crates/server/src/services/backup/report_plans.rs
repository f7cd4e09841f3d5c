//! Backup Audit Manager report plans: CreateReportPlan, DescribeReportPlan, UpdateReportPlan, DeleteReportPlan, ListReportPlans, kept in AWS Backup's state per account and Region (copylab writes no reports).

use serde_json::{Map, Value, json};

use super::{Reply, str_member};
use crate::call::Ctx;
use crate::wire::ApiError;

/// A report plan as AWS Backup keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportPlan {
    /// The owning account.
    pub account: String,
    /// The Region.
    pub region: String,
    /// `ReportPlanArn`.
    pub arn: String,
    /// `ReportPlanName`.
    pub name: String,
    /// `ReportPlanDescription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Value>,
    /// `ReportSetting`, as given.
    pub setting: Value,
    /// `ReportDeliveryChannel`, as given.
    pub delivery_channel: Value,
    /// `CreationTime`, epoch seconds of the virtual clock.
    pub creation_time: f64,
    /// `ReportPlanTags`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tags: std::collections::BTreeMap<String, String>,
}

impl ReportPlan {
    /// The plan as `DescribeReportPlan` and `ListReportPlans` show it. `DeploymentStatus` is
    /// `COMPLETED` at once: copylab deploys nothing (modeled).
    fn render(&self) -> Value {
        let mut body = json!({
            "ReportPlanArn": self.arn,
            "ReportPlanName": self.name,
            "ReportSetting": self.setting,
            "ReportDeliveryChannel": self.delivery_channel,
            "DeploymentStatus": "COMPLETED",
            "CreationTime": self.creation_time,
        });
        if let (Some(description), Some(body)) = (&self.description, body.as_object_mut()) {
            body.insert("ReportPlanDescription".to_owned(), description.clone());
        }
        body
    }
}

fn position(ctx: &Ctx<'_>, name: &str) -> Option<usize> {
    ctx.state
        .services
        .backup
        .report_plans
        .iter()
        .position(|p| p.account == ctx.caller.account && p.region == ctx.caller.region && p.name == name)
}

/// `ResourceNotFoundException` for a report plan the caller does not have (the operations'
/// documented error; the text is modeled).
fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Report plan {name} not found")).modeled()
}

/// `CreateReportPlan`. The ARN is `arn:PARTITION:backup:REGION:ACCOUNT:report-plan:NAME-ID`
/// (modeled: the reference gives no report plan ARN; the id comes from the server's stream).
pub fn create(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "ReportPlanName")?;
    if position(ctx, &name).is_some() {
        return Err(ApiError::new(
            "AlreadyExistsException",
            axum::http::StatusCode::BAD_REQUEST,
            format!("Report plan {name} already exists"),
        )
        .modeled());
    }
    let tags = super::string_map(input, "ReportPlanTags");
    super::too_many_tags(tags.len())?;
    let (account, region) = (ctx.caller.account.clone(), ctx.caller.region.clone());
    let partition = copylab_rules::regions::partition(&region);
    let arn = format!(
        "arn:{partition}:backup:{region}:{account}:report-plan:{name}-{}",
        ctx.state.ids.uuid()
    );
    let plan = ReportPlan {
        account,
        region,
        arn,
        name,
        description: input.get("ReportPlanDescription").cloned(),
        setting: input.get("ReportSetting").cloned().unwrap_or_default(),
        delivery_channel: input.get("ReportDeliveryChannel").cloned().unwrap_or_default(),
        creation_time: ctx.state.now(),
        tags,
    };
    let body = json!({"ReportPlanName": plan.name, "ReportPlanArn": plan.arn, "CreationTime": plan.creation_time});
    ctx.state.services.backup.report_plans.push(plan);
    Ok(body)
}

/// `DescribeReportPlan`.
pub fn describe(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "ReportPlanName")?;
    let i = position(ctx, &name).ok_or_else(|| not_found(&name))?;
    Ok(json!({"ReportPlan": ctx.state.services.backup.report_plans[i].render()}))
}

/// `UpdateReportPlan`: the members given replace the plan's.
pub fn update(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "ReportPlanName")?;
    let i = position(ctx, &name).ok_or_else(|| not_found(&name))?;
    let plan = &mut ctx.state.services.backup.report_plans[i];
    if let Some(description) = input.get("ReportPlanDescription") {
        plan.description = Some(description.clone());
    }
    if let Some(setting) = input.get("ReportSetting") {
        plan.setting = setting.clone();
    }
    if let Some(channel) = input.get("ReportDeliveryChannel") {
        plan.delivery_channel = channel.clone();
    }
    Ok(json!({"ReportPlanName": plan.name, "ReportPlanArn": plan.arn, "CreationTime": plan.creation_time}))
}

/// `DeleteReportPlan`.
pub fn delete(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let name = str_member(input, "ReportPlanName")?;
    let i = position(ctx, &name).ok_or_else(|| not_found(&name))?;
    ctx.state.services.backup.report_plans.remove(i);
    Ok(Value::Null)
}

/// `ListReportPlans`: the caller's, in creation order.
pub fn list(ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Reply {
    let plans: Vec<&ReportPlan> = ctx
        .state
        .services
        .backup
        .report_plans
        .iter()
        .filter(|p| p.account == ctx.caller.account && p.region == ctx.caller.region)
        .collect();
    super::page_by(&plans, input, "ReportPlans", |p| p.render())
}

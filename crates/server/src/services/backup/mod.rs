//! AWS Backup (restJson1): its operation table, the handlers by operation group, and its state (copy jobs with their progression, backup jobs, tags, declared resources).

use serde_json::{Map, Value};

use crate::call::{Ctx, Output, Service};
use crate::wire::ApiError;
use crate::wire::model::Routes;

pub mod backup_jobs;
pub mod copy_jobs;
pub mod events;
pub mod filters;
pub mod notifications;
pub mod plans;
pub mod report_plans;
pub mod runs;
pub mod selections;
pub mod settings;
pub mod state;
pub mod summaries;
pub mod tags;
pub mod vault_lock;
pub mod vaults;

pub use state::{BackupState, CopyJobRecord, Decided, Decision, LifecycleStep, Progression, Resource, VaultRecord};

include!(concat!(env!("OUT_DIR"), "/backup_operations.rs"));

/// AWS Backup's restJson1 routes.
pub static ROUTES: std::sync::LazyLock<Routes> = std::sync::LazyLock::new(|| Routes::new(OPERATIONS));

/// A handler's answer: the JSON body (`Value::Null` for an empty 200) or an AWS error.
pub type Reply = Result<Value, ApiError>;

/// A handler: most answer a `Value`; the answers whose cost grows with the world are typed
/// and serialized without one ([`Output::typed`]).
#[derive(Clone, Copy)]
enum Handler {
    Value(fn(&mut Ctx<'_>, &Map<String, Value>) -> Reply),
    Typed(fn(&mut Ctx<'_>, &Map<String, Value>) -> Result<Output, ApiError>),
}

/// The implemented operations, by model name (the one place that says which exist).
static HANDLERS: &[(&str, Handler)] = &[
    ("CreateBackupVault", Handler::Value(vaults::create)),
    (
        "CreateLogicallyAirGappedBackupVault",
        Handler::Value(vaults::create_lag),
    ),
    ("DescribeBackupVault", Handler::Typed(vaults::describe)),
    ("ListBackupVaults", Handler::Typed(vaults::list)),
    ("DeleteBackupVault", Handler::Value(vaults::delete)),
    ("PutBackupVaultAccessPolicy", Handler::Value(vaults::put_policy)),
    ("GetBackupVaultAccessPolicy", Handler::Value(vaults::get_policy)),
    ("DeleteBackupVaultAccessPolicy", Handler::Value(vaults::delete_policy)),
    (
        "DescribeRecoveryPoint",
        Handler::Value(copy_jobs::describe_recovery_point),
    ),
    (
        "ListRecoveryPointsByBackupVault",
        Handler::Value(copy_jobs::list_recovery_points),
    ),
    ("StartCopyJob", Handler::Value(copy_jobs::start)),
    ("DescribeCopyJob", Handler::Value(copy_jobs::describe)),
    ("ListCopyJobs", Handler::Value(copy_jobs::list)),
    ("DescribeGlobalSettings", Handler::Value(settings::describe_global)),
    ("UpdateGlobalSettings", Handler::Value(settings::update_global)),
    (
        "GetSupportedResourceTypes",
        Handler::Value(settings::supported_resource_types),
    ),
    ("DescribeRegionSettings", Handler::Value(settings::describe_region)),
    ("UpdateRegionSettings", Handler::Value(settings::update_region)),
    ("StartBackupJob", Handler::Value(backup_jobs::start)),
    ("DescribeBackupJob", Handler::Value(backup_jobs::describe)),
    ("ListBackupJobs", Handler::Value(backup_jobs::list)),
    ("PutBackupVaultLockConfiguration", Handler::Value(vault_lock::put)),
    ("DeleteBackupVaultLockConfiguration", Handler::Value(vault_lock::delete)),
    ("CreateBackupPlan", Handler::Value(plans::create)),
    ("GetBackupPlan", Handler::Value(plans::get)),
    ("UpdateBackupPlan", Handler::Value(plans::update)),
    ("DeleteBackupPlan", Handler::Value(plans::delete)),
    ("ListBackupPlans", Handler::Value(plans::list)),
    ("ListBackupPlanVersions", Handler::Value(plans::list_versions)),
    ("GetBackupPlanFromJSON", Handler::Value(plans::from_json)),
    ("ListCopyJobSummaries", Handler::Value(summaries::copy_jobs)),
    ("ListBackupJobSummaries", Handler::Value(summaries::backup_jobs)),
    ("PutBackupVaultNotifications", Handler::Value(notifications::put)),
    ("GetBackupVaultNotifications", Handler::Value(notifications::get)),
    ("DeleteBackupVaultNotifications", Handler::Value(notifications::delete)),
    ("ExportBackupPlanTemplate", Handler::Value(plans::export_template)),
    ("CreateBackupSelection", Handler::Value(selections::create)),
    ("GetBackupSelection", Handler::Value(selections::get)),
    ("ListBackupSelections", Handler::Value(selections::list)),
    ("DeleteBackupSelection", Handler::Value(selections::delete)),
    ("CreateReportPlan", Handler::Value(report_plans::create)),
    ("DescribeReportPlan", Handler::Value(report_plans::describe)),
    ("UpdateReportPlan", Handler::Value(report_plans::update)),
    ("DeleteReportPlan", Handler::Value(report_plans::delete)),
    ("ListReportPlans", Handler::Value(report_plans::list)),
    ("ListTags", Handler::Value(tags::list)),
    ("TagResource", Handler::Value(tags::tag)),
    ("UntagResource", Handler::Value(tags::untag)),
];

/// AWS Backup for the call pipeline.
pub static SERVICE: Service = Service {
    name: "AWS Backup",
    protocol: crate::wire::Protocol::RestJson,
    operations: OPERATIONS,
    implements,
    run,
    xml_namespace: "",
    api_version: "2018-11-15",
    signing_name: "backup",
    invalid_input: None,
};

fn implements(operation: &str) -> bool {
    HANDLERS.iter().any(|(name, _)| *name == operation)
}

fn run(operation: &str, ctx: &mut Ctx<'_>, input: &Map<String, Value>) -> Result<Output, ApiError> {
    let handler = HANDLERS
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, h)| *h)
        .ok_or_else(|| ApiError::not_implemented(operation))?;
    match handler {
        Handler::Value(handler) => handler(ctx, input).map(Output::Json),
        Handler::Typed(handler) => handler(ctx, input),
    }
}

pub use crate::wire::members::str_member;

/// A map-of-strings member (`Tags`, `RecoveryPointTags`), empty when absent.
pub fn string_map(input: &Map<String, Value>, name: &str) -> std::collections::BTreeMap<String, String> {
    input
        .get(name)
        .and_then(Value::as_object)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// The most user tags a recovery point (or vault) may have.
pub const MAX_TAGS: usize = 50;

/// `LimitExceededException` for a tag set over [`MAX_TAGS`]: the text is AWS's (a status
/// message of the AWS Backup jobs dashboard, facts aws-org-wire §1.6); that TagResource answers
/// with it is modeled.
pub fn too_many_tags(count: usize) -> Result<(), ApiError> {
    if count <= MAX_TAGS {
        return Ok(());
    }
    Err(ApiError::new(
        "LimitExceededException",
        axum::http::StatusCode::BAD_REQUEST,
        "The resultant tag set must not have more than 50 user tags.",
    )
    .modeled())
}

/// One page of `items` under `items_member`, with AWS Backup's `MaxResults` and `NextToken`.
pub fn page(items: &[Value], input: &Map<String, Value>, items_member: &str) -> Reply {
    page_by(items, input, items_member, Value::clone)
}

/// The part of a list of `len` items one page shows, with AWS Backup's `MaxResults` and
/// `NextToken` (for typed outputs).
pub fn window(len: usize, input: &Map<String, Value>) -> Result<crate::wire::paging::Window, ApiError> {
    crate::wire::paging::Paging::NEXT_TOKEN.window(len, input, |message| ApiError::invalid_value(message).modeled())
}

/// [`page`] of any items, rendering only those on the page.
pub fn page_by<T>(
    items: &[T],
    input: &Map<String, Value>,
    items_member: &str,
    render: impl FnMut(&T) -> Value,
) -> Reply {
    let page = crate::wire::paging::Paging::NEXT_TOKEN.page_by(
        items,
        input,
        |message| ApiError::invalid_value(message).modeled(),
        render,
    )?;
    Ok(page.into_body(items_member, "NextToken"))
}

/// One page of rendered jobs whose tokens name the last job returned (`id_member`), so a list
/// that changes while a client pages shows each job once.
pub fn page_after(items: &[Value], input: &Map<String, Value>, items_member: &str, id_member: &str) -> Reply {
    let page = crate::wire::paging::Paging::NEXT_TOKEN.page_after(
        items,
        input,
        |message| ApiError::invalid_value(message).modeled(),
        |item| item[id_member].as_str().unwrap_or_default(),
        Value::clone,
    )?;
    Ok(page.into_body(items_member, "NextToken"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_handler_is_an_operation_of_the_model() {
        for (name, _) in HANDLERS {
            assert!(SERVICE.operation(name).is_some(), "{name} is not in the model");
        }
    }
}

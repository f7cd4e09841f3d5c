//! The operations copylab implements, one module per group, and the dispatch table from operation name to handler (the one place that says which of the model's operations exist).

use serde_json::{Map, Value};

use crate::protocol::{ApiError, Caller};
use crate::state::ServerState;

pub mod backup_jobs;
pub mod copy_jobs;
pub mod settings;
pub mod tags;
pub mod vaults;

/// What a handler sees: the state and the caller.
#[derive(Debug)]
pub struct Ctx<'s> {
    /// The server state (locked for the request).
    pub state: &'s mut ServerState,
    /// Who calls.
    pub caller: Caller,
}

/// A handler's answer: the JSON body (`Value::Null` for an empty 200) or an AWS error.
pub type Reply = Result<Value, ApiError>;

type Handler = fn(&mut Ctx<'_>, &Map<String, Value>) -> Reply;

/// The implemented operations, by model name.
pub static HANDLERS: &[(&str, Handler)] = &[
    ("CreateBackupVault", vaults::create),
    ("DescribeBackupVault", vaults::describe),
    ("ListBackupVaults", vaults::list),
    ("DeleteBackupVault", vaults::delete),
    ("PutBackupVaultAccessPolicy", vaults::put_policy),
    ("GetBackupVaultAccessPolicy", vaults::get_policy),
    ("DeleteBackupVaultAccessPolicy", vaults::delete_policy),
    ("DescribeRecoveryPoint", copy_jobs::describe_recovery_point),
    ("ListRecoveryPointsByBackupVault", copy_jobs::list_recovery_points),
    ("StartCopyJob", copy_jobs::start),
    ("DescribeCopyJob", copy_jobs::describe),
    ("ListCopyJobs", copy_jobs::list),
    ("DescribeGlobalSettings", settings::describe_global),
    ("UpdateGlobalSettings", settings::update_global),
    ("GetSupportedResourceTypes", settings::supported_resource_types),
    ("DescribeRegionSettings", settings::describe_region),
    ("UpdateRegionSettings", settings::update_region),
    ("StartBackupJob", backup_jobs::start),
    ("DescribeBackupJob", backup_jobs::describe),
    ("ListBackupJobs", backup_jobs::list),
    ("PutBackupVaultLockConfiguration", backup_jobs::put_lock),
    ("ListTags", tags::list),
    ("TagResource", tags::tag),
    ("UntagResource", tags::untag),
];

/// The handler for an operation, if copylab implements it.
pub fn handler(operation: &str) -> Option<Handler> {
    HANDLERS.iter().find(|(name, _)| *name == operation).map(|(_, h)| *h)
}

/// A required string member (the model's check has already run; this guards the type).
pub fn str_member(input: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    input
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| crate::protocol::missing_parameter(name))
}

/// Paginates `items` with the input's `MaxResults` (default 1000) and `NextToken` (an offset
/// copylab issues; anything else is InvalidParameterValue).
pub fn page(items: &[Value], input: &Map<String, Value>) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let max = input
        .get("MaxResults")
        .and_then(Value::as_u64)
        .unwrap_or(1000)
        .clamp(1, 1000) as usize;
    let start = match input.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(token) => token
            .strip_prefix("copylab-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "NextToken `{token}` was not issued by this server (modeled message)"
                ))
            })?,
    };
    let end = (start + max).min(items.len());
    let next = (end < items.len()).then(|| format!("copylab-{end}"));
    Ok((items.get(start..end).map(<[Value]>::to_vec).unwrap_or_default(), next))
}

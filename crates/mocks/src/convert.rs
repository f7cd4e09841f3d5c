//! Between `aws-sdk-backup`'s typed inputs and outputs and the JSON the operation handlers read and write (member names of the model, timestamps in epoch seconds, as on the wire).

use aws_sdk_backup::error::ErrorMetadata;
use aws_sdk_backup::operation::describe_copy_job::{DescribeCopyJobError, DescribeCopyJobInput, DescribeCopyJobOutput};
use aws_sdk_backup::operation::describe_recovery_point::{
    DescribeRecoveryPointError, DescribeRecoveryPointInput, DescribeRecoveryPointOutput,
};
use aws_sdk_backup::operation::list_copy_jobs::{ListCopyJobsError, ListCopyJobsInput, ListCopyJobsOutput};
use aws_sdk_backup::operation::start_copy_job::{StartCopyJobError, StartCopyJobInput, StartCopyJobOutput};
use aws_sdk_backup::primitives::DateTime;
use aws_sdk_backup::types::error::{
    InvalidParameterValueException, InvalidRequestException, LimitExceededException, MissingParameterValueException,
    ResourceNotFoundException, ServiceUnavailableException,
};
use aws_sdk_backup::types::{CopyJob, CopyJobState, Lifecycle, RecoveryPointStatus, StorageClass};
use copylab_server::wire::ApiError;
use serde_json::{Map, Value, json};

/// Inserts the members that are set.
fn members(pairs: &[(&str, Option<Value>)]) -> Map<String, Value> {
    pairs
        .iter()
        .filter_map(|(name, value)| value.clone().map(|v| ((*name).to_owned(), v)))
        .collect()
}

fn text(value: Option<&str>) -> Option<Value> {
    value.map(|v| Value::String(v.to_owned()))
}

fn seconds(value: Option<&DateTime>) -> Option<Value> {
    value.map(|d| json!(d.as_secs_f64()))
}

fn lifecycle_json(lifecycle: Option<&Lifecycle>) -> Option<Value> {
    lifecycle.map(|l| {
        Value::Object(members(&[
            ("DeleteAfterDays", l.delete_after_days().map(Value::from)),
            (
                "MoveToColdStorageAfterDays",
                l.move_to_cold_storage_after_days().map(Value::from),
            ),
            (
                "OptInToArchiveForSupportedResources",
                l.opt_in_to_archive_for_supported_resources().map(Value::from),
            ),
            ("DeleteAfterEvent", text(l.delete_after_event().map(|e| e.as_str()))),
        ]))
    })
}

pub(crate) fn start_copy_job_input(input: &StartCopyJobInput) -> Map<String, Value> {
    members(&[
        ("RecoveryPointArn", text(input.recovery_point_arn())),
        ("SourceBackupVaultName", text(input.source_backup_vault_name())),
        ("DestinationBackupVaultArn", text(input.destination_backup_vault_arn())),
        ("IamRoleArn", text(input.iam_role_arn())),
        ("IdempotencyToken", text(input.idempotency_token())),
        ("Lifecycle", lifecycle_json(input.lifecycle())),
    ])
}

pub(crate) fn describe_copy_job_input(input: &DescribeCopyJobInput) -> Map<String, Value> {
    members(&[("CopyJobId", text(input.copy_job_id()))])
}

pub(crate) fn list_copy_jobs_input(input: &ListCopyJobsInput) -> Map<String, Value> {
    members(&[
        ("NextToken", text(input.next_token())),
        ("MaxResults", input.max_results().map(Value::from)),
        ("ByResourceArn", text(input.by_resource_arn())),
        ("ByState", text(input.by_state().map(|s| s.as_str()))),
        ("ByCreatedBefore", seconds(input.by_created_before())),
        ("ByCreatedAfter", seconds(input.by_created_after())),
        ("ByResourceType", text(input.by_resource_type())),
        ("ByDestinationVaultArn", text(input.by_destination_vault_arn())),
        ("ByAccountId", text(input.by_account_id())),
        ("ByCompleteBefore", seconds(input.by_complete_before())),
        ("ByCompleteAfter", seconds(input.by_complete_after())),
        ("ByParentJobId", text(input.by_parent_job_id())),
        ("ByMessageCategory", text(input.by_message_category())),
        ("BySourceRecoveryPointArn", text(input.by_source_recovery_point_arn())),
    ])
}

pub(crate) fn describe_recovery_point_input(input: &DescribeRecoveryPointInput) -> Map<String, Value> {
    members(&[
        ("BackupVaultName", text(input.backup_vault_name())),
        ("RecoveryPointArn", text(input.recovery_point_arn())),
        ("BackupVaultAccountId", text(input.backup_vault_account_id())),
    ])
}

fn string(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn date(value: &Value, name: &str) -> Option<DateTime> {
    value.get(name).and_then(Value::as_f64).map(DateTime::from_secs_f64)
}

fn lifecycle(value: &Value) -> Option<Lifecycle> {
    let value = value.as_object()?;
    Some(
        Lifecycle::builder()
            .set_delete_after_days(value.get("DeleteAfterDays").and_then(Value::as_i64))
            .set_move_to_cold_storage_after_days(value.get("MoveToColdStorageAfterDays").and_then(Value::as_i64))
            .set_opt_in_to_archive_for_supported_resources(
                value
                    .get("OptInToArchiveForSupportedResources")
                    .and_then(Value::as_bool),
            )
            .build(),
    )
}

/// A `CopyJob` from the handler's JSON: every member the server can send.
fn copy_job(value: &Value) -> CopyJob {
    CopyJob::builder()
        .set_account_id(string(value, "AccountId"))
        .set_copy_job_id(string(value, "CopyJobId"))
        .set_source_backup_vault_arn(string(value, "SourceBackupVaultArn"))
        .set_source_recovery_point_arn(string(value, "SourceRecoveryPointArn"))
        .set_destination_backup_vault_arn(string(value, "DestinationBackupVaultArn"))
        .set_destination_vault_type(string(value, "DestinationVaultType"))
        .set_destination_vault_lock_state(string(value, "DestinationVaultLockState"))
        .set_destination_recovery_point_arn(string(value, "DestinationRecoveryPointArn"))
        .set_destination_encryption_key_arn(string(value, "DestinationEncryptionKeyArn"))
        .set_destination_recovery_point_lifecycle(value.get("DestinationRecoveryPointLifecycle").and_then(lifecycle))
        .set_resource_arn(string(value, "ResourceArn"))
        .set_resource_type(string(value, "ResourceType"))
        .set_creation_date(date(value, "CreationDate"))
        .set_completion_date(date(value, "CompletionDate"))
        .set_state(string(value, "State").map(|s| CopyJobState::from(s.as_str())))
        .set_status_message(string(value, "StatusMessage"))
        .set_iam_role_arn(string(value, "IamRoleArn"))
        .set_is_parent(value.get("IsParent").and_then(Value::as_bool))
        .set_message_category(string(value, "MessageCategory"))
        .set_resource_name(string(value, "ResourceName"))
        .set_backup_size_in_bytes(value.get("BackupSizeInBytes").and_then(Value::as_i64))
        .set_parent_job_id(string(value, "ParentJobId"))
        .set_composite_member_identifier(string(value, "CompositeMemberIdentifier"))
        .set_number_of_child_jobs(value.get("NumberOfChildJobs").and_then(Value::as_i64))
        .set_child_jobs_in_state(value.get("ChildJobsInState").and_then(Value::as_object).map(|states| {
            states
                .iter()
                .filter_map(|(state, count)| Some((CopyJobState::from(state.as_str()), count.as_i64()?)))
                .collect()
        }))
        .build()
}

pub(crate) fn start_copy_job_output(value: &Value) -> StartCopyJobOutput {
    StartCopyJobOutput::builder()
        .set_copy_job_id(string(value, "CopyJobId"))
        .set_creation_date(date(value, "CreationDate"))
        .set_is_parent(value.get("IsParent").and_then(Value::as_bool))
        .build()
}

pub(crate) fn describe_copy_job_output(value: &Value) -> DescribeCopyJobOutput {
    DescribeCopyJobOutput::builder()
        .set_copy_job(value.get("CopyJob").map(copy_job))
        .build()
}

pub(crate) fn list_copy_jobs_output(value: &Value) -> ListCopyJobsOutput {
    let jobs = value
        .get("CopyJobs")
        .and_then(Value::as_array)
        .map(|jobs| jobs.iter().map(copy_job).collect());
    ListCopyJobsOutput::builder()
        .set_copy_jobs(jobs)
        .set_next_token(string(value, "NextToken"))
        .build()
}

pub(crate) fn describe_recovery_point_output(value: &Value) -> DescribeRecoveryPointOutput {
    DescribeRecoveryPointOutput::builder()
        .set_recovery_point_arn(string(value, "RecoveryPointArn"))
        .set_backup_vault_name(string(value, "BackupVaultName"))
        .set_backup_vault_arn(string(value, "BackupVaultArn"))
        .set_resource_arn(string(value, "ResourceArn"))
        .set_resource_type(string(value, "ResourceType"))
        .set_status(string(value, "Status").map(|s| RecoveryPointStatus::from(s.as_str())))
        .set_storage_class(string(value, "StorageClass").map(|s| StorageClass::from(s.as_str())))
        .set_is_encrypted(value.get("IsEncrypted").and_then(Value::as_bool))
        .set_encryption_key_arn(string(value, "EncryptionKeyArn"))
        .set_encryption_key_type(
            string(value, "EncryptionKeyType").map(|t| aws_sdk_backup::types::EncryptionKeyType::from(t.as_str())),
        )
        .set_creation_date(date(value, "CreationDate"))
        .set_lifecycle(value.get("Lifecycle").and_then(lifecycle))
        .set_resource_name(string(value, "ResourceName"))
        .set_backup_size_in_bytes(value.get("BackupSizeInBytes").and_then(Value::as_i64))
        .set_parent_recovery_point_arn(string(value, "ParentRecoveryPointArn"))
        .set_composite_member_identifier(string(value, "CompositeMemberIdentifier"))
        .set_is_parent(value.get("IsParent").and_then(Value::as_bool))
        .build()
}

fn meta(error: &ApiError) -> ErrorMetadata {
    ErrorMetadata::builder()
        .code(error.code)
        .message(error.message.clone())
        .build()
}

/// Builds a modeled error as the SDK deserializes it from the server's body
/// (`{"Code", "Message"}`) and headers.
macro_rules! modeled {
    ($shape:ident, $error:expr) => {
        $shape::builder()
            .code($error.code)
            .message($error.message.clone())
            .meta(meta($error))
            .build()
    };
}

pub(crate) fn start_copy_job_error(error: &ApiError) -> StartCopyJobError {
    match error.code {
        "InvalidParameterValueException" => {
            StartCopyJobError::InvalidParameterValueException(modeled!(InvalidParameterValueException, error))
        }
        "InvalidRequestException" => {
            StartCopyJobError::InvalidRequestException(modeled!(InvalidRequestException, error))
        }
        "LimitExceededException" => StartCopyJobError::LimitExceededException(modeled!(LimitExceededException, error)),
        "MissingParameterValueException" => {
            StartCopyJobError::MissingParameterValueException(modeled!(MissingParameterValueException, error))
        }
        "ResourceNotFoundException" => {
            StartCopyJobError::ResourceNotFoundException(modeled!(ResourceNotFoundException, error))
        }
        "ServiceUnavailableException" => {
            StartCopyJobError::ServiceUnavailableException(modeled!(ServiceUnavailableException, error))
        }
        _ => StartCopyJobError::generic(meta(error)),
    }
}

pub(crate) fn describe_copy_job_error(error: &ApiError) -> DescribeCopyJobError {
    match error.code {
        "InvalidParameterValueException" => {
            DescribeCopyJobError::InvalidParameterValueException(modeled!(InvalidParameterValueException, error))
        }
        "MissingParameterValueException" => {
            DescribeCopyJobError::MissingParameterValueException(modeled!(MissingParameterValueException, error))
        }
        "ResourceNotFoundException" => {
            DescribeCopyJobError::ResourceNotFoundException(modeled!(ResourceNotFoundException, error))
        }
        "ServiceUnavailableException" => {
            DescribeCopyJobError::ServiceUnavailableException(modeled!(ServiceUnavailableException, error))
        }
        _ => DescribeCopyJobError::generic(meta(error)),
    }
}

pub(crate) fn list_copy_jobs_error(error: &ApiError) -> ListCopyJobsError {
    match error.code {
        "InvalidParameterValueException" => {
            ListCopyJobsError::InvalidParameterValueException(modeled!(InvalidParameterValueException, error))
        }
        "ServiceUnavailableException" => {
            ListCopyJobsError::ServiceUnavailableException(modeled!(ServiceUnavailableException, error))
        }
        _ => ListCopyJobsError::generic(meta(error)),
    }
}

pub(crate) fn describe_recovery_point_error(error: &ApiError) -> DescribeRecoveryPointError {
    match error.code {
        "InvalidParameterValueException" => {
            DescribeRecoveryPointError::InvalidParameterValueException(modeled!(InvalidParameterValueException, error))
        }
        "MissingParameterValueException" => {
            DescribeRecoveryPointError::MissingParameterValueException(modeled!(MissingParameterValueException, error))
        }
        "ResourceNotFoundException" => {
            DescribeRecoveryPointError::ResourceNotFoundException(modeled!(ResourceNotFoundException, error))
        }
        "ServiceUnavailableException" => {
            DescribeRecoveryPointError::ServiceUnavailableException(modeled!(ServiceUnavailableException, error))
        }
        _ => DescribeRecoveryPointError::generic(meta(error)),
    }
}

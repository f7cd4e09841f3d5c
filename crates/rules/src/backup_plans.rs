//! Backup plans and their selections as the world holds them (the scenario format's `backup_plans`): each plan's current version in AWS's `BackupPlan` shape, its earlier versions, its selections in AWS's `BackupSelection` shape, and the ids AWS Backup derives for them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::IdGenerator;

/// A backup plan (`CreateBackupPlan`) of an account in a Region: its current version, its
/// earlier versions and its selections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPlan {
    /// `BackupPlanId` (a lower-case UUID, as AWS's examples show); its ARN is
    /// `arn:aws:backup:REGION:ACCOUNT:backup-plan:ID`.
    pub id: String,
    /// The account the plan belongs to.
    pub account: String,
    /// The Region.
    pub region: String,
    /// The current version's document, in AWS's `BackupPlan` shape (`BackupPlanName`, `Rules`,
    /// `AdvancedBackupSettings`, `ScanSettings`).
    pub plan: BackupPlanDocument,
    /// The current version's `VersionId`; absent, one derived from the plan id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// When the current version was made (`CreationDate`), a UTC timestamp like
    /// `2026-11-28T16:00:00Z`; absent, the start of the world's day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// When the plan was deleted (`DeletionDate`); a deleted plan is listed only with
    /// `IncludeDeleted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<String>,
    /// `CreatorRequestId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_request_id: Option<String>,
    /// `BackupPlanTags` (ListTags of the plan's ARN).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Earlier versions, oldest first (`UpdateBackupPlan` keeps each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<BackupPlanVersion>,
    /// The plan's resource assignments (`CreateBackupSelection`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selections: Vec<BackupSelection>,
}

impl BackupPlan {
    /// The current `VersionId`.
    pub fn version_id(&self) -> String {
        self.version_id
            .clone()
            .unwrap_or_else(|| version_id(&mut IdGenerator::for_names(&["backup-plan-version", &self.id])))
    }

    /// The plan's ARN (`backup-plan:`, as real responses and AWS's CLI examples spell it).
    pub fn arn(&self) -> String {
        let partition = crate::regions::partition(&self.region);
        format!(
            "arn:{partition}:backup:{}:{}:backup-plan:{}",
            self.region, self.account, self.id
        )
    }
}

/// An earlier version of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPlanVersion {
    /// `VersionId`.
    pub version_id: String,
    /// The version's document.
    pub plan: BackupPlanDocument,
    /// When the version was made, a UTC timestamp; absent, the start of the world's day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
}

/// A plan's document, AWS's `BackupPlanInput` and `BackupPlan` shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPlanDocument {
    /// `BackupPlanName`.
    #[serde(rename = "BackupPlanName")]
    pub name: String,
    /// `Rules`.
    #[serde(rename = "Rules")]
    pub rules: Vec<BackupRule>,
    /// `AdvancedBackupSettings`, as given.
    #[serde(rename = "AdvancedBackupSettings", default, skip_serializing_if = "Vec::is_empty")]
    pub advanced_backup_settings: Vec<serde_json::Value>,
    /// `ScanSettings`, as given.
    #[serde(rename = "ScanSettings", default, skip_serializing_if = "Vec::is_empty")]
    pub scan_settings: Vec<serde_json::Value>,
}

/// A rule, AWS's `BackupRuleInput` and `BackupRule` shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRule {
    /// `RuleName`.
    #[serde(rename = "RuleName")]
    pub name: String,
    /// `TargetBackupVaultName`.
    #[serde(rename = "TargetBackupVaultName")]
    pub target_backup_vault_name: String,
    /// `TargetLogicallyAirGappedBackupVaultArn`.
    #[serde(
        rename = "TargetLogicallyAirGappedBackupVaultArn",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_logically_air_gapped_backup_vault_arn: Option<String>,
    /// `ScheduleExpression` (`cron(...)`, six fields); absent, AWS's default
    /// [`DEFAULT_SCHEDULE_EXPRESSION`].
    #[serde(rename = "ScheduleExpression", default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// `ScheduleExpressionTimezone` (an IANA name); absent, UTC.
    #[serde(
        rename = "ScheduleExpressionTimezone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub schedule_expression_timezone: Option<String>,
    /// `StartWindowMinutes`.
    #[serde(rename = "StartWindowMinutes", default, skip_serializing_if = "Option::is_none")]
    pub start_window_minutes: Option<i64>,
    /// `CompletionWindowMinutes`.
    #[serde(rename = "CompletionWindowMinutes", default, skip_serializing_if = "Option::is_none")]
    pub completion_window_minutes: Option<i64>,
    /// `Lifecycle` of the recovery points the rule makes.
    #[serde(rename = "Lifecycle", default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<RuleLifecycle>,
    /// `RecoveryPointTags`.
    #[serde(rename = "RecoveryPointTags", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recovery_point_tags: BTreeMap<String, String>,
    /// `CopyActions`.
    #[serde(rename = "CopyActions", default, skip_serializing_if = "Vec::is_empty")]
    pub copy_actions: Vec<CopyAction>,
    /// `EnableContinuousBackup`.
    #[serde(rename = "EnableContinuousBackup", default, skip_serializing_if = "Option::is_none")]
    pub enable_continuous_backup: Option<bool>,
    /// `IndexActions`, as given.
    #[serde(rename = "IndexActions", default, skip_serializing_if = "Vec::is_empty")]
    pub index_actions: Vec<serde_json::Value>,
    /// `ScanActions`, as given.
    #[serde(rename = "ScanActions", default, skip_serializing_if = "Vec::is_empty")]
    pub scan_actions: Vec<serde_json::Value>,
    /// `RuleId`; absent, one derived from the plan id and the rule's name.
    #[serde(rename = "RuleId", default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
}

/// AWS's default schedule: "When no CRON expression is provided, Backup will use the default
/// expression cron(0 5 ? * * *)." (the model's `BackupRuleInput.ScheduleExpression`).
pub const DEFAULT_SCHEDULE_EXPRESSION: &str = "cron(0 5 ? * * *)";

/// A rule's or copy action's `Lifecycle` (AWS's `Lifecycle` shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleLifecycle {
    /// `MoveToColdStorageAfterDays`.
    #[serde(
        rename = "MoveToColdStorageAfterDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub move_to_cold_storage_after_days: Option<i64>,
    /// `DeleteAfterDays`.
    #[serde(rename = "DeleteAfterDays", default, skip_serializing_if = "Option::is_none")]
    pub delete_after_days: Option<i64>,
    /// `OptInToArchiveForSupportedResources`.
    #[serde(
        rename = "OptInToArchiveForSupportedResources",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub opt_in_to_archive_for_supported_resources: Option<bool>,
}

/// A rule's copy action (AWS's `CopyAction` shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyAction {
    /// `DestinationBackupVaultArn`.
    #[serde(rename = "DestinationBackupVaultArn")]
    pub destination_backup_vault_arn: String,
    /// `Lifecycle` of the copy.
    #[serde(rename = "Lifecycle", default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<RuleLifecycle>,
}

/// A plan's resource assignment (`CreateBackupSelection`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSelection {
    /// `SelectionId`.
    pub id: String,
    /// The selection, in AWS's `BackupSelection` shape.
    pub selection: BackupSelectionDocument,
    /// `CreationDate`, a UTC timestamp; absent, the start of the world's day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// `CreatorRequestId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_request_id: Option<String>,
}

/// AWS's `BackupSelection` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSelectionDocument {
    /// `SelectionName`.
    #[serde(rename = "SelectionName")]
    pub name: String,
    /// `IamRoleArn`: the role AWS Backup assumes to back up the selected resources.
    #[serde(rename = "IamRoleArn")]
    pub iam_role_arn: String,
    /// `Resources`: ARNs, OR-ed; `*` matches any characters.
    #[serde(rename = "Resources", default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// `NotResources`: ARNs to leave out.
    #[serde(rename = "NotResources", default, skip_serializing_if = "Vec::is_empty")]
    pub not_resources: Vec<String>,
    /// `ListOfTags`: tag conditions, OR-ed.
    #[serde(rename = "ListOfTags", default, skip_serializing_if = "Vec::is_empty")]
    pub list_of_tags: Vec<TagCondition>,
    /// `Conditions`: AND-ed.
    #[serde(rename = "Conditions", default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
}

/// One of `ListOfTags` (AWS's `Condition` shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagCondition {
    /// `ConditionType`: `STRINGEQUALS`, the only one.
    #[serde(rename = "ConditionType")]
    pub condition_type: String,
    /// `ConditionKey`: the bare tag key.
    #[serde(rename = "ConditionKey")]
    pub condition_key: String,
    /// `ConditionValue`.
    #[serde(rename = "ConditionValue")]
    pub condition_value: String,
}

/// AWS's `Conditions` shape: each list of `aws:ResourceTag/KEY` conditions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// `StringEquals`.
    #[serde(rename = "StringEquals", default, skip_serializing_if = "Vec::is_empty")]
    pub string_equals: Vec<ConditionParameter>,
    /// `StringNotEquals`.
    #[serde(rename = "StringNotEquals", default, skip_serializing_if = "Vec::is_empty")]
    pub string_not_equals: Vec<ConditionParameter>,
    /// `StringLike`.
    #[serde(rename = "StringLike", default, skip_serializing_if = "Vec::is_empty")]
    pub string_like: Vec<ConditionParameter>,
    /// `StringNotLike`.
    #[serde(rename = "StringNotLike", default, skip_serializing_if = "Vec::is_empty")]
    pub string_not_like: Vec<ConditionParameter>,
}

/// AWS's `ConditionParameter` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionParameter {
    /// `ConditionKey` (`aws:ResourceTag/KEY`).
    #[serde(rename = "ConditionKey", default, skip_serializing_if = "Option::is_none")]
    pub condition_key: Option<String>,
    /// `ConditionValue`.
    #[serde(rename = "ConditionValue", default, skip_serializing_if = "Option::is_none")]
    pub condition_value: Option<String>,
}

/// A `VersionId` as AWS writes them: the base64 of a lower-case UUID string (every documented
/// example decodes so; aws-plans-policies-events-facts.md §1.5), drawn from `ids`.
pub fn version_id(ids: &mut IdGenerator) -> String {
    base64(ids.uuid().as_bytes())
}

/// A rule's `RuleId` when the world gives none: a UUID derived from the plan and the rule name.
pub fn derived_rule_id(plan_id: &str, rule_name: &str) -> String {
    IdGenerator::for_names(&["backup-rule", plan_id, rule_name]).uuid()
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 0x3F) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ids_are_the_base64_of_a_uuid_string_as_awss_examples_are() {
        // AWS's get-backup-plan example: `NjQ2ZTZkODktMGVhNy00MmQ0LWE4YjktZTkwNTQ3OTkyYTcw`.
        assert_eq!(
            base64(b"646e6d89-0ea7-42d4-a8b9-e90547992a70"),
            "NjQ2ZTZkODktMGVhNy00MmQ0LWE4YjktZTkwNTQ3OTkyYTcw"
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        let mut ids = IdGenerator::new(7);
        assert_eq!(version_id(&mut ids).len(), 48);
    }
}

//! The world a copy job runs in: organizations, accounts, KMS keys, backup vaults, IAM roles, recovery points, per-Region settings and injected faults; and the `StartCopyJob` request.
//!
//! These types are the scenario file format (`scenarios/*.yaml`): strict (unknown fields are
//! errors), documented in `docs/scenarios.md`, with a JSON Schema generated from them
//! (`docs/scenario.schema.json`). Whoever extends them updates the schema, the docs and the
//! tests in the same change.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A policy document (JSON), inline in the scenario.
///
/// The scenario loader also accepts `{"file": "key-policy.json"}` next to the scenario, and the
/// output of `aws kms get-key-policy` (`{"Policy": "...", "PolicyName": "default"}`) as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct PolicyDocument(pub serde_json::Value);

impl PolicyDocument {
    /// The policy as JSON text for the policy engine.
    pub fn text(&self) -> String {
        serde_json::to_string_pretty(&self.0).unwrap_or_default()
    }
}

/// Everything a copy job depends on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// AWS Organizations organizations.
    #[serde(default)]
    pub organizations: Vec<Organization>,
    /// KMS keys. AWS managed keys (`alias/aws/ebs`, `alias/aws/rds`, `alias/aws/backup`, ...)
    /// exist in every account and Region without being listed.
    #[serde(default)]
    pub keys: Vec<Key>,
    /// Backup vaults.
    #[serde(default)]
    pub vaults: Vec<BackupVault>,
    /// IAM roles (the copy job's `IamRoleArn`).
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Recovery points in the vaults.
    #[serde(default)]
    pub recovery_points: Vec<RecoveryPoint>,
    /// Per-account, per-Region AWS Backup settings.
    #[serde(default)]
    pub region_settings: Vec<RegionSettings>,
    /// Failures no configuration causes, injected to test tooling against them.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Access keys `copylab serve` maps to principals (an access key id of 12 digits is that
    /// account without being listed).
    #[serde(default)]
    pub credentials: Vec<AccessKey>,
    /// When true, `copylab serve` accepts only the access keys listed in `credentials`: a
    /// 12-digit access key id is refused as unknown instead of acting, unauthenticated, as that
    /// account (the quick start).
    #[serde(default)]
    pub require_credentials: bool,
    /// AWS Backup plans, each with its rules, copy actions, earlier versions and selections
    /// (`CreateBackupPlan`, `CreateBackupSelection`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backup_plans: Vec<crate::backup_plans::BackupPlan>,
    /// The resources backups are made of (databases, volumes, file systems, ...): what a backup
    /// plan's selections pick from, and what `StartBackupJob` backs up (`POST
    /// /_copylab/resources` adds here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// The facts this world does not know (a world `copylab import` made from a real account's
    /// collected configuration, where a command was refused or not run): every check that reads
    /// one answers `indeterminate` and names the command, and the account, that would settle it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<Unknown>,
}

impl World {
    /// A copy of this world without its recovery points, to change policies in: every field
    /// is named, so a new one is not left out unseen.
    pub fn without_recovery_points(&self) -> World {
        let World {
            organizations,
            keys,
            vaults,
            roles,
            recovery_points: _,
            region_settings,
            faults,
            credentials,
            require_credentials,
            backup_plans,
            resources,
            unknown,
        } = self;
        World {
            organizations: organizations.clone(),
            keys: keys.clone(),
            vaults: vaults.clone(),
            roles: roles.clone(),
            recovery_points: Vec::new(),
            region_settings: region_settings.clone(),
            faults: faults.clone(),
            credentials: credentials.clone(),
            require_credentials: *require_credentials,
            backup_plans: backup_plans.clone(),
            resources: resources.clone(),
            unknown: unknown.clone(),
        }
    }
}

/// A fact a world does not know, and how to learn it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unknown {
    /// Which fact.
    pub fact: Fact,
    /// The read-only AWS CLI command that would settle it.
    pub command: String,
    /// The account that must run it (the one that can answer it).
    #[serde(default)]
    pub account: Option<String>,
    /// Why it is unknown: the error the command got, or that it was not run.
    pub reason: String,
}

/// The facts a copy's checks read that one account's principal may not be able to see
/// (aws-plans-policies-events-facts.md §5.3); each check's `reads` in `checks::CHECKS`
/// names those it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// Which organization each account is in, and where (`describe-organization` in each
    /// account; OUs and paths from the management account).
    Organization,
    /// AWS Backup's cross-account setting (`describe-global-settings`, management account).
    GlobalSettings,
    /// The source Region's opt-in and DynamoDB settings (`describe-region-settings`, source).
    RegionSettings,
    /// The source recovery point's key: who manages it, its state (`kms describe-key`).
    SourceKey,
    /// The source key's policy (`kms get-key-policy`, the key owner only).
    SourceKeyPolicy,
    /// The destination vault: its key, type and lock (`backup describe-backup-vault`,
    /// destination).
    DestinationVault,
    /// The destination vault's access policy (`backup get-backup-vault-access-policy`,
    /// destination).
    DestinationVaultPolicy,
    /// The destination vault's key (`kms describe-key`).
    DestinationKey,
    /// The destination vault key's policy (`kms get-key-policy`, the key owner only).
    DestinationKeyPolicy,
    /// The copy role: trust policy, inline and attached policies, permissions boundary
    /// (`iam get-role` and the policy calls, source).
    CopyRole,
    /// The organization's SCPs and RCPs on both accounts and their parents (management account).
    ControlPolicies,
    /// The destination account's effective tag policy (`organizations describe-effective-policy
    /// --policy-type TAG_POLICY`, destination).
    TagPolicy,
    /// What the recovery point does not show of its source: whether an EC2 image is an AWS
    /// Marketplace image (`ec2 describe-images`), whether an RDS cluster is a Multi-AZ DB
    /// cluster (`rds describe-db-clusters`); copylab's collect script reads neither.
    SourceResource,
    /// The retention the copy asked for (its `Lifecycle`): a copy job shows it as
    /// `DestinationRecoveryPointLifecycle` only once it made the copy.
    CopyLifecycle,
}

impl Fact {
    /// Its name in the scenario format and in reports (`source-key-policy`).
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Organization => "organization",
            Fact::GlobalSettings => "global-settings",
            Fact::RegionSettings => "region-settings",
            Fact::SourceKey => "source-key",
            Fact::SourceKeyPolicy => "source-key-policy",
            Fact::DestinationVault => "destination-vault",
            Fact::DestinationVaultPolicy => "destination-vault-policy",
            Fact::DestinationKey => "destination-key",
            Fact::DestinationKeyPolicy => "destination-key-policy",
            Fact::CopyRole => "copy-role",
            Fact::ControlPolicies => "control-policies",
            Fact::TagPolicy => "tag-policy",
            Fact::SourceResource => "source-resource",
            Fact::CopyLifecycle => "copy-lifecycle",
        }
    }
}

/// A resource AWS Backup can back up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Its ARN.
    pub arn: String,
    /// Its `ResourceType` (may be omitted where the ARN determines it).
    #[serde(default)]
    pub resource_type: Option<String>,
    /// Its KMS key, for types AWS Backup does not fully manage.
    #[serde(default)]
    pub encryption_key_arn: Option<String>,
    /// Its tags (copied to recovery points; selections pick by them).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Its name, which its backups and their copies show as `ResourceName`.
    #[serde(default)]
    pub resource_name: Option<String>,
    /// The size its backups and their copies show as `BackupSizeInBytes` (declared, never
    /// computed).
    #[serde(default)]
    pub backup_size_in_bytes: Option<u64>,
    /// How long a backup of it runs, virtual seconds (copylab's default, 60, when not given:
    /// modeled). A backup that cannot end within its job's complete window
    /// (`CompleteWindowMinutes`, a rule's `CompletionWindowMinutes`) expires, and a plan's job
    /// that waits past its start window for a running backup of the resource expires too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_duration_seconds: Option<u64>,
}

/// An access key and the principal it acts as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// The access key id the client signs with (`AKIA...`).
    pub access_key_id: String,
    /// The principal it is: an IAM user, role or assumed-role session ARN, or an account root.
    pub principal: String,
    /// The secret access key. When given, `copylab serve` verifies every request signed with
    /// this key (SigV4); without it, requests with the key are taken unauthenticated.
    #[serde(default)]
    pub secret_access_key: Option<String>,
    /// The session token temporary credentials come with (`X-Amz-Security-Token`); requests
    /// with the key must carry it. `AssumeRole` adds keys with one.
    #[serde(default)]
    pub session_token: Option<String>,
    /// When temporary credentials expire (`2026-11-28T16:00:00Z`, UTC, as STS gives
    /// `Expiration`); afterwards requests with the key answer `ExpiredToken`. Judged against
    /// the server's virtual clock (so `POST /_copylab/clock/advance` can expire it), unlike
    /// signatures, whose window is the wall clock's. `AssumeRole` sets it.
    #[serde(default)]
    pub expiration: Option<String>,
}

/// Epoch seconds of a UTC timestamp `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds allowed), or
/// `None` when `text` is not one.
pub fn timestamp_seconds(text: &str) -> Option<i64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let mut d = date.split('-');
    let (y, m, day) = (number(d.next()?)?, number(d.next()?)?, number(d.next()?)?);
    let mut t = time.split(':');
    let (h, min) = (number(t.next()?)?, number(t.next()?)?);
    let sec = number(t.next()?.split('.').next()?)?;
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in_month = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let valid = d.next().is_none()
        && t.next().is_none()
        && (1..=9999).contains(&y)
        && (1..=12).contains(&m)
        && (1..=days_in_month).contains(&day)
        && h <= 23
        && min <= 59
        && sec <= 60;
    if !valid {
        return None;
    }
    // Years 1 to 9999 cannot overflow.
    let days = copylab_policy::days_from_civil(y, u32::try_from(m).ok()?, u32::try_from(day).ok()?);
    Some(days * 86_400 + h * 3600 + min * 60 + sec)
}

/// The account a `credentials` principal belongs to: the account of an `arn:PARTITION:iam::` or
/// `arn:PARTITION:sts::` ARN, or the principal itself when it is a 12-digit account id.
pub fn principal_account(principal: &str) -> Option<&str> {
    if copylab_policy::is_account_id(principal) {
        return Some(principal);
    }
    let arn = crate::arn::Arn::parse(principal)?;
    (matches!(arn.service, "iam" | "sts") && copylab_policy::is_account_id(arn.account)).then_some(arn.account)
}

/// An AWS Organizations organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The organization id, `o-` followed by 10 to 32 characters.
    pub id: String,
    /// The management account id.
    pub management_account: String,
    /// The root id (`r-...`).
    #[serde(default = "default_root_id")]
    pub root_id: String,
    /// Organizational units.
    #[serde(default)]
    pub organizational_units: Vec<OrganizationalUnit>,
    /// Member accounts (the management account is a member without being listed).
    #[serde(default)]
    pub accounts: Vec<MemberAccount>,
    /// AWS Backup's `isCrossAccountBackupEnabled` global setting, set in the management account.
    #[serde(default = "yes")]
    pub cross_account_backup_enabled: bool,
    /// Tag policies and where they are attached.
    #[serde(default)]
    pub tag_policies: Vec<TagPolicy>,
    /// Backup policies (`BACKUP_POLICY`) and where they are attached: each member account's
    /// effective backup policy makes read-only backup plans in it (`orgs/` ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backup_policies: Vec<TagPolicy>,
    /// Service control policies (`SERVICE_CONTROL_POLICY`); absent when the type is not enabled
    /// in the root. They limit the IAM principals of member accounts (the copy role and the
    /// caller of `StartCopyJob`), never the management account's or service-linked roles.
    #[serde(default)]
    pub service_control_policies: Option<ControlPolicies>,
    /// Resource control policies (`RESOURCE_CONTROL_POLICY`); absent when the type is not
    /// enabled in the root. They limit access to member accounts' resources of the services
    /// they cover (customer managed KMS keys, not AWS managed keys; not AWS Backup vaults).
    #[serde(default)]
    pub resource_control_policies: Option<ControlPolicies>,
}

/// The SCPs or RCPs of an organization whose root has the type enabled.
///
/// Enabling the type attaches AWS's default (`FullAWSAccess` for SCPs, `RCPFullAWSAccess` for
/// RCPs) to the root, every OU and every account; `FullAWSAccess` can then be detached from
/// some of them (`default_detached_from`), `RCPFullAWSAccess` cannot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlPolicies {
    /// Root, OU or account ids that AWS's default policy has been detached from (SCPs only).
    #[serde(default)]
    pub default_detached_from: Vec<String>,
    /// The organization's own policies of the type, in creation order.
    #[serde(default)]
    pub policies: Vec<ControlPolicy>,
}

/// A service or resource control policy and where it is attached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlPolicy {
    /// The policy's name, unique among the organization's policies.
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// Root, OU or account ids it is attached to.
    #[serde(default)]
    pub targets: Vec<String>,
    /// The policy document: IAM's grammar without `Principal` for an SCP; with `Principal`
    /// (`"*"`) for an RCP.
    pub content: PolicyDocument,
}

fn default_root_id() -> String {
    "r-a1b2".to_owned()
}

fn yes() -> bool {
    true
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationalUnit {
    /// `ou-...`.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// The parent: the root id or another OU id (default: the root).
    #[serde(default)]
    pub parent: Option<String>,
}

/// A member account and where it sits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberAccount {
    /// The 12-digit account id.
    pub id: String,
    /// The parent: the root id or an OU id (default: the root).
    #[serde(default)]
    pub parent: Option<String>,
}

/// A tag policy (`TAG_POLICY`) or backup policy (`BACKUP_POLICY`) and its attachments, in
/// attachment order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagPolicy {
    /// The policy's name.
    pub name: String,
    /// Root, OU or account ids it is attached to.
    pub targets: Vec<String>,
    /// The policy content, with inheritance operators (`@@assign`, `@@append`, `@@remove`) and
    /// child control operators (`@@operators_allowed_for_child_policies`).
    pub content: serde_json::Value,
}

/// Who manages a KMS key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyManager {
    /// A customer managed key: its key policy can be changed.
    #[default]
    Customer,
    /// An AWS managed key (`aws/ebs`, ...): its key policy cannot be changed or shared.
    Aws,
}

/// `KeyState` as KMS reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KeyState {
    /// Usable.
    #[default]
    Enabled,
    /// Disabled.
    Disabled,
    /// Scheduled for deletion.
    PendingDeletion,
}

/// A KMS key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Key {
    /// `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`.
    pub arn: String,
    /// Customer or AWS managed.
    #[serde(default)]
    pub manager: KeyManager,
    /// An alias (`alias/...`), by which recovery points and vaults may name it.
    #[serde(default)]
    pub alias: Option<String>,
    /// The key state.
    #[serde(default)]
    pub state: KeyState,
    /// The key policy; absent means KMS's default key policy (the owning account may use IAM
    /// policies to allow access).
    #[serde(default)]
    pub policy: Option<PolicyDocument>,
}

/// `VaultType`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VaultType {
    /// A backup vault.
    #[default]
    BackupVault,
    /// A logically air-gapped backup vault.
    LogicallyAirGappedBackupVault,
}

/// A backup vault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupVault {
    /// `BackupVaultName`.
    pub name: String,
    /// The owning account.
    pub account: String,
    /// The Region.
    pub region: String,
    /// The vault's encryption key: a key ARN or an alias; absent means `alias/aws/backup` for a
    /// backup vault and an AWS owned key (`AWS_OWNED_KMS_KEY`, not `aws/backup`) for a logically
    /// air-gapped vault.
    #[serde(default)]
    pub encryption_key: Option<String>,
    /// The vault access policy.
    #[serde(default)]
    pub access_policy: Option<PolicyDocument>,
    /// AWS Backup Vault Lock retention limits; for a logically air-gapped vault its
    /// `MinRetentionDays` and `MaxRetentionDays` (absent: a minimum of 7 days, no maximum).
    #[serde(default)]
    pub lock: Option<VaultLock>,
    /// The vault type.
    #[serde(default)]
    pub vault_type: VaultType,
    /// The vault's tags (`BackupVaultTags`, `TagResource`): policies read them as
    /// `aws:ResourceTag/KEY`, as AWS's SCP example gating copy destinations on
    /// `DestinationBackupVault` does.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The vault's notifications (`PutBackupVaultNotifications`): the SNS topic and the events
    /// it is told of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<VaultNotifications>,
}

/// A vault's notification configuration, in AWS's member names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultNotifications {
    /// `SNSTopicArn`: a topic of the vault's account.
    #[serde(rename = "SNSTopicArn")]
    pub sns_topic_arn: String,
    /// `BackupVaultEvents`, as given (`BACKUP_JOB_COMPLETED`, `COPY_JOB_FAILED`, ...).
    #[serde(rename = "BackupVaultEvents")]
    pub backup_vault_events: Vec<String>,
}

/// Vault Lock (or logically air-gapped vault) retention limits.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VaultLock {
    /// `MinRetentionDays`.
    #[serde(default)]
    pub min_retention_days: Option<i64>,
    /// `MaxRetentionDays`.
    #[serde(default)]
    pub max_retention_days: Option<i64>,
    /// `ChangeableForDays`, as `PutBackupVaultLockConfiguration` was given it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changeable_for_days: Option<i64>,
    /// `LockDate`, a UTC timestamp like `2026-11-28T16:00:00Z`: on and after it the lock is
    /// immutable (it cannot be changed or deleted). Absent: the lock can be changed or deleted
    /// at any time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_date: Option<String>,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    pub arn: String,
    /// The trust policy; absent means one that lets `backup.amazonaws.com` assume the role.
    #[serde(default)]
    pub trust_policy: Option<PolicyDocument>,
    /// Inline identity policies, by name (`PutRolePolicy`).
    #[serde(default)]
    pub policies: Vec<InlinePolicy>,
    /// Attached managed policies by ARN (AWS's Backup managed policies are known by ARN).
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// The permissions boundary (`PermissionsBoundary` of `CreateRole`,
    /// `PutRolePermissionsBoundary`): a managed policy ARN, resolved as `managed_policies` are.
    /// The role's identity permissions are what both its policies and the boundary allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
}

/// An inline policy of a role, as `PutRolePolicy` stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    /// `PolicyName`: unique within the role.
    pub name: String,
    /// `PolicyDocument`.
    pub document: PolicyDocument,
}

/// The state of a recovery point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecoveryPointStatus {
    /// Usable.
    #[default]
    Completed,
    /// Still being written.
    Partial,
    /// Expired.
    Expired,
    /// Deleted.
    Deleted,
}

/// Where a recovery point is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageClass {
    /// Warm storage.
    #[default]
    Warm,
    /// Cold storage: cannot be copied.
    Cold,
    /// Deleted.
    Deleted,
}

/// A recovery point's lifecycle (`Lifecycle`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// `DeleteAfterDays`.
    #[serde(rename = "DeleteAfterDays", default)]
    pub delete_after_days: Option<i64>,
    /// `MoveToColdStorageAfterDays`.
    #[serde(rename = "MoveToColdStorageAfterDays", default)]
    pub move_to_cold_storage_after_days: Option<i64>,
}

/// A recovery point.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPoint {
    /// `RecoveryPointArn`, in the resource type's format.
    pub arn: String,
    /// The vault it is in (name; the vault's account and Region are the recovery point's).
    pub vault: String,
    /// The vault's account (default: the only vault with that name).
    #[serde(default)]
    pub account: Option<String>,
    /// `ResourceType`, as AWS spells it (`EBS`, `EC2`, `RDS`, `Aurora`, ...). Aurora, DocumentDB
    /// and Neptune share one ARN form, so the type is data, not parsed from the ARN.
    pub resource_type: String,
    /// The protected resource's ARN.
    pub resource_arn: String,
    /// For types AWS Backup does not fully manage, the source resource's key (ARN or alias);
    /// absent means unencrypted. Fully managed types use the vault's key and ignore this.
    #[serde(default)]
    pub encryption_key: Option<String>,
    /// Tags the copy writes on the destination recovery point.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `Status`.
    #[serde(default)]
    pub status: RecoveryPointStatus,
    /// `StorageClass`.
    #[serde(default)]
    pub storage_class: StorageClass,
    /// A continuous (point-in-time) backup.
    #[serde(default)]
    pub continuous: bool,
    /// The source is an RDS Multi-AZ DB cluster (no copy at all).
    #[serde(default)]
    pub multi_az_cluster: bool,
    /// An EC2 image from AWS Marketplace.
    #[serde(default)]
    pub marketplace_image: bool,
    /// `Lifecycle`.
    #[serde(default)]
    pub lifecycle: Option<Lifecycle>,
    /// `ResourceName` ("The non-unique name of the resource that belongs to the specified
    /// backup.", the model), shown by its recovery point and its copy jobs; none when the world
    /// names none.
    #[serde(default)]
    pub resource_name: Option<String>,
    /// `BackupSizeInBytes` ("The size, in bytes, of a backup.", the model), as the world
    /// declares it: copylab computes no sizes; none when the world declares none.
    #[serde(default)]
    pub backup_size_in_bytes: Option<u64>,
    /// `ParentRecoveryPointArn`: the composite recovery point (a CloudFormation stack's) this
    /// nested recovery point belongs to, in the same vault ("a nested (child) recovery point
    /// belonging to a composite (parent) stack", the model). A recovery point that nested ones
    /// name is a composite, and copying it starts a composite copy job with one nested job each.
    #[serde(default)]
    pub parent_recovery_point_arn: Option<String>,
    /// `CompositeMemberIdentifier`: the nested resource's logical ID within its stack.
    #[serde(default)]
    pub composite_member_identifier: Option<String>,
}

impl RecoveryPoint {
    /// The key that encrypts it, as the rules engine and the server both read it: for a type
    /// AWS Backup fully manages (`fully_managed`: EFS, S3, ... "always encrypted", the
    /// encryption page), the key of the vault it is in (`vault_key`, `aws/backup` when the vault
    /// names none), whatever `encryption_key` says; for any other type its own `encryption_key`,
    /// none meaning unencrypted.
    pub fn key<'a>(&'a self, fully_managed: bool, vault_key: Option<&'a str>) -> Option<&'a str> {
        backup_key(self.encryption_key.as_deref(), fully_managed, vault_key)
    }
}

/// The key a backup of a resource under `resource_key` is encrypted with ([`RecoveryPoint::key`]).
pub fn backup_key<'a>(
    resource_key: Option<&'a str>,
    fully_managed: bool,
    vault_key: Option<&'a str>,
) -> Option<&'a str> {
    if fully_managed {
        Some(vault_key.unwrap_or("alias/aws/backup"))
    } else {
        resource_key
    }
}

/// Per-account, per-Region AWS Backup settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionSettings {
    /// The account.
    pub account: String,
    /// The Region.
    pub region: String,
    /// `ResourceTypeManagementPreference` for DynamoDB: AWS Backup advanced features.
    #[serde(default)]
    pub dynamodb_advanced_features: bool,
    /// The resource types opted out (`ResourceTypeOptInPreference` false; every other type is
    /// opted in): a backup plan's selection that assigns resources by tags only leaves them out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opted_out: Vec<String>,
}

/// A failure no configuration causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// The job fails with the internal error message.
    InternalError,
    /// The job fails with the fatal error message.
    FatalError,
    /// The job fails with the fatal error message that asks to contact AWS Support.
    FatalErrorContactSupport,
    /// Too many copy jobs are running for the resource.
    TooManyCopyJobs,
    /// The tag copy finds the source or destination recovery point unavailable.
    RecoveryPointUnavailableForTags,
    /// "You are not authorized to perform this operation."
    NotAuthorized,
    /// The S3 bucket-versioning permission message.
    S3BucketVersioningPermission,
    /// The AMI storage permission message (logically air-gapped vault auto-remediation).
    AmiStoragePermission,
}

/// The `StartCopyJob` request, with AWS's member names, and who sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartCopyJob {
    /// The calling account (the source account).
    pub account: String,
    /// The principal that sends the request: an IAM user or role ARN, an assumed-role session
    /// ARN, or the account's root; default: the account's root user. The source account's
    /// SCPs apply to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The Region the call is sent to (the source Region).
    pub region: String,
    /// `RecoveryPointArn`.
    #[serde(rename = "RecoveryPointArn", default)]
    pub recovery_point_arn: Option<String>,
    /// `SourceBackupVaultName`.
    #[serde(rename = "SourceBackupVaultName", default)]
    pub source_backup_vault_name: Option<String>,
    /// `DestinationBackupVaultArn`.
    #[serde(rename = "DestinationBackupVaultArn", default)]
    pub destination_backup_vault_arn: Option<String>,
    /// `IamRoleArn`.
    #[serde(rename = "IamRoleArn", default)]
    pub iam_role_arn: Option<String>,
    /// `Lifecycle` of the copy.
    #[serde(rename = "Lifecycle", default)]
    pub lifecycle: Option<Lifecycle>,
}

impl StartCopyJob {
    /// The required string members with their AWS names, in the model's order.
    pub fn members(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("RecoveryPointArn", self.recovery_point_arn.as_deref()),
            ("SourceBackupVaultName", self.source_backup_vault_name.as_deref()),
            (
                "DestinationBackupVaultArn",
                self.destination_backup_vault_arn.as_deref(),
            ),
            ("IamRoleArn", self.iam_role_arn.as_deref()),
        ]
    }

    /// The request's input as the API takes it: the members that are set, and `Lifecycle`.
    pub fn input(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut input: serde_json::Map<String, serde_json::Value> = self
            .members()
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), serde_json::Value::from(value?))))
            .collect();
        if let Some(lifecycle) = &self.lifecycle {
            let mut members = serde_json::Map::new();
            if let Some(days) = lifecycle.delete_after_days {
                members.insert("DeleteAfterDays".to_owned(), days.into());
            }
            if let Some(days) = lifecycle.move_to_cold_storage_after_days {
                members.insert("MoveToColdStorageAfterDays".to_owned(), days.into());
            }
            if !members.is_empty() {
                input.insert("Lifecycle".to_owned(), members.into());
            }
        }
        input
    }
}

/// `CopyJobState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CopyJobState {
    /// Created.
    Created,
    /// Running.
    Running,
    /// Completed.
    Completed,
    /// Failed.
    Failed,
    /// Partial.
    Partial,
}

impl CopyJobState {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CopyJobState::Created => "CREATED",
            CopyJobState::Running => "RUNNING",
            CopyJobState::Completed => "COMPLETED",
            CopyJobState::Failed => "FAILED",
            CopyJobState::Partial => "PARTIAL",
        }
    }
}

/// Which of AWS's wordings to use where a message changed over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Wording {
    /// Today's wording.
    #[default]
    Current,
    /// The wording AWS used before (as older articles quote it).
    Previous,
}

/// What a scenario expects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The job's final state (for a job).
    #[serde(default)]
    pub state: Option<CopyJobState>,
    /// The job's `StatusMessage`, exactly.
    #[serde(default)]
    pub status_message: Option<String>,
    /// The id of the check that fails.
    #[serde(default)]
    pub failed_check: Option<String>,
    /// The synchronous API error code (for a rejected request).
    #[serde(default)]
    pub error_code: Option<String>,
}

/// A copy job as AWS showed it (`describe-copy-job`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// `CopyJobId`.
    pub copy_job_id: String,
    /// `State`.
    pub state: String,
    /// `StatusMessage`, when it has one.
    #[serde(default)]
    pub status_message: Option<String>,
}

/// A scenario: a world, a copy request (given, or made by a backup plan's rule), when and with
/// which seed, and what should happen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, try_from = "ScenarioFile")]
#[schemars(with = "ScenarioFile")]
pub struct Scenario {
    /// What the scenario shows, in a sentence or two.
    pub description: String,
    /// The date AWS's behaviour is modelled at (`YYYY-MM-DD`); default: the latest date the
    /// model knows (`copylab_rules::MODEL_DATE`), never the clock.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Seed for every generated id (copy job id, recovery point id, request id).
    #[serde(default)]
    pub seed: u64,
    /// Which wording of a message AWS changed over time.
    #[serde(default)]
    pub wording: Wording,
    /// The world (with the recovery point a `plan_run`'s backup makes).
    pub world: World,
    /// The copy request (the one a `plan_run` starts, when the file gives that instead).
    pub copy_job: StartCopyJob,
    /// The backup plan's rule that starts the copy, when the file gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_run: Option<crate::plan_copies::PlanRun>,
    /// The expected outcome; leave it out to describe a real setup and see what happens.
    #[serde(default)]
    pub expect: Option<Expect>,
    /// The copy job AWS ran, as a real account showed it (`copylab import` with a collected
    /// `describe-copy-job`): `copylab explain` compares its message with the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    /// Where each fact of an imported world came from: a JSON pointer into this scenario
    /// (`/world/keys/0/policy`) to the collected file and the JSON path in it
    /// (`kms-get-key-policy.source-key.source.json $.Policy`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
}

/// A scenario as a file gives it: a copy request (`copy_job`), or a backup plan's rule that
/// starts it (`plan_run`), whose backup's recovery point is then added to the world.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Scenario")]
pub struct ScenarioFile {
    /// What the scenario shows, in a sentence or two.
    pub description: String,
    /// The date AWS's behaviour is modelled at (`YYYY-MM-DD`); default: the latest date the
    /// model knows (`copylab_rules::MODEL_DATE`), never the clock.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Seed for every generated id (copy job id, recovery point id, request id).
    #[serde(default)]
    pub seed: u64,
    /// Which wording of a message AWS changed over time.
    #[serde(default)]
    pub wording: Wording,
    /// The world.
    pub world: World,
    /// The copy request; give it, or `plan_run`.
    #[serde(default)]
    pub copy_job: Option<StartCopyJob>,
    /// The backup plan's rule whose copy the scenario decides (`plan`: id or name; `rule`,
    /// `resource`, `copy_action`: defaults the first), instead of `copy_job`: the rule's backup
    /// of the resource makes a recovery point in the rule's target vault (under the key the
    /// resource type requires), and the copy action's `StartCopyJob` copies it with the
    /// selection's role. With both given, `copy_job` is the copy and `plan_run` what started it.
    #[serde(default)]
    pub plan_run: Option<crate::plan_copies::PlanRun>,
    /// The expected outcome; leave it out to describe a real setup and see what happens.
    #[serde(default)]
    pub expect: Option<Expect>,
    /// The copy job AWS ran, as a real account showed it (`copylab import` with a collected
    /// `describe-copy-job`): `copylab explain` compares its message with the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    /// Where each fact of an imported world came from: a JSON pointer into this scenario
    /// (`/world/keys/0/policy`) to the collected file and the JSON path in it
    /// (`kms-get-key-policy.source-key.source.json $.Policy`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
}

impl TryFrom<ScenarioFile> for Scenario {
    type Error = String;

    fn try_from(file: ScenarioFile) -> Result<Scenario, String> {
        let ScenarioFile {
            description,
            as_of,
            seed,
            wording,
            world,
            copy_job,
            plan_run,
            expect,
            observed,
            sources,
        } = file;
        // The plans the organizations' backup policies make are part of the world.
        let mut world = world;
        let _ = crate::backup_policy::sync_plans(&mut world);
        let (world, copy_job) = match (copy_job, &plan_run) {
            (Some(copy_job), _) => (world, copy_job),
            (None, Some(run)) => {
                // The backup runs at the start of the modeled day.
                let created = crate::plan_copies::day_start(as_of.as_deref());
                crate::plan_copies::resolve(&world, run, created)?
            }
            (None, None) => return Err("give `copy_job` (the StartCopyJob request) or `plan_run`".to_owned()),
        };
        Ok(Scenario {
            description,
            as_of,
            seed,
            wording,
            world,
            copy_job,
            plan_run,
            expect,
            observed,
            sources,
        })
    }
}

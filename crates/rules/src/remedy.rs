//! Remedies: for a failed check, the fix as typed patches to the world (the same operations the server will expose), the AWS CLI commands that apply it, and the alternatives where no setting fixes it.

use serde::Serialize;
use serde_json::{Value, json};

use crate::checks::{KeyCaller, KeyRequest};
use crate::kms::KeyRef;
use crate::text;
use crate::text::Text;
use crate::world::{
    BackupVault, Fault, InlinePolicy, Key, KeyManager, KeyState, Lifecycle, MemberAccount, Organization,
    PolicyDocument, RecoveryPoint, RegionSettings, Role, StartCopyJob, VaultType, World,
};

/// An AWS CLI command and where to run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The account whose credentials run it.
    pub account: String,
    /// The Region, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The command line.
    pub command: String,
}

/// A change to the world (or the request) that fixes a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Patch {
    /// Make `account` a member of `organization_id` (invite and accept; leaving any other first).
    JoinOrganization {
        /// The account.
        account: String,
        /// The organization.
        organization_id: String,
    },
    /// Create an organization managed by `management_account`, with `member` in it.
    CreateOrganization {
        /// Its id.
        organization_id: String,
        /// Its management account.
        management_account: String,
        /// The other account.
        member: String,
    },
    /// Set `isCrossAccountBackupEnabled`.
    SetCrossAccountBackup {
        /// The organization.
        organization_id: String,
        /// The value.
        enabled: bool,
    },
    /// Turn on DynamoDB advanced features (`ResourceTypeManagementPreference`).
    EnableDynamodbAdvancedFeatures {
        /// The account.
        account: String,
        /// The Region.
        region: String,
    },
    /// Create a vault with a customer managed key in the destination account and copy there.
    UseDestinationVault {
        /// The vault.
        vault: BackupVault,
        /// Its key.
        key: Key,
    },
    /// Re-create the resource under a customer managed key (restore, then back up again) and
    /// copy the new recovery point.
    ReencryptRecoveryPoint {
        /// The recovery point.
        recovery_point_arn: String,
        /// The new key.
        key: Key,
    },
    /// Enable a key (cancelling its deletion first if scheduled).
    EnableKey {
        /// The key.
        key_arn: String,
    },
    /// Add statements to a key policy.
    AddKeyPolicyStatements {
        /// The key.
        key_arn: String,
        /// The statements.
        statements: Vec<Value>,
    },
    /// Remove statements (by index) from a key policy.
    RemoveKeyPolicyStatements {
        /// The key.
        key_arn: String,
        /// 0-based statement indexes.
        indexes: Vec<usize>,
    },
    /// Create the copy role with AWS's trust for backup.amazonaws.com and the AWS managed
    /// backup policy.
    CreateRole {
        /// The role.
        role: Role,
    },
    /// Replace a role's trust policy.
    SetRoleTrustPolicy {
        /// The role.
        role_arn: String,
        /// The policy.
        policy: Value,
    },
    /// Put an inline policy on a role (`PutRolePolicy`: replaces one of the same name).
    AddRolePolicy {
        /// The role.
        role_arn: String,
        /// The inline policy's name.
        policy_name: String,
        /// The policy.
        policy: Value,
    },
    /// Remove statements from a role's inline policy.
    RemoveRolePolicyStatements {
        /// The role.
        role_arn: String,
        /// The inline policy's index.
        policy_index: usize,
        /// 0-based statement indexes.
        indexes: Vec<usize>,
    },
    /// Add statements to a vault access policy (creating it if absent).
    AddVaultAccessPolicyStatements {
        /// The vault.
        vault_arn: String,
        /// The statements.
        statements: Vec<Value>,
    },
    /// Remove statements from a vault access policy.
    RemoveVaultAccessPolicyStatements {
        /// The vault.
        vault_arn: String,
        /// 0-based statement indexes.
        indexes: Vec<usize>,
    },
    /// Create the destination vault (with a customer managed key) and its access policy.
    CreateVault {
        /// The vault.
        vault: BackupVault,
        /// Its key.
        key: Key,
    },
    /// Set a tag on the recovery point (and its resource), optionally removing another key.
    SetRecoveryPointTag {
        /// The recovery point.
        recovery_point_arn: String,
        /// The tag key.
        key: String,
        /// The tag value.
        value: String,
        /// A key to remove (a wrongly capitalized one).
        #[serde(skip_serializing_if = "Option::is_none")]
        remove: Option<String>,
    },
    /// Set the copy's `Lifecycle.DeleteAfterDays`.
    SetCopyLifecycle {
        /// The days.
        delete_after_days: i64,
    },
    /// Remove an injected fault.
    RemoveFault {
        /// The fault.
        fault: Fault,
    },
}

/// How to fix a failed check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remedy {
    /// What to do, in a sentence.
    pub summary: Text,
    /// The change, as patches to the world.
    pub patches: Vec<Patch>,
    /// AWS CLI commands that apply it.
    pub commands: Vec<Command>,
    /// Other ways, or what to do where no setting fixes it.
    pub alternatives: Vec<Text>,
}

impl Remedy {
    /// A remedy with alternatives only (no setting fixes the check).
    pub fn alternatives_only(alternatives: Vec<Text>) -> Self {
        Remedy {
            summary: Text::plain("remedy.no-setting", "no setting fixes this: see the alternatives"),
            patches: Vec::new(),
            commands: Vec::new(),
            alternatives,
        }
    }

    /// Several remedies as one: the first summary, all patches, commands and alternatives. A
    /// remedy that has no patch makes the whole unfixable (its alternatives are what is left).
    pub fn merge(remedies: Vec<Remedy>) -> Self {
        let unfixable = remedies.iter().any(|r| r.patches.is_empty());
        let mut iter = remedies.into_iter();
        let Some(mut first) = iter.next() else {
            return Remedy::alternatives_only(Vec::new());
        };
        for other in iter {
            first.patches.extend(other.patches);
            first.commands.extend(other.commands);
            first.alternatives.extend(other.alternatives);
        }
        if unfixable {
            first.patches.clear();
            first.commands.clear();
        }
        first
    }

    /// Whether applying the patches can fix the check.
    pub fn is_fixable(&self) -> bool {
        !self.patches.is_empty()
    }
}

fn cmd(account: &str, region: Option<&str>, command: String) -> Command {
    Command {
        account: account.to_owned(),
        region: region.map(str::to_owned),
        command,
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A customer managed key id copylab creates in remedies (fixed, so runs are reproducible).
fn new_key(partition: &str, region: &str, account: &str, n: u32, policy: Value) -> Key {
    Key {
        arn: format!("arn:{partition}:kms:{region}:{account}:key/c0ffee00-0000-4000-8000-{n:012}"),
        manager: KeyManager::Customer,
        alias: None,
        state: KeyState::Enabled,
        policy: Some(PolicyDocument(policy)),
    }
}

/// The key policy the Knowledge Center recommends: the owning account, plus use and grants for
/// the other account.
pub(crate) fn shared_key_policy(partition: &str, owner: &str, other: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{owner}:root")}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": [format!("arn:{partition}:iam::{owner}:root"), format!("arn:{partition}:iam::{other}:root")]},
             "Action": ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"], "Resource": "*"},
            {"Sid": "Allow attachment of persistent resources", "Effect": "Allow", "Principal": {"AWS": [format!("arn:{partition}:iam::{owner}:root"), format!("arn:{partition}:iam::{other}:root")]},
             "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}
        ]
    })
}

fn vault_statement(partition: &str, source_account: &str) -> Value {
    json!({"Sid": "AllowCopyFromSourceAccount", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{source_account}:root")}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"})
}

pub(crate) fn join_organization(
    source: &str,
    destination: &str,
    source_org: Option<&Organization>,
    destination_org: Option<&Organization>,
) -> Remedy {
    let (account, org) = match (source_org, destination_org) {
        (Some(org), _) => (destination, Some(org)),
        (None, Some(org)) => (source, Some(org)),
        (None, None) => (destination, None),
    };
    match org {
        Some(org) => Remedy {
            summary: text!(
                "remedy.join-org",
                "bring account {account} into organization {org}, the other account's organization",
                account = account,
                org = org.id
            ),
            patches: vec![Patch::JoinOrganization {
                account: account.to_owned(),
                organization_id: org.id.clone(),
            }],
            commands: vec![
                cmd(
                    &org.management_account,
                    None,
                    format!("aws organizations invite-account-to-organization --target Id={account},Type=ACCOUNT"),
                ),
                cmd(
                    account,
                    None,
                    "aws organizations accept-handshake --handshake-id <the handshake id from the invitation>"
                        .to_owned(),
                ),
            ],
            alternatives: vec![Text::plain(
                "remedy.join-org-leave",
                "an account that is in another organization must leave it first (aws organizations leave-organization, from that account)",
            )],
        },
        None => Remedy {
            summary: text!(
                "remedy.create-org",
                "create an organization in account {source} and invite account {destination}",
                source = source,
                destination = destination
            ),
            patches: vec![Patch::CreateOrganization {
                organization_id: "o-copylab0001".to_owned(),
                management_account: source.to_owned(),
                member: destination.to_owned(),
            }],
            commands: vec![
                cmd(
                    source,
                    None,
                    "aws organizations create-organization --feature-set ALL".to_owned(),
                ),
                cmd(
                    source,
                    None,
                    format!("aws organizations invite-account-to-organization --target Id={destination},Type=ACCOUNT"),
                ),
                cmd(
                    destination,
                    None,
                    "aws organizations accept-handshake --handshake-id <the handshake id from the invitation>"
                        .to_owned(),
                ),
            ],
            alternatives: Vec::new(),
        },
    }
}

pub(crate) fn enable_cross_account(org: &Organization) -> Remedy {
    Remedy {
        summary: text!(
            "remedy.enable-cross-account",
            "turn on cross-account backup in the management account {management}",
            management = org.management_account
        ),
        patches: vec![Patch::SetCrossAccountBackup {
            organization_id: org.id.clone(),
            enabled: true,
        }],
        commands: vec![cmd(
            &org.management_account,
            None,
            "aws backup update-global-settings --global-settings isCrossAccountBackupEnabled=true".to_owned(),
        )],
        alternatives: Vec::new(),
    }
}

pub(crate) fn two_step_copy(
    source_account: &str,
    destination_account: &str,
    source_region: &str,
    destination_region: &str,
) -> Remedy {
    Remedy::alternatives_only(vec![
        text!(
            "remedy.two-step",
            "copy in two steps: first across Regions within account {source} ({source_region} to {destination_region}), then across accounts within {destination_region} to account {destination}",
            source = source_account,
            destination = destination_account,
            source_region = source_region,
            destination_region = destination_region
        ),
        Text::plain(
            "remedy.two-step-date",
            "model a date on or after 2025-10-01 (as_of), from when AWS Backup copies these snapshots across Regions and accounts in one action",
        ),
    ])
}

pub(crate) fn enable_dynamodb_advanced(account: &str, region: &str) -> Remedy {
    Remedy {
        summary: text!(
            "remedy.dynamodb",
            "turn on AWS Backup advanced features for DynamoDB in account {account}, {region}, then back the table up again and copy the new recovery point",
            account = account,
            region = region
        ),
        patches: vec![Patch::EnableDynamodbAdvancedFeatures {
            account: account.to_owned(),
            region: region.to_owned(),
        }],
        commands: vec![cmd(
            account,
            Some(region),
            format!(
                "aws backup update-region-settings --resource-type-management-preference DynamoDB=true --region {region}"
            ),
        )],
        alternatives: Vec::new(),
    }
}

pub(crate) fn use_cmk_vault(
    existing: Option<&BackupVault>,
    account: &str,
    region: &str,
    partition: &str,
    source_account: &str,
) -> Remedy {
    let key = new_key(
        partition,
        region,
        account,
        1,
        shared_key_policy(partition, account, source_account),
    );
    let name = existing.map_or_else(|| "CopyTarget".to_owned(), |v| format!("{}-cmk", v.name));
    let vault = BackupVault {
        name: name.clone(),
        account: account.to_owned(),
        region: region.to_owned(),
        encryption_key: Some(key.arn.clone()),
        access_policy: existing.and_then(|v| v.access_policy.clone()),
        lock: existing.and_then(|v| v.lock.clone()),
        vault_type: VaultType::BackupVault,
    };
    Remedy {
        summary: text!(
            "remedy.cmk-vault",
            "a vault's key cannot be changed: create vault `{name}` encrypted with a customer managed key in account {account} and copy into it",
            name = name,
            account = account
        ),
        patches: vec![Patch::UseDestinationVault {
            vault,
            key: key.clone(),
        }],
        commands: vec![
            cmd(
                account,
                Some(region),
                format!(
                    "aws kms create-key --description \"AWS Backup copies\" --policy '{}' --region {region}",
                    compact(&shared_key_policy(partition, account, source_account))
                ),
            ),
            cmd(
                account,
                Some(region),
                format!(
                    "aws backup create-backup-vault --backup-vault-name {name} --encryption-key-arn <the new key's ARN> --region {region}"
                ),
            ),
        ],
        alternatives: Vec::new(),
    }
}

pub(crate) fn reencrypt_with_cmk(
    recovery_point: &RecoveryPoint,
    source_account: &str,
    source_region: &str,
    partition: &str,
    destination_account: &str,
) -> Remedy {
    let policy = shared_key_policy(partition, source_account, destination_account);
    let policy_text = compact(&policy);
    let key = new_key(partition, source_region, source_account, 2, policy);
    Remedy {
        summary: text!(
            "remedy.reencrypt",
            "a resource's key cannot be changed: restore {resource} from a backup under a customer managed key shared with account {destination}, back it up again and copy that recovery point",
            resource = recovery_point.resource_arn,
            destination = destination_account
        ),
        patches: vec![Patch::ReencryptRecoveryPoint {
            recovery_point_arn: recovery_point.arn.clone(),
            key: key.clone(),
        }],
        commands: vec![cmd(
            source_account,
            Some(source_region),
            format!(
                "aws kms create-key --description \"shared with {destination_account} for AWS Backup copies\" --policy '{policy_text}' --region {source_region}"
            ),
        )],
        alternatives: vec![Text::plain(
            "remedy.reencrypt-how",
            "restore the recovery point choosing the new key during the restore, then start a backup of the restored resource",
        )],
    }
}

pub(crate) fn enable_key(key: &KeyRef<'_>, region: &str) -> Remedy {
    let arn = key.arn();
    let account = arn.split(':').nth(4).unwrap_or_default().to_owned();
    let mut commands = Vec::new();
    if key.state() == "PendingDeletion" {
        commands.push(cmd(
            &account,
            Some(region),
            format!("aws kms cancel-key-deletion --key-id {arn}"),
        ));
    }
    commands.push(cmd(
        &account,
        Some(region),
        format!("aws kms enable-key --key-id {arn}"),
    ));
    Remedy {
        summary: text!("remedy.enable-key", "enable key {key}", key = arn),
        patches: vec![Patch::EnableKey { key_arn: arn }],
        commands,
        alternatives: Vec::new(),
    }
}

/// Tags reach a recovery point from its resource at backup time: tag the resource (and a fully
/// managed recovery point directly).
fn tag_commands(
    recovery_point: &RecoveryPoint,
    account: &str,
    key: &str,
    value: &str,
    remove: Option<&str>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    if let Some(old) = remove {
        commands.push(cmd(
            account,
            None,
            format!(
                "aws resourcegroupstaggingapi untag-resources --resource-arn-list {} --tag-keys {old}",
                recovery_point.resource_arn
            ),
        ));
    }
    commands.push(cmd(
        account,
        None,
        format!(
            "aws resourcegroupstaggingapi tag-resources --resource-arn-list {} --tags {key}={value}",
            recovery_point.resource_arn
        ),
    ));
    if recovery_point.arn.contains(":backup:") {
        if let Some(old) = remove {
            commands.push(cmd(
                account,
                None,
                format!(
                    "aws backup untag-resource --resource-arn {} --tag-key-list {old}",
                    recovery_point.arn
                ),
            ));
        }
        commands.push(cmd(
            account,
            None,
            format!(
                "aws backup tag-resource --resource-arn {} --tags {key}={value}",
                recovery_point.arn
            ),
        ));
    }
    commands
}

pub(crate) fn rename_tag(recovery_point: &RecoveryPoint, account: &str, key: &str, required: &str) -> Remedy {
    let value = recovery_point.tags.get(key).cloned().unwrap_or_default();
    let summary = text!(
        "remedy.rename-tag",
        "write the tag key as `{required}` instead of `{key}` on the resource (then back it up again) and on a fully managed recovery point",
        required = required,
        key = key
    );
    tag_remedy(summary, recovery_point, account, required, value, Some(key))
}

pub(crate) fn set_tag_value(recovery_point: &RecoveryPoint, account: &str, key: &str, allowed: &[String]) -> Remedy {
    let value = allowed
        .iter()
        .find(|v| !v.contains('*'))
        .cloned()
        .unwrap_or_else(|| allowed.first().map_or_else(String::new, |v| v.replace('*', "")));
    let summary = text!(
        "remedy.set-tag",
        "give tag `{key}` an allowed value, such as `{value}`, on the resource (then back it up again) and on a fully managed recovery point",
        key = key,
        value = value
    );
    tag_remedy(summary, recovery_point, account, key, value, None)
}

/// A tag policy remedy: tag `key` with `value` (replacing `remove`), or change the policy.
fn tag_remedy(
    summary: Text,
    recovery_point: &RecoveryPoint,
    account: &str,
    key: &str,
    value: String,
    remove: Option<&str>,
) -> Remedy {
    Remedy {
        summary,
        commands: tag_commands(recovery_point, account, key, &value, remove),
        patches: vec![Patch::SetRecoveryPointTag {
            recovery_point_arn: recovery_point.arn.clone(),
            key: key.to_owned(),
            value,
            remove: remove.map(str::to_owned),
        }],
        alternatives: vec![Text::plain(
            "remedy.tag-policy-alt",
            "change the tag policy in the management account so that it does not enforce this tag for backup:recovery-point",
        )],
    }
}

pub(crate) fn set_copy_retention(request: &StartCopyJob, days: i64) -> Remedy {
    Remedy {
        summary: text!(
            "remedy.retention",
            "set the copy's retention to {days} days, within the destination vault's limits",
            days = days
        ),
        patches: vec![Patch::SetCopyLifecycle {
            delete_after_days: days,
        }],
        commands: vec![cmd(
            &request.account,
            Some(&request.region),
            format!(
                "aws backup start-copy-job --recovery-point-arn {} --source-backup-vault-name {} --destination-backup-vault-arn {} --iam-role-arn {} --lifecycle DeleteAfterDays={days}",
                request.recovery_point_arn.as_deref().unwrap_or_default(),
                request.source_backup_vault_name.as_deref().unwrap_or_default(),
                request.destination_backup_vault_arn.as_deref().unwrap_or_default(),
                request.iam_role_arn.as_deref().unwrap_or_default()
            ),
        )],
        alternatives: Vec::new(),
    }
}

pub(crate) fn remove_fault(fault: Fault) -> Remedy {
    Remedy {
        summary: Text::plain(
            "remedy.fault",
            "an injected fault: nothing in the configuration causes it; retry the copy (in copylab, remove the fault)",
        ),
        patches: vec![Patch::RemoveFault { fault }],
        commands: Vec::new(),
        alternatives: vec![Text::plain(
            "remedy.fault-support",
            "if AWS shows this message for a real job, retry it; if it repeats, contact AWS Support",
        )],
    }
}

pub(crate) fn fix_key_policy(
    key: &Key,
    failed: &[&KeyRequest],
    denies: &[usize],
    partition: &str,
    destination: &str,
    owner: &str,
) -> Remedy {
    let mut statements = Vec::new();
    let plain: Vec<&str> = failed
        .iter()
        .filter(|r| r.caller == KeyCaller::DestinationServiceLinkedRole && r.context.is_empty())
        .map(|r| r.action)
        .collect();
    let grants: Vec<&str> = failed
        .iter()
        .filter(|r| r.caller == KeyCaller::DestinationServiceLinkedRole && !r.context.is_empty())
        .map(|r| r.action)
        .collect();
    if failed.iter().any(|r| r.caller == KeyCaller::SourceAccount) {
        statements.push(json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{owner}:root")}, "Action": "kms:*", "Resource": "*"}));
    }
    if !plain.is_empty() {
        statements.push(json!({"Sid": "Allow use of the key by the destination account", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{destination}:root")}, "Action": plain, "Resource": "*"}));
    }
    if !grants.is_empty() {
        statements.push(json!({"Sid": "Allow attachment of persistent resources by the destination account", "Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{destination}:root")}, "Action": grants, "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}));
    }
    let mut patches = Vec::new();
    if !denies.is_empty() {
        patches.push(Patch::RemoveKeyPolicyStatements {
            key_arn: key.arn.clone(),
            indexes: denies.to_vec(),
        });
    }
    if !statements.is_empty() && denies.is_empty() {
        patches.push(Patch::AddKeyPolicyStatements {
            key_arn: key.arn.clone(),
            statements: statements.clone(),
        });
    }
    // The command replaces the whole policy: the key's policy as the world has it, patched.
    let mut document = key
        .policy
        .clone()
        .unwrap_or_else(|| PolicyDocument(crate::kms::default_key_policy(partition, owner)));
    if let Some(list) = statements_of(&mut document) {
        let mut index = 0;
        list.retain(|_| {
            let keep = !denies.contains(&index);
            index += 1;
            keep
        });
        if denies.is_empty() {
            list.extend(statements);
        }
    }
    let region = key.arn.split(':').nth(3).unwrap_or_default();
    Remedy {
        summary: if denies.is_empty() {
            text!(
                "remedy.key-policy",
                "allow destination account {destination} in the key policy of {key}",
                destination = destination,
                key = key.arn
            )
        } else {
            text!(
                "remedy.key-policy-deny",
                "remove the Deny statements {indexes} from the key policy of {key}",
                indexes = format!("{denies:?}"),
                key = key.arn
            )
        },
        patches,
        commands: vec![cmd(
            owner,
            Some(region),
            format!(
                "aws kms put-key-policy --key-id {} --policy-name default --policy '{}'",
                key.arn,
                compact(&document.0)
            ),
        )],
        alternatives: Vec::new(),
    }
}

fn role_name(role_arn: &str) -> &str {
    role_arn.rsplit('/').next().unwrap_or(role_arn)
}

const BACKUP_ROLE_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup";

pub(crate) fn create_role(role_arn: &str) -> Remedy {
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    let trust = crate::policies::default_trust_policy();
    Remedy {
        summary: text!(
            "remedy.create-role",
            "create role {role} that backup.amazonaws.com may assume, with the AWS managed policy AWSBackupServiceRolePolicyForBackup",
            role = role_arn
        ),
        patches: vec![Patch::CreateRole {
            role: Role {
                arn: role_arn.to_owned(),
                trust_policy: None,
                policies: Vec::new(),
                managed_policies: vec![BACKUP_ROLE_POLICY.to_owned()],
            },
        }],
        commands: vec![
            cmd(
                account,
                None,
                format!(
                    "aws iam create-role --role-name {} --path /service-role/ --assume-role-policy-document '{}'",
                    role_name(role_arn),
                    compact(&trust)
                ),
            ),
            cmd(
                account,
                None,
                format!(
                    "aws iam attach-role-policy --role-name {} --policy-arn {BACKUP_ROLE_POLICY}",
                    role_name(role_arn)
                ),
            ),
        ],
        alternatives: vec![Text::plain(
            "remedy.default-role",
            "use the default role, AWSBackupDefaultServiceRole, which AWS Backup creates with these permissions",
        )],
    }
}

pub(crate) fn fix_trust(role_arn: &str) -> Remedy {
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    let trust = crate::policies::default_trust_policy();
    Remedy {
        summary: text!(
            "remedy.trust",
            "let backup.amazonaws.com assume role {role}",
            role = role_arn
        ),
        patches: vec![Patch::SetRoleTrustPolicy {
            role_arn: role_arn.to_owned(),
            policy: trust.clone(),
        }],
        commands: vec![cmd(
            account,
            None,
            format!(
                "aws iam update-assume-role-policy --role-name {} --policy-document '{}'",
                role_name(role_arn),
                compact(&trust)
            ),
        )],
        alternatives: Vec::new(),
    }
}

/// The name of the inline policy the remedy puts on a role.
const ROLE_POLICY_NAME: &str = "CopyIntoDestinationVault";

pub(crate) fn allow_copy_in_role(
    role_arn: &str,
    world_role: Option<&Role>,
    vault_arn: &str,
    denies: &[(String, usize)],
) -> Remedy {
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "CopyIntoDestinationVault", "Effect": "Allow", "Action": "backup:CopyIntoBackupVault", "Resource": vault_arn}]});
    let mut patches = Vec::new();
    for (label, index) in denies {
        // Inline policies are labelled `world.roles[i].policies[j]`.
        if let Some(j) = label
            .rsplit_once("policies[")
            .and_then(|(_, rest)| rest.trim_end_matches(']').parse::<usize>().ok())
        {
            patches.push(Patch::RemoveRolePolicyStatements {
                role_arn: role_arn.to_owned(),
                policy_index: j,
                indexes: vec![*index],
            });
        }
    }
    if denies.is_empty() {
        patches.push(Patch::AddRolePolicy {
            role_arn: role_arn.to_owned(),
            policy_name: ROLE_POLICY_NAME.to_owned(),
            policy: policy.clone(),
        });
    }
    Remedy {
        summary: if denies.is_empty() {
            text!(
                "remedy.role-policy",
                "allow backup:CopyIntoBackupVault on {vault} in role {role}'s policies",
                vault = vault_arn,
                role = role_arn
            )
        } else {
            text!(
                "remedy.role-deny",
                "remove the Deny on backup:CopyIntoBackupVault from role {role}'s policies",
                role = role_arn
            )
        },
        commands: role_policy_commands(account, role_arn, world_role, &patches, &policy),
        patches,
        alternatives: vec![text!(
            "remedy.role-managed",
            "attach the AWS managed policy {arn}, which allows it on every backup vault",
            arn = BACKUP_ROLE_POLICY
        )],
    }
}

/// The AWS CLI commands for a role's inline policy patches: `put-role-policy` with the policy
/// as it becomes (its Deny statements removed), or with the new Allow policy.
fn role_policy_commands(
    account: &str,
    role_arn: &str,
    world_role: Option<&Role>,
    patches: &[Patch],
    allow: &Value,
) -> Vec<Command> {
    let put = |name: &str, document: &Value| {
        cmd(
            account,
            None,
            format!(
                "aws iam put-role-policy --role-name {} --policy-name {name} --policy-document '{}'",
                role_name(role_arn),
                compact(document)
            ),
        )
    };
    let mut commands = Vec::new();
    for patch in patches {
        if let Patch::RemoveRolePolicyStatements {
            policy_index, indexes, ..
        } = patch
            && let Some(inline) = world_role.and_then(|r| r.policies.get(*policy_index))
        {
            let mut document = inline.document.clone();
            if let Some(list) = statements_of(&mut document) {
                remove_indexes(list, indexes);
            }
            commands.push(put(&inline.name, &document.0));
        }
    }
    if commands.is_empty() {
        commands.push(put(ROLE_POLICY_NAME, allow));
    }
    commands
}

pub(crate) fn create_destination_vault(vault_arn: &str, source_account: &str, partition: &str) -> Remedy {
    let parts: Vec<&str> = vault_arn.splitn(6, ':').collect();
    let (region, account) = (
        parts.get(3).copied().unwrap_or_default(),
        parts.get(4).copied().unwrap_or_default(),
    );
    let name = parts
        .get(5)
        .and_then(|r| r.strip_prefix("backup-vault:"))
        .unwrap_or_default();
    let key = new_key(
        partition,
        region,
        account,
        1,
        shared_key_policy(partition, account, source_account),
    );
    let policy = json!({"Version": "2012-10-17", "Statement": [vault_statement(partition, source_account)]});
    let vault = BackupVault {
        name: name.to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        encryption_key: Some(key.arn.clone()),
        access_policy: Some(PolicyDocument(policy.clone())),
        lock: None,
        vault_type: VaultType::BackupVault,
    };
    Remedy {
        summary: text!(
            "remedy.create-vault",
            "create vault `{name}` in account {account}, {region}, with a customer managed key and an access policy that allows account {source}",
            name = name,
            account = account,
            region = region,
            source = source_account
        ),
        patches: vec![Patch::CreateVault { vault, key }],
        commands: vec![
            cmd(
                account,
                Some(region),
                format!(
                    "aws kms create-key --policy '{}' --region {region}",
                    compact(&shared_key_policy(partition, account, source_account))
                ),
            ),
            cmd(
                account,
                Some(region),
                format!(
                    "aws backup create-backup-vault --backup-vault-name {name} --encryption-key-arn <the new key's ARN> --region {region}"
                ),
            ),
            cmd(
                account,
                Some(region),
                format!(
                    "aws backup put-backup-vault-access-policy --backup-vault-name {name} --policy '{}' --region {region}",
                    compact(&policy)
                ),
            ),
        ],
        alternatives: Vec::new(),
    }
}

pub(crate) fn allow_source_in_vault(
    vault: &BackupVault,
    vault_arn: &str,
    partition: &str,
    source_account: &str,
    denies: &[usize],
) -> Remedy {
    let (name, region, account) = (vault.name.as_str(), vault.region.as_str(), vault.account.as_str());
    let statement = vault_statement(partition, source_account);
    let patches = if denies.is_empty() {
        vec![Patch::AddVaultAccessPolicyStatements {
            vault_arn: vault_arn.to_owned(),
            statements: vec![statement.clone()],
        }]
    } else {
        vec![Patch::RemoveVaultAccessPolicyStatements {
            vault_arn: vault_arn.to_owned(),
            indexes: denies.to_vec(),
        }]
    };
    // The command replaces the whole policy: keep the existing statements.
    let mut document = vault
        .access_policy
        .clone()
        .unwrap_or_else(|| PolicyDocument(json!({"Version": "2012-10-17", "Statement": []})));
    if let Some(list) = statements_of(&mut document) {
        remove_indexes(list, denies);
        if denies.is_empty() {
            list.push(statement);
        }
    }
    let policy = document.0;
    Remedy {
        summary: if denies.is_empty() {
            text!(
                "remedy.vault-policy",
                "allow account {source} to copy into vault `{name}` (backup:CopyIntoBackupVault in its access policy)",
                source = source_account,
                name = name
            )
        } else {
            text!(
                "remedy.vault-deny",
                "remove the Deny statements {indexes} from vault `{name}`'s access policy",
                indexes = format!("{denies:?}"),
                name = name
            )
        },
        patches,
        commands: vec![cmd(
            account,
            Some(region),
            format!(
                "aws backup put-backup-vault-access-policy --backup-vault-name {name} --policy '{}' --region {region}",
                compact(&policy)
            ),
        )],
        alternatives: vec![Text::plain(
            "remedy.vault-org",
            "allow the whole organization instead: Principal \"*\" with a StringEquals condition on aws:PrincipalOrgID",
        )],
    }
}

fn statements_of(document: &mut PolicyDocument) -> Option<&mut Vec<Value>> {
    let statement = document.0.get_mut("Statement")?;
    if statement.is_object() {
        let single = statement.take();
        *statement = Value::Array(vec![single]);
    }
    statement.as_array_mut()
}

fn remove_indexes(list: &mut Vec<Value>, indexes: &[usize]) {
    let mut i = 0;
    list.retain(|_| {
        let keep = !indexes.contains(&i);
        i += 1;
        keep
    });
}

/// Applies a patch to the world and the request, as the server's API operations would.
pub fn apply(world: &mut World, request: &mut StartCopyJob, patch: &Patch) -> Result<(), String> {
    match patch {
        Patch::JoinOrganization {
            account,
            organization_id,
        } => {
            for org in &mut world.organizations {
                org.accounts.retain(|a| a.id != *account);
            }
            let org = world
                .organizations
                .iter_mut()
                .find(|o| o.id == *organization_id)
                .ok_or("no such organization")?;
            org.accounts.push(MemberAccount {
                id: account.clone(),
                parent: None,
            });
        }
        Patch::CreateOrganization {
            organization_id,
            management_account,
            member,
        } => {
            world.organizations.push(Organization {
                id: organization_id.clone(),
                management_account: management_account.clone(),
                root_id: "r-a1b2".to_owned(),
                organizational_units: Vec::new(),
                accounts: vec![MemberAccount {
                    id: member.clone(),
                    parent: None,
                }],
                cross_account_backup_enabled: true,
                tag_policies: Vec::new(),
            });
        }
        Patch::SetCrossAccountBackup {
            organization_id,
            enabled,
        } => {
            let org = world
                .organizations
                .iter_mut()
                .find(|o| o.id == *organization_id)
                .ok_or("no such organization")?;
            org.cross_account_backup_enabled = *enabled;
        }
        Patch::EnableDynamodbAdvancedFeatures { account, region } => {
            match world
                .region_settings
                .iter_mut()
                .find(|s| s.account == *account && s.region == *region)
            {
                Some(settings) => settings.dynamodb_advanced_features = true,
                None => world.region_settings.push(RegionSettings {
                    account: account.clone(),
                    region: region.clone(),
                    dynamodb_advanced_features: true,
                }),
            }
        }
        Patch::UseDestinationVault { vault, key } | Patch::CreateVault { vault, key } => {
            if !world.keys.iter().any(|k| k.arn == key.arn) {
                world.keys.push(key.clone());
            }
            world
                .vaults
                .retain(|v| !(v.account == vault.account && v.region == vault.region && v.name == vault.name));
            world.vaults.push(vault.clone());
            request.destination_backup_vault_arn = Some(format!(
                "arn:{}:backup:{}:{}:backup-vault:{}",
                crate::regions::partition(&vault.region),
                vault.region,
                vault.account,
                vault.name
            ));
        }
        Patch::ReencryptRecoveryPoint {
            recovery_point_arn,
            key,
        } => {
            if !world.keys.iter().any(|k| k.arn == key.arn) {
                world.keys.push(key.clone());
            }
            let rp = world
                .recovery_points
                .iter_mut()
                .find(|r| r.arn == *recovery_point_arn)
                .ok_or("no such recovery point")?;
            rp.encryption_key = Some(key.arn.clone());
        }
        Patch::EnableKey { key_arn } => match world.keys.iter_mut().find(|k| k.arn == *key_arn) {
            Some(key) => key.state = KeyState::Enabled,
            None => return Err(format!("no key {key_arn}")),
        },
        Patch::AddKeyPolicyStatements { key_arn, statements } => {
            let key = world.keys.iter_mut().find(|k| k.arn == *key_arn).ok_or("no such key")?;
            let (partition, account) = {
                let parts: Vec<&str> = key_arn.split(':').collect();
                (
                    parts.get(1).copied().unwrap_or("aws").to_owned(),
                    parts.get(4).copied().unwrap_or_default().to_owned(),
                )
            };
            let document = key
                .policy
                .get_or_insert_with(|| PolicyDocument(crate::kms::default_key_policy(&partition, &account)));
            statements_of(document)
                .ok_or("the key policy has no Statement")?
                .extend(statements.iter().cloned());
        }
        Patch::RemoveKeyPolicyStatements { key_arn, indexes } => {
            let key = world.keys.iter_mut().find(|k| k.arn == *key_arn).ok_or("no such key")?;
            let document = key.policy.as_mut().ok_or("the key has the default policy")?;
            remove_indexes(statements_of(document).ok_or("no Statement")?, indexes);
        }
        Patch::CreateRole { role } => {
            world.roles.retain(|r| r.arn != role.arn);
            world.roles.push(role.clone());
            request.iam_role_arn = Some(role.arn.clone());
        }
        Patch::SetRoleTrustPolicy { role_arn, policy } => {
            let role = world
                .roles
                .iter_mut()
                .find(|r| r.arn == *role_arn)
                .ok_or("no such role")?;
            role.trust_policy = Some(PolicyDocument(policy.clone()));
        }
        Patch::AddRolePolicy {
            role_arn,
            policy_name,
            policy,
        } => {
            let role = world
                .roles
                .iter_mut()
                .find(|r| r.arn == *role_arn)
                .ok_or("no such role")?;
            let inline = InlinePolicy {
                name: policy_name.clone(),
                document: PolicyDocument(policy.clone()),
            };
            match role.policies.iter_mut().find(|p| p.name == *policy_name) {
                Some(existing) => *existing = inline,
                None => role.policies.push(inline),
            }
        }
        Patch::RemoveRolePolicyStatements {
            role_arn,
            policy_index,
            indexes,
        } => {
            let role = world
                .roles
                .iter_mut()
                .find(|r| r.arn == *role_arn)
                .ok_or("no such role")?;
            let document = &mut role
                .policies
                .get_mut(*policy_index)
                .ok_or("no such inline policy")?
                .document;
            remove_indexes(statements_of(document).ok_or("no Statement")?, indexes);
        }
        Patch::AddVaultAccessPolicyStatements { vault_arn, statements } => {
            let vault = find_vault(world, vault_arn)?;
            let document = vault
                .access_policy
                .get_or_insert_with(|| PolicyDocument(json!({"Version": "2012-10-17", "Statement": []})));
            statements_of(document)
                .ok_or("no Statement")?
                .extend(statements.iter().cloned());
        }
        Patch::RemoveVaultAccessPolicyStatements { vault_arn, indexes } => {
            let vault = find_vault(world, vault_arn)?;
            let document = vault.access_policy.as_mut().ok_or("the vault has no access policy")?;
            remove_indexes(statements_of(document).ok_or("no Statement")?, indexes);
        }
        Patch::SetRecoveryPointTag {
            recovery_point_arn,
            key,
            value,
            remove,
        } => {
            let rp = world
                .recovery_points
                .iter_mut()
                .find(|r| r.arn == *recovery_point_arn)
                .ok_or("no such recovery point")?;
            if let Some(old) = remove {
                rp.tags.remove(old);
            }
            rp.tags.insert(key.clone(), value.clone());
        }
        Patch::SetCopyLifecycle { delete_after_days } => {
            let lifecycle = request.lifecycle.get_or_insert(Lifecycle {
                delete_after_days: None,
                move_to_cold_storage_after_days: None,
            });
            lifecycle.delete_after_days = Some(*delete_after_days);
        }
        Patch::RemoveFault { fault } => world.faults.retain(|f| f != fault),
    }
    Ok(())
}

fn find_vault<'w>(world: &'w mut World, vault_arn: &str) -> Result<&'w mut BackupVault, String> {
    let parts: Vec<&str> = vault_arn.splitn(6, ':').collect();
    let (region, account) = (
        parts.get(3).copied().unwrap_or_default(),
        parts.get(4).copied().unwrap_or_default(),
    );
    let name = parts
        .get(5)
        .and_then(|r| r.strip_prefix("backup-vault:"))
        .unwrap_or_default();
    world
        .vaults
        .iter_mut()
        .find(|v| v.account == account && v.region == region && v.name == name)
        .ok_or_else(|| format!("no vault {vault_arn}"))
}

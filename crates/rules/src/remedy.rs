//! Remedies: for a failed check, the fix as typed patches to the world, with the one place a patch is applied to a world (`apply`) and the one place it becomes AWS CLI commands (`Patch::cli`), and the alternatives where no setting fixes it. Each check's remedy builder sits in its check's file (`checks/`).

use serde::Serialize;
use serde_json::{Value, json};

use crate::text::Text;
use crate::world::{
    BackupVault, Fault, InlinePolicy, Key, KeyManager, KeyState, Lifecycle, MemberAccount, Organization,
    PolicyDocument, RecoveryPoint, RegionSettings, Role, StartCopyJob, World,
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
    /// Back the DynamoDB table up again (with advanced features on, an AWS Backup recovery point
    /// in the same vault) and copy the new recovery point.
    BackUpDynamodbTableAgain {
        /// The old recovery point (DynamoDB's own backup).
        recovery_point_arn: String,
        /// The new recovery point's ARN.
        new_recovery_point_arn: String,
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
    /// Detach a service or resource control policy from a root, OU or account (`DetachPolicy`,
    /// in the management account); AWS's `FullAWSAccess` is detached by its name.
    DetachControlPolicy {
        /// The organization.
        organization_id: String,
        /// SCP or RCP.
        policy_type: copylab_policy::ControlPolicyType,
        /// The policy's name.
        policy_name: String,
        /// The root, OU or account id.
        target: String,
    },
    /// Attach AWS's `FullAWSAccess` SCP back to a target it was detached from.
    AttachFullAwsAccess {
        /// The organization.
        organization_id: String,
        /// The root, OU or account id.
        target: String,
    },
}

impl Patch {
    /// The AWS CLI commands that make this change in a real account, in order, each with the
    /// account (and Region) whose credentials run it. Read from `world` and `request` as they
    /// are before the patch; a command that replaces a whole policy shows the policy as the
    /// patch leaves it. The one place a patch becomes commands.
    pub fn cli(&self, world: &World, request: &StartCopyJob) -> Vec<Command> {
        self.cli_with(world, request, None)
    }

    /// [`Patch::cli`] on `world` with `added`, a recovery point not in it yet, after its own
    /// (`PreparedWorld::simulate_with`).
    pub(crate) fn cli_with(
        &self,
        world: &World,
        request: &StartCopyJob,
        added: Option<&RecoveryPoint>,
    ) -> Vec<Command> {
        // The world after this patch alone (policies that a command replaces whole). Only
        // policies are read from it: its recovery points (a plan's year makes hundreds of
        // thousands) are left out.
        let after = || {
            let (mut world, mut request) = (world.without_recovery_points(), request.clone());
            apply(&mut world, &mut request, self).ok().map(|()| world)
        };
        let recovery_point = |arn: &str| world.recovery_points.iter().chain(added).find(|r| r.arn == arn);
        let accept = |account: &str| {
            cmd(
                account,
                None,
                "aws organizations accept-handshake --handshake-id <the handshake id from the invitation>".to_owned(),
            )
        };
        let invite = |management: &str, account: &str| {
            cmd(
                management,
                None,
                format!("aws organizations invite-account-to-organization --target Id={account},Type=ACCOUNT"),
            )
        };
        let create_vault = |vault: &BackupVault| {
            cmd(
                &vault.account,
                Some(&vault.region),
                format!(
                    "aws backup create-backup-vault --backup-vault-name {} --encryption-key-arn <the new key's ARN> --region {}",
                    vault.name, vault.region
                ),
            )
        };
        let put_vault_policy = |vault: &BackupVault| {
            vault.access_policy.as_ref().map(|policy| {
                cmd(
                    &vault.account,
                    Some(&vault.region),
                    format!(
                        "aws backup put-backup-vault-access-policy --backup-vault-name {} --policy '{}' --region {}",
                        vault.name,
                        compact(&policy.0),
                        vault.region
                    ),
                )
            })
        };
        let key_policy = |key: &Key| key.policy.as_ref().map_or_else(String::new, |p| compact(&p.0));
        let management = |organization_id: &str| {
            world
                .organizations
                .iter()
                .find(|o| o.id == organization_id)
                .map_or("", |o| o.management_account.as_str())
        };
        match self {
            Patch::JoinOrganization {
                account,
                organization_id,
            } => vec![invite(management(organization_id), account), accept(account)],
            Patch::CreateOrganization {
                management_account,
                member,
                ..
            } => vec![
                cmd(
                    management_account,
                    None,
                    "aws organizations create-organization --feature-set ALL".to_owned(),
                ),
                invite(management_account, member),
                accept(member),
            ],
            Patch::SetCrossAccountBackup {
                organization_id,
                enabled,
            } => vec![cmd(
                management(organization_id),
                None,
                format!("aws backup update-global-settings --global-settings isCrossAccountBackupEnabled={enabled}"),
            )],
            Patch::EnableDynamodbAdvancedFeatures { account, region } => vec![cmd(
                account,
                Some(region),
                format!(
                    "aws backup update-region-settings --resource-type-management-preference DynamoDB=true --region {region}"
                ),
            )],
            Patch::BackUpDynamodbTableAgain { recovery_point_arn, .. } => {
                let old = recovery_point(recovery_point_arn);
                let arn = crate::arn::Arn::lenient(recovery_point_arn);
                let role = request.iam_role_arn.as_deref().unwrap_or("ROLE_ARN");
                vec![cmd(
                    arn.account,
                    Some(arn.region),
                    format!(
                        "aws backup start-backup-job --backup-vault-name {} --resource-arn {} --iam-role-arn {role} --region {}",
                        old.map_or("VAULT", |r| r.vault.as_str()),
                        old.map_or("TABLE_ARN", |r| r.resource_arn.as_str()),
                        arn.region
                    ),
                )]
            }
            Patch::UseDestinationVault { vault, key } => vec![
                cmd(
                    &vault.account,
                    Some(&vault.region),
                    format!(
                        "aws kms create-key --description \"AWS Backup copies\" --policy '{}' --region {}",
                        key_policy(key),
                        vault.region
                    ),
                ),
                create_vault(vault),
            ],
            Patch::CreateVault { vault, key } => {
                let mut commands = vec![
                    cmd(
                        &vault.account,
                        Some(&vault.region),
                        format!(
                            "aws kms create-key --policy '{}' --region {}",
                            key_policy(key),
                            vault.region
                        ),
                    ),
                    create_vault(vault),
                ];
                commands.extend(put_vault_policy(vault));
                commands
            }
            Patch::ReencryptRecoveryPoint { key, .. } => {
                let arn = crate::arn::Arn::lenient(&key.arn);
                let destination = request
                    .destination_backup_vault_arn
                    .as_deref()
                    .and_then(crate::arn::account)
                    .unwrap_or_default();
                vec![cmd(
                    arn.account,
                    Some(arn.region),
                    format!(
                        "aws kms create-key --description \"shared with {destination} for AWS Backup copies\" --policy '{}' --region {}",
                        key_policy(key),
                        arn.region
                    ),
                )]
            }
            Patch::EnableKey { key_arn } => {
                let arn = crate::arn::Arn::lenient(key_arn);
                let mut commands = Vec::new();
                let pending = world
                    .keys
                    .iter()
                    .any(|k| k.arn == *key_arn && k.state == KeyState::PendingDeletion);
                if pending {
                    commands.push(cmd(
                        arn.account,
                        Some(arn.region),
                        format!("aws kms cancel-key-deletion --key-id {key_arn}"),
                    ));
                }
                commands.push(cmd(
                    arn.account,
                    Some(arn.region),
                    format!("aws kms enable-key --key-id {key_arn}"),
                ));
                commands
            }
            Patch::AddKeyPolicyStatements { key_arn, .. } | Patch::RemoveKeyPolicyStatements { key_arn, .. } => {
                let arn = crate::arn::Arn::lenient(key_arn);
                let after = after();
                let Some(key) = after.as_ref().and_then(|w| w.keys.iter().find(|k| k.arn == *key_arn)) else {
                    return Vec::new();
                };
                vec![cmd(
                    arn.account,
                    Some(arn.region),
                    format!(
                        "aws kms put-key-policy --key-id {key_arn} --policy-name default --policy '{}'",
                        key_policy(key)
                    ),
                )]
            }
            Patch::CreateRole { role } => {
                let account = crate::arn::account(&role.arn).unwrap_or_default();
                let trust = role
                    .trust_policy
                    .as_ref()
                    .map_or_else(crate::policies::default_trust_policy, |t| t.0.clone());
                let mut commands = vec![cmd(
                    account,
                    None,
                    format!(
                        "aws iam create-role --role-name {} --path {} --assume-role-policy-document '{}'",
                        role_name(&role.arn),
                        role_path(&role.arn),
                        compact(&trust)
                    ),
                )];
                for managed in &role.managed_policies {
                    commands.push(cmd(
                        account,
                        None,
                        format!(
                            "aws iam attach-role-policy --role-name {} --policy-arn {managed}",
                            role_name(&role.arn)
                        ),
                    ));
                }
                commands
            }
            Patch::SetRoleTrustPolicy { role_arn, policy } => vec![cmd(
                crate::arn::account(role_arn).unwrap_or_default(),
                None,
                format!(
                    "aws iam update-assume-role-policy --role-name {} --policy-document '{}'",
                    role_name(role_arn),
                    compact(policy)
                ),
            )],
            Patch::AddRolePolicy {
                role_arn,
                policy_name,
                policy,
            } => vec![put_role_policy(role_arn, policy_name, policy)],
            Patch::RemoveRolePolicyStatements {
                role_arn, policy_index, ..
            } => after()
                .as_ref()
                .and_then(|w| w.roles.iter().find(|r| r.arn == *role_arn))
                .and_then(|r| r.policies.get(*policy_index))
                .map(|inline| put_role_policy(role_arn, &inline.name, &inline.document.0))
                .into_iter()
                .collect(),
            Patch::AddVaultAccessPolicyStatements { vault_arn, .. }
            | Patch::RemoveVaultAccessPolicyStatements { vault_arn, .. } => {
                let Some(mut after) = after() else {
                    return Vec::new();
                };
                find_vault(&mut after, vault_arn)
                    .ok()
                    .and_then(|vault| put_vault_policy(vault))
                    .into_iter()
                    .collect()
            }
            Patch::SetRecoveryPointTag {
                recovery_point_arn,
                key,
                value,
                remove,
            } => {
                let Some(rp) = recovery_point(recovery_point_arn) else {
                    return Vec::new();
                };
                tag_commands(rp, &request.account, key, value, remove.as_deref())
            }
            Patch::SetCopyLifecycle { delete_after_days } => vec![cmd(
                &request.account,
                Some(&request.region),
                format!(
                    "aws backup start-copy-job --recovery-point-arn {} --source-backup-vault-name {} --destination-backup-vault-arn {} --iam-role-arn {} --lifecycle DeleteAfterDays={delete_after_days}",
                    request.recovery_point_arn.as_deref().unwrap_or_default(),
                    request.source_backup_vault_name.as_deref().unwrap_or_default(),
                    request.destination_backup_vault_arn.as_deref().unwrap_or_default(),
                    request.iam_role_arn.as_deref().unwrap_or_default()
                ),
            )],
            Patch::RemoveFault { .. } => Vec::new(),
            Patch::DetachControlPolicy {
                organization_id,
                policy_type,
                policy_name,
                target,
            } => vec![cmd(
                management(organization_id),
                None,
                format!(
                    "aws organizations detach-policy --policy-id {} --target-id {target}",
                    crate::control_policies::policy_id_of(organization_id, *policy_type, policy_name)
                ),
            )],
            Patch::AttachFullAwsAccess {
                organization_id,
                target,
            } => vec![cmd(
                management(organization_id),
                None,
                format!(
                    "aws organizations attach-policy --policy-id {} --target-id {target}",
                    crate::control_policies::FULL_AWS_ACCESS.id
                ),
            )],
        }
    }
}

/// A role's name: the last segment of its ARN.
fn role_name(role_arn: &str) -> &str {
    role_arn.rsplit('/').next().unwrap_or(role_arn)
}

/// A role's path, as `create-role --path` takes it: `/service-role/` for `role/service-role/NAME`.
fn role_path(role_arn: &str) -> String {
    let resource = crate::arn::Arn::lenient(role_arn).resource;
    let path = resource.strip_prefix("role").unwrap_or(resource);
    match path.rfind('/') {
        Some(end) if end > 0 => path[..=end].to_owned(),
        _ => "/".to_owned(),
    }
}

fn put_role_policy(role_arn: &str, name: &str, document: &Value) -> Command {
    cmd(
        crate::arn::account(role_arn).unwrap_or_default(),
        None,
        format!(
            "aws iam put-role-policy --role-name {} --policy-name {name} --policy-document '{}'",
            role_name(role_arn),
            compact(document)
        ),
    )
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

/// How to fix a failed check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remedy {
    /// What to do, in a sentence.
    pub summary: Text,
    /// The change, as patches to the world.
    pub patches: Vec<Patch>,
    /// AWS CLI commands that apply it: [`Patch::cli`] of each patch, filled in by the engine.
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

pub(crate) fn cmd(account: &str, region: Option<&str>, command: String) -> Command {
    Command {
        account: account.to_owned(),
        region: region.map(str::to_owned),
        command,
    }
}

pub(crate) fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A customer managed key id copylab creates in remedies (fixed, so runs are reproducible).
pub(crate) fn new_key(partition: &str, region: &str, account: &str, n: u32, policy: Value) -> Key {
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

pub(crate) fn statements_of(document: &mut PolicyDocument) -> Option<&mut Vec<Value>> {
    let statement = document.0.get_mut("Statement")?;
    if statement.is_object() {
        let single = statement.take();
        *statement = Value::Array(vec![single]);
    }
    statement.as_array_mut()
}

pub(crate) fn remove_indexes(list: &mut Vec<Value>, indexes: &[usize]) {
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
            let org = find_organization(world, organization_id)?;
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
                backup_policies: Vec::new(),
                service_control_policies: None,
                resource_control_policies: None,
            });
        }
        Patch::SetCrossAccountBackup {
            organization_id,
            enabled,
        } => {
            let org = find_organization(world, organization_id)?;
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
                    opted_out: Vec::new(),
                }),
            }
        }
        Patch::BackUpDynamodbTableAgain {
            recovery_point_arn,
            new_recovery_point_arn,
        } => {
            let old = world
                .recovery_points
                .iter()
                .find(|r| r.arn == *recovery_point_arn)
                .ok_or("no such recovery point")?;
            let arn = crate::arn::Arn::lenient(recovery_point_arn);
            let account = old.account.clone().unwrap_or_else(|| arn.account.to_owned());
            // An advanced DynamoDB backup is fully managed: the vault's key (StartBackupJob).
            let key = world
                .vaults
                .iter()
                .find(|v| v.account == account && v.region == arn.region && v.name == old.vault)
                .and_then(|v| v.encryption_key.clone())
                .unwrap_or_else(|| "alias/aws/backup".to_owned());
            let mut new = old.clone();
            new.arn = new_recovery_point_arn.clone();
            new.encryption_key = Some(key);
            world.recovery_points.push(new);
            request.recovery_point_arn = Some(new_recovery_point_arn.clone());
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
            let arn = crate::arn::Arn::lenient(key_arn);
            let (partition, account) = (arn.partition.to_owned(), arn.account.to_owned());
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
        Patch::DetachControlPolicy {
            organization_id,
            policy_type,
            policy_name,
            target,
        } => {
            let org = find_organization(world, organization_id)?;
            let set = match policy_type {
                copylab_policy::ControlPolicyType::ServiceControlPolicy => org.service_control_policies.as_mut(),
                copylab_policy::ControlPolicyType::ResourceControlPolicy => org.resource_control_policies.as_mut(),
            }
            .ok_or("the policy type is not enabled")?;
            if *policy_name == crate::control_policies::aws_default(*policy_type).name {
                if *policy_type == copylab_policy::ControlPolicyType::ResourceControlPolicy {
                    return Err("RCPFullAWSAccess cannot be detached".to_owned());
                }
                if !set.default_detached_from.contains(target) {
                    set.default_detached_from.push(target.clone());
                }
            } else {
                let policy = set
                    .policies
                    .iter_mut()
                    .find(|p| p.name == *policy_name)
                    .ok_or("no such policy")?;
                policy.targets.retain(|t| t != target);
            }
        }
        Patch::AttachFullAwsAccess {
            organization_id,
            target,
        } => {
            let org = find_organization(world, organization_id)?;
            let set = org
                .service_control_policies
                .as_mut()
                .ok_or("service control policies are not enabled")?;
            set.default_detached_from.retain(|t| t != target);
        }
    }
    Ok(())
}

/// The organization with this id, or why a patch cannot apply.
fn find_organization<'w>(world: &'w mut World, organization_id: &str) -> Result<&'w mut Organization, String> {
    world
        .organizations
        .iter_mut()
        .find(|o| o.id == organization_id)
        .ok_or_else(|| "no such organization".to_owned())
}

pub(crate) fn find_vault<'w>(world: &'w mut World, vault_arn: &str) -> Result<&'w mut BackupVault, String> {
    let arn = crate::arn::Arn::lenient(vault_arn);
    let (region, account) = (arn.region, arn.account);
    let name = arn.vault_name().unwrap_or_default();
    world
        .vaults
        .iter_mut()
        .find(|v| v.account == account && v.region == region && v.name == name)
        .ok_or_else(|| format!("no vault {vault_arn}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_created_on_its_arns_path() {
        assert_eq!(
            role_path("arn:aws:iam::111122223333:role/service-role/R"),
            "/service-role/"
        );
        assert_eq!(role_path("arn:aws:iam::111122223333:role/a/b/R"), "/a/b/");
        assert_eq!(role_path("arn:aws:iam::111122223333:role/R"), "/");
    }
}

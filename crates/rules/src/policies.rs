//! A world with its policies parsed once ([`PreparedWorld`]): key policies, vault access policies, role trust and identity policies, and AWS's managed Backup policies known by ARN; plus lookups the checks share.

use std::collections::HashMap;
use std::sync::LazyLock;

use copylab_policy::{Policy, PolicyError, PolicyKind};
use serde::Serialize;

use crate::world::{BackupVault, Organization, World};

/// AWS managed policies copylab knows, vendored with their source (see `data/managed-policies/`).
static MANAGED_POLICY_FILES: &[&str] = &[
    include_str!("../data/managed-policies/AWSBackupServiceRolePolicyForBackup.json"),
    include_str!("../data/managed-policies/AWSBackupServiceRolePolicyForRestores.json"),
    include_str!("../data/managed-policies/AWSBackupServiceLinkedRolePolicyForBackup.json"),
];

/// An AWS managed policy: its ARN, version and parsed document.
#[derive(Debug)]
pub struct ManagedPolicy {
    /// The policy ARN.
    pub arn: String,
    /// The default version vendored.
    pub version: String,
    /// The document.
    pub policy: Policy,
}

/// The vendored managed policies, parsed on first use.
pub static MANAGED_POLICIES: LazyLock<Vec<ManagedPolicy>> = LazyLock::new(|| {
    MANAGED_POLICY_FILES
        .iter()
        .filter_map(|text| {
            let value: serde_json::Value = serde_json::from_str(text).ok()?;
            let document = serde_json::to_string(value.get("Document")?).ok()?;
            Some(ManagedPolicy {
                arn: value.get("_arn")?.as_str()?.to_owned(),
                version: value.get("_version")?.as_str()?.to_owned(),
                policy: Policy::parse(&document, PolicyKind::Identity).ok()?,
            })
        })
        .collect()
});

/// Looks up an AWS managed policy by ARN.
pub fn managed_policy(arn: &str) -> Option<&'static ManagedPolicy> {
    MANAGED_POLICIES.iter().find(|p| p.arn == arn)
}

/// Why a world cannot be simulated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorldError {
    /// Where in the world (`world.keys[0].policy`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The policy errors, for an invalid policy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policy_errors: Vec<PolicyError>,
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        for e in &self.policy_errors {
            write!(f, "; {} at {} ({})", e.message, e.path, e.rule.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for WorldError {}

/// A role's parsed policies.
#[derive(Debug)]
pub struct RolePolicies {
    /// The trust policy.
    pub trust: Policy,
    /// Inline identity policies with their labels.
    pub inline: Vec<(String, Policy)>,
    /// Attached managed policies copylab knows.
    pub managed: Vec<&'static ManagedPolicy>,
    /// Attached managed policy ARNs copylab does not know (treated as granting nothing).
    pub unknown_managed: Vec<String>,
}

/// A world with every policy parsed.
#[derive(Debug)]
pub struct PreparedWorld<'w> {
    /// The world.
    pub world: &'w World,
    key_policies: HashMap<&'w str, Policy>,
    /// Parallel to `world.vaults`.
    vault_policies: Vec<Option<Policy>>,
    roles: HashMap<&'w str, RolePolicies>,
}

fn parse(value: &serde_json::Value, kind: PolicyKind, path: String) -> Result<Policy, WorldError> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    Policy::parse(&text, kind).map_err(|errors| WorldError {
        path,
        message: format!("the {} policy is invalid", kind.as_str()),
        policy_errors: errors,
    })
}

/// The trust policy a role gets when the scenario gives none: `backup.amazonaws.com` may assume it.
pub fn default_trust_policy() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    })
}

impl<'w> PreparedWorld<'w> {
    /// Parses every policy of `world`.
    pub fn new(world: &'w World) -> Result<Self, WorldError> {
        let mut key_policies = HashMap::new();
        for (i, key) in world.keys.iter().enumerate() {
            let path = format!("world.keys[{i}].policy");
            let policy = match &key.policy {
                Some(document) => parse(&document.0, PolicyKind::Kms, path)?,
                None => {
                    let (partition, account) = arn_partition_account(&key.arn);
                    parse(
                        &crate::kms::default_key_policy(partition, account),
                        PolicyKind::Kms,
                        path,
                    )?
                }
            };
            key_policies.insert(key.arn.as_str(), policy);
        }
        let mut vault_policies = Vec::with_capacity(world.vaults.len());
        for (i, vault) in world.vaults.iter().enumerate() {
            vault_policies.push(match &vault.access_policy {
                Some(document) => Some(parse(
                    &document.0,
                    PolicyKind::Vault,
                    format!("world.vaults[{i}].access_policy"),
                )?),
                None => None,
            });
        }
        let mut roles = HashMap::new();
        for (i, role) in world.roles.iter().enumerate() {
            let trust = match &role.trust_policy {
                Some(document) => parse(&document.0, PolicyKind::Trust, format!("world.roles[{i}].trust_policy"))?,
                None => parse(
                    &default_trust_policy(),
                    PolicyKind::Trust,
                    format!("world.roles[{i}].trust_policy"),
                )?,
            };
            let mut inline = Vec::new();
            for (j, document) in role.policies.iter().enumerate() {
                let path = format!("world.roles[{i}].policies[{j}]");
                inline.push((path.clone(), parse(&document.0, PolicyKind::Identity, path)?));
            }
            let (managed, unknown_managed) =
                role.managed_policies
                    .iter()
                    .fold((Vec::new(), Vec::new()), |(mut known, mut unknown), arn| {
                        match managed_policy(arn) {
                            Some(policy) => known.push(policy),
                            None => unknown.push(arn.clone()),
                        }
                        (known, unknown)
                    });
            roles.insert(
                role.arn.as_str(),
                RolePolicies {
                    trust,
                    inline,
                    managed,
                    unknown_managed,
                },
            );
        }
        Ok(PreparedWorld {
            world,
            key_policies,
            vault_policies,
            roles,
        })
    }

    /// The organization `account` belongs to (as member or management account).
    pub fn organization_of(&self, account: &str) -> Option<&'w Organization> {
        self.world
            .organizations
            .iter()
            .find(|o| o.management_account == account || o.accounts.iter().any(|a| a.id == account))
    }

    /// A vault by account, Region and name.
    pub fn vault(&self, account: &str, region: &str, name: &str) -> Option<&'w BackupVault> {
        self.world
            .vaults
            .iter()
            .find(|v| v.account == account && v.region == region && v.name == name)
    }

    /// Whether DynamoDB advanced features are on in `account`, `region`.
    pub fn dynamodb_advanced(&self, account: &str, region: &str) -> bool {
        self.world
            .region_settings
            .iter()
            .any(|s| s.account == account && s.region == region && s.dynamodb_advanced_features)
    }

    /// A listed key's parsed policy.
    pub fn key_policy(&self, arn: &str) -> Option<&Policy> {
        self.key_policies.get(arn)
    }

    /// A vault's parsed access policy.
    pub fn vault_policy(&self, vault: &BackupVault) -> Option<&Policy> {
        let index = self.world.vaults.iter().position(|v| std::ptr::eq(v, vault))?;
        self.vault_policies.get(index)?.as_ref()
    }

    /// A role's parsed policies.
    pub fn role(&self, arn: &str) -> Option<&RolePolicies> {
        self.roles.get(arn)
    }
}

fn arn_partition_account(arn: &str) -> (&str, &str) {
    let mut parts = arn.split(':');
    let partition = parts.nth(1).unwrap_or("aws");
    let account = parts.nth(2).unwrap_or_default();
    (partition, account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_managed_policies_parse() {
        assert_eq!(MANAGED_POLICIES.len(), MANAGED_POLICY_FILES.len());
        let backup =
            managed_policy("arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup").unwrap();
        assert_eq!(backup.version, "v30");
    }
}

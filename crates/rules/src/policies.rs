//! A world with its policies parsed once ([`PreparedWorld`]): key policies, vault access policies, role trust and identity policies, and AWS's managed Backup policies known by ARN; plus lookups the checks share.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::OnceLock;

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

/// Looks up an AWS managed policy by ARN (`arn:aws:` only; see [`managed_policy_in`]).
pub fn managed_policy(arn: &str) -> Option<&'static ManagedPolicy> {
    MANAGED_POLICIES.iter().find(|p| p.arn == arn)
}

/// The policy's path and name, without partition: `service-role/AWSBackupServiceRolePolicyForBackup`.
fn policy_name(arn: &str) -> Option<&str> {
    arn.split_once(":iam::aws:policy/").map(|(_, name)| name)
}

/// An AWS managed policy by ARN in any partition. In `aws-cn` and `aws-us-gov` copylab models
/// the same document with that partition in its ARNs (modeled: the reference vendors only the
/// `aws` documents).
pub fn managed_policy_in(arn: &str) -> Option<ManagedOrLocal> {
    let partition = crate::arn::partition(arn);
    let name = policy_name(arn)?;
    let policy = MANAGED_POLICIES.iter().find(|p| policy_name(&p.arn) == Some(name))?;
    if partition == "aws" {
        return Some(ManagedOrLocal::Vendored(policy));
    }
    let text = policy
        .policy
        .to_canonical_json()
        .replace("arn:aws:", &format!("arn:{partition}:"));
    let local = Policy::parse(&text, PolicyKind::Identity).ok()?;
    Some(ManagedOrLocal::Local {
        arn: arn.to_owned(),
        version: policy.version.clone(),
        policy: Box::new(local),
    })
}

/// A managed policy as a role uses it.
#[derive(Debug)]
pub enum ManagedOrLocal {
    /// The vendored document.
    Vendored(&'static ManagedPolicy),
    /// The document adapted to another partition.
    Local {
        /// The ARN.
        arn: String,
        /// The version.
        version: String,
        /// The adapted document.
        policy: Box<Policy>,
    },
}

impl ManagedOrLocal {
    /// The ARN.
    pub fn arn(&self) -> &str {
        match self {
            ManagedOrLocal::Vendored(p) => &p.arn,
            ManagedOrLocal::Local { arn, .. } => arn,
        }
    }
    /// The version.
    pub fn version(&self) -> &str {
        match self {
            ManagedOrLocal::Vendored(p) => &p.version,
            ManagedOrLocal::Local { version, .. } => version,
        }
    }
    /// The document.
    pub fn policy(&self) -> &Policy {
        match self {
            ManagedOrLocal::Vendored(p) => &p.policy,
            ManagedOrLocal::Local { policy, .. } => policy,
        }
    }
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
    pub managed: Vec<ManagedOrLocal>,
    /// Their labels in traces: `ARN (version)`.
    pub managed_labels: Vec<String>,
    /// Attached managed policy ARNs copylab does not know (treated as granting nothing).
    pub unknown_managed: Vec<String>,
    /// The permissions boundary, resolved as managed policies are, with its label
    /// (`ARN (version)`).
    pub boundary: Option<(String, ManagedOrLocal)>,
    /// A permissions boundary ARN copylab does not know (treated as allowing nothing).
    pub unknown_boundary: Option<String>,
}

/// A world with its policies parsed: all of them up front by [`PreparedWorld::new`], which
/// checks the world; or each on first use by [`PreparedWorld::trusted`], for a world `new`
/// already accepted (a request then parses the few policies it reads, not the world's).
#[derive(Debug)]
pub struct PreparedWorld<'w> {
    /// The world.
    pub world: &'w World,
    /// By key ARN: the key's index in `world.keys` and its parsed policy.
    key_policies: HashMap<&'w str, (usize, OnceLock<Option<Policy>>)>,
    /// Parallel to `world.vaults`.
    vault_policies: Vec<OnceLock<Option<Policy>>>,
    /// By role ARN: the role's index in `world.roles` and its parsed policies.
    roles: HashMap<&'w str, (usize, OnceLock<Option<RolePolicies>>)>,
    /// Account to (organization id, `aws:PrincipalOrgPaths` value).
    org_info: HashMap<&'w str, (&'w str, String)>,
    /// Policy answers computed once for every listed customer managed key, role and vault of
    /// the world, keyed by their indexes in `world` and the partition: a prepared world answers
    /// requests without re-evaluating its policies.
    key_evals: HashMap<(usize, usize, &'static str, crate::checks::KeyService), crate::checks::KeyEval>,
    role_evals: HashMap<(usize, usize, &'static str), crate::checks::RoleEval>,
    vault_evals: HashMap<(usize, usize, &'static str), crate::checks::VaultEval>,
    /// Each member account's effective tag policy (and its JSON), where its organization has
    /// tag policies.
    tag_policies: HashMap<&'w str, (crate::tag_policy::EffectiveTagPolicy, String)>,
}

fn parse(value: &serde_json::Value, kind: PolicyKind, path: String) -> Result<Policy, WorldError> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    Policy::parse(&text, kind).map_err(|errors| WorldError {
        path,
        message: format!("the {} policy is invalid", kind.as_str()),
        policy_errors: errors,
    })
}

/// A role ARN's name (the last path segment), or `None` when `arn` is not
/// `arn:PARTITION:iam::ACCOUNT:role/...` with a 12-digit account.
pub fn role_name_of(arn: &str) -> Option<&str> {
    let arn = crate::arn::Arn::parse(arn)?;
    let path = arn.resource.strip_prefix("role/")?;
    let name = path.rsplit('/').next()?;
    (arn.service == "iam" && arn.region.is_empty() && copylab_policy::is_account_id(arn.account) && !name.is_empty())
        .then_some(name)
}

/// The trust policy a role gets when the scenario gives none: `backup.amazonaws.com` may assume it.
pub fn default_trust_policy() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    })
}

impl<'w> PreparedWorld<'w> {
    /// Checks `world` (credentials, organizations, roles, vaults) and parses every policy of it.
    pub fn new(world: &'w World) -> Result<Self, WorldError> {
        Self::checked(world, None)
    }

    /// Whether [`PreparedWorld::new`] accepts `after`, a change of `before`, which it accepted:
    /// the same answer and the same error, but the policies of keys, vaults and roles equal to
    /// `before`'s are not parsed again, so a write costs what it changed plus a pass over the
    /// world's names (the server's guard on every write).
    pub fn check_change(before: &World, after: &World) -> Result<(), WorldError> {
        PreparedWorld::checked(after, Some(before)).map(|_| ())
    }

    /// [`PreparedWorld::new`], skipping the policies of the items equal in `before`.
    fn checked(world: &'w World, before: Option<&World>) -> Result<Self, WorldError> {
        let unchanged_keys: std::collections::HashMap<&str, &crate::world::Key> = before
            .map(|b| b.keys.iter().map(|k| (k.arn.as_str(), k)).collect())
            .unwrap_or_default();
        let unchanged_vaults: std::collections::HashMap<(&str, &str, &str), &BackupVault> = before
            .map(|b| {
                b.vaults
                    .iter()
                    .map(|v| ((v.account.as_str(), v.region.as_str(), v.name.as_str()), v))
                    .collect()
            })
            .unwrap_or_default();
        let unchanged_roles: std::collections::HashMap<&str, &crate::world::Role> = before
            .map(|b| b.roles.iter().map(|r| (r.arn.as_str(), r)).collect())
            .unwrap_or_default();
        let mut seen_keys = std::collections::HashSet::new();
        for (i, credential) in world.credentials.iter().enumerate() {
            let fail = |message: String| WorldError {
                path: format!("world.credentials[{i}]"),
                message,
                policy_errors: Vec::new(),
            };
            if crate::world::principal_account(&credential.principal).is_none() {
                return Err(fail(format!(
                    "principal `{}` is neither an IAM ARN with an account nor a 12-digit account id",
                    credential.principal
                )));
            }
            if let Some(expiration) = &credential.expiration
                && crate::world::timestamp_seconds(expiration).is_none()
            {
                return Err(fail(format!(
                    "expiration `{expiration}` is not a UTC timestamp like 2026-11-28T16:00:00Z"
                )));
            }
            if !seen_keys.insert(credential.access_key_id.as_str()) {
                return Err(fail(format!(
                    "access key id `{}` is listed twice",
                    credential.access_key_id
                )));
            }
        }
        let mut seen_organizations = std::collections::HashSet::new();
        for (i, org) in world.organizations.iter().enumerate() {
            let fail = |message: String| WorldError {
                path: format!("world.organizations[{i}]"),
                message,
                policy_errors: Vec::new(),
            };
            if !seen_organizations.insert(org.id.as_str()) {
                return Err(fail(format!("organization `{}` is listed twice", org.id)));
            }
            // Every OU's parent is the root or another OU, and following parents reaches the root.
            for unit in &org.organizational_units {
                let mut cursor = unit.parent.as_deref().unwrap_or(&org.root_id);
                let mut steps = 0;
                while cursor != org.root_id {
                    steps += 1;
                    let Some(parent) = org.organizational_units.iter().find(|u| u.id == cursor) else {
                        return Err(fail(format!(
                            "organizational unit `{}` has parent `{cursor}`, which is neither the root nor an OU",
                            unit.id
                        )));
                    };
                    if steps > org.organizational_units.len() {
                        return Err(fail(format!("organizational unit `{}` is its own ancestor", unit.id)));
                    }
                    cursor = parent.parent.as_deref().unwrap_or(&org.root_id);
                }
            }
            for policy_type in [
                copylab_policy::ControlPolicyType::ServiceControlPolicy,
                copylab_policy::ControlPolicyType::ResourceControlPolicy,
            ] {
                if let Some(Err(error)) = crate::control_policies::ParsedControlPolicies::parse(org, i, policy_type) {
                    return Err(error);
                }
            }
        }
        let mut seen_roles = std::collections::HashSet::new();
        for (i, role) in world.roles.iter().enumerate() {
            let fail = |message: String| WorldError {
                path: format!("world.roles[{i}]"),
                message,
                policy_errors: Vec::new(),
            };
            if role_name_of(&role.arn).is_none() {
                return Err(fail(format!(
                    "`{}` is not a role ARN (arn:PARTITION:iam::ACCOUNT:role/PATH/NAME)",
                    role.arn
                )));
            }
            if !seen_roles.insert(role.arn.as_str()) {
                return Err(fail(format!("role `{}` is listed twice", role.arn)));
            }
            let mut names = std::collections::HashSet::new();
            for inline in &role.policies {
                if !names.insert(inline.name.as_str()) {
                    return Err(fail(format!("inline policy name `{}` is used twice", inline.name)));
                }
            }
        }
        let prepared = PreparedWorld::trusted(world);
        // Every policy now, in the world's order, so that a policy that does not parse is the
        // world's error.
        for (i, key) in world.keys.iter().enumerate() {
            if unchanged_keys.get(key.arn.as_str()).is_some_and(|k| *k == key) {
                continue;
            }
            let policy = key_policy_of(key, i)?;
            if let Some((_, cell)) = prepared.key_policies.get(key.arn.as_str()) {
                let _ = cell.set(Some(policy));
            }
        }
        let mut seen_vaults = std::collections::HashSet::new();
        for (i, vault) in world.vaults.iter().enumerate() {
            check_vault(i, vault)?;
            if !seen_vaults.insert((vault.account.as_str(), vault.region.as_str(), vault.name.as_str())) {
                return Err(WorldError {
                    path: format!("world.vaults[{i}]"),
                    message: format!(
                        "vault `{}` of account {} in {} is listed twice",
                        vault.name, vault.account, vault.region
                    ),
                    policy_errors: Vec::new(),
                });
            }
            let name = (vault.account.as_str(), vault.region.as_str(), vault.name.as_str());
            if unchanged_vaults.get(&name).is_some_and(|v| *v == vault) {
                continue;
            }
            let policy = vault_policy_of(vault, i)?;
            if let Some(cell) = prepared.vault_policies.get(i) {
                let _ = cell.set(policy);
            }
        }
        check_backup_plans(world)?;
        for (i, role) in world.roles.iter().enumerate() {
            if unchanged_roles.get(role.arn.as_str()).is_some_and(|r| *r == role) {
                continue;
            }
            let policies = role_policies_of(role, i)?;
            if let Some((_, cell)) = prepared.roles.get(role.arn.as_str()) {
                let _ = cell.set(Some(policies));
            }
        }
        Ok(prepared)
    }

    /// A world [`PreparedWorld::new`] accepted, its policies parsed as they are first read (one
    /// that would not parse reads as absent: `new` refuses such a world).
    pub fn trusted(world: &'w World) -> Self {
        let key_policies = world
            .keys
            .iter()
            .enumerate()
            .map(|(i, key)| (key.arn.as_str(), (i, OnceLock::new())))
            .collect();
        let vault_policies = world.vaults.iter().map(|_| OnceLock::new()).collect();
        let roles = world
            .roles
            .iter()
            .enumerate()
            .map(|(i, role)| (role.arn.as_str(), (i, OnceLock::new())))
            .collect();
        let mut org_info = HashMap::new();
        for org in &world.organizations {
            let accounts =
                std::iter::once(org.management_account.as_str()).chain(org.accounts.iter().map(|a| a.id.as_str()));
            for account in accounts {
                org_info
                    .entry(account)
                    .or_insert_with(|| (org.id.as_str(), crate::tag_policy::org_path(org, account)));
            }
        }
        let mut prepared = PreparedWorld {
            world,
            key_policies,
            vault_policies,
            roles,
            org_info,
            key_evals: HashMap::new(),
            role_evals: HashMap::new(),
            vault_evals: HashMap::new(),
            tag_policies: HashMap::new(),
        };
        prepared.precompute_tag_policies();
        prepared
    }

    /// [`PreparedWorld::new`], with the answer to every policy question a copy into each vault
    /// can ask evaluated up front (keys × vaults, roles × vaults): worth it only for many
    /// requests on one world; a single request asks its few questions on the fly.
    pub fn precomputed(world: &'w World) -> Result<Self, WorldError> {
        let mut prepared = PreparedWorld::new(world)?;
        prepared.precompute();
        Ok(prepared)
    }

    /// The organization `account` belongs to (as member or management account).
    pub fn organization_of(&self, account: &str) -> Option<&'w Organization> {
        self.world
            .organizations
            .iter()
            .find(|o| o.management_account == account || o.accounts.iter().any(|a| a.id == account))
    }

    /// Evaluates, once, the policy questions a copy into each vault asks.
    fn precompute(&mut self) {
        let world = self.world;
        let (mut keys, mut roles, mut vaults) = (HashMap::new(), HashMap::new(), HashMap::new());
        // The services the world's recovery points would use their source keys through.
        let mut services: Vec<crate::checks::KeyService> = Vec::new();
        for rp in &world.recovery_points {
            for fully_managed in [true, false] {
                let service = crate::checks::KeyService::of(&rp.resource_type, fully_managed);
                if !services.contains(&service) {
                    services.push(service);
                }
            }
        }
        for (vi, vault) in world.vaults.iter().enumerate() {
            let partition = crate::regions::partition(&vault.region);
            let vault_arn = format!(
                "arn:{partition}:backup:{}:{}:backup-vault:{}",
                vault.region, vault.account, vault.name
            );
            for (ki, key) in world.keys.iter().enumerate() {
                if key.manager != crate::world::KeyManager::Customer {
                    continue;
                }
                if let Some(policy) = self.key_policy(&key.arn) {
                    for &service in &services {
                        let eval = crate::checks::key_eval(
                            self,
                            &key.arn,
                            policy,
                            partition,
                            &vault.account,
                            &vault.region,
                            service,
                        );
                        keys.insert((ki, vi, partition, service), eval);
                    }
                }
            }
            for (ri, role) in world.roles.iter().enumerate() {
                let Some(policies) = self.role(&role.arn) else { continue };
                let role_account = crate::arn::account(&role.arn).unwrap_or_default();
                let session = crate::checks::role_session(&role.arn, partition, role_account);
                let copy = crate::checks::copy_request(self, &session, &vault_arn, &vault.account);
                roles.insert(
                    (ri, vi, partition),
                    crate::checks::role_eval(&role.arn, policies, copy.as_ref(), &session, &vault_arn),
                );
                if let (Some(policy), Some(copy)) = (self.vault_policy(vault), copy.as_ref()) {
                    vaults.insert(
                        (vi, ri, partition),
                        crate::checks::vault_eval(policy, copy, &session, &vault_arn),
                    );
                }
            }
        }
        (self.key_evals, self.role_evals, self.vault_evals) = (keys, roles, vaults);
    }

    /// Each account's effective tag policy, computed once (organizations are few).
    fn precompute_tag_policies(&mut self) {
        let world = self.world;
        for org in world.organizations.iter().filter(|o| !o.tag_policies.is_empty()) {
            let accounts =
                std::iter::once(org.management_account.as_str()).chain(org.accounts.iter().map(|a| a.id.as_str()));
            for account in accounts {
                let effective = crate::tag_policy::effective_tag_policy(org, account);
                let json = serde_json::to_string(&effective).unwrap_or_default();
                self.tag_policies.entry(account).or_insert((effective, json));
            }
        }
    }

    fn index_of<T>(items: &[T], item: &T) -> Option<usize> {
        items.iter().position(|i| std::ptr::eq(i, item))
    }

    /// The precomputed key policy answers for a copy of a backup under `key` into `vault`.
    pub(crate) fn cached_key_eval(
        &self,
        key: &crate::world::Key,
        vault: &BackupVault,
        partition: &str,
        service: crate::checks::KeyService,
    ) -> Option<&crate::checks::KeyEval> {
        let ki = Self::index_of(&self.world.keys, key)?;
        let vi = Self::index_of(&self.world.vaults, vault)?;
        self.key_evals
            .get(&(ki, vi, crate::regions::partition(&vault.region), service))
            .filter(|_| partition == crate::regions::partition(&vault.region))
    }

    /// The precomputed trust and identity answers for `role_arn` copying into `vault`.
    pub(crate) fn cached_role_eval(
        &self,
        role_arn: &str,
        vault: &BackupVault,
        partition: &str,
    ) -> Option<&crate::checks::RoleEval> {
        let ri = self.world.roles.iter().position(|r| r.arn == role_arn)?;
        let vi = Self::index_of(&self.world.vaults, vault)?;
        self.role_evals
            .get(&(ri, vi, crate::regions::partition(&vault.region)))
            .filter(|_| partition == crate::regions::partition(&vault.region))
    }

    /// The precomputed vault access policy answer for `role_arn` copying into `vault`.
    pub(crate) fn cached_vault_eval(
        &self,
        vault: &BackupVault,
        role_arn: &str,
        partition: &str,
    ) -> Option<&crate::checks::VaultEval> {
        let ri = self.world.roles.iter().position(|r| r.arn == role_arn)?;
        let vi = Self::index_of(&self.world.vaults, vault)?;
        self.vault_evals
            .get(&(vi, ri, crate::regions::partition(&vault.region)))
            .filter(|_| partition == crate::regions::partition(&vault.region))
    }

    /// The precomputed effective tag policy of `account` and its JSON.
    pub(crate) fn effective_tag_policy(&self, account: &str) -> Option<(&crate::tag_policy::EffectiveTagPolicy, &str)> {
        self.tag_policies
            .get(account)
            .map(|(policy, json)| (policy, json.as_str()))
    }

    /// The organization id and `aws:PrincipalOrgPaths` value of `account`.
    pub fn org_info(&self, account: &str) -> Option<(&str, &str)> {
        self.org_info.get(account).map(|(org, path)| (*org, path.as_str()))
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
        let (index, cell) = self.key_policies.get(arn)?;
        cell.get_or_init(|| {
            let key = self.world.keys.get(*index)?;
            key_policy_of(key, *index).ok()
        })
        .as_ref()
    }

    /// A vault's parsed access policy.
    pub fn vault_policy(&self, vault: &BackupVault) -> Option<&Policy> {
        let index = self.world.vaults.iter().position(|v| std::ptr::eq(v, vault))?;
        self.vault_policies
            .get(index)?
            .get_or_init(|| vault_policy_of(vault, index).ok().flatten())
            .as_ref()
    }

    /// A role's parsed policies.
    pub fn role(&self, arn: &str) -> Option<&RolePolicies> {
        let (index, cell) = self.roles.get(arn)?;
        cell.get_or_init(|| {
            let role = self.world.roles.get(*index)?;
            role_policies_of(role, *index).ok()
        })
        .as_ref()
    }
}

/// A key's policy, parsed (AWS's default key policy when the world gives none).
fn key_policy_of(key: &crate::world::Key, i: usize) -> Result<Policy, WorldError> {
    let path = format!("world.keys[{i}].policy");
    match &key.policy {
        Some(document) => parse(&document.0, PolicyKind::Kms, path),
        None => {
            let (partition, account) = arn_partition_account(&key.arn);
            parse(
                &crate::kms::default_key_policy(partition, account),
                PolicyKind::Kms,
                path,
            )
        }
    }
}

/// A vault's access policy, parsed.
fn vault_policy_of(vault: &BackupVault, i: usize) -> Result<Option<Policy>, WorldError> {
    vault
        .access_policy
        .as_ref()
        .map(|document| {
            parse(
                &document.0,
                PolicyKind::Vault,
                format!("world.vaults[{i}].access_policy"),
            )
        })
        .transpose()
}

/// A vault's name and account, as AWS Backup accepts them.
fn check_vault(i: usize, vault: &BackupVault) -> Result<(), WorldError> {
    let fail = |message: String| WorldError {
        path: format!("world.vaults[{i}]"),
        message,
        policy_errors: Vec::new(),
    };
    // AWS Backup's vault names (facts §5.2: `^[a-zA-Z0-9\-\_]{2,50}$`).
    let name_ok = (2..=50).contains(&vault.name.len())
        && vault
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !name_ok {
        return Err(fail(format!(
            "vault name `{}` is not 2 to 50 letters, digits, hyphens or underscores",
            vault.name
        )));
    }
    if !copylab_policy::is_account_id(&vault.account) {
        return Err(fail(format!(
            "account `{}` is not a 12-digit account id",
            vault.account
        )));
    }
    if let Some(lock_date) = vault.lock.as_ref().and_then(|l| l.lock_date.as_ref())
        && crate::world::timestamp_seconds(lock_date).is_none()
    {
        return Err(fail(format!(
            "lock_date `{lock_date}` is not a UTC timestamp like 2026-11-28T16:00:00Z"
        )));
    }
    Ok(())
}

/// A world's backup plans: ids unique, accounts 12 digits, dates UTC timestamps, selection ids
/// unique in their plan.
fn check_backup_plans(world: &World) -> Result<(), WorldError> {
    let mut seen_plans = std::collections::HashSet::new();
    for (i, plan) in world.backup_plans.iter().enumerate() {
        let fail = |message: String| WorldError {
            path: format!("world.backup_plans[{i}]"),
            message,
            policy_errors: Vec::new(),
        };
        if !copylab_policy::is_account_id(&plan.account) {
            return Err(fail(format!("account `{}` is not a 12-digit account id", plan.account)));
        }
        if !seen_plans.insert(plan.id.as_str()) {
            return Err(fail(format!("backup plan id `{}` is listed twice", plan.id)));
        }
        let dates = [plan.creation_date.as_ref(), plan.deletion_date.as_ref()]
            .into_iter()
            .chain(plan.versions.iter().map(|v| v.creation_date.as_ref()))
            .chain(plan.selections.iter().map(|s| s.creation_date.as_ref()))
            .flatten();
        for date in dates {
            if crate::world::timestamp_seconds(date).is_none() {
                return Err(fail(format!(
                    "date `{date}` is not a UTC timestamp like 2026-11-28T16:00:00Z"
                )));
            }
        }
        let mut seen_selections = std::collections::HashSet::new();
        for selection in &plan.selections {
            if !seen_selections.insert(selection.id.as_str()) {
                return Err(fail(format!("selection id `{}` is listed twice", selection.id)));
            }
        }
    }
    Ok(())
}

/// A role's trust policy (AWS Backup's default when the world gives none), inline and managed
/// policies, parsed.
fn role_policies_of(role: &crate::world::Role, i: usize) -> Result<RolePolicies, WorldError> {
    let trust = match &role.trust_policy {
        Some(document) => parse(&document.0, PolicyKind::Trust, format!("world.roles[{i}].trust_policy"))?,
        None => parse(
            &default_trust_policy(),
            PolicyKind::Trust,
            format!("world.roles[{i}].trust_policy"),
        )?,
    };
    let mut inline = Vec::new();
    for (j, inline_policy) in role.policies.iter().enumerate() {
        let path = format!("world.roles[{i}].policies[{j}]");
        inline.push((
            path.clone(),
            parse(&inline_policy.document.0, PolicyKind::Identity, path)?,
        ));
    }
    let (managed, unknown_managed) =
        role.managed_policies
            .iter()
            .fold((Vec::new(), Vec::new()), |(mut known, mut unknown), arn| {
                match managed_policy_in(arn) {
                    Some(policy) => known.push(policy),
                    None => unknown.push(arn.clone()),
                }
                (known, unknown)
            });
    let managed_labels = managed
        .iter()
        .map(|m| format!("{} ({})", m.arn(), m.version()))
        .collect();
    let (boundary, unknown_boundary) = match &role.permissions_boundary {
        None => (None, None),
        Some(arn) => match managed_policy_in(arn) {
            Some(policy) => (Some((format!("{} ({})", policy.arn(), policy.version()), policy)), None),
            None => (None, Some(arn.clone())),
        },
    };
    Ok(RolePolicies {
        trust,
        inline,
        managed,
        managed_labels,
        unknown_managed,
        boundary,
        unknown_boundary,
    })
}

fn arn_partition_account(arn: &str) -> (&str, &str) {
    let arn = crate::arn::Arn::lenient(arn);
    (arn.partition, arn.account)
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

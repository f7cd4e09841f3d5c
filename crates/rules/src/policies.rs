//! A world with its policies parsed once ([`PreparedWorld`]): key policies, vault access policies, role trust and identity policies, and AWS's managed Backup policies known by ARN; plus lookups the checks share.

use hashbrown::HashMap;
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
    /// Whether its identity policies' or boundary's answer to `backup:CopyFromBackupVault` can
    /// depend on the recovery point ([`Policy::resource_matters_for`]): where it cannot, a kept
    /// index remembers the answer ([`PreparedWorld::copy_from_eval`]).
    pub copy_from_reads_resource: bool,
}

/// A world with its policies parsed: all of them up front by [`PreparedWorld::new`], which
/// checks the world; or each on first use by [`PreparedWorld::trusted`], for a world `new`
/// already accepted (a request then parses the few policies it reads, not the world's); or
/// with a [`WorldIndex`] kept across requests by [`PreparedWorld::with_index`].
#[derive(Debug)]
pub struct PreparedWorld<'w> {
    /// The world.
    pub world: &'w World,
    index: Index<'w>,
}

/// What a prepared world knows of its world beyond the world itself: where each key, vault,
/// role and recovery point is, their policies parsed on first use, each account's organization
/// facts. It owns its data, so that a server can keep one across requests (parsing each policy
/// once, not once per request) for as long as its world changes only by gaining recovery
/// points: recovery points are indexed as they are first looked for, and every lookup is
/// checked against the world, so an appended or missing one is still found.
#[derive(Debug, Default)]
pub struct WorldIndex {
    /// By key ARN: the key's index in `world.keys` and its parsed policy.
    key_policies: HashMap<String, (usize, OnceLock<Option<Policy>>)>,
    /// Parallel to `world.vaults`.
    vault_policies: Vec<OnceLock<Option<Policy>>>,
    /// By a hash of (account, Region, name) ([`vault_key`]): the vault's index in
    /// `world.vaults` (every hit is checked against the world; a vault whose hash another has
    /// is found by reading the vaults).
    vaults: Hashed<usize>,
    /// By role ARN: the role's index in `world.roles` and its parsed policies.
    roles: HashMap<String, (usize, OnceLock<Option<RolePolicies>>)>,
    /// Account to (organization id, `aws:PrincipalOrgPaths` value).
    org_info: HashMap<String, (String, String)>,
    /// Policy answers, each computed once (on first use, or all up front by
    /// [`PreparedWorld::precomputed`]) for a customer managed key, role and vault of the world,
    /// keyed by their indexes in `world` and the partition: a kept index answers the same
    /// question asked by the next request without evaluating the policies again.
    key_evals: Memo<(usize, usize, &'static str, crate::checks::KeyService), crate::checks::KeyEval>,
    role_evals: Memo<(usize, usize, &'static str), crate::checks::RoleEval>,
    vault_evals: Memo<(usize, usize, &'static str), crate::checks::VaultEval>,
    /// By destination key, vault and writer (the Region and account are the vault's); none
    /// when the writer names no caller.
    destination_key_evals: Memo<(usize, usize, String), Option<crate::checks::DestinationKeyEval>>,
    /// The copy role session's request into a vault, by role, vault and partition (as
    /// `role_evals`: the session is the role's in the partition).
    copy_requests: Memo<(usize, usize, &'static str), Option<copylab_policy::Request>>,
    /// The role's answer to `backup:CopyFromBackupVault` for a copy into a vault, by role,
    /// destination vault, partition, and whether the recovery point's ARN names the role's
    /// account (its owner) or none; for roles whose answer does not read the recovery point.
    copy_from_evals: Memo<(usize, usize, &'static str, bool), Option<crate::checks::CopyFromEval>>,
    /// Each member account's effective tag policy (and its JSON), where its organization has
    /// tag policies.
    tag_policies: HashMap<String, (crate::tag_policy::EffectiveTagPolicy, String)>,
    /// Recovery points by ARN and by parent, indexed as they are looked for.
    recovery_points: std::sync::Mutex<RecoveryPointIndex>,
}

/// The places of a kept index's recovery points after some are removed
/// ([`WorldIndex::remove_recovery_points`]), to move.
#[derive(Debug)]
#[must_use = "the places move when it runs"]
pub struct MovingPlaces<'r> {
    index: &'r WorldIndex,
    /// The places removed, ascending (none: nothing to move).
    removed: &'r [usize],
}

impl MovingPlaces<'_> {
    /// Moves each place down by the number of removed places before it, and forgets the
    /// removed ones.
    pub fn run(self) {
        let removed = self.removed;
        let (Some(&first), Ok(mut index)) = (removed.first(), self.index.recovery_points.lock()) else {
            return;
        };
        // A lifecycle removes a run of places (the oldest recovery points): then how many are
        // before a place is known without a search.
        let count = removed.len();
        let run = removed[count - 1] - first + 1 == count;
        let moved = |place: &mut u32| {
            let before = match (*place as usize).checked_sub(first) {
                None => return true,
                Some(into) if run && into < count => return false,
                Some(_) if run => count,
                Some(_) => match removed.binary_search(&(*place as usize)) {
                    Ok(_) => return false,
                    Err(before) => before,
                },
            };
            *place -= u32::try_from(before).unwrap_or(u32::MAX).min(*place);
            true
        };
        let index = &mut *index;
        for map in [&mut index.by_arn, &mut index.by_parent] {
            map.retain(|_, places| {
                places.retain_mut(moved);
                !places.is_empty()
            });
        }
        index.indexed -= count.min(index.indexed);
    }
}

/// Answers computed once, shared by the requests that ask them.
type Memo<K, V> = std::sync::Mutex<HashMap<K, std::sync::Arc<V>>>;

/// The answer of `memo` for `key`, computed by `compute` (outside the lock) when it has none.
fn remember<K: std::hash::Hash + Eq, V>(memo: &Memo<K, V>, key: K, compute: impl FnOnce() -> V) -> std::sync::Arc<V> {
    if let Some(known) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return known;
    }
    let value = std::sync::Arc::new(compute());
    if let Ok(mut m) = memo.lock() {
        m.insert(key, value.clone());
    }
    value
}

/// Where recovery points are in `world.recovery_points`, up to `indexed`.
#[derive(Debug, Default)]
struct RecoveryPointIndex {
    indexed: usize,
    /// By a hash of the ARN (every hit is checked against the world): no ARN is copied, so
    /// indexing costs a hash and an entry per recovery point.
    by_arn: Hashed<Vec<u32>>,
    by_parent: Hashed<Vec<u32>>,
    /// How many recovery points each vault holds, by a hash of (account, vault name); a
    /// recovery point naming no account counts under `None` (it is in the vault of that name
    /// in any account).
    in_vault: Hashed<usize>,
}

/// A map whose keys are [`key_of`] hashes already: Fx, not SipHash, hashes them again.
type Hashed<V> = HashMap<u64, V, rustc_hash::FxBuildHasher>;

/// The index's hash of a vault's account, Region and name.
fn vault_key(account: &str, region: &str, name: &str) -> u64 {
    key_of((account, region, name))
}

/// The index's hash of a value: Fx, the same in every run, and fast where every recovery point
/// made is hashed. Every hit is checked against the world, so a collision (even one a client
/// crafts, as it could for any unkeyed hash) costs a longer look, never a wrong answer.
fn key_of(value: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(value)
}

/// A prepared world's index: its own, or one kept by its caller.
#[derive(Debug)]
enum Index<'w> {
    Own(Box<WorldIndex>),
    Kept(&'w WorldIndex),
}

impl std::ops::Deref for Index<'_> {
    type Target = WorldIndex;

    fn deref(&self) -> &WorldIndex {
        match self {
            Index::Own(index) => index,
            Index::Kept(index) => index,
        }
    }
}

impl WorldIndex {
    /// Indexes the recovery points appended to `world` since the last lookup (all of them
    /// again if there are fewer than were indexed), and answers `lookup` from the index.
    fn with_recovery_points<T>(&self, world: &World, lookup: impl FnOnce(&RecoveryPointIndex) -> T) -> Option<T> {
        let mut index = self.recovery_points.lock().ok()?;
        if index.indexed > world.recovery_points.len() {
            *index = RecoveryPointIndex::default();
        }
        let from = index.indexed;
        for (i, rp) in world.recovery_points.iter().enumerate().skip(from) {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            index.by_arn.entry(key_of(&rp.arn)).or_default().push(i);
            if let Some(parent) = &rp.parent_recovery_point_arn {
                index.by_parent.entry(key_of(parent)).or_default().push(i);
            }
            *index
                .in_vault
                .entry(key_of((rp.account.as_deref(), rp.vault.as_str())))
                .or_default() += 1;
        }
        index.indexed = world.recovery_points.len();
        Some(lookup(&index))
    }

    /// The world is about to lose the recovery points at `removed` (their places in
    /// `world.recovery_points`, ascending, before they go): the index follows, moving the places
    /// of those after them, without hashing the recovery points again (a lifecycle deleting a
    /// night's recovery points costs the index what it holds, not the world's ARNs). The vaults'
    /// counts follow now (they read the recovery points that go); the places move when the
    /// answer runs ([`MovingPlaces::run`]), which reads nothing of the world: the caller may
    /// run it on another thread while the world loses them, and looks nothing up before.
    pub fn remove_recovery_points<'r>(&'r self, world: &World, removed: &'r [usize]) -> MovingPlaces<'r> {
        let unchanged = MovingPlaces {
            index: self,
            removed: &[],
        };
        let Ok(mut index) = self.recovery_points.lock() else {
            return unchanged;
        };
        if removed.is_empty() {
            return unchanged;
        }
        if removed.windows(2).any(|w| w[0] >= w[1]) || removed.iter().any(|&i| i >= index.indexed) {
            // Not what the index holds: it is made again on the next lookup.
            *index = RecoveryPointIndex::default();
            return unchanged;
        }
        for &i in removed {
            if let Some(rp) = world.recovery_points.get(i)
                && let Some(count) = index
                    .in_vault
                    .get_mut(&key_of((rp.account.as_deref(), rp.vault.as_str())))
            {
                *count = count.saturating_sub(1);
            }
        }
        MovingPlaces { index: self, removed }
    }

    /// The indexes in `world.recovery_points` of the recovery points named `arn`, in order:
    /// from the index, each checked against the world; where the index knows none, from the
    /// whole world (so a lookup never misses one, whatever changed).
    pub fn recovery_points_named(&self, world: &World, arn: &str) -> Vec<usize> {
        let found = self.recovery_points_indexed(world, arn);
        if found.is_empty() {
            (0..world.recovery_points.len())
                .filter(|&i| world.recovery_points[i].arn == arn)
                .collect()
        } else {
            found
        }
    }

    /// [`WorldIndex::recovery_points_named`] as the index knows them, without reading the whole
    /// world when it knows none: for a name known to be elsewhere (a recovery point held apart
    /// from the world while a plan run adds it).
    pub fn recovery_points_indexed(&self, world: &World, arn: &str) -> Vec<usize> {
        self.with_recovery_points(world, |index| {
            index
                .by_arn
                .get(&key_of(arn))
                .map(|found| found.iter().map(|&i| i as usize).collect::<Vec<usize>>())
                .unwrap_or_default()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|&i| world.recovery_points.get(i).is_some_and(|rp| rp.arn == arn))
        .collect()
    }

    /// How many recovery points `account`'s vault `vault_name` holds (those naming the account,
    /// and those naming none).
    pub fn recovery_points_in(&self, world: &World, account: &str, vault_name: &str) -> usize {
        self.with_recovery_points(world, |index| {
            let count = |account: Option<&str>| {
                index
                    .in_vault
                    .get(&key_of((account, vault_name)))
                    .copied()
                    .unwrap_or_default()
            };
            count(Some(account)) + count(None)
        })
        .unwrap_or_else(|| {
            world
                .recovery_points
                .iter()
                .filter(|rp| rp.vault == vault_name && rp.account.as_deref().is_none_or(|a| a == account))
                .count()
        })
    }

    /// The indexes in `world.recovery_points` of the nested recovery points of the composite
    /// `parent_arn` (those whose `parent_recovery_point_arn` it is), in order; valid while the
    /// world only gains recovery points since this index was made, as every kept index is.
    pub fn nested_recovery_points(&self, world: &World, parent_arn: &str) -> Vec<usize> {
        self.with_recovery_points(world, |index| {
            index
                .by_parent
                .get(&key_of(parent_arn))
                .map(|found| found.iter().map(|&i| i as usize).collect::<Vec<usize>>())
                .unwrap_or_default()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|&i| {
            world
                .recovery_points
                .get(i)
                .is_some_and(|rp| rp.parent_recovery_point_arn.as_deref() == Some(parent_arn))
        })
        .collect()
    }

    /// The index in `world.vaults` of `account`'s vault `name` in `region`.
    pub fn vault_named(&self, world: &World, account: &str, region: &str, name: &str) -> Option<usize> {
        let is = |v: &BackupVault| v.account == account && v.region == region && v.name == name;
        self.vaults
            .get(&vault_key(account, region, name))
            .copied()
            .filter(|&i| world.vaults.get(i).is_some_and(is))
            .or_else(|| world.vaults.iter().position(is))
    }

    /// Whether `world` has the role `arn`.
    pub fn has_role(&self, world: &World, arn: &str) -> bool {
        self.roles
            .get(arn)
            .is_some_and(|(i, _)| world.roles.get(*i).is_some_and(|r| r.arn == arn))
            || world.roles.iter().any(|r| r.arn == arn)
    }

    /// The index of `world`, its policies not yet parsed: a few hash maps over its keys,
    /// vaults, roles and accounts.
    pub fn new(world: &World) -> Self {
        let key_policies = world
            .keys
            .iter()
            .enumerate()
            .map(|(i, key)| (key.arn.clone(), (i, OnceLock::new())))
            .collect();
        let vault_policies = world.vaults.iter().map(|_| OnceLock::new()).collect();
        let mut vaults = Hashed::default();
        for (i, v) in world.vaults.iter().enumerate() {
            vaults.entry(vault_key(&v.account, &v.region, &v.name)).or_insert(i);
        }
        let roles = world
            .roles
            .iter()
            .enumerate()
            .map(|(i, role)| (role.arn.clone(), (i, OnceLock::new())))
            .collect();
        let mut org_info = HashMap::new();
        for org in &world.organizations {
            let accounts =
                std::iter::once(org.management_account.as_str()).chain(org.accounts.iter().map(|a| a.id.as_str()));
            for account in accounts {
                org_info
                    .entry(account.to_owned())
                    .or_insert_with(|| (org.id.clone(), crate::tag_policy::org_path(org, account)));
            }
        }
        let mut tag_policies = HashMap::new();
        // Each account's effective tag policy, computed once (organizations are few).
        for org in world.organizations.iter().filter(|o| !o.tag_policies.is_empty()) {
            let accounts =
                std::iter::once(org.management_account.as_str()).chain(org.accounts.iter().map(|a| a.id.as_str()));
            for account in accounts {
                let effective = crate::tag_policy::effective_tag_policy(org, account);
                let json = serde_json::to_string(&effective).unwrap_or_default();
                tag_policies.entry(account.to_owned()).or_insert((effective, json));
            }
        }
        WorldIndex {
            key_policies,
            vault_policies,
            vaults,
            roles,
            org_info,
            tag_policies,
            ..WorldIndex::default()
        }
    }
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
            if let Some((_, cell)) = prepared.index.key_policies.get(key.arn.as_str()) {
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
            if let Some(cell) = prepared.index.vault_policies.get(i) {
                let _ = cell.set(policy);
            }
        }
        check_backup_plans(world)?;
        for (i, role) in world.roles.iter().enumerate() {
            if unchanged_roles.get(role.arn.as_str()).is_some_and(|r| *r == role) {
                continue;
            }
            let policies = role_policies_of(role, i)?;
            if let Some((_, cell)) = prepared.index.roles.get(role.arn.as_str()) {
                let _ = cell.set(Some(policies));
            }
        }
        Ok(prepared)
    }

    /// A world [`PreparedWorld::new`] accepted, its policies parsed as they are first read (one
    /// that would not parse reads as absent: `new` refuses such a world).
    pub fn trusted(world: &'w World) -> Self {
        PreparedWorld {
            world,
            index: Index::Own(Box::new(WorldIndex::new(world))),
        }
    }

    /// `world` with `index`, which a caller keeps across requests: [`WorldIndex::new`] of this
    /// world, or of one it became by gaining recovery points only (a world `new` accepted).
    pub fn with_index(world: &'w World, index: &'w WorldIndex) -> Self {
        PreparedWorld {
            world,
            index: Index::Kept(index),
        }
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
        let world = self.world;
        // The index knows the account's organization (a change of any organization makes a
        // new index); an account it does not know is in none.
        let (id, _) = self.index.org_info.get(account)?;
        world.organizations.iter().find(|o| o.id == *id)
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
                        keys.insert((ki, vi, partition, service), std::sync::Arc::new(eval));
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
                    std::sync::Arc::new(crate::checks::role_eval(
                        &role.arn,
                        policies,
                        copy.as_ref(),
                        &session,
                        &vault_arn,
                    )),
                );
                if let (Some(policy), Some(copy)) = (self.vault_policy(vault), copy.as_ref()) {
                    vaults.insert(
                        (vi, ri, partition),
                        std::sync::Arc::new(crate::checks::vault_eval(policy, copy, &session, &vault_arn)),
                    );
                }
            }
        }
        if let Index::Own(index) = &mut self.index {
            (index.key_evals, index.role_evals, index.vault_evals) = (keys.into(), roles.into(), vaults.into());
        }
    }

    /// The listed key whose ARN is `arn`.
    pub fn key_named(&self, arn: &str) -> Option<&'w crate::world::Key> {
        let world = self.world;
        let (i, _) = self.index.key_policies.get(arn)?;
        world.keys.get(*i).filter(|k| k.arn == arn)
    }

    /// `key`'s index in `world.keys` (it must be one of them).
    fn key_index(&self, key: &crate::world::Key) -> Option<usize> {
        let (i, _) = self.index.key_policies.get(&key.arn)?;
        self.world.keys.get(*i).filter(|k| std::ptr::eq(*k, key)).map(|_| *i)
    }

    /// `vault`'s index in `world.vaults` (it must be one of them).
    fn vault_index(&self, vault: &BackupVault) -> Option<usize> {
        let found = self
            .index
            .vaults
            .get(&vault_key(&vault.account, &vault.region, &vault.name))
            .copied()
            .filter(|&i| self.world.vaults.get(i).is_some_and(|v| std::ptr::eq(v, vault)));
        found.or_else(|| self.world.vaults.iter().position(|v| std::ptr::eq(v, vault)))
    }

    /// The key policy answers for a copy of a backup under `key` into `vault`: remembered
    /// when in the vault's partition, else `compute`d.
    pub(crate) fn key_eval(
        &self,
        key: &crate::world::Key,
        vault: &BackupVault,
        partition: &str,
        service: crate::checks::KeyService,
        compute: impl FnOnce() -> crate::checks::KeyEval,
    ) -> std::sync::Arc<crate::checks::KeyEval> {
        let vault_partition = crate::regions::partition(&vault.region);
        match (self.key_index(key), self.vault_index(vault)) {
            (Some(ki), Some(vi)) if partition == vault_partition => {
                remember(&self.index.key_evals, (ki, vi, vault_partition, service), compute)
            }
            _ => std::sync::Arc::new(compute()),
        }
    }

    /// The trust and identity answers for `role_arn` copying into `vault`: remembered when in
    /// the vault's partition, else `compute`d.
    pub(crate) fn role_eval(
        &self,
        role_arn: &str,
        vault: &BackupVault,
        partition: &str,
        compute: impl FnOnce() -> crate::checks::RoleEval,
    ) -> std::sync::Arc<crate::checks::RoleEval> {
        let vault_partition = crate::regions::partition(&vault.region);
        match (self.index.roles.get(role_arn), self.vault_index(vault)) {
            (Some((ri, _)), Some(vi)) if partition == vault_partition => {
                remember(&self.index.role_evals, (*ri, vi, vault_partition), compute)
            }
            _ => std::sync::Arc::new(compute()),
        }
    }

    /// The role's answer to `backup:CopyFromBackupVault` of `recovery_point_arn` for a copy into
    /// `vault`: remembered where the role's policies do not read the recovery point and its
    /// owner is the role's account or none (the rest of the request is the role's session and
    /// the vault's), else `compute`d.
    pub(crate) fn copy_from_eval(
        &self,
        role_arn: &str,
        role: &RolePolicies,
        vault: &BackupVault,
        partition: &str,
        recovery_point_arn: &str,
        compute: impl FnOnce() -> Option<crate::checks::CopyFromEval>,
    ) -> std::sync::Arc<Option<crate::checks::CopyFromEval>> {
        let vault_partition = crate::regions::partition(&vault.region);
        let owner = copylab_policy::split_arn(recovery_point_arn)
            .map(|arn| arn[4])
            .filter(|a| copylab_policy::is_account_id(a));
        let owned = match owner {
            None => Some(false),
            Some(owner) if Some(owner) == crate::arn::account(role_arn) => Some(true),
            Some(_) => None,
        };
        match (self.index.roles.get(role_arn), self.vault_index(vault), owned) {
            (Some((ri, _)), Some(vi), Some(owned))
                if partition == vault_partition && !role.copy_from_reads_resource =>
            {
                remember(&self.index.copy_from_evals, (*ri, vi, vault_partition, owned), compute)
            }
            _ => std::sync::Arc::new(compute()),
        }
    }

    /// The copy role session's request to copy into `vault` (`checks::copy_request`):
    /// remembered as [`PreparedWorld::role_eval`] is, else `compute`d.
    pub(crate) fn copy_request_into(
        &self,
        role_arn: &str,
        vault: &BackupVault,
        partition: &str,
        compute: impl FnOnce() -> Option<copylab_policy::Request>,
    ) -> std::sync::Arc<Option<copylab_policy::Request>> {
        let vault_partition = crate::regions::partition(&vault.region);
        match (self.index.roles.get(role_arn), self.vault_index(vault)) {
            (Some((ri, _)), Some(vi)) if partition == vault_partition => {
                remember(&self.index.copy_requests, (*ri, vi, vault_partition), compute)
            }
            _ => std::sync::Arc::new(compute()),
        }
    }

    /// The destination key policy's answer for `principal` writing a copy into `vault` under
    /// `key` through AWS Backup in the vault's Region: remembered for a key and vault of the
    /// world, else `compute`d.
    pub(crate) fn destination_key_eval(
        &self,
        key: &crate::world::Key,
        vault: &BackupVault,
        principal: &str,
        compute: impl FnOnce() -> Option<crate::checks::DestinationKeyEval>,
    ) -> std::sync::Arc<Option<crate::checks::DestinationKeyEval>> {
        match (self.key_index(key), self.vault_index(vault)) {
            (Some(ki), Some(vi)) => remember(
                &self.index.destination_key_evals,
                (ki, vi, principal.to_owned()),
                compute,
            ),
            _ => std::sync::Arc::new(compute()),
        }
    }

    /// The vault access policy answer for `role_arn` copying into `vault`: remembered when in
    /// the vault's partition, else `compute`d.
    pub(crate) fn vault_eval(
        &self,
        vault: &BackupVault,
        role_arn: &str,
        partition: &str,
        compute: impl FnOnce() -> crate::checks::VaultEval,
    ) -> std::sync::Arc<crate::checks::VaultEval> {
        let vault_partition = crate::regions::partition(&vault.region);
        match (self.index.roles.get(role_arn), self.vault_index(vault)) {
            (Some((ri, _)), Some(vi)) if partition == vault_partition => {
                remember(&self.index.vault_evals, (vi, *ri, vault_partition), compute)
            }
            _ => std::sync::Arc::new(compute()),
        }
    }

    /// The precomputed effective tag policy of `account` and its JSON.
    pub(crate) fn effective_tag_policy(&self, account: &str) -> Option<(&crate::tag_policy::EffectiveTagPolicy, &str)> {
        self.index
            .tag_policies
            .get(account)
            .map(|(policy, json)| (policy, json.as_str()))
    }

    /// The organization id and `aws:PrincipalOrgPaths` value of `account`.
    pub fn org_info(&self, account: &str) -> Option<(&str, &str)> {
        self.index
            .org_info
            .get(account)
            .map(|(org, path)| (org.as_str(), path.as_str()))
    }

    /// A vault by account, Region and name.
    pub fn vault(&self, account: &str, region: &str, name: &str) -> Option<&'w BackupVault> {
        let world = self.world;
        let is = |v: &&BackupVault| v.account == account && v.region == region && v.name == name;
        self.index
            .vaults
            .get(&vault_key(account, region, name))
            .and_then(|&i| world.vaults.get(i))
            .filter(is)
            .or_else(|| world.vaults.iter().find(is))
    }

    /// The recovery points named `arn`, in the world's order (see
    /// [`WorldIndex::recovery_points_named`]).
    pub fn recovery_points_named(&self, arn: &str) -> Vec<&'w crate::world::RecoveryPoint> {
        let world = self.world;
        self.index
            .recovery_points_named(world, arn)
            .into_iter()
            .filter_map(|i| world.recovery_points.get(i))
            .collect()
    }

    /// [`PreparedWorld::recovery_points_named`] as the index knows them
    /// ([`WorldIndex::recovery_points_indexed`]).
    pub fn recovery_points_indexed(&self, arn: &str) -> Vec<&'w crate::world::RecoveryPoint> {
        let world = self.world;
        self.index
            .recovery_points_indexed(world, arn)
            .into_iter()
            .filter_map(|i| world.recovery_points.get(i))
            .collect()
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
        let (index, cell) = self.index.key_policies.get(arn)?;
        cell.get_or_init(|| {
            let key = self.world.keys.get(*index)?;
            key_policy_of(key, *index).ok()
        })
        .as_ref()
    }

    /// A vault's parsed access policy.
    pub fn vault_policy(&self, vault: &BackupVault) -> Option<&Policy> {
        let index = self.world.vaults.iter().position(|v| std::ptr::eq(v, vault))?;
        self.index
            .vault_policies
            .get(index)?
            .get_or_init(|| vault_policy_of(vault, index).ok().flatten())
            .as_ref()
    }

    /// A role's parsed policies.
    pub fn role(&self, arn: &str) -> Option<&RolePolicies> {
        let (index, cell) = self.index.roles.get(arn)?;
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
    let reads = |policy: &Policy| policy.resource_matters_for("backup:CopyFromBackupVault");
    let copy_from_reads_resource = inline.iter().any(|(_, policy)| reads(policy))
        || managed.iter().any(|m| reads(m.policy()))
        || boundary.as_ref().is_some_and(|(_, b)| reads(b.policy()));
    Ok(RolePolicies {
        trust,
        inline,
        managed,
        managed_labels,
        unknown_managed,
        boundary,
        unknown_boundary,
        copy_from_reads_resource,
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

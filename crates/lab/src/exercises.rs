//! The lab's exercises: the built-in scenarios that fail, grouped by the check that fails and rated; the changes a trainee makes (policies, settings, tags, membership) checked by the policy engine; and the intended fix of each exercise as those changes.

use copylab_policy::{Policy, PolicyKind};
use copylab_rules::engine::{Options, Outcome, Verdict};
use copylab_rules::ids::IdGenerator;
use copylab_rules::world::{InlinePolicy, KeyState, PolicyDocument, StartCopyJob, World};
use copylab_rules::{Scenario, remedy};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The checks in the lab's order, read from the rules engine's table: the Knowledge Center
/// article's six by their number, the organization's cross-account setting it adds, then
/// copylab's own in the engine's order, then the request's validation.
pub static CHECK_ORDER: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let checks = copylab_rules::checks::CHECKS;
    let mut order: Vec<&copylab_rules::checks::CheckDef> = checks.iter().filter(|c| c.article.is_some()).collect();
    order.sort_by_key(|c| c.article);
    order.extend(checks.iter().filter(|c| c.article.is_none()));
    let mut ids: Vec<&'static str> = order.into_iter().map(|c| c.id).collect();
    ids.push("request");
    ids
});

/// One exercise: a built-in scenario and what the engine says of it.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// The public id (`ex-` and 8 hex digits, [`public_id`]): what every URL and page a trainee
    /// sees before solving names the exercise by.
    pub id: String,
    /// The scenario's name: instructor-facing, shown to a trainee only once the exercise is
    /// solved or its answer shown (it usually says what fails).
    pub name: String,
    /// The scenario.
    pub scenario: Scenario,
    /// The engine's verdict.
    pub verdict: Verdict,
    /// The intended fix as lab changes, when settings fix it.
    pub fix: Option<Vec<Change>>,
}

impl Exercise {
    /// Builds an exercise; `None` when the scenario's world is invalid.
    pub fn new(name: &str, scenario: &Scenario) -> Option<Exercise> {
        let options = Options {
            as_of: scenario.as_of.clone(),
            seed: scenario.seed,
            wording: scenario.wording,
        };
        let verdict = copylab_rules::simulate(&scenario.world, &scenario.copy_job, &options).ok()?;
        let fix = intended_changes(scenario, &verdict);
        Some(Exercise {
            id: public_id(name),
            name: name.to_owned(),
            scenario: scenario.clone(),
            verdict,
            fix,
        })
    }

    /// The value a choice among the alternatives carries on the page and in the API: neutral
    /// (`c-` and 8 hex digits, from the exercise's id and the sentence's id), so the page never
    /// shows a catalog message id or a diagnosis sentence id.
    pub fn choice_id(&self, text_id: &str) -> String {
        format!(
            "c-{}",
            IdGenerator::for_names(&["copylab-lab-choice", &self.id, text_id]).hex(8)
        )
    }

    /// The check that fails, or `None` for a copy that completes.
    pub fn failed_check(&self) -> Option<&'static str> {
        match &self.verdict.outcome {
            Outcome::ApiError { .. } => Some(self.verdict.failed_check.unwrap_or("request")),
            Outcome::CopyJob { state, .. } if *state != copylab_rules::world::CopyJobState::Completed => {
                self.verdict.failed_check
            }
            Outcome::CopyJob { .. } => None,
        }
    }

    /// 1 (one setting), 2 (a policy to edit) or 3 (no setting fixes it).
    pub fn difficulty(&self) -> u8 {
        match &self.fix {
            None => 3,
            Some(changes)
                if changes.iter().any(|c| {
                    matches!(
                        c,
                        Change::KeyPolicy { .. }
                            | Change::VaultPolicy { .. }
                            | Change::RoleTrust { .. }
                            | Change::RolePolicy { .. }
                    )
                }) =>
            {
                2
            }
            Some(_) => 1,
        }
    }

    /// What the trainee may choose when no setting fixes it: the diagnosis's alternatives (or
    /// its summary), each with whether it is right; `distractors` come from other exercises.
    pub fn alternatives(&self) -> Vec<copylab_rules::text::Text> {
        let Some(remedy) = self.verdict.failed().and_then(|c| c.remedy.as_ref()) else {
            // A refused request: what the catalog says causes its message (the request is what
            // changes, not a setting).
            let message_id = match &self.verdict.outcome {
                Outcome::ApiError { message_id, .. } => Some(*message_id),
                Outcome::CopyJob { message_id, .. } => *message_id,
            };
            return message_id
                .and_then(copylab_rules::catalog::message)
                .map(|m| vec![copylab_rules::text::Text::plain(m.id, m.cause)])
                // Rendered through the `cause-ID` messages of the lab's translations.
                .unwrap_or_default();
        };
        if remedy.alternatives.is_empty() {
            vec![remedy.summary.clone()]
        } else {
            remedy.alternatives.clone()
        }
    }
}

/// The public id of the exercise made of scenario `name`: `ex-` and 8 hex digits of a hash of
/// the name alone (FNV-1a through [`IdGenerator::for_names`]). It depends on nothing else, so it is
/// the same in every run and on every machine, and adding, removing or reordering other scenarios
/// never changes it (a number in catalog order would). It hides the name from a glance, not from
/// someone who hashes every scenario name: the names and the scenarios ship with copylab anyway.
pub fn public_id(name: &str) -> String {
    format!("ex-{}", IdGenerator::for_names(&["copylab-lab-exercise", name]).hex(8))
}

/// [`public_id`] with 16 hex digits: the id of each of two scenarios whose short ids collide.
fn long_id(name: &str) -> String {
    format!("ex-{}", IdGenerator::for_names(&["copylab-lab-exercise", name]).hex(16))
}

/// The ids of scenarios `names`: each its [`public_id`], except that two whose short ids collide
/// both take their long ids, so ids stay unique (with some hundred scenarios, a 32-bit collision is
/// a chance in a million; the built-in catalog has none, which a test checks).
pub fn unique_ids(names: &[&str]) -> Vec<String> {
    let short: Vec<String> = names.iter().map(|n| public_id(n)).collect();
    names
        .iter()
        .zip(&short)
        .map(|(name, id)| {
            if short.iter().filter(|other| *other == id).count() > 1 {
                long_id(name)
            } else {
                id.clone()
            }
        })
        .collect()
}

/// The failing built-in scenarios (and the completing ones, as worked examples), in the
/// instructor's order: by the check that fails, then difficulty, then name. Pages a trainee sees
/// order them otherwise (`web::pages::catalog`), since this order tells the failed check.
pub fn exercises(catalog: &[(String, Scenario)]) -> Vec<Exercise> {
    let mut all: Vec<Exercise> = catalog.iter().filter_map(|(name, s)| Exercise::new(name, s)).collect();
    let ids = unique_ids(&all.iter().map(|e| e.name.as_str()).collect::<Vec<_>>());
    for (exercise, id) in all.iter_mut().zip(ids) {
        exercise.id = id;
    }
    all.sort_by_key(|e| {
        let rank = e
            .failed_check()
            .and_then(|c| CHECK_ORDER.iter().position(|o| *o == c))
            .unwrap_or(CHECK_ORDER.len());
        (rank, e.difficulty(), e.name.clone())
    });
    all
}

/// A change a trainee makes, as the lab's forms send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// `PutKeyPolicy`.
    KeyPolicy {
        /// Key ARN.
        key: String,
        /// The policy text.
        policy: String,
    },
    /// `EnableKey` / `DisableKey`.
    KeyEnabled {
        /// Key ARN.
        key: String,
        /// Enabled or not.
        enabled: bool,
    },
    /// `PutBackupVaultAccessPolicy` (`None`: delete it).
    VaultPolicy {
        /// The vault's account.
        account: String,
        /// The vault's Region.
        region: String,
        /// The vault's name.
        vault: String,
        /// The policy text.
        policy: Option<String>,
    },
    /// `UpdateGlobalSettings` `isCrossAccountBackupEnabled` in an organization.
    CrossAccount {
        /// The organization.
        organization: String,
        /// On or off.
        enabled: bool,
    },
    /// A recovery point tag (and the key it replaces, for a key written differently).
    Tag {
        /// The recovery point.
        recovery_point: String,
        /// The tag key.
        key: String,
        /// The tag value.
        value: String,
        /// A key to remove.
        #[serde(default)]
        replaces: Option<String>,
    },
    /// Invite an account into an organization and accept (leaving its old one).
    JoinOrganization {
        /// The account.
        account: String,
        /// The organization.
        organization: String,
    },
    /// `UpdateAssumeRolePolicy`.
    RoleTrust {
        /// The role.
        role: String,
        /// The trust policy text.
        policy: String,
    },
    /// `PutRolePolicy` (`None`: `DeleteRolePolicy`).
    RolePolicy {
        /// The role.
        role: String,
        /// The inline policy's name.
        name: String,
        /// The policy text.
        policy: Option<String>,
    },
    /// The copy's `Lifecycle.DeleteAfterDays`.
    Lifecycle {
        /// Days.
        delete_after_days: i64,
    },
    /// Remove an injected fault.
    RemoveFault {
        /// The fault, as the scenario names it.
        fault: String,
    },
    /// `UpdateRegionSettings`: DynamoDB advanced features on.
    DynamodbAdvanced {
        /// The account.
        account: String,
        /// The Region.
        region: String,
    },
}

/// A policy error in the editor: where, and what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditorError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong (the policy engine's words).
    pub message: String,
}

/// Checks a policy document as AWS would when storing it.
pub fn validate(text: &str, kind: PolicyKind) -> Result<Value, Vec<EditorError>> {
    Policy::parse(text, kind).map_err(|errors| {
        errors
            .iter()
            .map(|e| EditorError {
                line: e.span.line,
                column: e.span.column,
                message: e.message.clone(),
            })
            .collect::<Vec<_>>()
    })?;
    serde_json::from_str(text).map_err(|e| {
        vec![EditorError {
            line: u32::try_from(e.line()).unwrap_or(0),
            column: u32::try_from(e.column()).unwrap_or(0),
            message: e.to_string(),
        }]
    })
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ChangeError {
    /// The policy does not validate.
    Policy {
        /// Its errors.
        errors: Vec<EditorError>,
    },
    /// The change names nothing in the world, or would make it invalid.
    Invalid {
        /// Why.
        message: String,
    },
}

pub(crate) fn invalid(message: impl Into<String>) -> ChangeError {
    ChangeError::Invalid {
        message: message.into(),
    }
}

/// Applies `change` to a world and request; on error nothing changes.
pub fn apply(world: &mut World, request: &mut StartCopyJob, change: &Change) -> Result<(), ChangeError> {
    let (mut next_world, mut next_request) = (world.clone(), request.clone());
    apply_in(&mut next_world, &mut next_request, change)?;
    copylab_rules::PreparedWorld::new(&next_world).map_err(|e| invalid(e.to_string()))?;
    (*world, *request) = (next_world, next_request);
    Ok(())
}

fn policy(text: &str, kind: PolicyKind) -> Result<PolicyDocument, ChangeError> {
    validate(text, kind)
        .map(PolicyDocument)
        .map_err(|errors| ChangeError::Policy { errors })
}

fn apply_in(world: &mut World, request: &mut StartCopyJob, change: &Change) -> Result<(), ChangeError> {
    // Changes the remedies also make go through the remedies' own patches: one place says how
    // a setting changes. Policies are set whole here, as an editor does.
    let patch = match change {
        Change::KeyPolicy { key, policy: text } => {
            let document = policy(text, PolicyKind::Kms)?;
            let key = world
                .keys
                .iter_mut()
                .find(|k| k.arn == *key)
                .ok_or_else(|| invalid("no such key"))?;
            key.policy = Some(document);
            return Ok(());
        }
        Change::KeyEnabled { key, enabled: true } => remedy::Patch::EnableKey { key_arn: key.clone() },
        Change::KeyEnabled { key, enabled: false } => {
            let key = world
                .keys
                .iter_mut()
                .find(|k| k.arn == *key)
                .ok_or_else(|| invalid("no such key"))?;
            key.state = KeyState::Disabled;
            return Ok(());
        }
        Change::VaultPolicy {
            account,
            region,
            vault,
            policy: text,
        } => {
            let document = text.as_deref().map(|t| policy(t, PolicyKind::Vault)).transpose()?;
            let vault = world
                .vaults
                .iter_mut()
                .find(|v| v.account == *account && v.region == *region && v.name == *vault)
                .ok_or_else(|| invalid("no such vault"))?;
            vault.access_policy = document;
            return Ok(());
        }
        Change::CrossAccount { organization, enabled } => remedy::Patch::SetCrossAccountBackup {
            organization_id: organization.clone(),
            enabled: *enabled,
        },
        Change::Tag {
            recovery_point,
            key,
            value,
            replaces,
        } => {
            if key.is_empty() {
                return Err(invalid("a tag needs a key"));
            }
            remedy::Patch::SetRecoveryPointTag {
                recovery_point_arn: recovery_point.clone(),
                key: key.clone(),
                value: value.clone(),
                remove: replaces.clone().filter(|old| old != key),
            }
        }
        Change::JoinOrganization { account, organization } => remedy::Patch::JoinOrganization {
            account: account.clone(),
            organization_id: organization.clone(),
        },
        Change::RoleTrust { role, policy: text } => remedy::Patch::SetRoleTrustPolicy {
            role_arn: role.clone(),
            policy: policy(text, PolicyKind::Trust)?.0,
        },
        Change::RolePolicy {
            role,
            name,
            policy: text,
        } => {
            let document = text.as_deref().map(|t| policy(t, PolicyKind::Identity)).transpose()?;
            let role = world
                .roles
                .iter_mut()
                .find(|r| r.arn == *role)
                .ok_or_else(|| invalid("no such role"))?;
            role.policies.retain(|p| p.name != *name);
            if let Some(document) = document {
                role.policies.push(InlinePolicy {
                    name: name.clone(),
                    document,
                });
            }
            return Ok(());
        }
        Change::Lifecycle { delete_after_days } => {
            if *delete_after_days < 1 {
                return Err(invalid("the retention is at least one day"));
            }
            remedy::Patch::SetCopyLifecycle {
                delete_after_days: *delete_after_days,
            }
        }
        Change::RemoveFault { fault } => {
            let fault = serde_json::from_value(Value::String(fault.clone())).map_err(|_| invalid("no such fault"))?;
            if !world.faults.contains(&fault) {
                return Err(invalid("no such fault"));
            }
            remedy::Patch::RemoveFault { fault }
        }
        Change::DynamodbAdvanced { account, region } => remedy::Patch::EnableDynamodbAdvancedFeatures {
            account: account.clone(),
            region: region.clone(),
        },
    };
    remedy::apply(world, request, &patch).map_err(invalid)
}

fn text_of(document: &PolicyDocument) -> String {
    serde_json::to_string_pretty(&document.0).unwrap_or_default()
}

/// The diagnosis's fix as lab changes: the remedy's patches applied to a copy of the world, and
/// the difference read back as the changes a trainee would make. `None` when the fix is not
/// one the lab's forms make (a new vault, a re-encrypted backup, another destination) or when no
/// setting fixes it.
pub fn intended_changes(scenario: &Scenario, verdict: &Verdict) -> Option<Vec<Change>> {
    let remedy = verdict.failed()?.remedy.as_ref()?;
    // An injected fault is no setting: AWS's answer is to retry or ask AWS Support.
    if remedy.patches.is_empty()
        || remedy
            .patches
            .iter()
            .any(|p| matches!(p, remedy::Patch::RemoveFault { .. }))
    {
        return None;
    }
    let (mut world, mut request) = (scenario.world.clone(), scenario.copy_job.clone());
    for patch in &remedy.patches {
        remedy::apply(&mut world, &mut request, patch).ok()?;
    }
    let before = &scenario.world;
    let mut changes = Vec::new();
    if world.keys.len() != before.keys.len()
        || world.vaults.len() != before.vaults.len()
        || world.roles.len() != before.roles.len()
        || world.organizations.len() != before.organizations.len()
        || world.recovery_points.len() != before.recovery_points.len()
    {
        return None;
    }
    for (old, new) in before.keys.iter().zip(&world.keys) {
        if old.arn != new.arn || old.manager != new.manager || old.alias != new.alias {
            return None;
        }
        if old.policy != new.policy {
            changes.push(Change::KeyPolicy {
                key: new.arn.clone(),
                policy: new.policy.as_ref().map(text_of)?,
            });
        }
        if old.state != new.state {
            changes.push(Change::KeyEnabled {
                key: new.arn.clone(),
                enabled: new.state == KeyState::Enabled,
            });
        }
    }
    for (old, new) in before.vaults.iter().zip(&world.vaults) {
        if old.name != new.name || old.encryption_key != new.encryption_key || old.lock != new.lock {
            return None;
        }
        if old.access_policy != new.access_policy {
            changes.push(Change::VaultPolicy {
                account: new.account.clone(),
                region: new.region.clone(),
                vault: new.name.clone(),
                policy: new.access_policy.as_ref().map(text_of),
            });
        }
    }
    for (old, new) in before.organizations.iter().zip(&world.organizations) {
        if old.cross_account_backup_enabled != new.cross_account_backup_enabled {
            changes.push(Change::CrossAccount {
                organization: new.id.clone(),
                enabled: new.cross_account_backup_enabled,
            });
        }
        for account in &new.accounts {
            if !old.accounts.iter().any(|a| a.id == account.id) {
                changes.push(Change::JoinOrganization {
                    account: account.id.clone(),
                    organization: new.id.clone(),
                });
            }
        }
        if old.tag_policies != new.tag_policies || old.organizational_units != new.organizational_units {
            return None;
        }
    }
    for (old, new) in before.roles.iter().zip(&world.roles) {
        if old.arn != new.arn || old.managed_policies != new.managed_policies {
            return None;
        }
        if old.trust_policy != new.trust_policy {
            changes.push(Change::RoleTrust {
                role: new.arn.clone(),
                policy: new.trust_policy.as_ref().map(text_of)?,
            });
        }
        for inline in &new.policies {
            if !old.policies.contains(inline) {
                changes.push(Change::RolePolicy {
                    role: new.arn.clone(),
                    name: inline.name.clone(),
                    policy: Some(text_of(&inline.document)),
                });
            }
        }
        for inline in &old.policies {
            if !new.policies.iter().any(|p| p.name == inline.name) {
                changes.push(Change::RolePolicy {
                    role: new.arn.clone(),
                    name: inline.name.clone(),
                    policy: None,
                });
            }
        }
    }
    for (old, new) in before.recovery_points.iter().zip(&world.recovery_points) {
        let mut probe = old.clone();
        probe.tags = new.tags.clone();
        if probe != *new {
            return None;
        }
        let removed: Vec<&String> = old.tags.keys().filter(|k| !new.tags.contains_key(*k)).collect();
        for (key, value) in &new.tags {
            if old.tags.get(key) != Some(value) {
                changes.push(Change::Tag {
                    recovery_point: new.arn.clone(),
                    key: key.clone(),
                    value: value.clone(),
                    replaces: removed.first().map(|k| (*k).clone()),
                });
            }
        }
    }
    for fault in &before.faults {
        if !world.faults.contains(fault) {
            changes.push(Change::RemoveFault {
                fault: serde_json::to_value(fault).ok()?.as_str()?.to_owned(),
            });
        }
    }
    for settings in &world.region_settings {
        if settings.dynamodb_advanced_features && !before.region_settings.contains(settings) {
            changes.push(Change::DynamodbAdvanced {
                account: settings.account.clone(),
                region: settings.region.clone(),
            });
        }
    }
    if request != scenario.copy_job {
        let days = request.lifecycle.as_ref().and_then(|l| l.delete_after_days)?;
        let mut probe = request.clone();
        probe.lifecycle = scenario.copy_job.lifecycle.clone();
        if probe != scenario.copy_job {
            return None;
        }
        changes.push(Change::Lifecycle {
            delete_after_days: days,
        });
    }
    (!changes.is_empty()).then_some(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_short_ids_both_take_long_ids_and_others_keep_theirs() {
        // Two names whose 32-bit ids collide, found by search (a birthday search over 32 bits).
        let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let (a, b) = (0..1_000_000u32)
            .map(|i| format!("scenario_{i}"))
            .find_map(|name| {
                let id = public_id(&name);
                match seen.get(&id) {
                    Some(other) => Some((other.clone(), name)),
                    None => {
                        seen.insert(id, name);
                        None
                    }
                }
            })
            .expect("a collision among a million names");
        let ids = unique_ids(&[&a, "another", &b]);
        assert_eq!(ids, [long_id(&a), public_id("another"), long_id(&b)]);
        assert_ne!(ids[0], ids[2]);
    }
}

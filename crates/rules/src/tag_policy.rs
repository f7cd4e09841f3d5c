//! Organizations tag policies: the effective tag policy of an account (inheritance operators `@@assign`, `@@append`, `@@remove`, child control with `@@operators_allowed_for_child_policies`) and whether it enforces a tag on the resource a copy creates.
//!
//! Rules from `aws-org-wire-facts.md` §1.1-§1.3 and §1.5. Enforcement applies to the resource
//! types `enforced_for` names (`SERVICE:TYPE`, or `SERVICE:*` / `SERVICE:ALL_SUPPORTED` for all of
//! a service's supported types). The resource a copy creates is the destination service's: an
//! EBS snapshot (`ec2:snapshot`), an AMI (`ec2:image` and its snapshots), an RDS snapshot
//! (`rds:snapshot`, `rds:cluster-snapshot`), an FSx backup (`fsx:backup`), or, for the types AWS
//! Backup fully manages, an AWS Backup recovery point, which no tag policy enforces: the types AWS
//! lists for AWS Backup enforcement are `backup:backupPlan` and `backup:backupVault`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::world::{Organization, TagPolicy};

/// The AWS Backup resource types a tag policy can enforce (AWS's "Services and resource types
/// that support enforcement", as public tag policies copy it: `backup:backupPlan`,
/// `backup:backupVault`; recovery points are not among them).
pub const AWS_BACKUP_ENFORCEABLE: &[&str] = &["backupPlan", "backupVault"];

/// Whether an `enforced_for` value covers `resource_type` (`SERVICE:TYPE`): the same type, or
/// all of the service's supported types (`SERVICE:*`, `SERVICE:ALL_SUPPORTED`), never an AWS
/// Backup type AWS does not list.
pub fn covers(enforced_for: &str, resource_type: &str) -> bool {
    let (Some((service, kind)), Some((wanted_service, wanted_kind))) =
        (enforced_for.split_once(':'), resource_type.split_once(':'))
    else {
        return false;
    };
    if service != wanted_service {
        return false;
    }
    if service == "backup" && !AWS_BACKUP_ENFORCEABLE.contains(&wanted_kind) {
        return false;
    }
    kind == wanted_kind || kind == "*" || kind == "ALL_SUPPORTED"
}

/// One tag's rules in an effective tag policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EffectiveTag {
    /// `tag_key`: the capitalization the key must have.
    pub tag_key: String,
    /// `tag_value`: allowed values (`None`: any value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_value: Option<Vec<String>>,
    /// `enforced_for`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforced_for: Option<Vec<String>>,
}

/// An effective tag policy: policy key (lowercase) to its rules.
pub type EffectiveTagPolicy = BTreeMap<String, EffectiveTag>;

/// Which operators a child may still use for one setting.
#[derive(Debug, Clone)]
struct Allowed(Vec<String>);

impl Allowed {
    fn all() -> Self {
        Allowed(vec!["@@assign".into(), "@@append".into(), "@@remove".into()])
    }
    fn permits(&self, op: &str) -> bool {
        self.0.iter().any(|o| o == op)
    }
    fn restrict(&mut self, list: &[String]) {
        if list.iter().any(|o| o == "@@all") {
            return;
        }
        if list.iter().any(|o| o == "@@none") {
            self.0.clear();
            return;
        }
        self.0.retain(|o| list.contains(o));
    }
}

/// The chain of targets from the root down to `account`: root, OUs, the account.
pub fn targets_of(organization: &Organization, account: &str) -> Vec<String> {
    let mut chain = vec![account.to_owned()];
    let mut parent = organization
        .accounts
        .iter()
        .find(|a| a.id == account)
        .and_then(|a| a.parent.clone());
    let mut guard = 0;
    while let Some(id) = parent.take() {
        guard += 1;
        if id == organization.root_id || guard > 16 {
            break;
        }
        chain.push(id.clone());
        parent = organization
            .organizational_units
            .iter()
            .find(|ou| ou.id == id)
            .and_then(|ou| ou.parent.clone());
    }
    chain.push(organization.root_id.clone());
    chain.reverse();
    chain
}

/// The organization path of an account, as `aws:PrincipalOrgPaths` gives it:
/// `o-id/r-id/ou-id/.../`.
pub fn org_path(organization: &Organization, account: &str) -> String {
    let chain = targets_of(organization, account);
    let mut path = format!("{}/", organization.id);
    for id in chain.iter().filter(|id| *id != account) {
        path.push_str(id);
        path.push('/');
    }
    path
}

/// The effective tag policy of `account`.
pub fn effective_tag_policy(organization: &Organization, account: &str) -> EffectiveTagPolicy {
    let mut effective = EffectiveTagPolicy::new();
    let mut allowed: BTreeMap<(String, &'static str), Allowed> = BTreeMap::new();
    for target in targets_of(organization, account) {
        let attached: Vec<&TagPolicy> = organization
            .tag_policies
            .iter()
            .filter(|p| p.targets.contains(&target))
            .collect();
        // Child-control limits set at this level apply from the next level down.
        let mut limits: Vec<((String, &'static str), Vec<String>)> = Vec::new();
        let mut assigned_here: Vec<(String, &'static str)> = Vec::new();
        for policy in attached {
            let Some(tags) = policy.content.get("tags").and_then(|t| t.as_object()) else {
                continue;
            };
            for (policy_key, body) in tags {
                let lower = policy_key.to_lowercase();
                let entry = effective.entry(lower.clone()).or_insert_with(|| EffectiveTag {
                    tag_key: lower.clone(),
                    ..EffectiveTag::default()
                });
                for field in ["tag_key", "tag_value", "enforced_for"] {
                    let Some(setting) = body.get(field) else { continue };
                    let slot = (lower.clone(), field);
                    let permitted = allowed.get(&slot).cloned().unwrap_or_else(Allowed::all);
                    if let Some(list) = setting.get("@@operators_allowed_for_child_policies").and_then(strings) {
                        limits.push((slot.clone(), list));
                    }
                    if let Some(value) = setting.get("@@assign") {
                        // Same level: the policy attached first wins (facts §1.3 example 6).
                        if permitted.permits("@@assign") && !assigned_here.contains(&slot) {
                            assign(entry, field, value);
                            assigned_here.push(slot.clone());
                        }
                    }
                    if let Some(values) = setting.get("@@append").and_then(strings)
                        && permitted.permits("@@append")
                    {
                        let list = list_of(entry, field);
                        for v in values {
                            if !list.contains(&v) {
                                list.push(v);
                            }
                        }
                    }
                    if let Some(values) = setting.get("@@remove").and_then(strings)
                        && permitted.permits("@@remove")
                    {
                        list_of(entry, field).retain(|v| !values.contains(v));
                    }
                }
            }
        }
        for (slot, list) in limits {
            allowed.entry(slot).or_insert_with(Allowed::all).restrict(&list);
        }
    }
    effective
}

fn strings(value: &serde_json::Value) -> Option<Vec<String>> {
    match value {
        serde_json::Value::Array(items) => Some(items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
        serde_json::Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

fn assign(entry: &mut EffectiveTag, field: &str, value: &serde_json::Value) {
    match field {
        "tag_key" => {
            if let Some(key) = value.as_str() {
                entry.tag_key = key.to_owned();
            }
        }
        "tag_value" => entry.tag_value = strings(value),
        _ => entry.enforced_for = strings(value),
    }
}

fn list_of<'e>(entry: &'e mut EffectiveTag, field: &str) -> &'e mut Vec<String> {
    let slot = if field == "tag_value" {
        &mut entry.tag_value
    } else {
        &mut entry.enforced_for
    };
    slot.get_or_insert_with(Vec::new)
}

/// Whether `value` is allowed by a tag-policy value list (one `*` wildcard per value).
pub fn value_allowed(allowed: &[String], value: &str) -> bool {
    allowed
        .iter()
        .any(|pattern| copylab_policy::Pattern::new(pattern, copylab_policy::Segments::Free, false).matches(value))
}

/// How a copied tag breaks an enforced effective tag policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "violation", rename_all = "kebab-case")]
pub enum TagViolation {
    /// The key's capitalization differs from the policy's `tag_key`.
    KeyCase {
        /// The key as copied.
        key: String,
        /// The capitalization the policy requires.
        required: String,
    },
    /// The value is not in the policy's `tag_value` list.
    Value {
        /// The key.
        key: String,
        /// The value as copied.
        value: String,
        /// The allowed values.
        allowed: Vec<String>,
    },
}

/// The first violation among `tags` of a policy enforced on any of `resource_types`, the types of
/// the resources the copy tags.
pub fn first_violation(
    policy: &EffectiveTagPolicy,
    tags: &BTreeMap<String, String>,
    resource_types: &[&str],
) -> Option<TagViolation> {
    for (key, value) in tags {
        let Some(rule) = policy.get(&key.to_lowercase()) else {
            continue;
        };
        let enforced = rule
            .enforced_for
            .as_ref()
            .is_some_and(|list| list.iter().any(|e| resource_types.iter().any(|t| covers(e, t))));
        if !enforced {
            continue;
        }
        if *key != rule.tag_key {
            return Some(TagViolation::KeyCase {
                key: key.clone(),
                required: rule.tag_key.clone(),
            });
        }
        if let Some(allowed) = &rule.tag_value
            && !value_allowed(allowed, value)
        {
            return Some(TagViolation::Value {
                key: key.clone(),
                value: value.clone(),
                allowed: allowed.clone(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{MemberAccount, OrganizationalUnit};
    use serde_json::json;

    fn org(policies: Vec<TagPolicy>) -> Organization {
        Organization {
            id: "o-exampleorg".into(),
            management_account: "000000000000".into(),
            root_id: "r-root".into(),
            organizational_units: vec![
                OrganizationalUnit {
                    id: "ou-1".into(),
                    name: "OU1".into(),
                    parent: None,
                },
                OrganizationalUnit {
                    id: "ou-2".into(),
                    name: "OU2".into(),
                    parent: None,
                },
            ],
            accounts: vec![
                MemberAccount {
                    id: "111111111111".into(),
                    parent: Some("ou-1".into()),
                },
                MemberAccount {
                    id: "999999999999".into(),
                    parent: Some("ou-2".into()),
                },
            ],
            cross_account_backup_enabled: true,
            tag_policies: policies,
            backup_policies: Vec::new(),
            service_control_policies: None,
            resource_control_policies: None,
        }
    }

    fn policy(name: &str, target: &str, content: serde_json::Value) -> TagPolicy {
        TagPolicy {
            name: name.into(),
            targets: vec![target.into()],
            content,
        }
    }

    fn root_a() -> TagPolicy {
        policy(
            "A",
            "r-root",
            json!({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["Development", "Support"]}}}}),
        )
    }

    /// AWS's inheritance example 1: `@@assign` in OU1 overrides the root's values.
    #[test]
    fn assign_in_ou_overrides_root_values() {
        let b = policy(
            "B",
            "ou-1",
            json!({"tags": {"costcenter": {"tag_value": {"@@assign": ["Sandbox"]}, "enforced_for": {"@@assign": ["redshift:*", "dynamodb:table"]}}}}),
        );
        let effective = effective_tag_policy(&org(vec![root_a(), b]), "111111111111");
        assert_eq!(
            serde_json::to_value(&effective).unwrap(),
            json!({"costcenter": {"tag_key": "CostCenter", "tag_value": ["Sandbox"], "enforced_for": ["redshift:*", "dynamodb:table"]}})
        );
    }

    /// AWS's inheritance example 2: `@@append` in OU2 adds to the root's values.
    #[test]
    fn append_in_ou_adds_to_root_values() {
        let c = policy(
            "C",
            "ou-2",
            json!({"tags": {"costcenter": {"tag_value": {"@@append": ["Marketing"]}}}}),
        );
        let effective = effective_tag_policy(&org(vec![root_a(), c]), "999999999999");
        assert_eq!(
            effective["costcenter"].tag_value.as_deref().unwrap(),
            ["Development", "Support", "Marketing"]
        );
    }

    /// AWS's inheritance example 3: `@@remove` on the account removes inherited values.
    #[test]
    fn remove_on_account_removes_inherited_values() {
        let d = policy(
            "D",
            "111111111111",
            json!({"tags": {"costcenter": {"tag_value": {"@@remove": ["Development", "Marketing"]}}}}),
        );
        let effective = effective_tag_policy(&org(vec![root_a(), d]), "111111111111");
        assert_eq!(
            serde_json::to_value(&effective).unwrap(),
            json!({"costcenter": {"tag_key": "CostCenter", "tag_value": ["Support"]}})
        );
    }

    /// AWS's inheritance example 4: child control `@@none` locks the key; `@@append` still adds values.
    #[test]
    fn child_control_locks_key_but_allows_append() {
        let e = policy(
            "E",
            "r-root",
            json!({"tags": {"project": {
            "tag_key": {"@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "Project"},
            "tag_value": {"@@operators_allowed_for_child_policies": ["@@append"], "@@assign": ["Maintenance", "Escalations"]}}}}),
        );
        let f = policy(
            "F",
            "ou-1",
            json!({"tags": {"project": {"tag_key": {"@@assign": "PROJECT"}, "tag_value": {"@@append": ["Escalations - research"]}}}}),
        );
        let effective = effective_tag_policy(&org(vec![e, f]), "111111111111");
        assert_eq!(effective["project"].tag_key, "Project");
        assert_eq!(
            effective["project"].tag_value.as_deref().unwrap(),
            ["Maintenance", "Escalations", "Escalations - research"]
        );
    }

    /// AWS's inheritance example 6: at one level, the policy attached first sets the key.
    #[test]
    fn first_attached_policy_wins_at_the_same_level() {
        let j = policy(
            "J",
            "r-root",
            json!({"tags": {"project": {"tag_key": {"@@assign": "PROJECT"}, "tag_value": {"@@append": ["Maintenance"]}}}}),
        );
        let k = policy(
            "K",
            "r-root",
            json!({"tags": {"project": {"tag_key": {"@@assign": "project"}}}}),
        );
        let effective = effective_tag_policy(&org(vec![j, k]), "111111111111");
        assert_eq!(
            serde_json::to_value(&effective).unwrap(),
            json!({"project": {"tag_key": "PROJECT", "tag_value": ["Maintenance"]}})
        );
    }

    #[test]
    fn org_path_lists_root_and_ous() {
        assert_eq!(org_path(&org(vec![]), "111111111111"), "o-exampleorg/r-root/ou-1/");
    }
}

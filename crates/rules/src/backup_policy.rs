//! Organization backup policies (`BACKUP_POLICY`): the effective backup policy of an account, merged from the policies attached to the root, each OU down to the account and the account itself with the inheritance operators (`@@assign`, `@@append`, `@@remove`) and the child control operator (`@@operators_allowed_for_child_policies`), as `DescribeEffectivePolicy` shows it (aws-plans-policies-events-facts.md §2, aws-org-wire-facts.md §1.2–1.3).

use serde_json::{Map, Value, json};

use crate::backup_plans::BackupPlan;
use crate::ids::IdGenerator;
use crate::world::{Organization, World};

/// The operators a level may use on a setting or container of the policies below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Allowed {
    assign: bool,
    append: bool,
    remove: bool,
}

impl Allowed {
    const ALL: Allowed = Allowed {
        assign: true,
        append: true,
        remove: true,
    };

    /// `@@operators_allowed_for_child_policies`: `["@@all"]`, `["@@none"]`, or a subset of
    /// `["@@assign", "@@append", "@@remove"]`; "If an inherited child control operator limits
    /// the use of an operator, you can't reverse that rule in a child policy" (an
    /// intersection).
    fn restrict(self, list: &Value) -> Allowed {
        let names: Vec<&str> = list
            .as_array()
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if names.contains(&"@@all") {
            return self;
        }
        Allowed {
            assign: self.assign && names.contains(&"@@assign"),
            append: self.append && names.contains(&"@@append"),
            remove: self.remove && names.contains(&"@@remove"),
        }
    }

    fn permits(self, operator: &str) -> bool {
        match operator {
            "@@assign" => self.assign,
            "@@append" => self.append,
            "@@remove" => self.remove,
            _ => false,
        }
    }
}

/// A node of the effective policy: a container of named children, or a setting's value.
#[derive(Debug, Clone)]
enum Node {
    Container {
        /// Children by lower-cased key ("This identifier is not case sensitive"), in order.
        children: Vec<(String, Node)>,
        /// What levels below may do to it: `@@append` adds children ("enables child policies
        /// to add other plans"), `@@assign` and `@@remove` change inherited ones.
        allowed: Allowed,
    },
    Setting {
        value: Value,
        allowed: Allowed,
        /// The level that last assigned it: at one level, the first attached policy's
        /// `@@assign` wins.
        assigned_at: Option<usize>,
    },
}

impl Node {
    fn container() -> Node {
        Node::Container {
            children: Vec::new(),
            allowed: Allowed::ALL,
        }
    }

    /// The effective policy's JSON: operators stripped, single values plain.
    fn to_json(&self) -> Value {
        match self {
            Node::Container { children, .. } => Value::Object(
                children
                    .iter()
                    .map(|(key, node)| (key.clone(), node.to_json()))
                    .collect::<Map<String, Value>>(),
            ),
            Node::Setting { value, .. } => value.clone(),
        }
    }
}

/// Whether a policy's object is a setting (it carries a value-setting operator).
fn is_setting(object: &Map<String, Value>) -> bool {
    ["@@assign", "@@append", "@@remove"]
        .iter()
        .any(|op| object.contains_key(*op))
}

/// The values of an array setting (a single value counts as one).
fn values(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// Applies one policy's setting object at `level` to `node` (absent: a new setting), and its
/// child control operator to what the levels below may do.
fn apply_setting(node: &mut Option<Node>, object: &Map<String, Value>, level: usize) {
    let (mut value, allowed, assigned_at) = match node.take() {
        Some(Node::Setting {
            value,
            allowed,
            assigned_at,
        }) => (Some(value), allowed, assigned_at),
        // A container overwritten by a setting, or nothing yet.
        _ => (None, Allowed::ALL, None),
    };
    let mut assigned_here = assigned_at;
    if let Some(assign) = object.get("@@assign")
        && allowed.permits("@@assign")
        && assigned_at != Some(level)
    {
        // "Overwrites any inherited policy settings with the specified settings"; arrays:
        // "removes any inherited values and replaces them".
        value = Some(assign.clone());
        assigned_here = Some(level);
    }
    if let Some(append) = object.get("@@append")
        && allowed.permits("@@append")
    {
        // "Adds the specified settings (without removing any) to the inherited ones."
        let mut items = value.as_ref().map(values).unwrap_or_default();
        for item in values(append) {
            if !items.contains(&item) {
                items.push(item);
            }
        }
        value = Some(Value::Array(items));
    }
    if let Some(remove) = object.get("@@remove")
        && allowed.permits("@@remove")
        && let Some(current) = &value
    {
        // "Removes the specified inherited settings from the effective policy, if they exist."
        let gone = values(remove);
        value = Some(Value::Array(
            values(current).into_iter().filter(|v| !gone.contains(v)).collect(),
        ));
    }
    let allowed = match object.get("@@operators_allowed_for_child_policies") {
        Some(list) => allowed.restrict(list),
        None => allowed,
    };
    *node = value.map(|value| Node::Setting {
        value,
        allowed,
        assigned_at: assigned_here,
    });
}

/// Merges one policy document's object into a container node at `level`.
fn merge_object(children: &mut Vec<(String, Node)>, allowed: Allowed, object: &Map<String, Value>, level: usize) {
    for (key, value) in object {
        if key.starts_with("@@") {
            continue;
        }
        let key = key.to_lowercase();
        let position = children.iter().position(|(k, _)| *k == key);
        // Adding a child needs `@@append` on the container ("enables child policies to add
        // other plans to the collection"); the root level adds freely.
        if position.is_none() && level > 0 && !allowed.append {
            continue;
        }
        match value {
            Value::Object(inner) if is_setting(inner) => {
                let mut node = position.map(|i| children.remove(i).1);
                apply_setting(&mut node, inner, level);
                if let Some(node) = node {
                    let at = position.unwrap_or(children.len()).min(children.len());
                    children.insert(at, (key, node));
                }
            }
            Value::Object(inner) => {
                let i = match position {
                    Some(i) => i,
                    None => {
                        children.push((key, Node::container()));
                        children.len() - 1
                    }
                };
                if !matches!(children[i].1, Node::Container { .. }) {
                    children[i].1 = Node::container();
                }
                if let Node::Container {
                    children: inner_children,
                    allowed: inner_allowed,
                } = &mut children[i].1
                {
                    merge_object(inner_children, *inner_allowed, inner, level);
                    if let Some(list) = inner.get("@@operators_allowed_for_child_policies") {
                        *inner_allowed = inner_allowed.restrict(list);
                    }
                }
            }
            // A value without an operator: taken as assigned (modeled; AWS's syntax gives every
            // setting an operator).
            other => {
                let mut object = Map::new();
                object.insert("@@assign".to_owned(), other.clone());
                let mut node = position.map(|i| children.remove(i).1);
                apply_setting(&mut node, &object, level);
                if let Some(node) = node {
                    let at = position.unwrap_or(children.len()).min(children.len());
                    children.insert(at, (key, node));
                }
            }
        }
    }
}

/// The effective backup policy of `account` in `org`, from `policies_at(target)`: the backup
/// policies attached to a target (root, OU or account id), in attach order. Levels go from the
/// root through each OU down to the account; `None` when no level has a policy. Keys come out
/// lower-cased, as AWS's CLI example shows them; `$account` stays as written (AWS Backup
/// replaces it when it runs the plan).
pub fn effective_backup_policy<'p>(
    org: &Organization,
    account: &str,
    policies_at: impl Fn(&str) -> Vec<&'p Value>,
) -> Option<Value> {
    let mut root: Vec<(String, Node)> = Vec::new();
    let mut root_allowed = Allowed::ALL;
    let mut any = false;
    for (level, target) in crate::tag_policy::targets_of(org, account).iter().enumerate() {
        for policy in policies_at(target) {
            let Some(object) = policy.as_object() else {
                continue;
            };
            any = true;
            merge_object(&mut root, root_allowed, object, level);
            if let Some(list) = object.get("@@operators_allowed_for_child_policies") {
                root_allowed = root_allowed.restrict(list);
            }
        }
    }
    any.then(|| {
        Node::Container {
            children: root,
            allowed: root_allowed,
        }
        .to_json()
    })
}

/// The prefix of the ids of the plans backup policies make: `orgs/` and a UUID
/// (`arn:aws:backup:REGION:ACCOUNT:backup-plan:orgs/UUID`, facts §2.4).
pub const ORGS_PREFIX: &str = "orgs/";

/// Whether a plan was made by an organization's backup policy (read-only in its account).
pub fn is_org_plan(plan_id: &str) -> bool {
    plan_id.starts_with(ORGS_PREFIX)
}

/// A number AWS's policies write as a string (`"480"`) or as a number.
fn number(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_str()?.trim().parse().ok())
}

/// A boolean written as `true` or `"true"`.
fn boolean(value: &Value) -> Option<bool> {
    value.as_bool().or_else(|| value.as_str()?.parse().ok())
}

/// A setting's string values (a single string counts as one).
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// `$account` and `$region` replaced, as AWS Backup does when it runs the plan ("it
/// automatically replaces this variable with the current AWS account"; `$region` documented
/// for the logically air-gapped vault ARN, taken everywhere: modeled).
fn placed(text: &str, account: &str, region: &str) -> String {
    text.replace("$account", account).replace("$region", region)
}

/// A policy lifecycle as AWS's `Lifecycle` shape.
fn lifecycle(value: &Value) -> Option<Value> {
    let object = value.as_object()?;
    let mut out = Map::new();
    for (key, name) in [
        ("move_to_cold_storage_after_days", "MoveToColdStorageAfterDays"),
        ("delete_after_days", "DeleteAfterDays"),
    ] {
        if let Some(n) = object.get(key).and_then(number) {
            out.insert(name.to_owned(), json!(n));
        }
    }
    if let Some(b) = object
        .get("opt_in_to_archive_for_supported_resources")
        .and_then(boolean)
    {
        out.insert("OptInToArchiveForSupportedResources".to_owned(), json!(b));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// A policy `conditions` block as AWS's `Conditions` shape.
fn conditions(value: &Value, account: &str, region: &str) -> Option<Value> {
    let object = value.as_object()?;
    let mut out = Map::new();
    for (key, name) in [
        ("string_equals", "StringEquals"),
        ("string_not_equals", "StringNotEquals"),
        ("string_like", "StringLike"),
        ("string_not_like", "StringNotLike"),
    ] {
        let Some(entries) = object.get(key).and_then(Value::as_object) else {
            continue;
        };
        let list: Vec<Value> = entries
            .values()
            .filter_map(|c| {
                Some(json!({
                    "ConditionKey": c.get("condition_key")?.as_str()?,
                    "ConditionValue": placed(c.get("condition_value")?.as_str()?, account, region),
                }))
            })
            .collect();
        out.insert(name.to_owned(), Value::Array(list));
    }
    Some(Value::Object(out))
}

/// One plan of an effective backup policy, in `account` and `region`, as a world's
/// `backup_plans[]` entry; `None` when the effective plan lacks a required element (AWS
/// "considers the policy not valid and does not back up the affected resources").
fn plan_in(org: &Organization, account: &str, region: &str, key: &str, plan: &Value) -> Option<BackupPlan> {
    let id = format!(
        "{ORGS_PREFIX}{}",
        IdGenerator::for_names(&["orgs-backup-plan", &org.id, account, region, key]).uuid()
    );
    let mut rules = Vec::new();
    for (name, rule) in plan.get("rules")?.as_object()? {
        let text = |k: &str| rule.get(k).and_then(Value::as_str).map(|t| placed(t, account, region));
        let mut out = Map::new();
        out.insert("RuleName".to_owned(), json!(name));
        out.insert(
            "TargetBackupVaultName".to_owned(),
            json!(text("target_backup_vault_name")?),
        );
        out.insert("ScheduleExpression".to_owned(), json!(text("schedule_expression")?));
        if let Some(vault) = text("target_logically_air_gapped_backup_vault_arn") {
            out.insert("TargetLogicallyAirGappedBackupVaultArn".to_owned(), json!(vault));
        }
        for (k, member) in [
            ("start_backup_window_minutes", "StartWindowMinutes"),
            ("complete_backup_window_minutes", "CompletionWindowMinutes"),
        ] {
            if let Some(n) = rule.get(k).and_then(number) {
                out.insert(member.to_owned(), json!(n));
            }
        }
        if let Some(b) = rule.get("enable_continuous_backup").and_then(boolean) {
            out.insert("EnableContinuousBackup".to_owned(), json!(b));
        }
        if let Some(l) = rule.get("lifecycle").and_then(lifecycle) {
            out.insert("Lifecycle".to_owned(), l);
        }
        if let Some(tags) = rule.get("recovery_point_tags").and_then(Value::as_object) {
            let map: Map<String, Value> = tags
                .values()
                .filter_map(|t| {
                    let value = strings(t.get("tag_value")?).into_iter().next()?;
                    Some((t.get("tag_key")?.as_str()?.to_owned(), json!(value)))
                })
                .collect();
            out.insert("RecoveryPointTags".to_owned(), Value::Object(map));
        }
        if let Some(actions) = rule.get("copy_actions").and_then(Value::as_object) {
            let list: Vec<Value> = actions
                .iter()
                .map(|(vault_key, action)| {
                    // "If this key is missing, then an all lower-case version of the ARN in the
                    // parent key name is used."
                    let arn = action
                        .get("target_backup_vault_arn")
                        .and_then(Value::as_str)
                        .unwrap_or(vault_key);
                    let mut copy = json!({"DestinationBackupVaultArn": placed(arn, account, region)});
                    if let Some(l) = action.get("lifecycle").and_then(lifecycle) {
                        copy["Lifecycle"] = l;
                    }
                    copy
                })
                .collect();
            out.insert("CopyActions".to_owned(), Value::Array(list));
        }
        rules.push(Value::Object(out));
    }
    let mut selections = Vec::new();
    let chosen = plan.get("selections")?.as_object()?;
    for (kind, entries) in chosen {
        for (name, selection) in entries.as_object().into_iter().flatten() {
            let role = placed(selection.get("iam_role_arn")?.as_str()?, account, region);
            let mut out = json!({"SelectionName": name, "IamRoleArn": role});
            match kind.as_str() {
                "tags" => {
                    let key = selection.get("tag_key")?.as_str()?;
                    out["ListOfTags"] = Value::Array(
                        strings(selection.get("tag_value")?)
                            .into_iter()
                            .map(|v| json!({"ConditionType": "STRINGEQUALS", "ConditionKey": key, "ConditionValue": v}))
                            .collect(),
                    );
                }
                "resources" => {
                    let types = |k: &str| -> Vec<String> {
                        selection
                            .get(k)
                            .map(strings)
                            .unwrap_or_default()
                            .iter()
                            .map(|t| placed(t, account, region))
                            .collect()
                    };
                    out["Resources"] = json!(types("resource_types"));
                    out["NotResources"] = json!(types("not_resource_types"));
                }
                _ => continue,
            }
            if let Some(c) = selection.get("conditions").and_then(|c| conditions(c, account, region)) {
                out["Conditions"] = c;
            }
            selections.push(json!({
                "id": IdGenerator::for_names(&["orgs-backup-selection", &id, kind, name]).uuid(),
                "selection": out,
            }));
        }
    }
    if rules.is_empty() || selections.is_empty() {
        return None;
    }
    let document = json!({"BackupPlanName": key, "Rules": rules});
    let version = crate::backup_plans::version_id(&mut IdGenerator::for_names(&[
        "orgs-backup-plan-version",
        &id,
        &document.to_string(),
    ]));
    serde_json::from_value(json!({
        "id": id,
        "account": account,
        "region": region,
        "plan": document,
        "version_id": version,
        "selections": selections,
    }))
    .ok()
}

/// The backup plans `account`'s effective backup policy makes: one per plan and Region in its
/// `regions` (modeled: AWS shows one plan in the Region a policy names, and documents no more),
/// with `orgs/` ids derived from the organization, account, Region and plan name, and
/// `$account` and `$region` replaced.
pub fn org_plans(org: &Organization, account: &str) -> Vec<BackupPlan> {
    let Some(effective) = effective_of(org, account) else {
        return Vec::new();
    };
    let mut plans = Vec::new();
    for (key, plan) in effective.get("plans").and_then(Value::as_object).into_iter().flatten() {
        for region in plan.get("regions").map(strings).unwrap_or_default() {
            if let Some(made) = plan_in(org, account, &region, key, plan) {
                plans.push(made);
            }
        }
    }
    plans
}

/// Brings the world's `orgs/` plans in line with its organizations' backup policies: every
/// account's (the management account's too: "All accounts that are members of the organization
/// root or OU where a policy is attached inherit that policy") plans made anew, those no policy
/// makes any more gone (modeled: AWS documents neither the delay nor what happens to them).
/// Plans made by hand are left as they are. Whether anything changed.
pub fn sync_plans(world: &mut World) -> bool {
    // No backup policy and no plan one made: nothing to do (the common case, kept cheap since
    // every Organizations write asks).
    if world.organizations.iter().all(|o| o.backup_policies.is_empty())
        && !world.backup_plans.iter().any(|p| is_org_plan(&p.id))
    {
        return false;
    }
    let made: Vec<BackupPlan> = world
        .organizations
        .iter()
        .flat_map(|org| {
            std::iter::once(org.management_account.as_str())
                .chain(org.accounts.iter().map(|a| a.id.as_str()))
                .flat_map(move |account| org_plans(org, account))
        })
        .collect();
    let existing: Vec<&BackupPlan> = world.backup_plans.iter().filter(|p| is_org_plan(&p.id)).collect();
    let unchanged = existing.len() == made.len() && made.iter().all(|m| existing.contains(&m));
    if unchanged {
        return false;
    }
    world.backup_plans.retain(|p| !is_org_plan(&p.id));
    world.backup_plans.extend(made);
    true
}

/// [`effective_backup_policy`] of `account` from the organization's own backup policies.
pub fn effective_of(org: &Organization, account: &str) -> Option<Value> {
    effective_backup_policy(org, account, |target| {
        org.backup_policies
            .iter()
            .filter(|p| p.targets.iter().any(|t| t == target))
            .map(|p| &p.content)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn org() -> Organization {
        serde_json::from_value(json!({
            "id": "o-a1b2c3d4e5", "management_account": "123456789012", "root_id": "r-a1b2",
            "organizational_units": [{"id": "ou-a1b2-11111111", "name": "Prod", "parent": "r-a1b2"}],
            "accounts": [{"id": "111122223333", "parent": "ou-a1b2-11111111"}, {"id": "444455556666"}]
        }))
        .unwrap()
    }

    fn plan(rule_schedule: &str) -> Value {
        json!({"plans": {"PII_Backup_Plan": {
            "regions": {"@@assign": ["us-east-1"]},
            "rules": {"Hourly": {
                "schedule_expression": {"@@assign": rule_schedule},
                "target_backup_vault_name": {"@@assign": "FortKnox"}
            }},
            "selections": {"tags": {"datatype": {
                "iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/MyIamRole"},
                "tag_key": {"@@assign": "dataType"},
                "tag_value": {"@@assign": ["PII", "RED"]}
            }}}
        }}})
    }

    #[test]
    fn an_ou_policy_assigns_over_the_root_and_keys_come_out_lower_cased() {
        let (org, root_policy) = (org(), plan("cron(0 5 ? * * *)"));
        let ou_policy = json!({"plans": {"pii_backup_plan": {
            "rules": {"hourly": {"schedule_expression": {"@@assign": "cron(0 1 ? * * *)"}}},
            "regions": {"@@append": ["eu-west-1"]}
        }}});
        let effective = effective_backup_policy(&org, "111122223333", |t| match t {
            "r-a1b2" => vec![&root_policy],
            "ou-a1b2-11111111" => vec![&ou_policy],
            _ => vec![],
        })
        .unwrap();
        let plan = &effective["plans"]["pii_backup_plan"];
        assert_eq!(plan["rules"]["hourly"]["schedule_expression"], "cron(0 1 ? * * *)");
        assert_eq!(plan["rules"]["hourly"]["target_backup_vault_name"], "FortKnox");
        assert_eq!(plan["regions"], json!(["us-east-1", "eu-west-1"]));
        assert_eq!(
            plan["selections"]["tags"]["datatype"]["iam_role_arn"], "arn:aws:iam::$account:role/MyIamRole",
            "$account stays as written"
        );
        // The other account is not under the OU: the root's policy only.
        let other = effective_backup_policy(&org, "444455556666", |t| match t {
            "r-a1b2" => vec![&root_policy],
            "ou-a1b2-11111111" => vec![&ou_policy],
            _ => vec![],
        })
        .unwrap();
        assert_eq!(
            other["plans"]["pii_backup_plan"]["rules"]["hourly"]["schedule_expression"],
            "cron(0 5 ? * * *)"
        );
        assert_eq!(effective_backup_policy(&org, "444455556666", |_| vec![]), None);
    }

    #[test]
    fn plans_of_different_names_coexist_and_child_control_blocks_what_it_forbids() {
        let org = org();
        let locked = json!({"plans": {
            "@@operators_allowed_for_child_policies": ["@@none"],
            "Base": {"regions": {"@@assign": ["us-east-1"],
                                 "@@operators_allowed_for_child_policies": ["@@none"]}}
        }});
        let child = json!({"plans": {
            "Monthly": {"regions": {"@@assign": ["us-east-1"]}},
            "base": {"regions": {"@@assign": ["eu-west-1"]}}
        }});
        let effective = effective_backup_policy(&org, "111122223333", |t| match t {
            "r-a1b2" => vec![&locked],
            "111122223333" => vec![&child],
            _ => vec![],
        })
        .unwrap();
        assert_eq!(
            effective["plans"],
            json!({"base": {"regions": ["us-east-1"]}}),
            "@@none on plans: no new plan, no change"
        );
        let open = json!({"plans": {
            "@@operators_allowed_for_child_policies": ["@@append"],
            "Base": {"regions": {"@@assign": ["us-east-1"]}}
        }});
        let effective = effective_backup_policy(&org, "111122223333", |t| match t {
            "r-a1b2" => vec![&open],
            "111122223333" => vec![&child],
            _ => vec![],
        })
        .unwrap();
        assert_eq!(
            effective["plans"]["monthly"]["regions"],
            json!(["us-east-1"]),
            "@@append on plans: a child adds a plan"
        );
        // The same level: the first attached policy's @@assign wins.
        let first = json!({"plans": {"P": {"regions": {"@@assign": ["us-east-1"]}}}});
        let second = json!({"plans": {"P": {"regions": {"@@assign": ["eu-west-1"]}}}});
        let effective = effective_backup_policy(&org, "111122223333", |t| match t {
            "r-a1b2" => vec![&first, &second],
            _ => vec![],
        })
        .unwrap();
        assert_eq!(effective["plans"]["p"]["regions"], json!(["us-east-1"]));
    }
}

//! Organization backup policies (`BACKUP_POLICY`): the effective backup policy of an account, merged from the policies attached to the root, each OU down to the account and the account itself with the inheritance operators (`@@assign`, `@@append`, `@@remove`) and the child control operator (`@@operators_allowed_for_child_policies`), as `DescribeEffectivePolicy` shows it (aws-plans-policies-events-facts.md §2, aws-org-wire-facts.md §1.2–1.3).

use serde_json::{Map, Value};

use crate::world::Organization;

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

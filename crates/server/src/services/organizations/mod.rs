//! AWS Organizations on the wire (awsJson1_1, `X-Amz-Target: AWSOrganizationsV20161128.*`): the organization, its accounts and root, tag and backup policies and their attachments, and effective tag policies, kept in the world the rules engine reads, so that removing an account or attaching a tag policy changes the next copy job.
//!
//! Who may call (facts aws-org-wire §1.7): any account of the organization may describe it and
//! its own effective policy; the other operations are the management account's (delegated
//! administrators are not modeled). Tag policies live in the world (`tag_policies`, the engine
//! applies them); backup policies and enabled policy types are kept by the server. Policy ids
//! are derived from the organization and the policy name, so they are stable across runs.

use axum::http::StatusCode;
use copylab_rules::world::{Organization, TagPolicy};
use serde_json::{Map, Value, json};

use crate::state::ServerState;
use crate::wire::{ApiError, Caller};

pub mod control;
pub mod structure;

/// The `X-Amz-Target` prefix of Organizations operations (facts aws-org-wire §1.7).
pub const TARGET_PREFIX: &str = "AWSOrganizationsV20161128.";

/// Organizations state the world has no field for.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationsState {
    /// Backup policies: (organization id, policy id, name, description, content, targets).
    /// Policy types enabled per organization id (until the first Organizations call: `TAG_POLICY`
    /// is enabled when the world has tag policies).
    pub enabled: std::collections::BTreeMap<String, Vec<String>>,
    /// Descriptions of tag policies, by policy id.
    pub descriptions: std::collections::BTreeMap<String, String>,
    /// Feature sets of organizations made by `CreateOrganization` (the world's are `ALL`).
    pub feature_sets: std::collections::BTreeMap<String, String>,
    /// Names, emails and join dates of accounts created or invited through the API.
    pub accounts: std::collections::BTreeMap<String, structure::AccountExtra>,
    /// `CreateAccount` requests.
    pub create_account_statuses: Vec<structure::CreateAccountStatus>,
    /// Invitations.
    pub handshakes: Vec<structure::Handshake>,
    /// The organization's own SCPs or RCPs while their type is disabled, by `ORG-ID/TYPE` (the
    /// world holds them while it is enabled).
    pub disabled_control_policies: std::collections::BTreeMap<String, Vec<copylab_rules::world::ControlPolicy>>,
}

const IMPLEMENTED: &[&str] = &[
    "CreateOrganization",
    "CreateAccount",
    "DescribeCreateAccountStatus",
    "InviteAccountToOrganization",
    "AcceptHandshake",
    "DeclineHandshake",
    "DescribeHandshake",
    "CreateOrganizationalUnit",
    "MoveAccount",
    "DescribeOrganization",
    "ListAccounts",
    "DescribeAccount",
    "ListParents",
    "ListRoots",
    "RemoveAccountFromOrganization",
    "CreatePolicy",
    "AttachPolicy",
    "DetachPolicy",
    "ListPolicies",
    "EnablePolicyType",
    "DisablePolicyType",
    "DescribePolicy",
    "UpdatePolicy",
    "DeletePolicy",
    "ListPoliciesForTarget",
    "ListTargetsForPolicy",
    "DescribeEffectivePolicy",
];

/// An account of organization `index` as ListAccounts and DescribeAccount show it.
fn account_json(state: &ServerState, index: usize, id: &str) -> Value {
    let org = &state.world().organizations[index];
    let extra = state.services.organizations.accounts.get(id);
    let management = id == org.management_account;
    json!({
        "Id": id,
        "Arn": format!("arn:aws:organizations::{}:account/{}/{id}", org.management_account, org.id),
        "Email": extra.map_or_else(|| default_email(id), |e| e.email.clone()),
        "Name": extra.map_or_else(|| if management { "management".to_owned() } else { default_name(id) }, |e| e.name.clone()),
        "Status": "ACTIVE",
        "State": "ACTIVE",
        "JoinedMethod": extra.map_or(if management { "CREATED" } else { "INVITED" }, |e| e.joined_method.as_str()),
        // Every account has joined, the world's at the modeled date (as vaults the world
        // starts with were created then).
        "JoinedTimestamp": extra.map_or_else(|| state.started(), |e| e.joined),
    })
}

/// `AWSOrganizationsNotInUseException` as observed at runtime (nozaq/terraform-aws-secure-baseline#70).
fn not_in_use() -> ApiError {
    ApiError::new(
        "AWSOrganizationsNotInUseException",
        StatusCode::BAD_REQUEST,
        "Your account is not a member of an organization.",
    )
}

/// `AccessDeniedException` as observed for a member account (aws-samples/aws-iam-access-key-auto-rotation#10).
pub(crate) fn access_denied() -> ApiError {
    ApiError::new(
        "AccessDeniedException",
        StatusCode::BAD_REQUEST,
        "You don't have permissions to access this resource.",
    )
}

/// The documented `PolicyTypeNotEnabledException` (SDK model docs, facts aws-org-wire §1.7).
fn type_not_enabled() -> ApiError {
    ApiError::new(
        "PolicyTypeNotEnabledException",
        StatusCode::BAD_REQUEST,
        "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root. For more information, see Enabling all features in your organization in the Organizations User Guide.",
    )
}

/// `TargetNotFoundException` (API reference, DescribeEffectivePolicy errors).
fn target_not_found() -> ApiError {
    ApiError::new(
        "TargetNotFoundException",
        StatusCode::BAD_REQUEST,
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    )
}

include!(concat!(env!("OUT_DIR"), "/organizations_operations.rs"));

/// AWS Organizations for the call pipeline.
pub static SERVICE: crate::call::Service = crate::call::Service {
    name: "AWS Organizations",
    protocol: crate::wire::Protocol::Json,
    operations: OPERATIONS,
    implements: |operation| IMPLEMENTED.contains(&operation),
    run: |operation, ctx, input| run(operation, ctx.state, ctx.caller, input).map(crate::call::Output::Json),
    // The pinned model's `xmlNamespace` and `apiVersion`.
    xml_namespace: "",
    api_version: "2016-11-28",
    signing_name: "organizations",
    invalid_input: Some(invalid_input),
};

/// An enum member outside its values: `InvalidInputException` with the `Reason` the pinned
/// model documents for it, `INVALID_ENUM` ("You specified an invalid value."), or, for a policy
/// type, `INVALID_ENUM_POLICY_TYPE` ("You specified an invalid policy type string."). The
/// reference holds no message AWS sends with either: the reason's description stands in
/// (modeled). Other violations keep the protocol's `ValidationException`.
fn invalid_input(violations: &[crate::wire::members::Violation]) -> Option<ApiError> {
    let values = violations
        .iter()
        .find_map(crate::wire::members::Violation::enum_values)?;
    let (reason, message) = if values.contains(&"SERVICE_CONTROL_POLICY") {
        (
            "INVALID_ENUM_POLICY_TYPE",
            "You specified an invalid policy type string.",
        )
    } else {
        ("INVALID_ENUM", "You specified an invalid value.")
    };
    Some(
        ApiError::new("InvalidInputException", StatusCode::BAD_REQUEST, message)
            .with_reason(reason)
            .modeled(),
    )
}

fn run(name: &str, state: &mut ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<Value, ApiError> {
    let mut answer = answer(name, state, caller, input)?;
    // A write may change an account's effective backup policy, and so the plans it makes there.
    if !ServerState::read_only(name) {
        state.sync_org_backup_plans();
    }
    in_partition(&mut answer, copylab_rules::regions::partition(&caller.region));
    Ok(answer)
}

/// Organizations' ARNs (`arn:aws:organizations::...`, the model's patterns) in the partition of
/// the Region the request was signed for (`arn:aws-cn:` for `cn-north-1`, `arn:aws-iso-b:` for
/// `us-isob-east-1`: `regions::partition`), in one place, so the handlers write `arn:aws:`.
fn in_partition(value: &mut Value, partition: &str) {
    if partition == "aws" {
        return;
    }
    match value {
        Value::String(text) => {
            if let Some(rest) = text.strip_prefix("arn:aws:organizations:") {
                *text = format!("arn:{partition}:organizations:{rest}");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| in_partition(item, partition)),
        Value::Object(members) => members.values_mut().for_each(|member| in_partition(member, partition)),
        _ => {}
    }
}

fn answer(name: &str, state: &mut ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<Value, ApiError> {
    // Operations of an account that need not be in an organization: it creates one, or
    // answers an invitation.
    match name {
        "CreateOrganization" => return structure::create_organization(state, caller, input),
        "AcceptHandshake" | "DeclineHandshake" => {
            return structure::answer_handshake(state, caller, input, name == "AcceptHandshake");
        }
        "DescribeHandshake" => return structure::describe_handshake(state, caller, input),
        _ => {}
    }
    let index = structure::organization_of(state, &caller.account).ok_or_else(not_in_use)?;
    let management = state.world().organizations[index].management_account == caller.account;
    let any_account = matches!(name, "DescribeOrganization" | "DescribeEffectivePolicy");
    if !management && !any_account {
        return Err(access_denied());
    }
    // The enabled policy types are fixed from the world on the first call, before any change.
    let org_id = state.world().organizations[index].id.clone();
    let fresh = !state.services.organizations.enabled.contains_key(&org_id);
    if fresh {
        let enabled = stored_types(&enabled_types(state, index));
        state.services.organizations.enabled.insert(org_id.clone(), enabled);
    }
    let result = run_in(name, state, caller, input, index, management);
    if fresh && result.is_err() {
        // A refused request leaves no trace.
        state.services.organizations.enabled.remove(&org_id);
    }
    result
}

fn run_in(
    name: &str,
    state: &mut ServerState,
    caller: &Caller,
    input: &Map<String, Value>,
    index: usize,
    management: bool,
) -> Result<Value, ApiError> {
    let str_input = |member: &str| input.get(member).and_then(Value::as_str).unwrap_or_default().to_owned();
    match name {
        "DescribeOrganization" => Ok(json!({"Organization": describe(state, index)})),
        "ListAccounts" => {
            let org = &state.world().organizations[index];
            let ids = std::iter::once(org.management_account.clone()).chain(org.accounts.iter().map(|a| a.id.clone()));
            let accounts: Vec<Value> = ids.map(|id| account_json(state, index, &id)).collect();
            page(&accounts, input, "Accounts")
        }
        "DescribeAccount" => {
            let id = str_input("AccountId");
            let org = &state.world().organizations[index];
            if id != org.management_account && !org.accounts.iter().any(|a| a.id == id) {
                // The model's documentation of AccountNotFoundException (no runtime capture).
                return Err(structure::organizations_error(
                    "AccountNotFoundException",
                    "We can't find an Amazon Web Services account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.",
                )
                .modeled());
            }
            Ok(json!({"Account": account_json(state, index, &id)}))
        }
        "ListParents" => {
            let child = str_input("ChildId");
            let org = &state.world().organizations[index];
            let parent = if child == org.management_account {
                None
            } else if let Some(account) = org.accounts.iter().find(|a| a.id == child) {
                account.parent.clone()
            } else if let Some(unit) = org.organizational_units.iter().find(|u| u.id == child) {
                unit.parent.clone()
            } else {
                // The model's documentation of ChildNotFoundException (no runtime capture).
                return Err(structure::organizations_error(
                    "ChildNotFoundException",
                    "We can't find an organizational unit (OU) or Amazon Web Services account with the ChildId that you specified.",
                )
                .modeled());
            };
            let parent = match parent {
                Some(ou) => json!({"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}),
                None => json!({"Id": org.root_id, "Type": "ROOT"}),
            };
            page(&[parent], input, "Parents")
        }
        "ListRoots" => Ok(json!({"Roots": [root(state, index)]})),
        "CreateAccount" => structure::create_account(state, index, input),
        "DescribeCreateAccountStatus" => structure::describe_create_account_status(state, index, input),
        "InviteAccountToOrganization" => structure::invite(state, index, input),
        "CreateOrganizationalUnit" => structure::create_organizational_unit(state, index, input),
        "MoveAccount" => structure::move_account(state, index, input),
        "RemoveAccountFromOrganization" => {
            let account = str_input("AccountId");
            let org = &mut state.world_mut().organizations[index];
            if account == org.management_account {
                // The pinned model's text for the reason ACCOUNT_CANNOT_LEAVE_ORGANIZATION (no
                // runtime capture found).
                return Err(ApiError::new(
                    "ConstraintViolationException",
                    StatusCode::BAD_REQUEST,
                    "You attempted to remove the management account from the organization. You can't remove the management account. Instead, after you remove all member accounts, delete the organization itself.",
                ));
            }
            let before = org.accounts.len();
            org.accounts.retain(|a| a.id != account);
            if org.accounts.len() == before {
                return Err(ApiError::new(
                    "AccountNotFoundException",
                    StatusCode::BAD_REQUEST,
                    "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.",
                ).modeled());
            }
            for policy in org.tag_policies.iter_mut().chain(org.backup_policies.iter_mut()) {
                policy.targets.retain(|t| *t != account);
            }
            for set in [&mut org.service_control_policies, &mut org.resource_control_policies]
                .into_iter()
                .flatten()
            {
                set.default_detached_from.retain(|t| *t != account);
                for policy in &mut set.policies {
                    policy.targets.retain(|t| *t != account);
                }
            }
            // What Organizations kept about the account goes with it.
            state.services.organizations.accounts.remove(&account);
            Ok(json!({}))
        }
        "CreatePolicy" => create_policy(state, index, input),
        "AttachPolicy" | "DetachPolicy" => attach(
            state,
            index,
            &str_input("PolicyId"),
            &str_input("TargetId"),
            name == "AttachPolicy",
        ),
        "ListPolicies" => {
            let filter = str_input("Filter");
            let policies: Vec<Value> = policy_summaries(state, index)
                .into_iter()
                .filter(|p| p["Type"] == filter.as_str())
                .collect();
            page(&policies, input, "Policies")
        }
        "DisablePolicyType" => {
            let policy_type = str_input("PolicyType");
            if str_input("RootId") != state.world().organizations[index].root_id {
                return Err(ApiError::new(
                    "RootNotFoundException",
                    StatusCode::BAD_REQUEST,
                    "We can't find a root with the RootId that you specified.",
                ));
            }
            let enabled = enabled_types(state, index);
            if !enabled.contains(&policy_type) {
                return Err(ApiError::new(
                    "PolicyTypeNotEnabledException",
                    StatusCode::BAD_REQUEST,
                    "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root. For more information, see Enabling all features in your organization in the Organizations User Guide.",
                ));
            }
            if let Some(kind) = control::policy_type(&policy_type) {
                control::disable(state, index, kind);
            } else {
                let org_id = state.world().organizations[index].id.clone();
                let rest: Vec<String> = enabled.into_iter().filter(|t| *t != policy_type).collect();
                state.services.organizations.enabled.insert(org_id, stored_types(&rest));
            }
            Ok(json!({"Root": root(state, index)}))
        }
        "DescribePolicy" => {
            let view = find_policy(state, index, &str_input("PolicyId"))?;
            Ok(json!({"Policy": {"PolicySummary": view.summary, "Content": view.content}}))
        }
        "ListTargetsForPolicy" => {
            let view = find_policy(state, index, &str_input("PolicyId"))?;
            let targets: Vec<Value> = view.targets.iter().map(|t| target_summary(state, index, t)).collect();
            page(&targets, input, "Targets")
        }
        "ListPoliciesForTarget" => {
            let target = str_input("TargetId");
            if !target_exists(&state.world().organizations[index], &target) {
                return Err(target_not_found());
            }
            let filter = str_input("Filter");
            let policies: Vec<Value> = policy_views(state, index)
                .into_iter()
                .filter(|v| v.summary["Type"] == filter.as_str() && v.targets.contains(&target))
                .map(|v| v.summary)
                .collect();
            page(&policies, input, "Policies")
        }
        "UpdatePolicy" | "DeletePolicy" => {
            let view = find_policy(state, index, &str_input("PolicyId"))?;
            let PolicyRef::Control(kind, policy_name) = view.reference else {
                // copylab changes tag and backup policies by creating, attaching and detaching them.
                return Err(ApiError::not_implemented(name));
            };
            if name == "DeletePolicy" {
                control::delete(state, index, kind, &policy_name)?;
                return Ok(json!({}));
            }
            if let Some(new_name) = input.get("Name").and_then(Value::as_str).filter(|n| *n != policy_name) {
                // A policy's id is derived from its name, so copylab cannot rename one.
                return Err(ApiError::new(
                    "InvalidInputException",
                    StatusCode::BAD_REQUEST,
                    format!(
                        "copylab cannot rename policy `{policy_name}` to `{new_name}`: create a new policy instead"
                    ),
                )
                .modeled());
            }
            control::update(
                state,
                index,
                kind,
                &policy_name,
                input.get("Description").and_then(Value::as_str),
                input.get("Content").and_then(Value::as_str),
            )?;
            let view = find_policy(state, index, &str_input("PolicyId"))?;
            Ok(json!({"Policy": {"PolicySummary": view.summary, "Content": view.content}}))
        }
        "EnablePolicyType" => {
            let policy_type = str_input("PolicyType");
            let root_id = str_input("RootId");
            if root_id != state.world().organizations[index].root_id {
                // Modeled message; the code is the model's for this operation.
                return Err(ApiError::new(
                    "RootNotFoundException",
                    StatusCode::BAD_REQUEST,
                    format!("We can't find a root with the RootId {root_id}."),
                )
                .modeled());
            }
            let org_id = state.world().organizations[index].id.clone();
            if state
                .services
                .organizations
                .feature_sets
                .get(&org_id)
                .is_some_and(|f| f != "ALL")
            {
                // The documented message (botocore's PolicyTypeNotAvailableForOrganizationException page).
                return Err(ApiError::new(
                    "PolicyTypeNotAvailableForOrganizationException",
                    StatusCode::BAD_REQUEST,
                    "You can't use the specified policy type with the feature set currently enabled for this organization. For example, you can enable SCPs only after you enable all features in the organization.",
                ));
            }
            let mut enabled = enabled_types(state, index);
            if enabled.contains(&policy_type) {
                // Modeled message.
                return Err(ApiError::new(
                    "PolicyTypeAlreadyEnabledException",
                    StatusCode::BAD_REQUEST,
                    "The specified policy type is already enabled.",
                )
                .modeled());
            }
            if let Some(kind) = control::policy_type(&policy_type) {
                control::enable(state, index, kind);
            } else {
                enabled.push(policy_type);
                state
                    .services
                    .organizations
                    .enabled
                    .insert(org_id, stored_types(&enabled));
            }
            Ok(json!({"Root": root(state, index)}))
        }
        "DescribeEffectivePolicy" => describe_effective_policy(state, index, caller, management, input),
        other => Err(ApiError::not_implemented(other)),
    }
}

/// The email Organizations shows for an account the world does not describe (modeled message).
pub(crate) fn default_email(account: &str) -> String {
    format!("aws+{account}@example.com")
}

/// The name Organizations shows for an account the world does not describe (modeled message).
pub(crate) fn default_name(account: &str) -> String {
    format!("account-{account}")
}

/// Every account some organization of the world has (management and members).
pub(crate) fn known_accounts(state: &ServerState) -> impl Iterator<Item = String> + '_ {
    state
        .world()
        .organizations
        .iter()
        .flat_map(|o| std::iter::once(o.management_account.clone()).chain(o.accounts.iter().map(|a| a.id.clone())))
}

/// One page of `items` under `items_member`, with `MaxResults` and `NextToken`; a token
/// copylab did not issue is Organizations' `InvalidInputException` (the message is copylab's).
fn page(items: &[Value], input: &Map<String, Value>, items_member: &str) -> Result<Value, ApiError> {
    let page = crate::wire::paging::Paging::NEXT_TOKEN.page(items, input, |message| {
        ApiError::new("InvalidInputException", StatusCode::BAD_REQUEST, message).modeled()
    })?;
    Ok(page.into_body(items_member, "NextToken"))
}

pub(crate) fn describe(state: &ServerState, index: usize) -> Value {
    let org = &state.world().organizations[index];
    let feature_set = state
        .services
        .organizations
        .feature_sets
        .get(&org.id)
        .map_or("ALL", String::as_str);
    json!({
        "Id": org.id,
        "Arn": format!("arn:aws:organizations::{}:organization/{}", org.management_account, org.id),
        "FeatureSet": feature_set,
        "MasterAccountArn": format!("arn:aws:organizations::{}:account/{}/{}", org.management_account, org.id, org.management_account),
        "MasterAccountId": org.management_account,
        "MasterAccountEmail": default_email(&org.management_account),
        // Deprecated by AWS but still sent (aws-cli's CreateOrganization example).
        "AvailablePolicyTypes": if feature_set == "ALL" { json!([{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]) } else { json!([]) },
    })
}

/// The enabled policy types of an organization's root: SCPs and RCPs as the world has them,
/// the other types as the server keeps them.
fn enabled_types(state: &ServerState, index: usize) -> Vec<String> {
    let org = &state.world().organizations[index];
    let mut types: Vec<String> = [
        copylab_policy::ControlPolicyType::ServiceControlPolicy,
        copylab_policy::ControlPolicyType::ResourceControlPolicy,
    ]
    .into_iter()
    .filter(|t| control::enabled(state, index, *t))
    .map(|t| control::type_name(t).to_owned())
    .collect();
    types.extend(
        state
            .services
            .organizations
            .enabled
            .get(&org.id)
            .cloned()
            .unwrap_or_else(|| {
                if org.tag_policies.is_empty() {
                    Vec::new()
                } else {
                    vec!["TAG_POLICY".to_owned()]
                }
            }),
    );
    types
}

/// The types the server keeps (SCPs and RCPs are the world's).
fn stored_types(types: &[String]) -> Vec<String> {
    types
        .iter()
        .filter(|t| control::policy_type(t).is_none())
        .cloned()
        .collect()
}

fn root(state: &ServerState, index: usize) -> Value {
    let org = &state.world().organizations[index];
    let types: Vec<Value> = enabled_types(state, index)
        .into_iter()
        .map(|t| json!({"Type": t, "Status": "ENABLED"}))
        .collect();
    json!({
        "Id": org.root_id,
        "Arn": format!("arn:aws:organizations::{}:root/{}/{}", org.management_account, org.id, org.root_id),
        "Name": "Root",
        "PolicyTypes": types,
    })
}

/// A stable policy id for a policy name in an organization: `p-` and 12 characters, within
/// both the model's `PolicyId` pattern (`^p-[0-9a-zA-Z_]{8,128}$`) and the id part of its
/// `PolicyArn` pattern (`p-[0-9a-z]{10,32}`).
fn policy_id(org: &Organization, name: &str) -> String {
    copylab_rules::control_policies::policy_id(&org.id, name)
}

/// ARNs follow the model's patterns (`OrganizationArn`, `AccountArn`, `RootArn`, `PolicyArn`:
/// `arn:aws:organizations::MANAGEMENT:policy/o-.../tag_policy/p-...`).
fn policy_arn(org: &Organization, kind: &str, id: &str) -> String {
    format!(
        "arn:aws:organizations::{}:policy/{}/{}/{id}",
        org.management_account,
        org.id,
        kind.to_lowercase()
    )
}

fn policy_summaries(state: &ServerState, index: usize) -> Vec<Value> {
    let org = &state.world().organizations[index];
    let mut out = Vec::new();
    for policy in &org.tag_policies {
        let id = policy_id(org, &policy.name);
        out.push(json!({
            "Id": id,
            "Arn": policy_arn(org, "TAG_POLICY", &id),
            "Name": policy.name,
            "Description": state.services.organizations.descriptions.get(&id).cloned().unwrap_or_default(),
            "Type": "TAG_POLICY",
            "AwsManaged": false,
        }));
    }
    for policy in &org.backup_policies {
        let id = policy_id(org, &policy.name);
        out.push(json!({
            "Id": id,
            "Arn": policy_arn(org, "BACKUP_POLICY", &id),
            "Name": policy.name,
            "Description": state.services.organizations.descriptions.get(&id).cloned().unwrap_or_default(),
            "Type": "BACKUP_POLICY",
            "AwsManaged": false,
        }));
    }
    for (kind, policy, aws_managed) in control::all(state, index) {
        out.push(control::summary(state, index, kind, &policy, aws_managed));
    }
    out
}

/// Which store a policy lives in.
enum PolicyRef {
    Tag,
    Backup,
    Control(copylab_policy::ControlPolicyType, String),
}

/// A policy of any type: its summary, content and targets.
struct PolicyView {
    summary: Value,
    content: String,
    targets: Vec<String>,
    reference: PolicyRef,
}

fn policy_views(state: &ServerState, index: usize) -> Vec<PolicyView> {
    let org = &state.world().organizations[index];
    let summaries = policy_summaries(state, index);
    let mut out = Vec::new();
    let mut summaries = summaries.into_iter();
    for policy in &org.tag_policies {
        let Some(summary) = summaries.next() else { break };
        out.push(PolicyView {
            summary,
            content: policy.content.to_string(),
            targets: policy.targets.clone(),
            reference: PolicyRef::Tag,
        });
    }
    for policy in &org.backup_policies {
        let Some(summary) = summaries.next() else { break };
        out.push(PolicyView {
            summary,
            content: policy.content.to_string(),
            targets: policy.targets.clone(),
            reference: PolicyRef::Backup,
        });
    }
    for (kind, policy, _) in control::all(state, index) {
        let Some(summary) = summaries.next() else { break };
        out.push(PolicyView {
            summary,
            content: policy.content.0.to_string(),
            targets: policy.targets.clone(),
            reference: PolicyRef::Control(kind, policy.name),
        });
    }
    out
}

/// The model's documented `PolicyNotFoundException`.
fn policy_not_found() -> ApiError {
    ApiError::new(
        "PolicyNotFoundException",
        StatusCode::BAD_REQUEST,
        "We can't find a policy with the PolicyId that you specified.",
    )
}

fn find_policy(state: &ServerState, index: usize, id: &str) -> Result<PolicyView, ApiError> {
    policy_views(state, index)
        .into_iter()
        .find(|v| v.summary["Id"] == id)
        .ok_or_else(policy_not_found)
}

fn target_exists(org: &Organization, target: &str) -> bool {
    target == org.root_id
        || target == org.management_account
        || org.accounts.iter().any(|a| a.id == target)
        || org.organizational_units.iter().any(|u| u.id == target)
}

/// A `PolicyTargetSummary`.
fn target_summary(state: &ServerState, index: usize, target: &str) -> Value {
    let org = &state.world().organizations[index];
    let management = &org.management_account;
    let (kind, arn, name) = if target == org.root_id {
        (
            "ROOT",
            format!("arn:aws:organizations::{management}:root/{}/{target}", org.id),
            "Root".to_owned(),
        )
    } else if let Some(unit) = org.organizational_units.iter().find(|u| u.id == target) {
        (
            "ORGANIZATIONAL_UNIT",
            format!("arn:aws:organizations::{management}:ou/{}/{target}", org.id),
            unit.name.clone(),
        )
    } else {
        let name = state
            .services
            .organizations
            .accounts
            .get(target)
            .map_or_else(|| default_name(target), |e| e.name.clone());
        (
            "ACCOUNT",
            format!("arn:aws:organizations::{management}:account/{}/{target}", org.id),
            name,
        )
    };
    json!({"TargetId": target, "Arn": arn, "Name": name, "Type": kind})
}

fn create_policy(state: &mut ServerState, index: usize, input: &Map<String, Value>) -> Result<Value, ApiError> {
    let get = |m: &str| input.get(m).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (name, description, content, kind) = (get("Name"), get("Description"), get("Content"), get("Type"));
    let malformed = control::malformed;
    let parsed: Value = serde_json::from_str(&content).map_err(|_| malformed())?;
    let org = &state.world().organizations[index];
    let id = policy_id(org, &name);
    let exists = org.tag_policies.iter().any(|p| p.name == name)
        || org.backup_policies.iter().any(|p| p.name == name)
        || control::all(state, index).iter().any(|(_, p, _)| p.name == name);
    if exists {
        // Modeled message.
        return Err(ApiError::new(
            "DuplicatePolicyException",
            StatusCode::BAD_REQUEST,
            format!("A policy named {name} already exists."),
        )
        .modeled());
    }
    match kind.as_str() {
        "TAG_POLICY" => {
            if parsed.get("tags").is_none_or(|t| !t.is_object()) {
                return Err(malformed());
            }
            state.world_mut().organizations[index].tag_policies.push(TagPolicy {
                name: name.clone(),
                targets: Vec::new(),
                content: parsed,
            });
            state
                .services
                .organizations
                .descriptions
                .insert(id.clone(), description.clone());
        }
        "BACKUP_POLICY" => {
            if parsed.get("plans").is_none_or(|t| !t.is_object()) {
                return Err(malformed());
            }
            state.world_mut().organizations[index].backup_policies.push(TagPolicy {
                name: name.clone(),
                targets: Vec::new(),
                content: parsed,
            });
            state
                .services
                .organizations
                .descriptions
                .insert(id.clone(), description.clone());
        }
        control_type if control::policy_type(control_type).is_some() => {
            let Some(policy_type) = control::policy_type(control_type) else {
                return Err(malformed());
            };
            control::create(state, index, policy_type, &name, &description, &content)?;
        }
        other => {
            // Modeled message.
            return Err(ApiError::new(
                "PolicyTypeNotAvailableForOrganizationException",
                StatusCode::BAD_REQUEST,
                format!("copylab supports TAG_POLICY, BACKUP_POLICY, SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY, not {other}"),
            )
            .modeled());
        }
    }
    let org = &state.world().organizations[index];
    Ok(json!({"Policy": {
        "PolicySummary": {
            "Id": id,
            "Arn": policy_arn(org, &kind, &id),
            "Name": name,
            "Description": description,
            "Type": kind,
            "AwsManaged": false,
        },
        "Content": content,
    }}))
}

fn attach(state: &mut ServerState, index: usize, policy: &str, target: &str, attach: bool) -> Result<Value, ApiError> {
    if !target_exists(&state.world().organizations[index], target) {
        return Err(target_not_found());
    }
    let control = control::all(state, index)
        .into_iter()
        .find(|(kind, p, _)| control::id_and_arn(state, index, *kind, &p.name).0 == policy);
    if let Some((kind, found, _)) = control {
        if attach && !control::enabled(state, index, kind) {
            return Err(type_not_enabled());
        }
        control::attach(state, index, kind, &found.name, target, attach)?;
        return Ok(json!({}));
    }
    let org = &state.world().organizations[index];
    let tag_index = org.tag_policies.iter().position(|p| policy_id(org, &p.name) == policy);
    let kind = if tag_index.is_some() {
        "TAG_POLICY"
    } else {
        "BACKUP_POLICY"
    };
    let backup_index = org
        .backup_policies
        .iter()
        .position(|p| policy_id(org, &p.name) == policy);
    if tag_index.is_none() && backup_index.is_none() {
        // Modeled message.
        return Err(ApiError::new(
            "PolicyNotFoundException",
            StatusCode::BAD_REQUEST,
            format!("We can't find a policy with the PolicyId {policy}."),
        )
        .modeled());
    }
    if attach && !enabled_types(state, index).iter().any(|t| t == kind) {
        return Err(type_not_enabled());
    }
    let targets = match (tag_index, backup_index) {
        (Some(i), _) => &mut state.world_mut().organizations[index].tag_policies[i].targets,
        (None, Some(i)) => &mut state.world_mut().organizations[index].backup_policies[i].targets,
        (None, None) => return Err(target_not_found()),
    };
    let present = targets.iter().any(|t| t == target);
    match (attach, present) {
        // Modeled messages.
        (true, true) => Err(ApiError::new(
            "DuplicatePolicyAttachmentException",
            StatusCode::BAD_REQUEST,
            "The selected policy is already attached to the specified target.",
        )
        .modeled()),
        (false, false) => Err(ApiError::new(
            "PolicyNotAttachedException",
            StatusCode::BAD_REQUEST,
            "The policy isn't attached to the specified target in the specified root.",
        )
        .modeled()),
        (true, false) => {
            targets.push(target.to_owned());
            Ok(json!({}))
        }
        (false, true) => {
            targets.retain(|t| t != target);
            Ok(json!({}))
        }
    }
}

fn describe_effective_policy(
    state: &ServerState,
    index: usize,
    caller: &Caller,
    management: bool,
    input: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let policy_type = input.get("PolicyType").and_then(Value::as_str).unwrap_or_default();
    let org = &state.world().organizations[index];
    let target = match input.get("TargetId").and_then(Value::as_str) {
        None => caller.account.clone(),
        Some(t) if t == caller.account => t.to_owned(),
        // Only the management account names other accounts; roots and OUs are not supported.
        Some(t) if management && (t == org.management_account || org.accounts.iter().any(|a| a.id == t)) => {
            t.to_owned()
        }
        Some(t) if management && (t.starts_with("r-") || t.starts_with("ou-")) => {
            return Err(ApiError::new(
                "InvalidInputException",
                StatusCode::BAD_REQUEST,
                "Specifying an organization root or organizational unit (OU) as the target is not supported.",
            )
            .modeled());
        }
        Some(_) if management => return Err(target_not_found()),
        Some(_) => return Err(access_denied()),
    };
    // The documented message (API reference, DescribeEffectivePolicy).
    let not_found = || {
        ApiError::new(
            "EffectivePolicyNotFoundException",
            StatusCode::BAD_REQUEST,
            "If you ran this action on the management account, this policy type is not enabled. If you ran the action on a member account, the account doesn't have an effective policy of this type. Contact the administrator of your organization about attaching a policy of this type to the account.",
        )
    };
    if policy_type == "BACKUP_POLICY" {
        // The backup policies attached to each level, in attach order (their content parsed;
        // CreatePolicy and UpdatePolicy keep only JSON).
        let effective = copylab_rules::backup_policy::effective_of(org, &target).ok_or_else(not_found)?;
        return Ok(json!({"EffectivePolicy": {
            "PolicyContent": effective.to_string(),
            "LastUpdatedTimestamp": state.now(),
            "TargetId": target,
            "PolicyType": "BACKUP_POLICY",
        }}));
    }
    if policy_type != "TAG_POLICY" {
        return Err(not_found());
    }
    let effective = copylab_rules::tag_policy::effective_tag_policy(org, &target);
    if effective.is_empty() {
        return Err(not_found());
    }
    let mut tags = Map::new();
    for (key, rule) in effective {
        tags.insert(key, serde_json::to_value(rule).unwrap_or_default());
    }
    Ok(json!({"EffectivePolicy": {
        "PolicyContent": json!({"tags": tags}).to_string(),
        "LastUpdatedTimestamp": state.now(),
        "TargetId": target,
        "PolicyType": "TAG_POLICY",
    }}))
}

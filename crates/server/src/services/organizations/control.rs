//! Service control policies and resource control policies on the wire: enabling and disabling the types in the root, AWS's `FullAWSAccess` and `RCPFullAWSAccess`, creating, updating, deleting, attaching and detaching the organization's own, all kept in the world's `service_control_policies` and `resource_control_policies` the rules engine reads.
//!
//! Facts: `aws-plans-policies-events-facts.md` §3.1-§3.2 (defaults, what can be detached) and
//! the pinned Organizations model (errors and their documented texts).

use axum::http::StatusCode;
use copylab_policy::{ControlPolicyType, Policy};
use copylab_rules::control_policies::{self, aws_default};
use copylab_rules::world::{ControlPolicies, ControlPolicy, PolicyDocument};
use serde_json::{Value, json};

use crate::state::ServerState;
use crate::wire::ApiError;

/// The type a `PolicyType` or `Type` member names, when it is SCP or RCP.
pub(crate) fn policy_type(name: &str) -> Option<ControlPolicyType> {
    match name {
        "SERVICE_CONTROL_POLICY" => Some(ControlPolicyType::ServiceControlPolicy),
        "RESOURCE_CONTROL_POLICY" => Some(ControlPolicyType::ResourceControlPolicy),
        _ => None,
    }
}

/// The model's name of a type.
pub(crate) fn type_name(policy_type: ControlPolicyType) -> &'static str {
    match policy_type {
        ControlPolicyType::ServiceControlPolicy => "SERVICE_CONTROL_POLICY",
        ControlPolicyType::ResourceControlPolicy => "RESOURCE_CONTROL_POLICY",
    }
}

fn slot(state: &mut ServerState, index: usize, policy_type: ControlPolicyType) -> &mut Option<ControlPolicies> {
    let org = &mut state.world_mut().organizations[index];
    match policy_type {
        ControlPolicyType::ServiceControlPolicy => &mut org.service_control_policies,
        ControlPolicyType::ResourceControlPolicy => &mut org.resource_control_policies,
    }
}

/// The key of a disabled type's policies in `OrganizationsState::disabled_control_policies`.
fn stash_key(state: &ServerState, index: usize, policy_type: ControlPolicyType) -> String {
    format!("{}/{}", state.world().organizations[index].id, type_name(policy_type))
}

/// The organization's own policies of a type: the world's while it is enabled, else those kept
/// for when it is enabled again.
fn own_policies(state: &mut ServerState, index: usize, policy_type: ControlPolicyType) -> &mut Vec<ControlPolicy> {
    let key = stash_key(state, index, policy_type);
    let (world, services) = state.world_and_services_mut();
    let organizations = &mut services.organizations;
    let org = &mut world.organizations[index];
    let slot = match policy_type {
        ControlPolicyType::ServiceControlPolicy => &mut org.service_control_policies,
        ControlPolicyType::ResourceControlPolicy => &mut org.resource_control_policies,
    };
    match slot {
        Some(set) => &mut set.policies,
        None => organizations.disabled_control_policies.entry(key).or_default(),
    }
}

/// Whether the type is enabled in the organization's root.
pub(crate) fn enabled(state: &ServerState, index: usize, policy_type: ControlPolicyType) -> bool {
    control_policies::of(&state.world().organizations[index], policy_type).is_some()
}

/// `EnablePolicyType`: AWS's default is attached to every root, OU and account; the
/// organization's own policies of the type come back attached to nothing ("that root reverts to
/// only the default `FullAWSAccess` policy automatically attached to all entities").
pub(crate) fn enable(state: &mut ServerState, index: usize, policy_type: ControlPolicyType) {
    let key = stash_key(state, index, policy_type);
    let policies = state
        .services
        .organizations
        .disabled_control_policies
        .remove(&key)
        .unwrap_or_default();
    *slot(state, index, policy_type) = Some(ControlPolicies {
        default_detached_from: Vec::new(),
        policies,
    });
}

/// `DisablePolicyType`: every policy of the type is detached; the organization's own are kept.
pub(crate) fn disable(state: &mut ServerState, index: usize, policy_type: ControlPolicyType) {
    let key = stash_key(state, index, policy_type);
    if let Some(set) = slot(state, index, policy_type).take() {
        let kept: Vec<ControlPolicy> = set
            .policies
            .into_iter()
            .map(|p| ControlPolicy {
                targets: Vec::new(),
                ..p
            })
            .collect();
        state.services.organizations.disabled_control_policies.insert(key, kept);
    }
}

/// Every control policy of the organization, AWS's defaults first where enabled: (type, name,
/// description, content, targets, AWS managed).
pub(crate) fn all(state: &ServerState, index: usize) -> Vec<(ControlPolicyType, ControlPolicy, bool)> {
    let org = &state.world().organizations[index];
    let every_target = || {
        std::iter::once(org.root_id.clone())
            .chain(org.organizational_units.iter().map(|u| u.id.clone()))
            .chain(std::iter::once(org.management_account.clone()))
            .chain(org.accounts.iter().map(|a| a.id.clone()))
    };
    let mut out = Vec::new();
    for policy_type in [
        ControlPolicyType::ServiceControlPolicy,
        ControlPolicyType::ResourceControlPolicy,
    ] {
        let key = format!("{}/{}", org.id, type_name(policy_type));
        match control_policies::of(org, policy_type) {
            Some(set) => {
                let default = aws_default(policy_type);
                let content: Value = serde_json::from_str(default.content).unwrap_or_default();
                out.push((
                    policy_type,
                    ControlPolicy {
                        name: default.name.to_owned(),
                        description: default.description.to_owned(),
                        targets: every_target()
                            .filter(|t| !set.default_detached_from.contains(t))
                            .collect(),
                        content: PolicyDocument(content),
                    },
                    true,
                ));
                out.extend(set.policies.iter().map(|p| (policy_type, p.clone(), false)));
            }
            None => {
                if let Some(kept) = state.services.organizations.disabled_control_policies.get(&key) {
                    out.extend(kept.iter().map(|p| (policy_type, p.clone(), false)));
                }
            }
        }
    }
    out
}

/// A policy's id and ARN.
pub(crate) fn id_and_arn(
    state: &ServerState,
    index: usize,
    policy_type: ControlPolicyType,
    name: &str,
) -> (String, String) {
    let org = &state.world().organizations[index];
    let default = aws_default(policy_type);
    if name == default.name {
        return (default.id.to_owned(), default.arn.to_owned());
    }
    let id = control_policies::policy_id(&org.id, name);
    let arn = format!(
        "arn:aws:organizations::{}:policy/{}/{}/{id}",
        org.management_account,
        org.id,
        type_name(policy_type).to_lowercase()
    );
    (id, arn)
}

/// The documented `MalformedPolicyDocumentException` (its model page).
pub(crate) fn malformed() -> ApiError {
    ApiError::new(
        "MalformedPolicyDocumentException",
        StatusCode::BAD_REQUEST,
        "The provided policy document doesn't meet the requirements of the specified policy type. For example, the syntax might be incorrect. For details about service control policy syntax, see SCP syntax in the Organizations User Guide.",
    )
}

/// Checks a document with the policy engine, under the type's grammar.
pub(crate) fn parse_content(policy_type: ControlPolicyType, content: &str) -> Result<Value, ApiError> {
    Policy::parse(content, control_policies::policy_kind(policy_type)).map_err(|_| malformed())?;
    serde_json::from_str(content).map_err(|_| malformed())
}

/// `CreatePolicy` of an SCP or RCP (the name is already known to be free).
pub(crate) fn create(
    state: &mut ServerState,
    index: usize,
    policy_type: ControlPolicyType,
    name: &str,
    description: &str,
    content: &str,
) -> Result<(), ApiError> {
    let document = parse_content(policy_type, content)?;
    let policy = ControlPolicy {
        name: name.to_owned(),
        description: description.to_owned(),
        targets: Vec::new(),
        content: PolicyDocument(document),
    };
    own_policies(state, index, policy_type).push(policy);
    Ok(())
}

/// A modeled `ConstraintViolationException` with the model's text for `reason`.
fn constraint(message: &str) -> ApiError {
    ApiError::new("ConstraintViolationException", StatusCode::BAD_REQUEST, message)
}

/// `AttachPolicy` / `DetachPolicy` of an SCP or RCP (the target is known to exist and the type
/// to be enabled for an attach).
pub(crate) fn attach(
    state: &mut ServerState,
    index: usize,
    policy_type: ControlPolicyType,
    name: &str,
    target: &str,
    attach: bool,
) -> Result<(), ApiError> {
    let default = aws_default(policy_type);
    // How many policies of the type `target` would keep after a detach.
    let remaining = all(state, index)
        .iter()
        .filter(|(t, p, _)| *t == policy_type && p.name != name && p.targets.iter().any(|x| x == target))
        .count();
    let Some(set) = slot(state, index, policy_type).as_mut() else {
        return Err(not_attached());
    };
    if name == default.name {
        let attached = !set.default_detached_from.iter().any(|t| t == target);
        match (attach, attached) {
            (true, true) => Err(duplicate_attachment()),
            (false, false) => Err(not_attached()),
            (true, false) => {
                set.default_detached_from.retain(|t| t != target);
                Ok(())
            }
            (false, true) if policy_type == ControlPolicyType::ResourceControlPolicy => {
                // "You cannot detach this policy" (facts §3.2); AWS's error for the attempt is not
                // documented: the exception is copylab's reading, the message copylab's own.
                Err(constraint(
                    "`RCPFullAWSAccess` cannot be detached: AWS attaches it to every root, OU and account while RCPs are enabled",
                )
                .modeled())
            }
            (false, true) if remaining == 0 => Err(min_attachments()),
            (false, true) => {
                set.default_detached_from.push(target.to_owned());
                Ok(())
            }
        }
    } else {
        let policy = set
            .policies
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(not_attached)?;
        let attached = policy.targets.iter().any(|t| t == target);
        match (attach, attached) {
            (true, true) => Err(duplicate_attachment()),
            (false, false) => Err(not_attached()),
            (true, false) => {
                policy.targets.push(target.to_owned());
                Ok(())
            }
            (false, true) if policy_type == ControlPolicyType::ServiceControlPolicy && remaining == 0 => {
                Err(min_attachments())
            }
            (false, true) => {
                policy.targets.retain(|t| t != target);
                Ok(())
            }
        }
    }
}

/// The model's text for reason `MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED`: every root, OU and
/// account keeps at least one SCP.
fn min_attachments() -> ApiError {
    constraint(
        "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.",
    )
}

/// Modeled messages, as the tag and backup policies' attachments answer them.
fn duplicate_attachment() -> ApiError {
    ApiError::new(
        "DuplicatePolicyAttachmentException",
        StatusCode::BAD_REQUEST,
        "The selected policy is already attached to the specified target.",
    )
    .modeled()
}

fn not_attached() -> ApiError {
    ApiError::new(
        "PolicyNotAttachedException",
        StatusCode::BAD_REQUEST,
        "The policy isn't attached to the specified target in the specified root.",
    )
}

/// `UpdatePolicy` of an SCP or RCP: AWS managed policies cannot be changed ("you can't modify or
/// delete it", facts §3.1; the exception is copylab's reading).
pub(crate) fn update(
    state: &mut ServerState,
    index: usize,
    policy_type: ControlPolicyType,
    name: &str,
    description: Option<&str>,
    content: Option<&str>,
) -> Result<(), ApiError> {
    if name == aws_default(policy_type).name {
        return Err(aws_managed_refusal());
    }
    let document = content.map(|c| parse_content(policy_type, c)).transpose()?;
    let policy = own_policies(state, index, policy_type)
        .iter_mut()
        .find(|p| p.name == name)
        .ok_or_else(|| {
            ApiError::new(
                "PolicyNotFoundException",
                StatusCode::BAD_REQUEST,
                "We can't find a policy with the PolicyId that you specified.",
            )
        })?;
    if let Some(description) = description {
        policy.description = description.to_owned();
    }
    if let Some(document) = document {
        policy.content = PolicyDocument(document);
    }
    Ok(())
}

/// `DeletePolicy` of an SCP or RCP.
pub(crate) fn delete(
    state: &mut ServerState,
    index: usize,
    policy_type: ControlPolicyType,
    name: &str,
) -> Result<(), ApiError> {
    if name == aws_default(policy_type).name {
        return Err(aws_managed_refusal());
    }
    let policies = own_policies(state, index, policy_type);
    if policies.iter().any(|p| p.name == name && !p.targets.is_empty()) {
        // The model's documented text.
        return Err(ApiError::new(
            "PolicyInUseException",
            StatusCode::BAD_REQUEST,
            "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
        ));
    }
    policies.retain(|p| p.name != name);
    Ok(())
}

fn aws_managed_refusal() -> ApiError {
    ApiError::new(
        "AccessDeniedException",
        StatusCode::BAD_REQUEST,
        "You don't have permissions to access this resource.",
    )
    .modeled()
}

/// A policy's summary as the model's `PolicySummary`.
pub(crate) fn summary(
    state: &ServerState,
    index: usize,
    policy_type: ControlPolicyType,
    policy: &ControlPolicy,
    aws_managed: bool,
) -> Value {
    let (id, arn) = id_and_arn(state, index, policy_type, &policy.name);
    json!({
        "Id": id,
        "Arn": arn,
        "Name": policy.name,
        "Description": policy.description,
        "Type": type_name(policy_type),
        "AwsManaged": aws_managed,
    })
}

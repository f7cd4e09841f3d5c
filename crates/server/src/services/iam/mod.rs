//! AWS IAM on the wire (query protocol, XML): the world's roles, their trust policies, inline policies and attached managed policies (`CreateRole`, `GetRole`, `ListRoles`, `DeleteRole`, `UpdateAssumeRolePolicy`, `Put/Get/Delete/ListRolePolicy`, `Attach/Detach/ListAttachedRolePolicies`), so the copy role the rules engine checks can be changed the way it is changed in AWS.
//!
//! IAM is global in a partition: a `RoleName` names a role of the caller's account, whatever
//! Region signed the request. Documents go through the policy engine (a trust policy as a trust
//! policy, an inline policy as an identity policy) and come back URL-encoded, as IAM returns them.
//! The caller's own permissions for IAM actions are taken as allowing (modeled, as for KMS).
//! Messages come from captures against AWS (LocalStack's recorded IAM snapshots and public issue
//! threads, cited per message); the rest say `(modeled message)`.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use copylab_policy::{Policy, PolicyKind};
use copylab_rules::policies::{managed_policy_in, role_name_of};
use copylab_rules::world::{InlinePolicy, PolicyDocument, Role};
use serde_json::{Map, Value};

use crate::state::ServerState;
use crate::wire::query::{get, url_encode};
use crate::wire::xml::{escape, iso8601};
use crate::wire::{ApiError, Caller};
use copylab_rules::ids::unique_id;

/// The operations copylab implements.
const IMPLEMENTED: &[&str] = &[
    "CreateRole",
    "GetRole",
    "ListRoles",
    "DeleteRole",
    "UpdateAssumeRolePolicy",
    "PutRolePolicy",
    "GetRolePolicy",
    "DeleteRolePolicy",
    "ListRolePolicies",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "ListAttachedRolePolicies",
    "GetPolicy",
    "GetPolicyVersion",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
];

include!(concat!(env!("OUT_DIR"), "/iam_operations.rs"));

/// AWS IAM for the call pipeline.
pub static SERVICE: crate::call::Service = crate::call::Service {
    name: "AWS IAM",
    protocol: crate::wire::Protocol::Query,
    operations: OPERATIONS,
    implements: |operation| IMPLEMENTED.contains(&operation),
    run: |operation, ctx, input| run(operation, ctx.state, ctx.caller, input).map(crate::call::Output::Xml),
    // The pinned model's `xmlNamespace` and `apiVersion`.
    xml_namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
    api_version: "2010-05-08",
    signing_name: "iam",
    invalid_input: None,
};

/// Managed policies a role may have attached: IAM's default quota (modeled message).
const MANAGED_POLICIES_PER_ROLE: usize = 10;

/// IAM state the world has no field for.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IamState {
    /// Per role ARN: what `CreateRole` set. Roles of the world's file have none.
    pub roles: BTreeMap<String, RoleExtra>,
}

impl IamState {
    /// A role's `RoleId`: the one `CreateRole` drew, or for a role of the world's file one
    /// derived from its ARN (stable across runs). STS's `AssumedRoleId` starts with it.
    pub fn role_id(&self, arn: &str) -> String {
        self.roles
            .get(arn)
            .map_or_else(|| unique_id("AROA", arn), |e| e.role_id.clone())
    }
}

/// What IAM shows of a role beyond the world's fields.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleExtra {
    /// `RoleId` of a role created through the API (a new id each time, as IAM gives).
    pub role_id: String,
    /// `CreateDate`, epoch seconds.
    pub created: f64,
    /// `Description`.
    pub description: Option<String>,
    /// `MaxSessionDuration`.
    pub max_session_duration: u64,
    /// Tags, in the order given.
    pub tags: Vec<(String, String)>,
}

fn run(
    action: &str,
    state: &mut ServerState,
    caller: &Caller,
    input: &Map<String, Value>,
) -> Result<Option<String>, ApiError> {
    match action {
        "CreateRole" => create_role(state, caller, input).map(Some),
        "GetRole" => {
            let index = find_role(state, caller, input)?;
            Ok(Some(format!(
                "    <Role>\n{}    </Role>\n",
                role_xml(state, index, true)
            )))
        }
        "ListRoles" => list_roles(state, caller, input).map(Some),
        "DeleteRole" => delete_role(state, caller, input).map(|()| None),
        "UpdateAssumeRolePolicy" => {
            let index = find_modifiable_role(state, caller, input)?;
            let document = policy_document(get(input, "PolicyDocument"), PolicyKind::Trust)?;
            state.world_mut().roles[index].trust_policy = Some(PolicyDocument(document));
            Ok(None)
        }
        "PutRolePolicy" => {
            let index = find_modifiable_role(state, caller, input)?;
            let document = policy_document(get(input, "PolicyDocument"), PolicyKind::Identity)?;
            let name = get(input, "PolicyName").unwrap_or_default().to_owned();
            let policies = &mut state.world_mut().roles[index].policies;
            let inline = InlinePolicy {
                name: name.clone(),
                document: PolicyDocument(document),
            };
            match policies.iter_mut().find(|p| p.name == name) {
                Some(existing) => *existing = inline,
                None => policies.push(inline),
            }
            Ok(None)
        }
        "GetRolePolicy" => {
            let index = find_role(state, caller, input)?;
            let role = &state.world().roles[index];
            let inline = inline_policy(role, input)?;
            Ok(Some(format!(
                "    <RoleName>{}</RoleName>\n    <PolicyName>{}</PolicyName>\n    <PolicyDocument>{}</PolicyDocument>\n",
                escape(role_name(role)),
                escape(&inline.name),
                url_encode(&inline.document.0.to_string())
            )))
        }
        "DeleteRolePolicy" => {
            let index = find_modifiable_role(state, caller, input)?;
            let name = inline_policy(&state.world().roles[index], input)?.name.clone();
            state.world_mut().roles[index].policies.retain(|p| p.name != name);
            Ok(None)
        }
        "ListRolePolicies" => {
            let index = find_role(state, caller, input)?;
            let names: Vec<String> = state.world().roles[index]
                .policies
                .iter()
                .map(|p| format!("      <member>{}</member>\n", escape(&p.name)))
                .collect();
            paged(input, "PolicyNames", &names).map(Some)
        }
        "AttachRolePolicy" => attach_role_policy(state, caller, input).map(|()| None),
        "PutRolePermissionsBoundary" => {
            let index = find_modifiable_role(state, caller, input)?;
            let arn = boundary_arn(state, get(input, "PermissionsBoundary").unwrap_or_default())?;
            state.world_mut().roles[index].permissions_boundary = Some(arn);
            Ok(None)
        }
        "DeleteRolePermissionsBoundary" => {
            let index = find_modifiable_role(state, caller, input)?;
            state.world_mut().roles[index].permissions_boundary = None;
            Ok(None)
        }
        "DetachRolePolicy" => {
            let index = find_modifiable_role(state, caller, input)?;
            let arn = get(input, "PolicyArn").unwrap_or_default().to_owned();
            check_policy_arn(&arn)?;
            let managed = &mut state.world_mut().roles[index].managed_policies;
            let Some(position) = managed.iter().position(|a| *a == arn) else {
                // LocalStack's recorded IAM snapshot (detach-not-attached-policy-error);
                // pulumi/pulumi-aws#501, status code 404.
                return Err(no_such_entity(format!("Policy {arn} was not found.")));
            };
            managed.remove(position);
            Ok(None)
        }
        "ListAttachedRolePolicies" => {
            let index = find_role(state, caller, input)?;
            let prefix = get(input, "PathPrefix").unwrap_or("/");
            let members: Vec<String> = state.world().roles[index]
                .managed_policies
                .iter()
                .filter(|arn| policy_path(arn).starts_with(prefix))
                .map(|arn| {
                    format!(
                        "      <member>\n        <PolicyName>{}</PolicyName>\n        <PolicyArn>{}</PolicyArn>\n      </member>\n",
                        escape(arn.rsplit('/').next().unwrap_or(arn)),
                        escape(arn)
                    )
                })
                .collect();
            paged(input, "AttachedPolicies", &members).map(Some)
        }
        "GetPolicy" | "GetPolicyVersion" => {
            // The AWS managed policies copylab vendors (a world has no customer managed ones).
            let arn = get(input, "PolicyArn").unwrap_or_default();
            let Some(policy) = copylab_rules::policies::managed_policy_in(arn) else {
                return Err(no_such_entity(format!("Policy {arn} was not found.")).modeled());
            };
            let (version, document) = match &policy {
                copylab_rules::policies::ManagedOrLocal::Vendored(p) => {
                    (p.version.clone(), p.policy.to_canonical_json())
                }
                copylab_rules::policies::ManagedOrLocal::Local { version, policy, .. } => {
                    (version.clone(), policy.to_canonical_json())
                }
            };
            if action == "GetPolicy" {
                let path = policy_path(arn);
                let policy_name = arn.rsplit('/').next().unwrap_or(arn);
                // An AWS managed policy's id, derived from its ARN (modeled: the reference has
                // none of AWS's).
                let id = format!(
                    "ANPA{}",
                    copylab_rules::ids::IdGenerator::for_names(&[arn])
                        .hex(17)
                        .to_uppercase()
                );
                return Ok(Some(format!(
                    "    <Policy>\n      <PolicyName>{}</PolicyName>\n      <PolicyId>{id}</PolicyId>\n      <Arn>{}</Arn>\n      <Path>{}</Path>\n      <DefaultVersionId>{}</DefaultVersionId>\n      <IsAttachable>true</IsAttachable>\n    </Policy>\n",
                    escape(policy_name),
                    escape(arn),
                    escape(&path),
                    escape(&version)
                )));
            }
            let asked = get(input, "VersionId").unwrap_or_default();
            if asked != version {
                return Err(no_such_entity(format!("Policy {arn} version {asked} does not exist.")).modeled());
            }
            Ok(Some(format!(
                "    <PolicyVersion>\n      <Document>{}</Document>\n      <VersionId>{}</VersionId>\n      <IsDefaultVersion>true</IsDefaultVersion>\n    </PolicyVersion>\n",
                url_encode(&document),
                escape(&version)
            )))
        }
        other => Err(ApiError::not_implemented(other)),
    }
}

fn no_such_entity(message: String) -> ApiError {
    ApiError::new("NoSuchEntity", StatusCode::NOT_FOUND, message)
}

fn role_name(role: &Role) -> &str {
    role_name_of(&role.arn).unwrap_or(&role.arn)
}

/// An IAM ARN's path: `/service-role/` for `arn:aws:iam::ACCOUNT:role/service-role/NAME` (with
/// `kind` `role`) or for a managed policy (`kind` `policy`).
fn iam_path(arn: &str, kind: &str) -> String {
    let resource = arn.split_once(&format!(":{kind}")).map_or("", |(_, r)| r);
    match resource.rfind('/') {
        Some(end) => resource[..=end].to_owned(),
        None => "/".to_owned(),
    }
}

fn role_path(arn: &str) -> String {
    iam_path(arn, "role")
}

fn policy_path(arn: &str) -> String {
    iam_path(arn, "policy")
}

fn partition(caller: &Caller) -> &'static str {
    copylab_rules::regions::partition(&caller.region)
}

/// The index of the role `RoleName` names in the caller's account (IAM role names are unique in
/// an account, case-insensitively).
fn find_role(state: &ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<usize, ApiError> {
    let name = get(input, "RoleName").unwrap_or_default();
    let prefix = format!("arn:{}:iam::{}:role/", partition(caller), caller.account);
    state
        .world()
        .roles
        .iter()
        .position(|r| r.arn.starts_with(&prefix) && role_name(r).eq_ignore_ascii_case(name))
        // LocalStack's recorded IAM snapshots (get-role-error and others); cloudquery/cq-provider-aws#843,
        // status code 404.
        .ok_or_else(|| no_such_entity(format!("The role with name {name} cannot be found.")))
}

/// [`find_role`], refusing service-linked roles, which only their service changes.
fn find_modifiable_role(state: &ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<usize, ApiError> {
    let index = find_role(state, caller, input)?;
    let role = &state.world().roles[index];
    if role_path(&role.arn).starts_with("/aws-service-role/") {
        return Err(ApiError::new(
            "UnmodifiableEntity",
            StatusCode::BAD_REQUEST,
            format!(
                "Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS",
                role_name(role)
            ),
        )
        .modeled());
    }
    Ok(index)
}

fn inline_policy<'r>(role: &'r Role, input: &Map<String, Value>) -> Result<&'r InlinePolicy, ApiError> {
    let name = get(input, "PolicyName").unwrap_or_default();
    role.policies
        .iter()
        .find(|p| p.name == name)
        // LocalStack's recorded IAM snapshot (get-nonexistent-policy-error); aws/aws-cli#6139.
        .ok_or_else(|| no_such_entity(format!("The role policy with name {name} cannot be found.")))
}

/// A policy document from the request, checked by the policy engine for its kind.
fn policy_document(text: Option<&str>, kind: PolicyKind) -> Result<Value, ApiError> {
    let text = text.unwrap_or_default();
    let malformed = |message: String| ApiError::new("MalformedPolicyDocument", StatusCode::BAD_REQUEST, message);
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        // LocalStack's recorded IAM snapshot (invalid-json-error); AWSCookbook/Security#2.
        return Err(malformed("This policy contains invalid Json".to_owned()));
    };
    if kind == PolicyKind::Trust {
        let statements = match value.get("Statement") {
            Some(Value::Array(list)) => list.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        if statements.iter().any(|s| s.get("Resource").is_some()) {
            // LocalStack's recorded IAM snapshot; kubernetes-sigs/external-dns#3085.
            return Err(malformed("Has prohibited field Resource".to_owned()));
        }
        let sts_only = |action: &Value| {
            action
                .as_str()
                .is_some_and(|a| a == "*" || a.to_ascii_lowercase().starts_with("sts:"))
        };
        let actions_ok = statements.iter().all(|s| match s.get("Action") {
            Some(Value::Array(list)) => list.iter().all(sts_only),
            Some(one) => sts_only(one),
            None => true,
        });
        if !actions_ok {
            // LocalStack's recorded IAM snapshot.
            return Err(malformed(
                "AssumeRole policy may only specify STS AssumeRole actions.".to_owned(),
            ));
        }
    }
    if kind == PolicyKind::Identity {
        let statements = match value.get("Statement") {
            Some(Value::Array(list)) => list.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        if statements
            .iter()
            .any(|s| s.get("Resource").is_none() && s.get("NotResource").is_none())
        {
            // terraform-aws-modules/terraform-aws-iam#364, status code 400.
            return Err(malformed("Policy statement must contain resources.".to_owned()));
        }
    }
    Policy::parse(text, kind).map_err(|errors| {
        let detail = errors
            .first()
            .map_or_else(|| "the policy is invalid".to_owned(), ToString::to_string);
        malformed(detail.to_string()).modeled()
    })?;
    Ok(value)
}

/// The `<Role>` members (GetRole adds `RoleLastUsed`, as AWS does; CreateRole and ListRoles do
/// not: LocalStack's recorded IAM snapshots).
fn role_xml(state: &ServerState, index: usize, with_last_used: bool) -> String {
    let role = &state.world().roles[index];
    let extra = state.services.iam.roles.get(&role.arn);
    let trust = role
        .trust_policy
        .as_ref()
        .map_or_else(copylab_rules::policies::default_trust_policy, |d| d.0.clone());
    let role_id = state.services.iam.role_id(&role.arn);
    let created = extra.map_or_else(|| state.started(), |e| e.created);
    let mut xml = format!(
        "      <Path>{}</Path>\n      <RoleName>{}</RoleName>\n      <RoleId>{}</RoleId>\n      <Arn>{}</Arn>\n      <CreateDate>{}</CreateDate>\n      <AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument>\n",
        escape(&role_path(&role.arn)),
        escape(role_name(role)),
        escape(&role_id),
        escape(&role.arn),
        iso8601(created.max(0.0) as u64),
        url_encode(&trust.to_string())
    );
    if let Some(description) = extra.and_then(|e| e.description.as_deref()) {
        xml.push_str(&format!("      <Description>{}</Description>\n", escape(description)));
    }
    let max = extra.map_or(3600, |e| e.max_session_duration);
    xml.push_str(&format!("      <MaxSessionDuration>{max}</MaxSessionDuration>\n"));
    if let Some(boundary) = &role.permissions_boundary {
        // The model's `AttachedPermissionsBoundary`; `PermissionsBoundaryType`'s one enum value
        // is `PermissionsBoundaryPolicy` (its documentation says "Policy").
        xml.push_str(&format!(
            "      <PermissionsBoundary>\n        <PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType>\n        <PermissionsBoundaryArn>{}</PermissionsBoundaryArn>\n      </PermissionsBoundary>\n",
            escape(boundary)
        ));
    }
    if let Some(extra) = extra.filter(|e| !e.tags.is_empty()) {
        xml.push_str("      <Tags>\n");
        for (key, value) in &extra.tags {
            xml.push_str(&format!(
                "        <member>\n          <Key>{}</Key>\n          <Value>{}</Value>\n        </member>\n",
                escape(key),
                escape(value)
            ));
        }
        xml.push_str("      </Tags>\n");
    }
    if with_last_used {
        xml.push_str("      <RoleLastUsed/>\n");
    }
    xml
}

fn create_role(state: &mut ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<String, ApiError> {
    let name = get(input, "RoleName").unwrap_or_default();
    let path = get(input, "Path").unwrap_or("/");
    // IAM's rules for names and paths (the model's patterns, whole-string).
    let name_ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    let path_ok = path == "/"
        || (path.len() >= 2
            && path.len() <= 512
            && path.starts_with('/')
            && path.ends_with('/')
            && path.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    if !name_ok || !path_ok {
        return Err(ApiError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            format!("RoleName `{name}` must be 1 to 64 of [A-Za-z0-9+=,.@_-] and Path `{path}` / or /.../"),
        )
        .modeled());
    }
    if find_role(state, caller, input).is_ok() {
        // LocalStack's recorded IAM snapshot (create-role-already-exists-error); port-labs/ocean#854,
        // status code 409.
        return Err(ApiError::new(
            "EntityAlreadyExists",
            StatusCode::CONFLICT,
            format!("Role with name {name} already exists."),
        ));
    }
    if path.starts_with("/aws-service-role/") {
        return Err(ApiError::new(
            "InvalidInput",
            StatusCode::BAD_REQUEST,
            "service-linked roles are created by their service, not by CreateRole",
        )
        .modeled());
    }
    let trust = policy_document(get(input, "AssumeRolePolicyDocument"), PolicyKind::Trust)?;
    let permissions_boundary = get(input, "PermissionsBoundary")
        .map(|arn| boundary_arn(state, arn))
        .transpose()?;
    let arn = format!("arn:{}:iam::{}:role{path}{name}", partition(caller), caller.account);
    let mut tags = Vec::new();
    for tag in input.get("Tags").and_then(Value::as_array).into_iter().flatten() {
        let field = |f: &str| tag.get(f).and_then(Value::as_str).map(str::to_owned);
        match (field("Key"), field("Value")) {
            (Some(key), Some(value)) => tags.push((key, value)),
            _ => {
                return Err(ApiError::new(
                    "ValidationError",
                    StatusCode::BAD_REQUEST,
                    "every tag needs a Key and a Value",
                )
                .modeled());
            }
        }
    }
    let extra = RoleExtra {
        role_id: format!("AROA{}", state.ids.hex(17).to_uppercase()),
        created: state.now(),
        description: get(input, "Description").map(str::to_owned),
        max_session_duration: input.get("MaxSessionDuration").and_then(Value::as_u64).unwrap_or(3600),
        tags,
    };
    state.services.iam.roles.insert(arn.clone(), extra);
    state.world_mut().roles.push(Role {
        arn,
        trust_policy: Some(PolicyDocument(trust)),
        policies: Vec::new(),
        managed_policies: Vec::new(),
        permissions_boundary,
    });
    let index = state.world().roles.len() - 1;
    Ok(format!("    <Role>\n{}    </Role>\n", role_xml(state, index, false)))
}

fn list_roles(state: &ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<String, ApiError> {
    let prefix = get(input, "PathPrefix").unwrap_or("/");
    let account_prefix = format!("arn:{}:iam::{}:role/", partition(caller), caller.account);
    let members: Vec<String> = state
        .world()
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.arn.starts_with(&account_prefix) && role_path(&r.arn).starts_with(prefix))
        .map(|(i, _)| format!("      <member>\n{}      </member>\n", role_xml(state, i, false)))
        .collect();
    paged(input, "Roles", &members)
}

/// One page of a list: `MaxItems` (default 100) from `Marker`; a marker copylab did not
/// issue is `InvalidInput` (the message is copylab's).
fn paged(input: &Map<String, Value>, element: &str, members: &[String]) -> Result<String, ApiError> {
    let window = crate::wire::paging::Paging::IAM.window(members.len(), input, |message| {
        ApiError::new("InvalidInput", StatusCode::BAD_REQUEST, message).modeled()
    })?;
    let mut xml = format!("    <{element}>\n{}    </{element}>\n", members[window.range].concat());
    match window.next {
        Some(next) => xml.push_str(&format!(
            "    <IsTruncated>true</IsTruncated>\n    <Marker>{}</Marker>\n",
            escape(&next)
        )),
        None => xml.push_str("    <IsTruncated>false</IsTruncated>\n"),
    }
    Ok(xml)
}

fn delete_role(state: &mut ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<(), ApiError> {
    let index = find_modifiable_role(state, caller, input)?;
    let role = &state.world().roles[index];
    if !role.managed_policies.is_empty() {
        // LocalStack's recorded IAM snapshot; NixOS/nixops#1043 (raw 409 body).
        return Err(ApiError::new(
            "DeleteConflict",
            StatusCode::CONFLICT,
            "Cannot delete entity, must detach all policies first.",
        ));
    }
    if !role.policies.is_empty() {
        // LocalStack's recorded IAM snapshot; ekristen/aws-nuke#203, status code 409.
        return Err(ApiError::new(
            "DeleteConflict",
            StatusCode::CONFLICT,
            "Cannot delete entity, must delete policies first.",
        ));
    }
    let arn = state.world_mut().roles.remove(index).arn;
    state.services.iam.roles.remove(&arn);
    Ok(())
}

/// A policy ARN must be an ARN (LocalStack's recorded IAM snapshot: `ARN NAME is not valid.`).
fn check_policy_arn(arn: &str) -> Result<(), ApiError> {
    match copylab_rules::arn::Arn::parse(arn) {
        Some(a) if a.service == "iam" && a.resource.starts_with("policy/") => Ok(()),
        _ => Err(ApiError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            format!("ARN {arn} is not valid."),
        )),
    }
}

/// The managed policies copylab knows: AWS's Backup policies (vendored with their documents),
/// and any policy some role of the world already has attached or as its boundary.
fn known_managed_policy(state: &ServerState, arn: &str) -> bool {
    managed_policy_in(arn).is_some()
        || state
            .world()
            .roles
            .iter()
            .any(|r| r.managed_policies.iter().any(|a| a == arn) || r.permissions_boundary.as_deref() == Some(arn))
}

/// A `PermissionsBoundary` (`CreateRole`, `PutRolePermissionsBoundary`): "The ARN of the
/// managed policy that is used to set the permissions boundary for the role" (pinned model), one
/// copylab knows. The error for one it does not is modeled on AttachRolePolicy's.
fn boundary_arn(state: &ServerState, arn: &str) -> Result<String, ApiError> {
    check_policy_arn(arn)?;
    if !known_managed_policy(state, arn) {
        return Err(no_such_entity(format!("Policy {arn} does not exist or is not attachable.")).modeled());
    }
    Ok(arn.to_owned())
}

fn attach_role_policy(state: &mut ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<(), ApiError> {
    let index = find_modifiable_role(state, caller, input)?;
    let arn = get(input, "PolicyArn").unwrap_or_default().to_owned();
    check_policy_arn(&arn)?;
    if !known_managed_policy(state, &arn) {
        // LocalStack's recorded IAM snapshot (attach-nonexistent-policy-error);
        // hashicorp/terraform#31748, status code 404.
        return Err(no_such_entity(format!(
            "Policy {arn} does not exist or is not attachable."
        )));
    }
    if policy_path(&arn).starts_with("/aws-service-role/") {
        // aws/aws-cdk#6131: status code 400, PolicyNotAttachable.
        return Err(ApiError::new(
            "PolicyNotAttachable",
            StatusCode::BAD_REQUEST,
            "Cannot attach a Service Role Policy to a Customer Role.",
        ));
    }
    let managed = &mut state.world_mut().roles[index].managed_policies;
    if managed.contains(&arn) {
        return Ok(());
    }
    if managed.len() >= MANAGED_POLICIES_PER_ROLE {
        return Err(ApiError::new(
            "LimitExceeded",
            StatusCode::CONFLICT,
            format!("Cannot exceed quota for PoliciesPerRole: {MANAGED_POLICIES_PER_ROLE}"),
        )
        .modeled());
    }
    managed.push(arn);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_come_from_arns() {
        assert_eq!(
            role_path("arn:aws:iam::111122223333:role/service-role/R"),
            "/service-role/"
        );
        assert_eq!(role_path("arn:aws:iam::111122223333:role/R"), "/");
        assert_eq!(
            policy_path("arn:aws:iam::aws:policy/aws-service-role/AWSBackupServiceLinkedRolePolicyForBackup"),
            "/aws-service-role/"
        );
    }
}

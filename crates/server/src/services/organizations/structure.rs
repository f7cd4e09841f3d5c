//! The shape of an organization through the Organizations API: `CreateOrganization`, `CreateAccount` and `DescribeCreateAccountStatus`, `InviteAccountToOrganization` with `AcceptHandshake` (and `DescribeHandshake`, `DeclineHandshake`), `CreateOrganizationalUnit` and `MoveAccount`, each writing the world's `organizations` that the rules engine reads.
//!
//! Ids come from the seeded generator and follow the model's patterns (`o-`, `r-`, `ou-`,
//! `car-`, `h-`), so a run is reproducible. Accounts are created at once: `CreateAccount`
//! answers `IN_PROGRESS`, as AWS does, and `DescribeCreateAccountStatus` then `SUCCEEDED`
//! (modeled timing). A created account gets the role `OrganizationAccountAccessRole` (or the
//! `RoleName` given), which the management account may assume, as AWS creates it.

use axum::http::StatusCode;
use copylab_rules::world::{MemberAccount, Organization, OrganizationalUnit, PolicyDocument, Role};
use serde_json::{Map, Value, json};

use crate::state::ServerState;
use crate::wire::{ApiError, Caller};

/// How long an invitation stays open (the API reference: "expire after 15 days").
const HANDSHAKE_DAYS: f64 = 15.0;

/// What Organizations keeps about an account beyond the world's membership.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AccountExtra {
    /// `Name`.
    pub name: String,
    /// `Email`.
    pub email: String,
    /// `JoinedMethod`: `CREATED` or `INVITED`.
    pub joined_method: String,
    /// `JoinedTimestamp`, epoch seconds.
    pub joined: f64,
}

/// A `CreateAccount` request and its outcome.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CreateAccountStatus {
    /// `car-...`.
    pub id: String,
    /// The organization it was made in.
    pub organization: String,
    /// `AccountName`.
    pub account_name: String,
    /// `SUCCEEDED` or `FAILED`.
    pub state: String,
    /// `RequestedTimestamp`.
    pub requested: f64,
    /// The new account, when it succeeded.
    pub account_id: Option<String>,
    /// `FailureReason`, when it failed.
    pub failure_reason: Option<String>,
}

/// An invitation to join an organization.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Handshake {
    /// `h-...`.
    pub id: String,
    /// The inviting organization.
    pub organization: String,
    /// Its management account.
    pub management_account: String,
    /// The invited account.
    pub account: String,
    /// `OPEN`, `ACCEPTED`, `DECLINED` or `EXPIRED`.
    pub state: String,
    /// `RequestedTimestamp`.
    pub requested: f64,
    /// `Notes`.
    pub notes: Option<String>,
}

/// `HandshakeConstraintViolationException` for an account already in an organization: the pinned
/// model's text for the reason `ALREADY_IN_AN_ORGANIZATION` (no runtime capture found).
fn already_in_an_organization() -> ApiError {
    organizations_error(
        "HandshakeConstraintViolationException",
        "The handshake request is invalid because the invited account is already a member of an organization.",
    )
}

pub(crate) fn organizations_error(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, StatusCode::BAD_REQUEST, message)
}

/// Lowercase letters and digits, `n` of them, from the seeded generator.
fn base36(state: &mut ServerState, n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..n)
        .map(|_| char::from(ALPHABET[(state.ids.next_u64() % 36) as usize]))
        .collect()
}

/// The organization an account is in (management or member).
pub fn organization_of(state: &ServerState, account: &str) -> Option<usize> {
    state
        .world()
        .organizations
        .iter()
        .position(|o| o.management_account == account || o.accounts.iter().any(|a| a.id == account))
}

/// `CreateOrganization`: the caller becomes the management account of a new organization.
pub fn create_organization(
    state: &mut ServerState,
    caller: &Caller,
    input: &Map<String, Value>,
) -> Result<Value, ApiError> {
    if organization_of(state, &caller.account).is_some() {
        return Err(organizations_error(
            "AlreadyInOrganizationException",
            // Observed at runtime: hashicorp/terraform-provider-aws#30687.
            "The AWS account is already a member of an organization.",
        ));
    }
    let feature_set = input
        .get("FeatureSet")
        .and_then(Value::as_str)
        .unwrap_or("ALL")
        .to_owned();
    let id = format!("o-{}", base36(state, 10));
    let root_id = format!("r-{}", base36(state, 4));
    state.world_mut().organizations.push(Organization {
        id: id.clone(),
        management_account: caller.account.clone(),
        root_id,
        organizational_units: Vec::new(),
        accounts: Vec::new(),
        // AWS Backup's cross-account setting starts off in a new organization.
        cross_account_backup_enabled: false,
        tag_policies: Vec::new(),
        backup_policies: Vec::new(),
        service_control_policies: None,
        resource_control_policies: None,
    });
    state
        .services
        .organizations
        .feature_sets
        .insert(id.clone(), feature_set);
    state.services.organizations.enabled.insert(id, Vec::new());
    let index = state.world().organizations.len() - 1;
    Ok(json!({"Organization": super::describe(state, index)}))
}

/// `CreateAccount`: a new member account under the root.
pub fn create_account(state: &mut ServerState, index: usize, input: &Map<String, Value>) -> Result<Value, ApiError> {
    let get = |m: &str| input.get(m).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (name, email) = (get("AccountName"), get("Email"));
    let role_name = input
        .get("RoleName")
        .and_then(Value::as_str)
        .unwrap_or("OrganizationAccountAccessRole")
        .to_owned();
    let request_id = format!("car-{}", base36(state, 32));
    let organization = state.world().organizations[index].id.clone();
    let requested = state.now();
    let email_taken = state.services.organizations.accounts.values().any(|a| a.email == email)
        || super::known_accounts(state).any(|id| super::default_email(&id) == email);
    let status = if email_taken {
        CreateAccountStatus {
            id: request_id,
            organization,
            account_name: name,
            state: "FAILED".to_owned(),
            requested,
            account_id: None,
            failure_reason: Some("EMAIL_ALREADY_EXISTS".to_owned()),
        }
    } else {
        let account_id = loop {
            let candidate = format!("{:012}", state.ids.next_u64() % 1_000_000_000_000);
            if !candidate.starts_with('0') && !super::known_accounts(state).any(|id| id == candidate) {
                break candidate;
            }
        };
        let org = &mut state.world_mut().organizations[index];
        org.accounts.push(MemberAccount {
            id: account_id.clone(),
            parent: None,
        });
        let management = org.management_account.clone();
        let partition = "aws";
        state.world_mut().roles.push(Role {
            arn: format!("arn:{partition}:iam::{account_id}:role/{role_name}"),
            trust_policy: Some(PolicyDocument(json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:{partition}:iam::{management}:root")}, "Action": "sts:AssumeRole"}]
            }))),
            policies: Vec::new(),
            managed_policies: vec![format!("arn:{partition}:iam::aws:policy/AdministratorAccess")],
            permissions_boundary: None,
        });
        state.services.organizations.accounts.insert(
            account_id.clone(),
            AccountExtra {
                name: name.clone(),
                email,
                joined_method: "CREATED".to_owned(),
                joined: requested,
            },
        );
        CreateAccountStatus {
            id: request_id,
            organization,
            account_name: name,
            state: "SUCCEEDED".to_owned(),
            requested,
            account_id: Some(account_id),
            failure_reason: None,
        }
    };
    // The first answer says IN_PROGRESS, as AWS's does; the request then reads as done.
    let mut answer = status_json(&status);
    answer["State"] = json!("IN_PROGRESS");
    if let Some(answer) = answer.as_object_mut() {
        answer.remove("AccountId");
        answer.remove("CompletedTimestamp");
        answer.remove("FailureReason");
    }
    state.services.organizations.create_account_statuses.push(status);
    Ok(json!({"CreateAccountStatus": answer}))
}

fn status_json(status: &CreateAccountStatus) -> Value {
    let mut value = json!({
        "Id": status.id,
        "AccountName": status.account_name,
        "State": status.state,
        "RequestedTimestamp": status.requested,
        "CompletedTimestamp": status.requested,
    });
    if let Some(account) = &status.account_id {
        value["AccountId"] = json!(account);
    }
    if let Some(reason) = &status.failure_reason {
        value["FailureReason"] = json!(reason);
    }
    value
}

/// `DescribeCreateAccountStatus`.
pub fn describe_create_account_status(
    state: &ServerState,
    index: usize,
    input: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let id = input
        .get("CreateAccountRequestId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let organization = &state.world().organizations[index].id;
    state
        .services
        .organizations
        .create_account_statuses
        .iter()
        .find(|s| s.id == id && s.organization == *organization)
        .map(|s| json!({"CreateAccountStatus": status_json(s)}))
        .ok_or_else(|| {
            organizations_error(
                "CreateAccountStatusNotFoundException",
                // The pinned model's documentation of the exception (its wording, "an create").
                "We can't find an create account request with the CreateAccountRequestId that you specified.",
            )
        })
}

fn handshake_json(state: &ServerState, handshake: &Handshake) -> Value {
    let feature_set = state
        .services
        .organizations
        .feature_sets
        .get(&handshake.organization)
        .cloned()
        .unwrap_or_else(|| "ALL".to_owned());
    let mut resources = vec![
        json!({"Value": handshake.organization, "Type": "ORGANIZATION", "Resources": [
            {"Value": super::default_email(&handshake.management_account), "Type": "MASTER_EMAIL"},
            {"Value": "management", "Type": "MASTER_NAME"},
            {"Value": feature_set, "Type": "ORGANIZATION_FEATURE_SET"},
        ]}),
        json!({"Value": handshake.account, "Type": "ACCOUNT"}),
    ];
    if let Some(notes) = &handshake.notes {
        resources.push(json!({"Value": notes, "Type": "NOTES"}));
    }
    json!({
        "Id": handshake.id,
        "Arn": format!("arn:aws:organizations::{}:handshake/{}/invite/{}", handshake.management_account, handshake.organization, handshake.id),
        "Parties": [
            {"Id": handshake.organization, "Type": "ORGANIZATION"},
            {"Id": handshake.account, "Type": "ACCOUNT"},
        ],
        "State": handshake.state,
        "RequestedTimestamp": handshake.requested,
        "ExpirationTimestamp": handshake.requested + HANDSHAKE_DAYS * 86_400.0,
        "Action": "INVITE",
        "Resources": resources,
    })
}

/// `InviteAccountToOrganization` (by account id; an email target is refused, modeled).
pub fn invite(state: &mut ServerState, index: usize, input: &Map<String, Value>) -> Result<Value, ApiError> {
    let target = input.get("Target").cloned().unwrap_or_default();
    let target_type = target.get("Type").and_then(Value::as_str).unwrap_or_default();
    let account = target.get("Id").and_then(Value::as_str).unwrap_or_default().to_owned();
    if target_type != "ACCOUNT" || !copylab_policy::is_account_id(&account) {
        return Err(organizations_error(
            "InvalidInputException",
            "copylab invites by 12-digit account id (Target Type ACCOUNT)",
        )
        .modeled());
    }
    let org = &state.world().organizations[index];
    let (organization, management) = (org.id.clone(), org.management_account.clone());
    if account == management {
        return Err(organizations_error(
            "HandshakeConstraintViolationException",
            "You can't invite your own account to the organization.",
        )
        .modeled());
    }
    if organization_of(state, &account).is_some() {
        return Err(already_in_an_organization());
    }
    let open = state
        .services
        .organizations
        .handshakes
        .iter()
        .any(|h| h.organization == organization && h.account == account && h.state == "OPEN");
    if open {
        return Err(organizations_error(
            "DuplicateHandshakeException",
            // The pinned model's documentation of the exception.
            "A handshake with the same action and target already exists. For example, if you invited an account to join your organization, the invited account might already have a pending invitation from this organization. If you intend to resend an invitation to an account, ensure that existing handshakes that might be considered duplicates are canceled or declined.",
        ));
    }
    let handshake = Handshake {
        id: format!("h-{}", base36(state, 32)),
        organization,
        management_account: management,
        account,
        state: "OPEN".to_owned(),
        requested: state.now(),
        notes: input.get("Notes").and_then(Value::as_str).map(str::to_owned),
    };
    let answer = handshake_json(state, &handshake);
    state.services.organizations.handshakes.push(handshake);
    Ok(json!({"Handshake": answer}))
}

fn find_handshake(state: &ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<usize, ApiError> {
    let id = input.get("HandshakeId").and_then(Value::as_str).unwrap_or_default();
    state
        .services
        .organizations
        .handshakes
        .iter()
        .position(|h| h.id == id && (h.account == caller.account || h.management_account == caller.account))
        .ok_or_else(|| {
            organizations_error(
                "HandshakeNotFoundException",
                // The pinned model's documentation of the exception.
                "We can't find a handshake with the HandshakeId that you specified.",
            )
        })
}

/// `DescribeHandshake`: either party.
pub fn describe_handshake(state: &ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<Value, ApiError> {
    let index = find_handshake(state, caller, input)?;
    Ok(json!({"Handshake": handshake_json(state, &state.services.organizations.handshakes[index])}))
}

/// `AcceptHandshake` or `DeclineHandshake`: only the invited account.
pub fn answer_handshake(
    state: &mut ServerState,
    caller: &Caller,
    input: &Map<String, Value>,
    accept: bool,
) -> Result<Value, ApiError> {
    let index = find_handshake(state, caller, input)?;
    let handshake = &state.services.organizations.handshakes[index];
    if handshake.account != caller.account {
        return Err(super::access_denied());
    }
    let target = if accept { "ACCEPTED" } else { "DECLINED" };
    if handshake.state == target {
        return Err(organizations_error(
            "HandshakeAlreadyInStateException",
            // The pinned model's documentation of the exception.
            "The specified handshake is already in the requested state. For example, you can't accept a handshake that was already accepted.",
        ));
    }
    if handshake.state != "OPEN" {
        return Err(organizations_error(
            "InvalidHandshakeTransitionException",
            // The pinned model's documentation of the exception.
            "You can't perform the operation on the handshake in its current state. For example, you can't cancel a handshake that was already accepted or accept a handshake that was already declined.",
        ));
    }
    let (organization, account) = (handshake.organization.clone(), handshake.account.clone());
    if accept {
        if organization_of(state, &account).is_some() {
            return Err(already_in_an_organization());
        }
        let Some(org) = state
            .world_mut()
            .organizations
            .iter_mut()
            .find(|o| o.id == organization)
        else {
            return Err(organizations_error(
                "HandshakeNotFoundException",
                "We can't find a handshake with the HandshakeId that you specified.",
            ));
        };
        org.accounts.push(MemberAccount {
            id: account.clone(),
            parent: None,
        });
        let joined = state.now();
        state
            .services
            .organizations
            .accounts
            .entry(account.clone())
            .or_insert(AccountExtra {
                name: super::default_name(&account),
                email: super::default_email(&account),
                joined_method: "INVITED".to_owned(),
                joined,
            });
    }
    state.services.organizations.handshakes[index].state = target.to_owned();
    Ok(json!({"Handshake": handshake_json(state, &state.services.organizations.handshakes[index])}))
}

/// Whether `id` is the root or an OU of the organization.
fn is_parent(org: &Organization, id: &str) -> bool {
    id == org.root_id || org.organizational_units.iter().any(|u| u.id == id)
}

/// `CreateOrganizationalUnit` under the root or another OU.
pub fn create_organizational_unit(
    state: &mut ServerState,
    index: usize,
    input: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let parent = input
        .get("ParentId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = input.get("Name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let org = &state.world().organizations[index];
    if !is_parent(org, &parent) {
        return Err(organizations_error(
            "ParentNotFoundException",
            // The pinned model's documentation of the exception.
            "We can't find a root or OU with the ParentId that you specified.",
        ));
    }
    let parent_of = |u: &OrganizationalUnit| u.parent.clone().unwrap_or_else(|| org.root_id.clone());
    if org
        .organizational_units
        .iter()
        .any(|u| parent_of(u) == parent && u.name == name)
    {
        return Err(organizations_error(
            "DuplicateOrganizationalUnitException",
            // The pinned model's documentation of the exception (moto has the same words).
            "An OU with the same name already exists.",
        ));
    }
    // OUs nest at most five levels under the root (Organizations quotas).
    let mut depth = 1;
    let mut cursor = parent.clone();
    while let Some(unit) = org.organizational_units.iter().find(|u| u.id == cursor) {
        depth += 1;
        cursor = parent_of(unit);
    }
    if depth > 5 {
        return Err(organizations_error(
            "ConstraintViolationException",
            // Observed at runtime: org-formation/org-formation-cli#368.
            "You cannot add an organizational unit to the specified parent because it would exceed the max depth allowed.",
        ));
    }
    let root_suffix = org.root_id.trim_start_matches("r-").to_owned();
    let id = format!("ou-{root_suffix}-{}", base36(state, 8));
    let org = &mut state.world_mut().organizations[index];
    org.organizational_units.push(OrganizationalUnit {
        id: id.clone(),
        name: name.clone(),
        parent: (parent != org.root_id).then_some(parent),
    });
    Ok(json!({"OrganizationalUnit": {
        "Id": id,
        "Arn": format!("arn:aws:organizations::{}:ou/{}/{id}", org.management_account, org.id),
        "Name": name,
    }}))
}

/// `MoveAccount` between the root and OUs.
pub fn move_account(state: &mut ServerState, index: usize, input: &Map<String, Value>) -> Result<Value, ApiError> {
    let get = |m: &str| input.get(m).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (account, source, destination) = (get("AccountId"), get("SourceParentId"), get("DestinationParentId"));
    let org = &mut state.world_mut().organizations[index];
    // The parents' messages are the pinned model's documentation of the exceptions.
    if !is_parent(org, &source) {
        return Err(organizations_error(
            "SourceParentNotFoundException",
            "We can't find a source root or OU with the ParentId that you specified.",
        ));
    }
    if !is_parent(org, &destination) {
        return Err(organizations_error(
            "DestinationParentNotFoundException",
            "We can't find the destination container (a root or OU) with the ParentId that you specified.",
        ));
    }
    let root = org.root_id.clone();
    if account == org.management_account {
        // The management account stays under the root (copylab's world keeps it there, modeled).
        return Err(organizations_error(
            "ConstraintViolationException",
            "copylab keeps the management account under the root",
        )
        .modeled());
    }
    // Observed at runtime for an unknown account and for one not under the source parent
    // (a public script's comment; moto has the same words).
    let not_found = || {
        organizations_error(
            "AccountNotFoundException",
            "You specified an account that doesn't exist.",
        )
    };
    let Some(member) = org.accounts.iter_mut().find(|a| a.id == account) else {
        return Err(not_found());
    };
    let current = member.parent.clone().unwrap_or_else(|| root.clone());
    if current == destination {
        return Err(organizations_error(
            "DuplicateAccountException",
            // The pinned model's documentation of the exception.
            "That account is already present in the specified destination.",
        ));
    }
    if current != source {
        return Err(not_found());
    }
    member.parent = (destination != root).then_some(destination);
    Ok(json!({}))
}

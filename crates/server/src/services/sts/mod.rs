//! AWS STS on the wire (query protocol: form-encoded `Action=...`, XML answers): `GetCallerIdentity`, and `AssumeRole` for the world's roles, whose session credentials then act, signed, as that role's session on every service.
//!
//! A role may be assumed when its trust policy allows the caller `sts:AssumeRole` (the policy
//! engine decides; the caller's own IAM policies are taken as allowing, modeled). The session's
//! keys join the world's `credentials` with their secret and session token, so `GET
//! /_copylab/state` shows them and every request made with them is verified.

use axum::http::StatusCode;
use copylab_policy::{Caller as PolicyCaller, Outcome, PolicyKind};
use copylab_rules::world::AccessKey;
use serde_json::{Map, Value};

use crate::state::ServerState;
use crate::wire::query::get;
use crate::wire::xml::{escape, iso8601};
use crate::wire::{ApiError, Caller};
use copylab_rules::ids::unique_id;

/// AWS STS on the query edge.
/// The operations copylab implements.
const IMPLEMENTED: &[&str] = &["GetCallerIdentity", "AssumeRole"];

include!(concat!(env!("OUT_DIR"), "/sts_operations.rs"));

/// AWS STS for the call pipeline.
pub static SERVICE: crate::call::Service = crate::call::Service {
    name: "AWS STS",
    protocol: crate::wire::Protocol::Query,
    operations: OPERATIONS,
    implements: |operation| IMPLEMENTED.contains(&operation),
    run: |operation, ctx, input| run(operation, ctx.state, ctx.caller, input).map(crate::call::Output::Xml),
    // The pinned model's `xmlNamespace` and `apiVersion`.
    xml_namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
    api_version: "2011-06-15",
    signing_name: "sts",
    invalid_input: None,
};

fn run(
    action: &str,
    state: &mut ServerState,
    caller: &Caller,
    input: &Map<String, Value>,
) -> Result<Option<String>, ApiError> {
    match action {
        "GetCallerIdentity" => Ok(get_caller_identity(state, caller)),
        "AssumeRole" => assume_role(state, caller, input),
        other => Err(ApiError::not_implemented(other)),
    }
    .map(Some)
}

/// The caller's principal ARN: the world's principal for its key, or the account root.
fn principal(caller: &Caller) -> String {
    caller.principal.clone().unwrap_or_else(|| {
        format!(
            "arn:{}:iam::{}:root",
            copylab_rules::regions::partition(&caller.region),
            caller.account
        )
    })
}

fn get_caller_identity(state: &ServerState, caller: &Caller) -> String {
    let arn = principal(caller);
    let user_id = match PolicyCaller::parse(&arn) {
        Ok(PolicyCaller::User { .. }) => unique_id("AIDA", &arn),
        Ok(PolicyCaller::RoleSession {
            role_arn,
            session: Some(session),
            ..
        }) => format!("{}:{session}", state.services.iam.role_id(&role_arn)),
        _ => caller.account.clone(),
    };
    format!(
        "    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n",
        escape(&arn),
        escape(&user_id),
        escape(&caller.account)
    )
}

fn assume_role(state: &mut ServerState, caller: &Caller, input: &Map<String, Value>) -> Result<String, ApiError> {
    let role_arn = get(input, "RoleArn").unwrap_or_default().to_owned();
    let session = get(input, "RoleSessionName").unwrap_or_default().to_owned();
    let valid_session = (2..=64).contains(&session.len())
        && session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c));
    if !valid_session {
        // Modeled message (the model's pattern for RoleSessionName is [\w+=,.@-]*, 2 to 64).
        return Err(ApiError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            format!("RoleSessionName `{session}` must be 2 to 64 of [\\w+=,.@-]"),
        )
        .modeled());
    }
    // The model bounds DurationSeconds (900 to 43200); the edge has checked them.
    let duration = input.get("DurationSeconds").and_then(Value::as_u64).unwrap_or(3600);
    let caller_arn = principal(caller);
    // AWS's denial (Netflix/security_monkey#77: XML ErrorResponse, AccessDenied, 403); AWS
    // gives the same answer for a role that does not exist.
    let denied = || {
        ApiError::new(
            "AccessDenied",
            StatusCode::FORBIDDEN,
            format!("User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"),
        )
    };
    let role = state
        .world()
        .roles
        .iter()
        .find(|r| r.arn == role_arn)
        .ok_or_else(denied)?;
    let trust = role
        .trust_policy
        .as_ref()
        .map_or_else(copylab_rules::policies::default_trust_policy, |d| d.0.clone());
    if crate::authz::decide(&trust, PolicyKind::Trust, &caller_arn, "sts:AssumeRole", &role_arn) != Some(Outcome::Allow)
    {
        return Err(denied());
    }
    // A session may not outlast the role's MaxSessionDuration (3600 unless CreateRole set it).
    let max = state
        .services
        .iam
        .roles
        .get(&role_arn)
        .map_or(3600, |e| e.max_session_duration);
    if duration > max {
        return Err(ApiError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )
        .modeled());
    }
    let copylab_rules::arn::Arn {
        partition,
        account,
        resource,
        ..
    } = copylab_rules::arn::Arn::parse(&role_arn).ok_or_else(denied)?;
    let role_name = resource.rsplit('/').next().unwrap_or(resource);
    let assumed_arn = format!("arn:{partition}:sts::{account}:assumed-role/{role_name}/{session}");
    // "A unique identifier that contains the role ID and the role session name" (the model).
    let assumed_id = format!("{}:{session}", state.services.iam.role_id(&role_arn));
    let access_key_id = format!("ASIA{}", state.ids.hex(16).to_uppercase());
    let secret = format!("{}{}", state.ids.hex(20), state.ids.hex(20));
    let token = format!("{SESSION_TOKEN_PREFIX}{}", state.ids.hex(64));
    // Expirations come from the one clock, which authentication checks them against.
    let now = state.now().max(0.0) as u64;
    let expiration = now + duration;
    forget_old_sessions(&mut state.world_mut().credentials, now);
    state.world_mut().credentials.push(AccessKey {
        access_key_id: access_key_id.clone(),
        principal: assumed_arn.clone(),
        secret_access_key: Some(secret.clone()),
        session_token: Some(token.clone()),
        expiration: Some(iso8601(expiration)),
    });
    Ok(format!(
        "    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      <Expiration>{}</Expiration>\n    </Credentials>\n    <AssumedRoleUser>\n      <AssumedRoleId>{}</AssumedRoleId>\n      <Arn>{}</Arn>\n    </AssumedRoleUser>\n",
        escape(&access_key_id),
        escape(&secret),
        escape(&token),
        iso8601(expiration),
        escape(&assumed_id),
        escape(&assumed_arn)
    ))
}

/// Sessions kept at most; beyond, the oldest sessions are forgotten.
pub const MAX_SESSIONS: usize = 10_000;

/// Bounds the sessions `AssumeRole` adds: a session expired more than an hour ago is forgotten
/// (its key then answers as unknown instead of expired), and past [`MAX_SESSIONS`] the oldest go.
/// Keys without a session token (the world's own) are never removed.
fn forget_old_sessions(credentials: &mut Vec<AccessKey>, now: u64) {
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    credentials.retain(|key| {
        !issued_by_sts(key)
            || key
                .expiration
                .as_deref()
                .and_then(copylab_rules::world::timestamp_seconds)
                .is_none_or(|expires| expires.saturating_add(3600) > now)
    });
    let sessions = credentials.iter().filter(|k| issued_by_sts(k)).count();
    let mut excess = (sessions + 1).saturating_sub(MAX_SESSIONS);
    credentials.retain(|key| {
        if excess > 0 && issued_by_sts(key) {
            excess -= 1;
            false
        } else {
            true
        }
    });
}

/// The prefix of the session tokens `AssumeRole` issues: only those sessions are ever forgotten.
const SESSION_TOKEN_PREFIX: &str = "copylab-session/";

fn issued_by_sts(key: &AccessKey) -> bool {
    key.session_token
        .as_deref()
        .is_some_and(|t| t.starts_with(SESSION_TOKEN_PREFIX))
}

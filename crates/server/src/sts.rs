//! AWS STS on the wire (query protocol: form-encoded `Action=...`, XML answers): `GetCallerIdentity`, and `AssumeRole` for the world's roles, whose session credentials then act, signed, as that role's session on every service.
//!
//! A role may be assumed when its trust policy allows the caller `sts:AssumeRole` (the policy
//! engine decides; the caller's own IAM policies are taken as allowing, modeled). The session's
//! keys join the world's `credentials` with their secret and session token, so `GET
//! /_copylab/state` shows them and every request made with them is verified.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use copylab_policy::{Caller as PolicyCaller, Outcome, PolicyKind};
use copylab_rules::world::AccessKey;

use crate::protocol::{ApiError, Caller};
use crate::sigv4::{Family, Sent};
use crate::state::ServerState;

/// The XML namespace of STS answers (the pinned model's `xmlNamespace`).
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The operations copylab implements.
const IMPLEMENTED: &[&str] = &["GetCallerIdentity", "AssumeRole"];

/// Whether a request is for STS: its credential scope names `sts`, or it is an unsigned
/// form-encoded query request.
pub fn is_sts(sent: &Sent<'_>) -> bool {
    let scope_service = sent
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(crate::sigv4::authorization)
        .and_then(|a| a.scope.split('/').nth(3));
    match scope_service {
        Some(service) => service == "sts",
        None => {
            sent.method == "POST"
                && sent
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        }
    }
}

/// An error in the query protocol's shape (observed STS body, facts aws-org-wire §2.2).
pub fn error_response(error: &ApiError, request_id: &str) -> Response {
    let body = format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        escape(error.code),
        escape(&error.message),
        escape(request_id)
    );
    xml_response(error.status, body, request_id)
}

fn xml_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("text/xml"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

/// The query form of an edge error: an unknown key or wrong session token is
/// `InvalidClientTokenId` (facts aws-org-wire §2.2); input errors are modeled.
fn query_error(error: ApiError) -> ApiError {
    match error.code {
        "UnrecognizedClientException" => ApiError::new(
            "InvalidClientTokenId",
            StatusCode::FORBIDDEN,
            "The security token included in the request is invalid",
        ),
        _ => error,
    }
}

/// Answers an STS request.
pub fn handle(state: &mut ServerState, sent: &Sent<'_>, request_id: &str) -> Response {
    let form = parse_form(sent.body);
    let action = form
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let Some(operation) = crate::model::STS_OPERATIONS.iter().find(|op| op.name == action) else {
        // Modeled message.
        let error = ApiError::new(
            "InvalidAction",
            StatusCode::BAD_REQUEST,
            format!("Could not find operation {action} for version 2011-06-15 (modeled message)"),
        );
        return error_response(&error, request_id);
    };
    if !IMPLEMENTED.contains(&action) {
        return error_response(&ApiError::not_implemented(action), request_id);
    }
    let caller = match crate::protocol::authenticate(sent, &state.world.credentials, Family::Query) {
        Ok(caller) => caller,
        Err(error) => return error_response(&query_error(error), request_id),
    };
    for member in operation.members.iter().filter(|m| m.required) {
        if !form.iter().any(|(k, _)| k == member.name) {
            // Modeled message, in the style of AWS's validation errors.
            let error = ApiError::new(
                "ValidationError",
                StatusCode::BAD_REQUEST,
                format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null (modeled message)",
                    lower_first(member.name)
                ),
            );
            return error_response(&error, request_id);
        }
    }
    let result = match action {
        "GetCallerIdentity" => Ok(get_caller_identity(&caller)),
        "AssumeRole" => assume_role(state, &caller, &form),
        other => Err(ApiError::not_implemented(other)),
    };
    tracing::info!(
        operation = action,
        account = %caller.account,
        principal = caller.principal.as_deref().unwrap_or("-"),
        outcome = result.as_ref().map_or_else(|e| e.code, |_| "OK"),
        request_id = %request_id,
        "sts request"
    );
    match result {
        Ok(inner) => xml_response(
            StatusCode::OK,
            format!(
                "<{action}Response xmlns=\"{NAMESPACE}\">\n  <{action}Result>\n{inner}  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
                escape(request_id)
            ),
            request_id,
        ),
        Err(error) => error_response(&error, request_id),
    }
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

/// A stable unique id for a principal (`AIDA...` for users, `AROA...` for roles), as IAM shows
/// them: 21 characters (modeled values; the prefixes are IAM's).
fn unique_id(prefix: &str, arn: &str) -> String {
    let hex = copylab_rules::ids::IdGenerator::for_names(&[arn]).hex(17);
    format!("{prefix}{}", hex.to_uppercase())
}

fn get_caller_identity(caller: &Caller) -> String {
    let arn = principal(caller);
    let user_id = match PolicyCaller::parse(&arn) {
        Ok(PolicyCaller::User { .. }) => unique_id("AIDA", &arn),
        Ok(PolicyCaller::RoleSession {
            role_arn,
            session: Some(session),
            ..
        }) => format!("{}:{session}", unique_id("AROA", &role_arn)),
        _ => caller.account.clone(),
    };
    format!(
        "    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n",
        escape(&arn),
        escape(&user_id),
        escape(&caller.account)
    )
}

fn assume_role(state: &mut ServerState, caller: &Caller, form: &[(String, String)]) -> Result<String, ApiError> {
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let role_arn = get("RoleArn").unwrap_or_default().to_owned();
    let session = get("RoleSessionName").unwrap_or_default().to_owned();
    let valid_session = (2..=64).contains(&session.len())
        && session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c));
    if !valid_session {
        // Modeled message (the model's pattern for RoleSessionName is [\w+=,.@-]*, 2 to 64).
        return Err(ApiError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            format!("RoleSessionName `{session}` must be 2 to 64 of [\\w+=,.@-] (modeled message)"),
        ));
    }
    let duration: u64 = match get("DurationSeconds") {
        None => 3600,
        Some(text) => text
            .parse()
            .ok()
            .filter(|d| (900..=43_200).contains(d))
            .ok_or_else(|| {
                ApiError::new(
                    "ValidationError",
                    StatusCode::BAD_REQUEST,
                    format!("DurationSeconds {text} is not between 900 and 43200 (modeled message)"),
                )
            })?,
    };
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
        .world
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
    let [_, partition, _, _, account, resource] = copylab_policy::split_arn(&role_arn).ok_or_else(denied)?;
    let role_name = resource.rsplit('/').next().unwrap_or(resource);
    let assumed_arn = format!("arn:{partition}:sts::{account}:assumed-role/{role_name}/{session}");
    let assumed_id = format!("{}:{session}", unique_id("AROA", &role_arn));
    let access_key_id = format!("ASIA{}", state.ids.hex(16).to_uppercase());
    let secret = format!("{}{}", state.ids.hex(20), state.ids.hex(20));
    let token = format!("copylab-session/{}", state.ids.hex(64));
    let expiration = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) + duration;
    state.world.credentials.push(AccessKey {
        access_key_id: access_key_id.clone(),
        principal: assumed_arn.clone(),
        secret_access_key: Some(secret.clone()),
        session_token: Some(token.clone()),
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

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space).
fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                let s = s.replace('+', " ");
                crate::model::percent_decode(&s).unwrap_or(s)
            };
            (decode(k), decode(v))
        })
        .collect()
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `2026-11-28T15:51:48Z`.
fn iso8601(secs: u64) -> String {
    let compact = crate::sigv4::format_amz_date(secs);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &compact[0..4],
        &compact[4..6],
        &compact[6..8],
        &compact[9..11],
        &compact[11..13],
        &compact[13..15]
    )
}

/// Escapes XML text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_and_dates_format() {
        assert_eq!(
            parse_form(b"Action=AssumeRole&RoleSessionName=a+b%2Fc"),
            [
                ("Action".to_owned(), "AssumeRole".to_owned()),
                ("RoleSessionName".to_owned(), "a b/c".to_owned())
            ]
        );
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
    }
}

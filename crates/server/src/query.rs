//! The query-protocol edge, shared by STS and IAM: the service chosen by the credential scope (or, unsigned, by `Action`), the operation checked against its model table, the caller authenticated, the form checked against the model; answers in XML (`<OpResponse><OpResult>`, `<ErrorResponse>`, `text/xml`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::model::Operation;
use crate::protocol::{ApiError, Caller};
use crate::sigv4::{Family, Sent};
use crate::state::ServerState;

/// A service's handler: the operation name, the state, the caller and the checked input; it
/// answers the XML inside `<OpResult>`, or `None` for operations without a result.
pub type Run = fn(&str, &mut ServerState, &Caller, &Map<String, Value>) -> Result<Option<String>, ApiError>;

/// A query-protocol service.
#[derive(Debug)]
pub struct Service {
    /// The name in messages and logs (`AWS STS`).
    pub name: &'static str,
    /// The signing name in the credential scope (`sts`).
    pub scope: &'static str,
    /// The XML namespace of its answers (the model's `xmlNamespace`).
    pub namespace: &'static str,
    /// The model's `apiVersion`.
    pub version: &'static str,
    /// Every operation of its model.
    pub operations: &'static [Operation],
    /// The operations copylab implements.
    pub implemented: &'static [&'static str],
    /// The handler.
    pub run: Run,
}

/// The query-protocol services, in the order an unsigned request's `Action` is looked up.
pub static SERVICES: [&Service; 2] = [&crate::sts::SERVICE, &crate::iam::SERVICE];

/// The query service a request is for: the one its credential scope names, or for an unsigned
/// form post the first whose model has its `Action`. `None` sends the request elsewhere.
pub fn service_for(sent: &Sent<'_>) -> Option<&'static Service> {
    let scope_service = sent
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(crate::sigv4::authorization)
        .and_then(|a| a.scope.split('/').nth(3).map(str::to_owned));
    if let Some(scope) = scope_service {
        return SERVICES.iter().copied().find(|s| s.scope == scope);
    }
    let form_post = sent.method == "POST"
        && sent
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !form_post {
        return None;
    }
    let form = parse_form(sent.body);
    let action = action_of(&form);
    SERVICES
        .iter()
        .copied()
        .find(|s| s.operations.iter().any(|op| op.name == action))
        .or(Some(SERVICES[0]))
}

fn action_of(form: &[(String, String)]) -> &str {
    form.iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// Answers a query-protocol request for `service`.
pub fn handle(service: &Service, state: &mut ServerState, sent: &Sent<'_>, request_id: &str) -> Response {
    let form = parse_form(sent.body);
    let action = action_of(&form).to_owned();
    let respond_error = |error: &ApiError| error_response(service, error, request_id);
    let Some(operation) = service.operations.iter().find(|op| op.name == action) else {
        // Modeled message.
        let error = ApiError::new(
            "InvalidAction",
            StatusCode::BAD_REQUEST,
            format!(
                "Could not find operation {action} for version {} (modeled message)",
                service.version
            ),
        );
        return respond_error(&error);
    };
    if !service.implemented.contains(&action.as_str()) {
        return respond_error(&ApiError::not_implemented(&action));
    }
    let caller = match crate::protocol::authenticate(sent, &state.world, Family::Query) {
        Ok(caller) => caller,
        Err(error) => return respond_error(&edge_error(error)),
    };
    let result = form_input(operation, &form).and_then(|input| {
        if ServerState::read_only(&action) {
            return (service.run)(&action, state, &caller, &input);
        }
        state.guarded(
            |state| (service.run)(&action, state, &caller, &input),
            |reason| {
                ApiError::new(
                    "ValidationError",
                    StatusCode::BAD_REQUEST,
                    format!("the request would leave the world invalid: {reason} (modeled message)"),
                )
            },
        )
    });
    tracing::info!(
        service = service.name,
        operation = %action,
        account = %caller.account,
        principal = caller.principal.as_deref().unwrap_or("-"),
        outcome = result.as_ref().map_or_else(|e| e.code, |_| "OK"),
        request_id = %request_id,
        "request"
    );
    match result {
        Ok(inner) => {
            let result = inner.map_or_else(String::new, |inner| {
                format!("  <{action}Result>\n{inner}  </{action}Result>\n")
            });
            xml_response(
                StatusCode::OK,
                format!(
                    "<{action}Response xmlns=\"{}\">\n{result}  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
                    service.namespace,
                    escape(request_id)
                ),
                request_id,
            )
        }
        Err(error) => respond_error(&error),
    }
}

/// An error in the query protocol's shape (observed STS body, facts aws-org-wire §2.2), in the
/// service's namespace.
pub fn error_response(service: &Service, error: &ApiError, request_id: &str) -> Response {
    let body = format!(
        "<ErrorResponse xmlns=\"{}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        service.namespace,
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
/// `InvalidClientTokenId` (facts aws-org-wire §2.2); input errors are `ValidationError`
/// (modeled code, as STS and IAM name it for constraint failures).
fn edge_error(error: ApiError) -> ApiError {
    match error.code {
        "UnrecognizedClientException" => ApiError::new(
            "InvalidClientTokenId",
            StatusCode::FORBIDDEN,
            "The security token included in the request is invalid",
        ),
        _ => error,
    }
}

/// The form as the operation's input, keyed by member name and checked against the model
/// (unknown parameters, types, lengths, patterns, required members). Lists travel as
/// `Name.member.N` and their structures as `Name.member.N.Field`.
pub fn form_input(operation: &Operation, form: &[(String, String)]) -> Result<Map<String, Value>, ApiError> {
    let validation = |message: String| ApiError::new("ValidationError", StatusCode::BAD_REQUEST, message);
    let mut input = Map::new();
    for (key, text) in form {
        if key == "Action" || key == "Version" {
            continue;
        }
        let (top, rest) = key.split_once('.').map_or((key.as_str(), None), |(t, r)| (t, Some(r)));
        let Some(member) = operation.members.iter().find(|m| m.name == top) else {
            return Err(validation(format!(
                "{top} is not a parameter of {} (modeled message)",
                operation.name
            )));
        };
        match rest {
            None => {
                let value = crate::protocol::query_value(member, text).map_err(|e| validation(e.message))?;
                input.insert(member.name.to_owned(), value);
            }
            Some(rest) => {
                // `member.N` or `member.N.Field`: a list of strings or of structures.
                let mut parts = rest.splitn(3, '.');
                let (Some("member"), Some(index)) = (parts.next(), parts.next().and_then(|n| n.parse::<usize>().ok()))
                else {
                    return Err(validation(format!(
                        "{key} is not a parameter of {} (modeled message)",
                        operation.name
                    )));
                };
                let Value::Array(list) = input
                    .entry(member.name.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()))
                else {
                    return Err(validation(format!("{top} is given twice (modeled message)")));
                };
                if index == 0 || index > 1000 {
                    return Err(validation(format!("{key}: list indexes start at 1 (modeled message)")));
                }
                while list.len() < index {
                    list.push(Value::Null);
                }
                match parts.next() {
                    None => list[index - 1] = Value::String(text.clone()),
                    Some(field) => {
                        if !list[index - 1].is_object() {
                            list[index - 1] = Value::Object(Map::new());
                        }
                        if let Value::Object(map) = &mut list[index - 1] {
                            map.insert(field.to_owned(), Value::String(text.clone()));
                        }
                    }
                }
            }
        }
    }
    for member in operation.members {
        match input.get(member.name) {
            None if member.required => {
                // Modeled message, in the style of AWS's validation errors.
                return Err(validation(format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null (modeled message)",
                    lower_first(member.name)
                )));
            }
            None => {}
            Some(value) => crate::protocol::check(member, value).map_err(|e| validation(e.message))?,
        }
    }
    Ok(input)
}

/// A string member of a checked input.
pub fn get<'i>(input: &'i Map<String, Value>, name: &str) -> Option<&'i str> {
    input.get(name).and_then(Value::as_str)
}

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space).
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
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
pub fn iso8601(secs: u64) -> String {
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
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as IAM encodes the policy
/// documents it returns (SigV4's encoding, slashes included).
pub fn url_encode(text: &str) -> String {
    crate::sigv4::encode(text, true)
}

/// A stable unique id for a principal (`AIDA...` for users, `AROA...` for roles), as IAM shows
/// them: 21 characters (modeled values; the prefixes are IAM's).
pub fn unique_id(prefix: &str, arn: &str) -> String {
    let hex = copylab_rules::ids::IdGenerator::for_names(&[arn]).hex(17);
    format!("{prefix}{}", hex.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_dates_format_and_documents_encode() {
        assert_eq!(
            parse_form(b"Action=AssumeRole&RoleSessionName=a+b%2Fc"),
            [
                ("Action".to_owned(), "AssumeRole".to_owned()),
                ("RoleSessionName".to_owned(), "a b/c".to_owned())
            ]
        );
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
        assert_eq!(url_encode("{\"A\": \"b c\"}"), "%7B%22A%22%3A%20%22b%20c%22%7D");
    }

    #[test]
    fn lists_of_structures_are_gathered_by_index() {
        let operation = crate::model::IAM_OPERATIONS
            .iter()
            .find(|op| op.name == "CreateRole")
            .expect("CreateRole is in the model");
        let form = parse_form(
            b"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.2.Key=b&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Value=2",
        );
        let input = form_input(operation, &form).expect("valid");
        assert_eq!(
            input["Tags"],
            serde_json::json!([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        );
        let unknown = parse_form(b"Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=x&Colour=red");
        assert_eq!(form_input(operation, &unknown).unwrap_err().code, "ValidationError");
    }
}

//! The restJson1 edge: who is calling (from the SigV4 `Authorization` header), the request's input assembled from path, query and body and checked against the model, and AWS-shaped error responses (`X-Amzn-Errortype`, JSON body, `x-amzn-RequestId`).

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::model::{Location, Member, Operation};

/// An error as AWS Backup answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The exception name, sent in `X-Amzn-Errortype`.
    pub code: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The message.
    pub message: String,
}

impl ApiError {
    /// An error with a message.
    pub fn new(code: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            status,
            message: message.into(),
        }
    }

    /// `MissingParameterValueException` (400).
    pub fn missing(message: impl Into<String>) -> Self {
        Self::new("MissingParameterValueException", StatusCode::BAD_REQUEST, message)
    }

    /// `InvalidParameterValueException` (400).
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterValueException", StatusCode::BAD_REQUEST, message)
    }

    /// `InvalidRequestException` (400).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new("InvalidRequestException", StatusCode::BAD_REQUEST, message)
    }

    /// `ResourceNotFoundException` (400, as the API reference gives it).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", StatusCode::BAD_REQUEST, message)
    }

    /// `AccessDeniedException` with the message AWS Backup answers for vaults that do not
    /// exist (403, observed on the wire: facts §2.4).
    pub fn access_denied() -> Self {
        Self::new(
            "AccessDeniedException",
            StatusCode::FORBIDDEN,
            "Insufficient privileges to perform this action.",
        )
    }

    /// The answer for an operation of the model that copylab does not implement (modeled).
    pub fn not_implemented(operation: &str) -> Self {
        Self::new(
            "NotImplementedException",
            StatusCode::NOT_IMPLEMENTED,
            format!("copylab does not implement {operation} yet (modeled error: AWS implements it)"),
        )
    }

    /// The response, with the request id.
    pub fn into_response_with(self, request_id: &str) -> Response {
        let body = json!({"Code": self.code, "Message": self.message});
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(self.code) {
            headers.insert("x-amzn-errortype", value);
        }
        if let Ok(value) = HeaderValue::from_str(request_id) {
            headers.insert("x-amzn-requestid", value);
        }
        response
    }
}

/// Who calls, from the SigV4 credential scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account (the access key id, when it is 12 digits, as LocalStack does; or the account
    /// of the principal a world's `credentials` map the key to).
    pub account: String,
    /// The Region from the credential scope.
    pub region: String,
    /// The principal, when a world's `credentials` name it.
    pub principal: Option<String>,
    /// The key's secret, when the world gives one: the request's signature must verify.
    pub secret: Option<String>,
    /// When temporary credentials expire, epoch seconds.
    pub expires: Option<i64>,
}

/// Reads the caller from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...`.
/// Signatures are not verified here (see [`authenticate`]). Messages are AWS's for other services (facts: aws-org-wire
/// §2.2, §2.3), modeled for AWS Backup.
/// A 12-digit key id acts as that account unless `account_keys` is false (the world's
/// `require_credentials`).
pub fn caller(
    headers: &HeaderMap,
    keys: &[copylab_rules::world::AccessKey],
    account_keys: bool,
) -> Result<Caller, ApiError> {
    let Some(authorization) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::new(
            "MissingAuthenticationToken",
            StatusCode::FORBIDDEN,
            "Request is missing Authentication Token",
        ));
    };
    let credential = authorization
        .split([' ', ','])
        .find_map(|part| part.trim().strip_prefix("Credential="))
        .ok_or_else(|| {
            ApiError::new(
                "IncompleteSignature",
                StatusCode::FORBIDDEN,
                "Authorization header requires 'Credential' parameter. (modeled message)",
            )
        })?;
    let mut scope = credential.split('/');
    let (Some(key_id), Some(_date), Some(region)) = (scope.next(), scope.next(), scope.next()) else {
        return Err(ApiError::new(
            "IncompleteSignature",
            StatusCode::FORBIDDEN,
            "Credential should be scoped to AKID/DATE/REGION/SERVICE/aws4_request. (modeled message)",
        ));
    };
    // A Region is lowercase words and a number (`us-east-1`, `us-gov-west-1`): anything else
    // could smuggle ARN separators into the ARNs the server builds from it.
    let region_ok = region.split('-').count() >= 3
        && region
            .split('-')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && region
            .rsplit('-')
            .next()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
    if !region_ok {
        return Err(ApiError::new(
            "IncompleteSignature",
            StatusCode::FORBIDDEN,
            format!("Credential should be scoped to a valid region, not '{region}'. (modeled message)"),
        ));
    }
    if let Some(key) = keys.iter().find(|key| key.access_key_id == key_id) {
        if let Some(token) = &key.session_token {
            let sent = headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
            if sent != Some(token.as_str()) {
                return Err(ApiError::new(
                    "UnrecognizedClientException",
                    StatusCode::FORBIDDEN,
                    "The security token included in the request is invalid",
                ));
            }
        }
        // The account is the principal's (world validation checks it has one).
        let account = copylab_rules::world::principal_account(&key.principal)
            .unwrap_or_default()
            .to_owned();
        // A bare account id as principal is that account's root.
        let principal = if copylab_policy::is_account_id(&key.principal) {
            format!(
                "arn:{}:iam::{}:root",
                copylab_rules::regions::partition(region),
                key.principal
            )
        } else {
            key.principal.clone()
        };
        return Ok(Caller {
            account,
            region: region.to_owned(),
            principal: Some(principal),
            secret: key.secret_access_key.clone(),
            expires: key
                .expiration
                .as_deref()
                .and_then(copylab_rules::world::timestamp_seconds),
        });
    }
    if !account_keys || !copylab_policy::is_account_id(key_id) {
        return Err(ApiError::new(
            "UnrecognizedClientException",
            StatusCode::FORBIDDEN,
            "The security token included in the request is invalid",
        ));
    }
    Ok(Caller {
        account: key_id.to_owned(),
        region: region.to_owned(),
        principal: None,
        secret: None,
        expires: None,
    })
}

/// The operation's input as one JSON object, keyed by member name: path labels, query
/// parameters and body members, checked against the model (required members, unknown members,
/// types, lengths, ranges, patterns and enums).
pub fn input(
    operation: &Operation,
    labels: &[(&str, String)],
    query: &[(String, String)],
    body: &[u8],
) -> Result<Map<String, Value>, ApiError> {
    let mut input = Map::new();
    if !body.is_empty() && !body.iter().all(u8::is_ascii_whitespace) {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            // Modeled: AWS answers malformed JSON with a serialization error; copylab says where.
            ApiError::new(
                "SerializationException",
                StatusCode::BAD_REQUEST,
                format!("the request body is not valid JSON: {e}"),
            )
        })?;
        let Value::Object(members) = value else {
            return Err(ApiError::new(
                "SerializationException",
                StatusCode::BAD_REQUEST,
                "the request body must be a JSON object",
            ));
        };
        for (name, value) in members {
            let known = operation
                .members
                .iter()
                .any(|m| m.location == Location::Body && m.name == name);
            if !known {
                return Err(ApiError::new(
                    "SerializationException",
                    StatusCode::BAD_REQUEST,
                    format!(
                        "{name} is not a member of the {} request in the AWS Backup model (modeled message)",
                        operation.name
                    ),
                ));
            }
            input.insert(name, value);
        }
    }
    for member in operation.members {
        match member.location {
            Location::Uri => {
                if let Some((_, value)) = labels.iter().find(|(label, _)| *label == member.location_name) {
                    input.insert(member.name.to_owned(), Value::String(value.clone()));
                }
            }
            Location::Query => {
                if let Some((_, value)) = query.iter().find(|(key, _)| key == member.location_name) {
                    input.insert(member.name.to_owned(), query_value(member, value)?);
                }
            }
            Location::Header | Location::Headers | Location::Body => {}
        }
    }
    check_members(operation, &input)?;
    Ok(input)
}

/// `MissingParameterValueException` with the catalog's message (`missing-parameter`, whose
/// provenance the catalog records), so the edge and the rules engine say the same.
pub fn missing_parameter(member: &str) -> ApiError {
    let text =
        copylab_rules::catalog::message("missing-parameter").map_or("Missing required parameter: {member}", |m| m.text);
    ApiError::missing(copylab_rules::catalog::render(text, &[("member", member.to_owned())]))
}

/// Checks an operation's input, keyed by member name, against the model: required members,
/// types, lengths, ranges, patterns and enums (what [`input`] checks after assembling it; the
/// in-process mocks call it with the SDK's input).
pub fn check_members(operation: &Operation, input: &Map<String, Value>) -> Result<(), ApiError> {
    for member in operation.members {
        match input.get(member.name) {
            None if member.required => {
                return Err(missing_parameter(member.name));
            }
            None => {}
            Some(value) => check(member, value)?,
        }
    }
    Ok(())
}

pub(crate) fn query_value(member: &Member, text: &str) -> Result<Value, ApiError> {
    let wrong = || {
        ApiError::invalid_request(format!(
            "{} must be a {}, got `{text}` (modeled message)",
            member.name, member.kind
        ))
    };
    Ok(match member.kind {
        "integer" | "long" => Value::from(text.parse::<i64>().map_err(|_| wrong())?),
        "boolean" => Value::Bool(text.parse::<bool>().map_err(|_| wrong())?),
        _ => Value::String(text.to_owned()),
    })
}

/// Checks a member's JSON value against its model type and constraints.
pub(crate) fn check(member: &Member, value: &Value) -> Result<(), ApiError> {
    let type_ok = match member.kind {
        "string" | "timestamp" => value.is_string() || (member.kind == "timestamp" && value.is_number()),
        "integer" | "long" => value.is_i64() || value.is_u64(),
        "double" | "float" => value.is_number(),
        "boolean" => value.is_boolean(),
        "map" | "structure" => value.is_object(),
        "list" => value.is_array(),
        _ => true,
    };
    if !type_ok {
        return Err(ApiError::invalid_request(format!(
            "{} must be a {}, found {} (modeled message)",
            member.name,
            member.kind,
            kind_of(value)
        )));
    }
    if let Value::String(s) = value {
        let length = s.chars().count() as f64;
        if member.min.is_some_and(|min| length < min) || member.max.is_some_and(|max| length > max) {
            return Err(ApiError::invalid_value(format!(
                "{} has length {length}, outside the model's range (modeled message)",
                member.name
            )));
        }
        if let Some(pattern) = member.pattern.filter(|_| !member.name.ends_with("ResourceType")) {
            // `ResourceType` values such as "SAP HANA on Amazon EC2" contain spaces the model's
            // pattern forbids; AWS accepts them, so copylab does too.
            if matches_pattern(pattern, s) == Some(false) {
                return Err(ApiError::invalid_value(format!(
                    "{} `{s}` does not match the model's pattern {pattern} (modeled message)",
                    member.name
                )));
            }
        }
        if !member.enumeration.is_empty() && !member.enumeration.contains(&s.as_str()) {
            return Err(ApiError::invalid_value(format!(
                "{} must be one of {} (modeled message)",
                member.name,
                member.enumeration.join(", ")
            )));
        }
    }
    if let Some(n) = value.as_f64().filter(|_| matches!(member.kind, "integer" | "long"))
        && (member.min.is_some_and(|min| n < min) || member.max.is_some_and(|max| n > max))
    {
        return Err(ApiError::invalid_value(format!(
            "{} is {n}, outside the model's range (modeled message)",
            member.name
        )));
    }
    Ok(())
}

/// Whether `value` matches a model pattern; `None` when the pattern is not one the `regex`
/// crate accepts (then nothing is checked). Compiled patterns are kept.
fn matches_pattern(pattern: &'static str, value: &str) -> Option<bool> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static CACHE: LazyLock<Mutex<HashMap<&'static str, Option<regex::Regex>>>> = LazyLock::new(Default::default);
    let mut cache = CACHE.lock().ok()?;
    let regex = cache.entry(pattern).or_insert_with(|| regex::Regex::new(pattern).ok());
    regex.as_ref().map(|r| r.is_match(value))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Splits and percent-decodes a query string.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| crate::model::percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_owned());
            (decode(k), decode(v))
        })
        .collect()
}

/// The caller, with the request's signature verified against the wall clock when the world gives
/// the key's secret (12-digit keys and keys without a secret are unauthenticated, by design).
pub fn authenticate(
    sent: &crate::sigv4::Sent<'_>,
    world: &copylab_rules::World,
    family: crate::sigv4::Family,
) -> Result<Caller, ApiError> {
    let caller = caller(sent.headers, &world.credentials, !world.require_credentials).map_err(|error| {
        // A malformed signature answers with the family's status, as a wrong one does.
        if error.code == "IncompleteSignature" {
            ApiError {
                status: family.status(),
                ..error
            }
        } else {
            error
        }
    })?;
    let now = std::time::SystemTime::now();
    if let Some(secret) = &caller.secret {
        crate::sigv4::verify(sent, secret, now, family)?;
    }
    let now_seconds = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    if caller.expires.is_some_and(|expires| expires <= now_seconds) {
        return Err(expired_token(family));
    }
    Ok(caller)
}

/// The answer to expired temporary credentials, per protocol. The message is AWS's (STS
/// GetCallerIdentity, prowler-cloud/prowler#789; IAM, cfn-sphere/cfn-sphere#55: `ExpiredToken`,
/// 403). The awsJson and restJson codes follow the generic Common Errors pages
/// (`ExpiredTokenException`); their statuses are not documented per service (facts aws-org-wire
/// §2.1: awsJson answers auth errors with 400, restJson with 403), so they are modeled.
fn expired_token(family: crate::sigv4::Family) -> ApiError {
    let message = "The security token included in the request is expired";
    match family {
        crate::sigv4::Family::Query => ApiError::new("ExpiredToken", StatusCode::FORBIDDEN, message),
        crate::sigv4::Family::Json => ApiError::new("ExpiredTokenException", StatusCode::BAD_REQUEST, message),
        crate::sigv4::Family::RestJson => ApiError::new("ExpiredTokenException", StatusCode::FORBIDDEN, message),
    }
}

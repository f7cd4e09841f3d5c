//! The restJson1 edge (AWS Backup): the operation from method and path, its input assembled from path labels, query string and JSON body, and answers and errors in restJson1's shape (`X-Amzn-Errortype`, `{"Code", "Message"}`, `x-amzn-RequestId`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::model::{Location, Operation};
use super::{ApiError, Rejection};

/// The operation's input as one JSON object, keyed by member name: path labels, query
/// parameters and body members (the model's checks run in the call pipeline).
pub fn input(
    operation: &Operation,
    labels: &[(&str, String)],
    query: &[(String, String)],
    body: &[u8],
) -> Result<Map<String, Value>, Rejection> {
    let mut input = Map::new();
    if !body.is_empty() && !body.iter().all(u8::is_ascii_whitespace) {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| Rejection::Serialization(format!("the request body is not valid JSON: {e}")))?;
        let Value::Object(members) = value else {
            return Err(Rejection::Serialization(
                "the request body must be a JSON object".to_owned(),
            ));
        };
        for (name, value) in members {
            let known = operation
                .members
                .iter()
                .any(|m| m.location == Location::Body && m.name == name);
            if !known {
                return Err(Rejection::Serialization(format!(
                    "{name} is not a member of the {} request",
                    operation.name
                )));
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
                    let value = super::members::typed_value(member, value).map_err(|v| Rejection::Invalid(vec![v]))?;
                    input.insert(member.name.to_owned(), value);
                }
            }
            Location::Header | Location::Headers | Location::Body => {}
        }
    }
    Ok(input)
}

/// Splits and percent-decodes a query string.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| super::model::percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_owned());
            (decode(k), decode(v))
        })
        .collect()
}

/// A successful answer: the JSON body, or an empty 200 for `Value::Null`.
pub fn response(body: Value, request_id: &str) -> Response {
    let response = match body {
        Value::Null => StatusCode::OK.into_response(),
        body => (StatusCode::OK, axum::Json(body)).into_response(),
    };
    super::with_request_id(response, request_id)
}

/// A successful answer whose JSON body is already serialized.
pub fn text_response(body: String, request_id: &str) -> Response {
    let response = (
        StatusCode::OK,
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    super::with_request_id(response, request_id)
}

/// An error in restJson1's shape.
pub fn error_response(error: &ApiError, request_id: &str) -> Response {
    let body = json!({"Code": error.code, "Message": error.message});
    let mut response = (error.status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(error.code) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    super::with_error_headers(response, error, request_id)
}

//! The awsJson1_1 edge (AWS KMS, AWS Organizations): the operation named by `X-Amz-Target`, the input from the JSON body, and answers and errors in awsJson's shape (`{"__type", "message"}`, `application/x-amz-json-1.1`, `x-amzn-RequestId`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::model::Operation;
use super::{ApiError, Rejection};

/// The operation `X-Amz-Target` names, without its service prefix (`TrentService.`).
pub fn operation_name<'t>(target: &'t str, prefix: &str) -> &'t str {
    target.strip_prefix(prefix).unwrap_or(target)
}

/// The operation's input from the JSON body.
pub fn input(operation: &Operation, body: &[u8]) -> Result<Map<String, Value>, Rejection> {
    super::rest_json::input(operation, &[], &[], body)
}

/// A successful answer.
pub fn response(body: &Value, request_id: &str) -> Response {
    super::with_request_id(json_response(StatusCode::OK, body.to_string()), request_id)
}

/// A successful answer whose JSON body is already serialized.
pub fn text_response(body: String, request_id: &str) -> Response {
    super::with_request_id(json_response(StatusCode::OK, body), request_id)
}

/// An error in awsJson1_1's shape.
pub fn error_response(error: &ApiError, request_id: &str) -> Response {
    let mut body = json!({"__type": error.code, "message": error.message});
    if let Some(reason) = error.reason {
        body["Reason"] = json!(reason);
    }
    let body = body.to_string();
    super::with_error_headers(json_response(error.status, body), error, request_id)
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
    response
}

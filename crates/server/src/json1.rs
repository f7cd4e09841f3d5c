//! The awsJson1_1 edge, shared by KMS and Organizations: the operation named by `X-Amz-Target`, checked against the service's model table; the caller authenticated; the body checked; the service's handler run; answers in awsJson's shape (`{"__type", "message"}`, `application/x-amz-json-1.1`, `x-amzn-RequestId`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::model::Operation;
use crate::protocol::{ApiError, Caller};
use crate::sigv4::{Family, Sent};
use crate::state::ServerState;

/// A service's handler: the operation name, the state, the caller and the checked input.
pub type Run = fn(&str, &mut ServerState, &Caller, &Map<String, Value>) -> Result<Value, ApiError>;

/// An awsJson1_1 service.
#[derive(Debug)]
pub struct Service {
    /// `X-Amz-Target` prefix, with its dot (`TrentService.`).
    pub prefix: &'static str,
    /// The name in messages (`AWS KMS`).
    pub name: &'static str,
    /// Every operation of its model.
    pub operations: &'static [Operation],
    /// The operations copylab implements.
    pub implemented: &'static [&'static str],
    /// The handler.
    pub run: Run,
}

/// Answers a request whose `X-Amz-Target` starts with the service's prefix.
pub fn handle(service: &Service, state: &mut ServerState, sent: &Sent<'_>, target: &str, request_id: &str) -> Response {
    let name = target.strip_prefix(service.prefix).unwrap_or(target);
    let Some(operation) = service.operations.iter().find(|op| op.name == name) else {
        let error = ApiError::new(
            "UnknownOperationException",
            StatusCode::BAD_REQUEST,
            format!(
                "{target} is not an operation of the {} model (modeled message)",
                service.name
            ),
        );
        return error_response(&error, request_id);
    };
    if !service.implemented.contains(&name) {
        return error_response(&ApiError::not_implemented(name), request_id);
    }
    let caller = match crate::protocol::authenticate(sent, &state.world, Family::Json) {
        Ok(caller) => caller,
        Err(error) => return error_response(&edge_error(error, service.name), request_id),
    };
    let input = match crate::protocol::input(operation, &[], &[], sent.body) {
        Ok(input) => input,
        Err(error) => return error_response(&edge_error(error, service.name), request_id),
    };
    let result = if ServerState::read_only(name) {
        (service.run)(name, state, &caller, &input)
    } else {
        state.guarded(
            |state| (service.run)(name, state, &caller, &input),
            |reason| {
                ApiError::new(
                    "ValidationException",
                    StatusCode::BAD_REQUEST,
                    format!("the request would leave the world invalid: {reason} (modeled message)"),
                )
            },
        )
    };
    tracing::info!(
        service = service.name,
        operation = name,
        account = %caller.account,
        region = %caller.region,
        principal = caller.principal.as_deref().unwrap_or("-"),
        outcome = result.as_ref().map_or_else(|e| e.code, |_| "OK"),
        request_id = %request_id,
        "request"
    );
    match result {
        Ok(value) => response(StatusCode::OK, value.to_string(), request_id),
        Err(error) => error_response(&error, request_id),
    }
}

/// An error in awsJson1_1's shape.
pub fn error_response(error: &ApiError, request_id: &str) -> Response {
    let body = json!({"__type": error.code, "message": error.message}).to_string();
    response(error.status, body, request_id)
}

fn response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

/// The awsJson1_1 form of an edge error (caller, input): an unknown key is 400 with a trailing
/// period (facts aws-org-wire §2.1), input errors are `ValidationException` (modeled: the pinned
/// KMS model names `ValidationException` for `PutKeyPolicy` on `AWS_RAM`).
fn edge_error(error: ApiError, service: &str) -> ApiError {
    let message = error.message.replace("AWS Backup model", &format!("{service} model"));
    match error.code {
        "UnrecognizedClientException" => ApiError::new(
            "UnrecognizedClientException",
            StatusCode::BAD_REQUEST,
            "The security token included in the request is invalid.",
        ),
        "MissingParameterValueException" | "InvalidParameterValueException" | "InvalidRequestException" => {
            ApiError::new("ValidationException", StatusCode::BAD_REQUEST, message)
        }
        _ => ApiError { message, ..error },
    }
}

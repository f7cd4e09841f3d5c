//! The one call pipeline every request goes through, from HTTP, the lab and the in-process mocks alike: draw the request id, check the input against the model, refuse what copylab does not implement, run the handler under the guard that keeps the world valid, and log one line.

use serde_json::{Map, Value};

use crate::state::ServerState;
use crate::wire::model::Operation;
use crate::wire::{ApiError, Caller, Protocol, Rejection};

/// What a handler sees: the state and the caller.
#[derive(Debug)]
pub struct Ctx<'s> {
    /// The server state (locked for the request).
    pub state: &'s mut ServerState,
    /// Who calls.
    pub caller: &'s Caller,
}

/// A handler's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A JSON body (restJson1, awsJson1_1); `Value::Null` is an empty 200.
    Json(Value),
    /// A JSON body already serialized from a typed output (the answers whose cost grows with
    /// the world, written without building a `Value`).
    JsonText(String),
    /// The XML inside `<OpResult>` (query protocol), or `None` for operations without a result.
    Xml(Option<String>),
}

impl Output {
    /// A typed output, serialized (members it leaves out stay out, as AWS leaves them out).
    pub fn typed(output: &impl serde::Serialize) -> Result<Output, ApiError> {
        serde_json::to_string(output).map(Output::JsonText).map_err(|e| {
            ApiError::new(
                "InternalFailure",
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                format!("the answer could not be serialized: {e}"),
            )
            .modeled()
        })
    }

    /// The JSON body as a value, for callers in this process (the lab, the mocks); `Value::Null`
    /// for an empty answer or a query-protocol one.
    pub fn into_json(self) -> Value {
        match self {
            Output::Json(value) => value,
            Output::JsonText(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
            Output::Xml(_) => Value::Null,
        }
    }
}

/// A service's handler: the operation name, the context and the checked input.
pub type Run = fn(&str, &mut Ctx<'_>, &Map<String, Value>) -> Result<Output, ApiError>;

/// A service's own answer to model violations (`Service::invalid_input`).
pub type InvalidInput = fn(&[crate::wire::members::Violation]) -> Option<ApiError>;

/// An AWS service as the pipeline and the wire see it: its name, protocol, operation table and
/// handler. Each service module defines one; `services` lists them.
#[derive(Debug)]
pub struct Service {
    /// The name in messages and logs (`AWS KMS`).
    pub name: &'static str,
    /// The wire protocol it speaks.
    pub protocol: Protocol,
    /// Every operation of its model.
    pub operations: &'static [Operation],
    /// Whether copylab implements an operation (each service's handler table says).
    pub implements: fn(&str) -> bool,
    /// The handler.
    pub run: Run,
    /// The XML namespace of its answers (query protocol; the model's `xmlNamespace`).
    pub xml_namespace: &'static str,
    /// The model's `apiVersion`.
    pub api_version: &'static str,
    /// The service a SigV4 credential scope must name (the model's `endpointPrefix`: none of
    /// the pinned models names a `signingName`).
    pub signing_name: &'static str,
    /// The service's own answer to an input that breaks the model, where it is not the
    /// protocol's (`Rejection::into_error`): Organizations' `InvalidInputException` with a
    /// `Reason`. `None`, or an answer of `None`, leaves it to the protocol.
    pub invalid_input: Option<InvalidInput>,
}

impl Service {
    /// The operation of this service's model with this name.
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        // The build script writes every table sorted by name.
        let operations = self.operations;
        operations
            .binary_search_by(|op| op.name.cmp(name))
            .ok()
            .and_then(|i| operations.get(i))
    }
}

/// A call's answer: the request id it drew and the handler's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// `x-amzn-RequestId`.
    pub request_id: String,
    /// The output or the error, in the service's protocol.
    pub result: Result<Output, ApiError>,
}

/// Calls `operation` of `service` as `caller` with `input` (keyed by member name, not yet
/// checked). The request id is drawn first, so ids follow the same sequence whoever calls.
pub fn call(
    state: &mut ServerState,
    caller: &Caller,
    service: &Service,
    operation: &str,
    input: Map<String, Value>,
) -> Answer {
    // Backup plans whose time has come run before the request is answered.
    state.observe_clock();
    let request_id = state.request_id();
    let result = run(state, caller, service, operation, &input);
    log(service, operation, Some(caller), &result, &request_id);
    Answer { request_id, result }
}

fn run(
    state: &mut ServerState,
    caller: &Caller,
    service: &Service,
    operation: &str,
    input: &Map<String, Value>,
) -> Result<Output, ApiError> {
    let Some(model) = service.operation(operation) else {
        return Err(unknown_operation(service, operation));
    };
    if !(service.implements)(operation) {
        return Err(ApiError::not_implemented(operation));
    }
    crate::wire::members::check(model, input).map_err(|violations| {
        service
            .invalid_input
            .and_then(|answer| answer(&violations))
            .unwrap_or_else(|| Rejection::Invalid(violations).into_error(service.protocol))
    })?;
    let mut ctx = Ctx { state, caller };
    if ServerState::unguarded(operation) {
        return (service.run)(operation, &mut ctx, input);
    }
    let protocol = service.protocol;
    let caller = ctx.caller;
    ctx.state.guarded(
        |state| {
            let mut ctx = Ctx { state, caller };
            (service.run)(operation, &mut ctx, input)
        },
        |reason| {
            ApiError::new(
                crate::wire::error::validation_code(protocol),
                axum::http::StatusCode::BAD_REQUEST,
                format!("the request would leave the world invalid: {reason}"),
            )
            .modeled()
        },
    )
}

/// The answer to an operation the service's model does not have (modeled messages).
pub fn unknown_operation(service: &Service, operation: &str) -> ApiError {
    match service.protocol {
        Protocol::Query => ApiError::new(
            "InvalidAction",
            axum::http::StatusCode::BAD_REQUEST,
            format!(
                "Could not find operation {operation} for version {}",
                service.api_version
            ),
        )
        .modeled(),
        _ => ApiError::new(
            "UnknownOperationException",
            axum::http::StatusCode::BAD_REQUEST,
            format!("{operation} is not an operation of the {} model", service.name),
        )
        .modeled(),
    }
}

/// One log line per request: service, operation, account, Region, principal, outcome, request id.
pub fn log(
    service: &Service,
    operation: &str,
    caller: Option<&Caller>,
    result: &Result<Output, ApiError>,
    request_id: &str,
) {
    tracing::info!(
        service = service.name,
        operation,
        account = caller.map_or("-", |c| c.account.as_str()),
        region = caller.map_or("-", |c| c.region.as_str()),
        principal = caller.and_then(|c| c.principal.as_deref()).unwrap_or("-"),
        outcome = result.as_ref().map_or_else(|e| e.code, |_| "OK"),
        hint = result.as_ref().err().and_then(|e| e.hint.as_deref()).unwrap_or("-"),
        request_id,
        "request"
    );
}

//! The dispatcher, the one file that names every service: it picks the service a request is for (the credential scope's signing name, `X-Amz-Target`'s prefix, an unsigned form's `Action`, else AWS Backup's routes, as moto's `infer_service_region_host` does), runs the call through its protocol's edge and the call pipeline, and holds each service's state.

pub mod backup;
pub mod iam;
pub mod kms;
pub mod organizations;
pub mod sts;

use std::time::SystemTime;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::call::{Output, Service, call};
use crate::state::ServerState;
use crate::wire::sigv4::Sent;
use crate::wire::{ApiError, Protocol, Rejection, json1, query, rest_json};

/// `X-Amz-Target`, named once (a header name by text is parsed on every lookup).
const X_AMZ_TARGET: axum::http::HeaderName = axum::http::HeaderName::from_static("x-amz-target");

/// Every service copylab serves.
pub static SERVICES: [&Service; 5] = [
    &backup::SERVICE,
    &kms::SERVICE,
    &organizations::SERVICE,
    &sts::SERVICE,
    &iam::SERVICE,
];

/// The query-protocol services, in the order an unsigned form's `Action` is looked up.
static QUERY_SERVICES: [(&str, &Service); 2] = [("sts", &sts::SERVICE), ("iam", &iam::SERVICE)];

/// The awsJson1_1 services by `X-Amz-Target` prefix.
static JSON_SERVICES: [(&str, &Service); 2] = [
    (kms::TARGET_PREFIX, &kms::SERVICE),
    (organizations::TARGET_PREFIX, &organizations::SERVICE),
];

/// What each service keeps beyond the world (which they share).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct States {
    /// AWS Backup: copy and backup jobs, tags, declared resources.
    #[serde(skip)]
    pub backup: backup::BackupState,
    /// AWS KMS: descriptions, dates, tags, further aliases.
    pub kms: kms::KmsState,
    /// AWS Organizations: backup policies, enabled policy types, handshakes.
    pub organizations: organizations::OrganizationsState,
    /// AWS IAM: role ids, dates, descriptions, tags.
    pub iam: iam::IamState,
}

/// The part of the state a request may change that [`ServerState::guarded`] puts back when the
/// world would become invalid.
impl States {
    /// A copy of the services' own state (AWS Backup's jobs excepted: no write removes one).
    pub fn snapshot(&self) -> (kms::KmsState, organizations::OrganizationsState, iam::IamState) {
        (self.kms.clone(), self.organizations.clone(), self.iam.clone())
    }

    /// Puts back what [`States::snapshot`] took.
    pub fn restore(&mut self, snapshot: (kms::KmsState, organizations::OrganizationsState, iam::IamState)) {
        (self.kms, self.organizations, self.iam) = snapshot;
    }
}

/// Answers an AWS request (anything not under `/_copylab/` or the lab's pages).
pub fn respond(state: &mut ServerState, sent: &Sent<'_>, wall_now: SystemTime) -> Response {
    answer(state, sent, wall_now).render()
}

/// A request answered under the state's lock, to be rendered (serialized) after the lock is
/// released, so that other requests wait only for the answer, not for its bytes.
#[derive(Debug)]
pub enum Answered {
    /// Refused before a service was called, already rendered.
    Ready(Response),
    /// What the call pipeline answered.
    Call {
        /// The service.
        service: &'static Service,
        /// The operation.
        operation: String,
        /// The request id it drew.
        request_id: String,
        /// Its output or error.
        result: Result<Output, ApiError>,
    },
}

impl Answered {
    /// The HTTP response, in the service's protocol.
    pub fn render(self) -> Response {
        match self {
            Answered::Ready(response) => response,
            Answered::Call {
                service,
                operation,
                request_id,
                result,
            } => render(service, &operation, &request_id, result),
        }
    }
}

/// [`respond`]'s answer, not yet rendered.
pub fn answer(state: &mut ServerState, sent: &Sent<'_>, wall_now: SystemTime) -> Answered {
    edge(sent).answer(state, sent, wall_now)
}

/// What a protocol's edge makes of a request before any state is touched (so that it runs
/// outside the state's lock): the service, the operation and its assembled input, or a refusal.
#[derive(Debug)]
pub enum Edge {
    /// No service or operation answers this method and path; rendered in `protocol`'s shape
    /// with a request id drawn under the lock.
    Refused {
        /// The protocol of the service the request was for.
        protocol: Protocol,
        /// Why.
        error: ApiError,
    },
    /// A call of `operation` of `service`.
    Call {
        /// The service.
        service: &'static Service,
        /// The operation, as sent (it may not be in the model).
        operation: String,
        /// The input assembled from path, query and body, or why it could not be; `None` when
        /// the model has no such operation.
        input: Option<Result<Map<String, Value>, Rejection>>,
    },
}

/// Picks the service and operation a request is for and assembles its input, touching no state.
pub fn edge(sent: &Sent<'_>) -> Edge {
    if let Some(service) = query_service(sent) {
        let form = query::parse_form(sent.body);
        let action = query::action_of(&form).to_owned();
        let input = service.operation(&action).map(|op| query::form_input(op, &form));
        return Edge::Call {
            service,
            operation: action,
            input,
        };
    }
    if let Some(target) = sent.headers.get(X_AMZ_TARGET).and_then(|v| v.to_str().ok()) {
        let Some((prefix, service)) = JSON_SERVICES.iter().find(|(prefix, _)| target.starts_with(prefix)) else {
            let error = ApiError::new(
                "UnknownOperationException",
                StatusCode::BAD_REQUEST,
                format!("copylab serves no service with X-Amz-Target {target}"),
            )
            .modeled();
            return Edge::Refused {
                protocol: Protocol::Json,
                error,
            };
        };
        // awsJson1_1 services take `POST /` only.
        if sent.method != "POST" || sent.raw_path != "/" {
            let error = ApiError::new(
                "UnknownOperationException",
                StatusCode::NOT_FOUND,
                format!(
                    "{} answers POST / only, not {} {}",
                    service.name, sent.method, sent.raw_path
                ),
            )
            .modeled();
            return Edge::Refused {
                protocol: Protocol::Json,
                error,
            };
        }
        let operation = json1::operation_name(target, prefix).to_owned();
        let input = service.operation(&operation).map(|op| json1::input(op, sent.body));
        return Edge::Call {
            service,
            operation,
            input,
        };
    }
    let service = &backup::SERVICE;
    let Some((operation, labels)) = backup::ROUTES.route(sent.method, sent.raw_path) else {
        let error = ApiError::new(
            "UnknownOperationException",
            StatusCode::NOT_FOUND,
            format!("no AWS Backup operation is {} {}", sent.method, sent.raw_path),
        )
        .modeled();
        return Edge::Refused {
            protocol: Protocol::RestJson,
            error,
        };
    };
    let query = rest_json::query_pairs(sent.raw_query);
    Edge::Call {
        service,
        operation: operation.name.to_owned(),
        input: Some(rest_json::input(operation, &labels, &query, sent.body)),
    }
}

impl Edge {
    /// Authenticates the caller and runs the call pipeline (under the state's lock); the edge's
    /// refusals draw a request id of their own.
    pub fn answer(self, state: &mut ServerState, sent: &Sent<'_>, wall_now: SystemTime) -> Answered {
        match self {
            Edge::Refused { protocol, error } => {
                let request_id = state.request_id();
                Answered::Ready(match protocol {
                    Protocol::Json => json1::error_response(&error, &request_id),
                    Protocol::RestJson | Protocol::Query => rest_json::error_response(&error, &request_id),
                })
            }
            Edge::Call {
                service,
                operation,
                input,
            } => {
                let (request_id, result) = through_edge(state, service, sent, wall_now, &operation, input);
                Answered::Call {
                    service,
                    operation,
                    request_id,
                    result,
                }
            }
        }
    }
}

/// The query service a request is for: the one its credential scope names, or for any other
/// form post the first whose model has its `Action`. `None` sends the request elsewhere.
fn query_service(sent: &Sent<'_>) -> Option<&'static Service> {
    // copylab's query edge reads its form from a POST body only.
    if sent.method != "POST" {
        return None;
    }
    let scope_service = sent
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::wire::sigv4::authorization)
        .and_then(|a| a.scope.split('/').nth(3));
    if let Some(service) = scope_service.and_then(|scope| QUERY_SERVICES.iter().find(|(name, _)| *name == scope)) {
        return Some(service.1);
    }
    // Scoped to another service (or unsigned): a form post is the query protocol's all the
    // same, and its service refuses a wrong scope.
    let form_post = sent.method == "POST"
        && sent
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !form_post {
        return None;
    }
    let form = query::parse_form(sent.body);
    let action = query::action_of(&form);
    QUERY_SERVICES
        .iter()
        .find(|(_, s)| s.operation(action).is_some())
        .or(QUERY_SERVICES.first())
        .map(|(_, s)| *s)
}

/// Authenticates and calls the pipeline with the input the edge assembled; the edge's refusals
/// draw a request id of their own, after the caller is known (an unknown operation first,
/// then who calls, then what was sent).
fn through_edge(
    state: &mut ServerState,
    service: &'static Service,
    sent: &Sent<'_>,
    wall_now: SystemTime,
    operation: &str,
    input: Option<Result<Map<String, Value>, Rejection>>,
) -> (String, Result<Output, ApiError>) {
    let refused = |state: &mut ServerState, error: ApiError, caller: Option<&crate::wire::Caller>| {
        let request_id = state.request_id();
        let result = Err(error);
        crate::call::log(service, operation, caller, &result, &request_id);
        (request_id, result)
    };
    let Some(input) = input else {
        return refused(state, crate::call::unknown_operation(service, operation), None);
    };
    let now = state.clock.now();
    let caller = match crate::wire::caller::authenticate(
        sent,
        state.world(),
        (service.protocol, service.signing_name),
        wall_now,
        now,
        state.accept_any_key.as_deref(),
    ) {
        Ok(caller) => caller,
        Err(rejection) => return refused(state, rejection.into_error(service.protocol), None),
    };
    let input = match input {
        Ok(input) => input,
        Err(rejection) => return refused(state, rejection.into_error(service.protocol), Some(&caller)),
    };
    let answer = call(state, &caller, service, operation, input);
    (answer.request_id, answer.result)
}

/// A JSON answer without its `null` members: AWS leaves a member it has no value for out of
/// the body; handlers may write `null` for one (the one place that takes them out).
fn without_nulls(output: Output) -> Output {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(members) => {
                members.retain(|_, v| !v.is_null());
                members.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    match output {
        Output::Json(mut body) => {
            strip(&mut body);
            Output::Json(body)
        }
        other => other,
    }
}

/// The answer in the service's protocol.
fn render(service: &Service, operation: &str, request_id: &str, result: Result<Output, ApiError>) -> Response {
    match (service.protocol, result.map(without_nulls)) {
        (Protocol::RestJson, Ok(Output::Json(body))) => rest_json::response(body, request_id),
        (Protocol::Json, Ok(Output::Json(body))) => json1::response(&body, request_id),
        (Protocol::RestJson, Ok(Output::JsonText(body))) => rest_json::text_response(body, request_id),
        (Protocol::Json, Ok(Output::JsonText(body))) => json1::text_response(body, request_id),
        (Protocol::Query, Ok(Output::Xml(inner))) => {
            query::response(operation, service.xml_namespace, inner, request_id)
        }
        (Protocol::RestJson, Err(error)) => rest_json::error_response(&error, request_id),
        (Protocol::Json, Err(error)) => json1::error_response(&error, request_id),
        (Protocol::Query, Err(error)) => query::error_response(service.xml_namespace, &error, request_id),
        (_, Ok(_)) => rest_json::error_response(
            &ApiError::new(
                "InternalFailure",
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{operation} answered in another protocol's shape"),
            )
            .modeled(),
            request_id,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_table_is_sorted_so_lookups_find_every_operation() {
        for service in SERVICES {
            assert!(
                service.operations.windows(2).all(|w| w[0].name < w[1].name),
                "{}'s operations are not sorted by name",
                service.name
            );
            for op in service.operations {
                assert_eq!(service.operation(op.name).map(|found| found.name), Some(op.name));
            }
            assert!(service.operation("NoSuchOperation").is_none());
        }
    }
}

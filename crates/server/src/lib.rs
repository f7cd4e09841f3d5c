//! `copylab serve`: a fake AWS Backup endpoint (restJson1) whose copy jobs are decided by copylab's rules engine, so that real SDKs and the AWS CLI see what AWS would show, failures included.
//!
//! Layers: `model` (the operation tables generated from the vendored AWS models) -> `protocol`
//! (caller, input, errors) -> `ops` (one module per AWS Backup operation group) and `kms` (AWS
//! KMS, awsJson1_1), `organizations` (AWS Organizations, awsJson1_1), `sts` and `iam` (AWS STS and
//! AWS IAM, query protocol, through `query`) -> `state` (world and jobs). Requests whose credential
//! scope names `sts` or `iam` (or unsigned form posts, by `Action`) go to the query edge, requests with
//! `X-Amz-Target` to the awsJson services by prefix, the rest to AWS Backup's restJson1 routes. The only crate of copylab
//! that knows about HTTP.

pub mod authz;
pub mod control;
pub mod iam;
pub mod json1;
pub mod kms;
pub mod lab;
pub mod model;
pub mod ops;
pub mod organizations;
pub mod protocol;
pub mod query;
pub mod sigv4;
pub mod state;
pub mod sts;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::Mutex;

use crate::protocol::ApiError;
use crate::state::ServerState;

/// Request bodies larger than this are refused (AWS Backup's largest inputs are policies).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The state shared by all requests.
pub type Shared = Arc<Mutex<ServerState>>;

/// The router: the control plane under `/_copylab/`, and every other request to the AWS Backup
/// dispatcher.
pub fn app(state: Shared) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

async fn dispatch(axum::extract::State(shared): axum::extract::State<Shared>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    // The body is read before the state is locked, so a slow client stalls nobody else.
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
    let mut state = shared.lock().await;
    // The lab draws nothing from the AWS endpoint's id generator: its traffic never shifts the
    // ids API users see.
    if lab::is_lab(&parts.method, parts.uri.path(), parts.uri.query(), &parts.headers) {
        let Ok(body) = body else {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                axum::Json(
                    serde_json::json!({"error": format!("the request body is larger than {MAX_BODY_BYTES} bytes")}),
                ),
            )
                .into_response();
        };
        return lab::handle(
            &mut state,
            &parts.method,
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            &body,
        );
    }
    let request_id = state.request_id();
    let body = match body {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::new(
                "SerializationException",
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {MAX_BODY_BYTES} bytes (modeled message)"),
            )
            .into_response_with(&request_id);
        }
    };
    if let Some(path) = parts.uri.path().strip_prefix("/_copylab/") {
        return with_request_id(
            control::handle(&mut state, &parts.method, path, parts.uri.query(), &body),
            &request_id,
        );
    }
    if let Some(service) = query::service_for(&sent(&parts, &body)) {
        return query::handle(service, &mut state, &sent(&parts, &body), &request_id);
    }
    if let Some(target) = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        if target.starts_with(kms::TARGET_PREFIX) {
            let sent = sent(&parts, &body);
            return json1::handle(&kms::SERVICE, &mut state, &sent, target, &request_id);
        }
        if target.starts_with(organizations::TARGET_PREFIX) {
            let sent = sent(&parts, &body);
            return json1::handle(&organizations::SERVICE, &mut state, &sent, target, &request_id);
        }
        let error = ApiError::new(
            "UnknownOperationException",
            StatusCode::BAD_REQUEST,
            format!("copylab serves no service with X-Amz-Target {target} (modeled message)"),
        );
        return json1::error_response(&error, &request_id);
    }
    let Some((operation, labels)) = model::route(parts.method.as_str(), parts.uri.path()) else {
        return ApiError::new(
            "UnknownOperationException",
            StatusCode::NOT_FOUND,
            format!(
                "no AWS Backup operation is {} {} (modeled message)",
                parts.method,
                parts.uri.path()
            ),
        )
        .into_response_with(&request_id);
    };
    let Some(handler) = ops::handler(operation.name) else {
        return ApiError::not_implemented(operation.name).into_response_with(&request_id);
    };
    let caller = match protocol::authenticate(&sent(&parts, &body), &state.world, sigv4::Family::RestJson) {
        Ok(caller) => caller,
        Err(error) => {
            tracing::info!(operation = operation.name, outcome = error.code, request_id = %request_id, "request refused");
            return error.into_response_with(&request_id);
        }
    };
    let query = protocol::query_pairs(parts.uri.query());
    let input = match protocol::input(operation, &labels, &query, &body) {
        Ok(input) => input,
        Err(error) => {
            tracing::info!(operation = operation.name, account = %caller.account, outcome = error.code, request_id = %request_id, "request refused");
            return error.into_response_with(&request_id);
        }
    };
    let account = caller.account.clone();
    let region = caller.region.clone();
    let principal = caller.principal.clone();
    let mut ctx = ops::Ctx {
        state: &mut state,
        caller,
    };
    let result = handler(&mut ctx, &input);
    let outcome = match &result {
        Ok(_) => "OK",
        Err(error) => error.code,
    };
    tracing::info!(
        operation = operation.name,
        account = %account,
        region = %region,
        principal = principal.as_deref().unwrap_or("-"),
        outcome,
        request_id = %request_id,
        "request"
    );
    match result {
        Ok(serde_json::Value::Null) => with_request_id(StatusCode::OK.into_response(), &request_id),
        Ok(body) => with_request_id((StatusCode::OK, axum::Json(body)).into_response(), &request_id),
        Err(error) => error.into_response_with(&request_id),
    }
}

/// The request as sent, for signature checks.
fn sent<'a>(parts: &'a axum::http::request::Parts, body: &'a [u8]) -> sigv4::Sent<'a> {
    sigv4::Sent {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query(),
        headers: &parts.headers,
        body,
    }
}

fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

/// Binds `address` and serves until the process ends; prints the address it listens on.
pub async fn serve(address: &str, state: ServerState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let local = listener.local_addr()?;
    println!("copylab serve: AWS Backup on http://{local} (AWS_ENDPOINT_URL=http://{local})");
    println!("copylab serve: the training lab on http://{local}/ (open it in a browser)");
    axum::serve(listener, app(Arc::new(Mutex::new(state)))).await
}

/// A server running in this process on an ephemeral loopback port; it stops when dropped.
#[derive(Debug)]
pub struct RunningServer {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// The endpoint URL, for `AWS_ENDPOINT_URL` or an SDK's `endpoint_url`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a server in-process on `127.0.0.1:0` (inside a tokio runtime) and returns at once.
pub async fn start(state: ServerState) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = app(Arc::new(Mutex::new(state)));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(RunningServer { url, task })
}

//! `copylab serve`: AWS Backup, KMS, Organizations, IAM and STS on one port, whose copy jobs are decided by copylab's rules engine, so that real SDKs and the AWS CLI see what AWS would show, failures included.
//!
//! Layers: `wire` (the protocol edges, SigV4 and the caller, model checks, paging, the one
//! error type; it names no service) -> `call` (the one call pipeline) -> `services` (the
//! dispatcher and one folder per AWS service, each with its operation table, handlers and
//! state) -> `state` (the world, the services' state, the one `clock`, the ids). `control` is
//! the control API under `/_copylab/`; `lab` the training lab. The only crate of copylab that
//! knows about HTTP.

pub mod authz;
pub mod call;
pub mod clock;
pub mod control;
pub mod lab;
pub mod services;
pub mod state;
pub mod wire;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::Mutex;

use crate::state::ServerState;
use crate::wire::ApiError;

/// Request bodies larger than this are refused (AWS Backup's largest inputs are policies).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The state shared by all requests.
pub type Shared = Arc<Mutex<ServerState>>;

/// The router: the control plane under `/_copylab/`, the lab's pages, and every other request
/// to the services' dispatcher.
pub fn app(state: Shared) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

async fn dispatch(axum::extract::State(shared): axum::extract::State<Shared>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    // The body is read before the state is locked, so a slow client stalls nobody else.
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
    let wall_now = std::time::SystemTime::now();
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
    let Ok(body) = body else {
        let error = ApiError::new(
            "SerializationException",
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
        .modeled();
        return wire::rest_json::error_response(&error, &state.request_id());
    };
    if let Some(path) = parts.uri.path().strip_prefix("/_copylab/") {
        let request_id = state.request_id();
        let response = control::handle(&mut state, &parts.method, path, parts.uri.query(), &body);
        return wire::with_request_id(response, &request_id);
    }
    let sent = wire::sigv4::Sent {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    services::respond(&mut state, &sent, wall_now)
}

/// The line `copylab serve` prints on start: the environment that points the AWS CLI and the
/// SDKs at `url` with keys the world accepts (its first key with a secret, else a 12-digit
/// account id of the world).
pub fn export_line(state: &ServerState, url: &str) -> String {
    let world = &state.world;
    let region = world
        .vaults
        .first()
        .map_or("us-east-1", |v| v.region.as_str())
        .to_owned();
    let signed = world
        .credentials
        .iter()
        .find(|k| k.secret_access_key.is_some() && k.session_token.is_none());
    let (key, secret) = match signed {
        Some(key) => (
            key.access_key_id.clone(),
            key.secret_access_key.clone().unwrap_or_default(),
        ),
        None => {
            let account = world
                .vaults
                .first()
                .map(|v| v.account.clone())
                .or_else(|| world.organizations.first().map(|o| o.management_account.clone()))
                .unwrap_or_else(|| "111122223333".to_owned());
            (account, "copylab".to_owned())
        }
    };
    format!(
        "export AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID={key} AWS_SECRET_ACCESS_KEY={secret} AWS_REGION={region} AWS_DEFAULT_REGION={region}"
    )
}

/// Binds `address` and serves until the process ends; prints the address it listens on and the
/// environment that points clients at it.
pub async fn serve(address: &str, state: ServerState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");
    println!("copylab serve: AWS Backup, KMS, Organizations, IAM and STS on {url}");
    println!("{}", export_line(&state, &url));
    println!("copylab serve: the training lab on {url}/ (open it in a browser)");
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

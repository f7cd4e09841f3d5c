//! `copylab serve`: AWS Backup, KMS, Organizations, IAM and STS on one port, whose copy jobs are decided by copylab's rules engine, so that real SDKs and the AWS CLI see what AWS would show, failures included.
//!
//! Layers: `wire` (the protocol edges, SigV4 and the caller, model checks, paging, the one
//! error type; it names no service) -> `call` (the one call pipeline) -> `services` (the
//! dispatcher and one folder per AWS service, each with its operation table, handlers and
//! state) -> `state` (the world, the services' state, the one `clock`, the ids). `control` is
//! the control API under `/_copylab/`. The training lab is a crate of its own (`copylab-lab`)
//! on top of [`dispatch`] and [`call::call`]; the server holds no lab state.

pub mod authz;
pub mod call;
pub mod clock;
pub mod control;
pub mod delivery;
pub mod drops;
pub mod guard;
pub mod journal;
pub mod listen;
pub mod services;
pub mod state;
pub mod state_document;
pub mod wire;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use tokio::sync::Mutex;

use crate::state::ServerState;
use crate::wire::ApiError;

/// Request bodies larger than this are refused (AWS Backup's largest inputs are policies).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The state shared by all requests.
pub type Shared = Arc<Mutex<ServerState>>;

/// The router: the control plane under `/_copylab/`, and every other request to the services'
/// dispatcher (no lab: `copylab_lab::web::app` wraps [`dispatch`] with it).
pub fn app(state: Shared) -> Router {
    Router::new().fallback(route).with_state(state)
}

async fn route(axum::extract::State(shared): axum::extract::State<Shared>, request: Request<Body>) -> Response {
    dispatch(shared, request).await
}

/// Answers one request: the control API under `/_copylab/`, else the service the request is
/// for (what a mounted lab does not claim comes here too).
pub async fn dispatch(shared: Shared, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    if let Some(refused) = guard::check(&parts) {
        return refused;
    }
    // Health needs no state: it never waits behind another request.
    if parts.method == axum::http::Method::GET && parts.uri.path() == "/_copylab/health" {
        return control::health();
    }
    // The live event stream holds the state's lock only while it reads the log.
    if parts.method == axum::http::Method::GET && parts.uri.path() == "/_copylab/events/stream" {
        return delivery::stream(shared, parts.uri.query());
    }
    // The health route LocalStack users' tooling polls, with the services copylab serves.
    if parts.method == axum::http::Method::GET && parts.uri.path() == "/_localstack/health" {
        return control::localstack_health();
    }
    // The body is read before the state is locked, so a slow client stalls nobody else.
    let body = read_body(&parts, body).await;
    let wall_now = std::time::SystemTime::now();
    let control = control_path(&parts);
    // The protocol's edge (service, operation, input) needs no state: it runs before the lock.
    let edge = match (&body, control) {
        (Ok(body), None) => Some(services::edge(&sent(&parts, body))),
        _ => None,
    };
    let mut state = shared.lock().await;
    let body = match body {
        Ok(body) => body,
        Err(error) => return wire::rest_json::error_response(&error, &state.control_ids.uuid()),
    };
    // No edge: a control API request.
    let Some(edge) = edge else {
        let path = control.unwrap_or_default();
        // Control reads change nothing; the rest is journaled before it is applied.
        let recorded = if parts.method == axum::http::Method::GET {
            None
        } else {
            match journal(&mut state, journal::Door::Control, &parts, path, &body, wall_now) {
                Ok(recorded) => recorded,
                Err(refused) => return *refused,
            }
        };
        let request_id = state.control_ids.uuid();
        let response = control::handle(&mut state, &parts.method, path, parts.uri.query(), &body);
        // A reset is where the journal starts again.
        if path == "reset"
            && response.status().is_success()
            && let (Some(entry), Some(journal)) = (recorded, state.journal.0.as_mut())
            && let Err(e) = journal.reset(&entry)
        {
            tracing::error!(error = %e, "the state journal could not be reset");
        }
        return wire::with_request_id(response, &request_id);
    };
    // An AWS request can change the state (a read observes jobs ending): journaled first.
    if let Err(refused) = journal(
        &mut state,
        journal::Door::Aws,
        &parts,
        parts.uri.path(),
        &body,
        wall_now,
    ) {
        return *refused;
    }
    let sent = sent(&parts, &body);
    let answered = edge.answer(&mut state, &sent, wall_now);
    // Serialized after the lock is released: other requests wait only for the answer.
    drop(state);
    answered.render()
}

/// Hands a request to the state's journal, if it keeps one, before it is applied; a request
/// the journal cannot record is refused (nothing is applied that a restart would lose).
fn journal(
    state: &mut ServerState,
    door: journal::Door,
    parts: &axum::http::request::Parts,
    path: &str,
    body: &[u8],
    wall_now: std::time::SystemTime,
) -> Result<Option<journal::Entry>, Box<Response>> {
    let at = state.clock.now();
    let Some(journal) = state.journal.0.as_mut() else {
        return Ok(None);
    };
    let entry = journal::Entry::new(at, wall_now, door, parts, path, body);
    match journal.record(&entry) {
        Ok(()) => Ok(Some(entry)),
        Err(e) => Err(e),
    }
    .map_err(|e| {
        tracing::error!(error = %e, "the state journal could not record a request");
        let error = ApiError::new(
            "ServiceUnavailableException",
            StatusCode::SERVICE_UNAVAILABLE,
            format!("copylab could not record the request in its state directory: {e}"),
        )
        .modeled();
        Box::new(wire::rest_json::error_response(&error, &state.control_ids.uuid()))
    })
}

/// The control API operation a request names: a path under `/_copylab/`, or moto's
/// `POST /moto-api/reset` (what moto's server-mode test suites send before each test), which
/// resets as `POST /_copylab/reset` does. moto's other `/moto-api/` routes are not served.
fn control_path(parts: &axum::http::request::Parts) -> Option<&str> {
    let path = parts.uri.path();
    if parts.method == axum::http::Method::POST && path == "/moto-api/reset" {
        return Some("reset");
    }
    path.strip_prefix("/_copylab/")
}

/// The request as the wire layer reads it.
fn sent<'a>(parts: &'a axum::http::request::Parts, body: &'a [u8]) -> wire::sigv4::Sent<'a> {
    wire::sigv4::Sent {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query(),
        headers: &parts.headers,
        body,
    }
}

/// Reads a request's body, at most [`MAX_BODY_BYTES`], within its connection's body read
/// timeout when it came through [`listen::run`] (in-process requests have none).
pub async fn read_body(parts: &axum::http::request::Parts, body: Body) -> Result<axum::body::Bytes, ApiError> {
    // Most AWS reads (GET) send no body: nothing to wait for.
    if axum::body::HttpBody::is_end_stream(&body) {
        return Ok(axum::body::Bytes::new());
    }
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES);
    let read = match parts.extensions.get::<listen::BodyReadTimeout>() {
        None => read.await,
        Some(&listen::BodyReadTimeout(timeout)) => match tokio::time::timeout(timeout, read).await {
            Ok(read) => read,
            Err(_) => {
                return Err(ApiError::new(
                    "RequestTimeout",
                    StatusCode::REQUEST_TIMEOUT,
                    format!("the request body did not arrive within {} s", timeout.as_secs_f64()),
                )
                .modeled());
            }
        },
    };
    read.map_err(|e| body_error(&e))
}

/// Why a body could not be read: too large (413), or malformed (a broken chunked encoding, a
/// connection cut short: 400).
pub fn body_error(error: &axum::Error) -> ApiError {
    let too_large = std::iter::successors(std::error::Error::source(error), |e| e.source())
        .any(|e| e.is::<http_body_util::LengthLimitError>());
    if too_large {
        ApiError::new(
            "SerializationException",
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
        .modeled()
    } else {
        ApiError::new(
            "SerializationException",
            StatusCode::BAD_REQUEST,
            "the request body could not be read (malformed or cut short)",
        )
        .modeled()
    }
}

/// The line `copylab serve` prints on start: the environment that points the AWS CLI and the
/// SDKs at `url` with keys the world accepts (its first key with a secret, else a 12-digit
/// account id of the world).
pub fn export_line(state: &ServerState, url: &str) -> String {
    let world = &state.world();
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

/// Serves `router` on `listener` with [`listen::Limits::default`] until SIGTERM or SIGINT, then
/// stops accepting, lets requests in flight finish for up to the grace period and returns (`copylab serve` binds, prints its
/// banner with [`export_line`], and mounts the lab first).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    listen::run(listener, router, listen::Limits::default(), shutdown_signal()).await
}

/// SIGTERM or SIGINT (Ctrl-C): stop accepting, finish what is in flight, exit 0.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
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
    start_with(state, listen::Limits::default()).await
}

/// [`start`] with other connection limits.
pub async fn start_with(state: ServerState, limits: listen::Limits) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = app(Arc::new(Mutex::new(state)));
    let task = tokio::spawn(async move {
        let _ = listen::run(listener, router, limits, std::future::pending()).await;
    });
    Ok(RunningServer { url, task })
}

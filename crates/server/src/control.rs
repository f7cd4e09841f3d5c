//! The control API under `/_copylab/` (never an AWS route), JSON in and out: health, reset, load a scenario, declare resources, advance the clock, a job's diagnosis, and the whole state.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::{Resource, ServerState};

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(json!({"Code": "InvalidRequest", "Message": message.into()})),
    )
        .into_response()
}

fn ok(body: Value) -> Response {
    axum::Json(body).into_response()
}

/// Handles `method` on `/_copylab/{path}`.
pub fn handle(state: &mut ServerState, method: &Method, path: &str, query: Option<&str>, body: &[u8]) -> Response {
    let json_body =
        || -> Result<Value, String> { serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}")) };
    match (method.as_str(), path) {
        ("GET", "health") => ok(json!({"status": "ok", "implemented_operations": crate::ops::HANDLERS.len()})),
        ("GET", "state") => ok(snapshot(state)),
        ("POST", "reset") => {
            let (world, seed, as_of, wording) = state.initial.clone();
            let progression = state.progression;
            state.replace_keeping_lab(ServerState::new(world, seed, as_of, wording, progression));
            ok(json!({"reset": true}))
        }
        ("POST", "scenario") => {
            let body = match json_body() {
                Ok(body) => body,
                Err(message) => return error(StatusCode::BAD_REQUEST, message),
            };
            let document = match &body {
                _ if body.get("name").is_some() || body.is_string() => {
                    let name = body
                        .get("name")
                        .and_then(Value::as_str)
                        .or(body.as_str())
                        .unwrap_or_default();
                    match state.builtin_scenarios.and_then(|find| find(name)) {
                        Some(scenario) => {
                            json!({"world": scenario.world, "seed": scenario.seed, "as_of": scenario.as_of, "wording": scenario.wording})
                        }
                        None => return error(StatusCode::NOT_FOUND, format!("no built-in scenario `{name}`")),
                    }
                }
                _ => body,
            };
            match load(state, &document) {
                Ok(()) => ok(json!({"loaded": true})),
                Err(message) => error(StatusCode::BAD_REQUEST, message),
            }
        }
        ("POST", "resources") => {
            let resource: Resource = match serde_json::from_slice(body) {
                Ok(resource) => resource,
                Err(e) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("not a resource (arn, resource_type, encryption_key_arn, tags): {e}"),
                    );
                }
            };
            if resource.resource_type.is_none() && crate::ops::backup_jobs::resource_type_of(&resource.arn).is_none() {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "the ARN {} does not determine the resource type: give resource_type",
                        resource.arn
                    ),
                );
            }
            state.resources.retain(|r| r.arn != resource.arn);
            state.resources.push(resource);
            ok(json!({"resources": state.resources}))
        }
        ("POST", "clock/advance") => {
            let seconds = query
                .unwrap_or_default()
                .split('&')
                .find_map(|pair| pair.strip_prefix("seconds="))
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0);
            let Some(seconds) = seconds else {
                return error(StatusCode::BAD_REQUEST, "give ?seconds=N with N a non-negative number");
            };
            state.clock += seconds;
            for job in &mut state.jobs {
                job.advanced += seconds;
            }
            for index in 0..state.jobs.len() {
                state.finish(index);
            }
            ok(json!({"clock": state.clock}))
        }
        ("GET", diagnosis) if diagnosis.starts_with("copy-jobs/") && diagnosis.ends_with("/diagnosis") => {
            let id = diagnosis
                .trim_start_matches("copy-jobs/")
                .trim_end_matches("/diagnosis");
            match state.jobs.iter().find(|j| j.id == id) {
                Some(job) => ok(serde_json::to_value(&job.verdict).unwrap_or_default()),
                None => error(StatusCode::NOT_FOUND, format!("no copy job {id}")),
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!("no control operation {method} /_copylab/{path}"),
        ),
    }
}

/// The state as `POST /_copylab/scenario` accepts it back (plus the jobs, read-only).
fn snapshot(state: &ServerState) -> Value {
    let jobs: Vec<Value> = state
        .jobs
        .iter()
        .map(|j| json!({"CopyJobId": j.id, "AccountId": j.account, "State": j.state(state.progression).as_str()}))
        .collect();
    // What the services keep beyond the world (KMS descriptions and aliases, Organizations
    // backup policies and enabled types, IAM role ids and dates) is shown too; `load` ignores it.
    json!({
        "world": state.world,
        "seed": state.initial.1,
        "as_of": state.as_of,
        "wording": state.wording,
        "copy_jobs": jobs,
        "services": {"kms": state.kms, "organizations": state.organizations, "iam": state.iam},
    })
}

/// Replaces the world with a document's (`world`, optional `seed`, `as_of`, `wording`; other
/// members of a scenario or a state snapshot are ignored).
fn load(state: &mut ServerState, document: &Value) -> Result<(), String> {
    let world: copylab_rules::World =
        serde_json::from_value(document.get("world").cloned().ok_or("the document has no `world`")?)
            .map_err(|e| format!("world: {e}"))?;
    copylab_rules::PreparedWorld::new(&world).map_err(|e| format!("the world is invalid: {e}"))?;
    let seed = document.get("seed").and_then(Value::as_u64).unwrap_or(0);
    let as_of = document.get("as_of").and_then(Value::as_str).map(str::to_owned);
    let wording = document
        .get("wording")
        .cloned()
        .and_then(|w| serde_json::from_value(w).ok())
        .unwrap_or_default();
    let progression = state.progression;
    state.replace_keeping_lab(ServerState::new(world, seed, as_of, wording, progression));
    Ok(())
}

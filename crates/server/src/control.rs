//! The control API under `/_copylab/` (never an AWS route), JSON in and out: health, reset, load a scenario, declare resources, read and advance the clock, a job's diagnosis, what a backup plan's rule would do, the EventBridge events, the vaults' SNS notifications, and the whole state.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::services::backup::Resource;
use crate::state::ServerState;

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

/// How many operations of the models copylab implements, counted once (health is the bare route
/// `scripts/perf-serve.sh` measures AWS calls against).
static IMPLEMENTED: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
    crate::services::SERVICES
        .iter()
        .map(|s| s.operations.iter().filter(|op| (s.implements)(op.name)).count())
        .sum()
});

/// Handles `method` on `/_copylab/{path}`.
pub fn handle(state: &mut ServerState, method: &Method, path: &str, query: Option<&str>, body: &[u8]) -> Response {
    // Backup plans whose time has come run before the request is answered.
    state.observe_clock();
    let raw = body;
    let json_body =
        || -> Result<Value, String> { serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}")) };
    match (method.as_str(), path) {
        ("GET", "health") => health(),
        ("GET", "clock") => ok(clock(state)),
        ("GET", "state") => match crate::state_document::to_json(state) {
            Ok(bytes) => ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response(),
            Err(e) => error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the state could not be written: {e}"),
            ),
        },
        ("GET", "events") => {
            let filters = match log_filters(query, &["since", "detail-type", "account"]) {
                Ok(filters) => filters,
                Err(message) => return error(StatusCode::BAD_REQUEST, message),
            };
            let events: Vec<&Value> = state
                .services
                .backup
                .events
                .read(
                    state.now(),
                    filters.since,
                    filters.detail_type.as_deref(),
                    filters.account.as_deref(),
                )
                .into_iter()
                .map(|e| e.envelope())
                .collect();
            ok(json!({"events": events}))
        }
        ("GET", "notifications") => {
            let filters = match log_filters(query, &["since", "account"]) {
                Ok(filters) => filters,
                Err(message) => return error(StatusCode::BAD_REQUEST, message),
            };
            let (since, account) = (filters.since, filters.account);
            let sent: Vec<&Value> = state
                .services
                .backup
                .notifications
                .read(state.now(), since, account.as_deref())
                .into_iter()
                .map(|n| &n.record)
                .collect();
            ok(json!({"notifications": sent}))
        }
        ("POST", "reset") => {
            state.reset();
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
                _ if crate::state_document::is_state_document(&body) => {
                    let text = String::from_utf8_lossy(raw);
                    return match crate::state_document::parse(&text)
                        .map_err(|e| e.to_string())
                        .and_then(|document| crate::state_document::restore(state, document))
                    {
                        Ok(()) => ok(json!({"loaded": true})),
                        Err(message) => error(StatusCode::BAD_REQUEST, message),
                    };
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
            if resource.resource_type.is_none() && copylab_rules::plan_copies::resource_type_of(&resource.arn).is_none()
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "the ARN {} does not determine the resource type: give resource_type",
                        resource.arn
                    ),
                );
            }
            let resources = &mut state.world_mut().resources;
            resources.retain(|r| r.arn != resource.arn);
            resources.push(resource);
            ok(json!({"resources": state.world().resources}))
        }
        ("POST", "clock/advance") => {
            let seconds = query
                .unwrap_or_default()
                .split('&')
                .find_map(|pair| pair.strip_prefix("seconds="))
                .map(|s| s.parse::<f64>().map_err(|_| s.to_owned()));
            let advanced = match seconds {
                None => return error(StatusCode::BAD_REQUEST, "give ?seconds=N with N a non-negative number"),
                Some(Err(text)) => Err(crate::clock::ClockError::NotSeconds(text)),
                Some(Ok(seconds)) => state.clock.advance(seconds),
            };
            if let Err(e) = advanced {
                return error(StatusCode::BAD_REQUEST, e.to_string());
            }
            state.observe_clock();
            state.finish_all();
            ok(clock(state))
        }
        ("GET", diagnosis) if diagnosis.starts_with("copy-jobs/") && diagnosis.ends_with("/diagnosis") => {
            let id = diagnosis
                .trim_start_matches("copy-jobs/")
                .trim_end_matches("/diagnosis");
            match state
                .services
                .backup
                .jobs
                .position(id)
                .and_then(|i| state.services.backup.jobs.get(i))
            {
                Some(job) => ok(job.diagnosis()),
                None => error(StatusCode::NOT_FOUND, format!("no copy job {id}")),
            }
        }
        ("GET", explain) if explain.starts_with("backup-plans/") && explain.ends_with("/explain") => {
            let plan = explain.trim_start_matches("backup-plans/").trim_end_matches("/explain");
            let rule = query
                .unwrap_or_default()
                .split('&')
                .find_map(|pair| pair.strip_prefix("rule="))
                .map(str::to_owned);
            let run = copylab_rules::plan_copies::PlanRun {
                plan: plan.to_owned(),
                account: None,
                rule,
                resource: None,
                copy_action: 0,
            };
            let options = copylab_rules::Options {
                as_of: Some(state.as_of.clone().unwrap_or_else(|| state.clock.date())),
                seed: state.seed,
                wording: state.wording,
            };
            // Decided on the world as it is now, without moving the clock or starting a job.
            match copylab_rules::plan_copies::rule_report(state.world(), &run, state.now(), &options) {
                Ok(report) => ok(serde_json::to_value(report).unwrap_or_default()),
                Err(message) => error(StatusCode::NOT_FOUND, message),
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            format!("no control operation {method} /_copylab/{path}"),
        ),
    }
}

/// The filters of `GET events` and `GET notifications`.
#[derive(Debug, Default)]
struct LogFilters {
    /// Only after this time: epoch seconds, given as such or as a UTC timestamp.
    since: Option<f64>,
    detail_type: Option<String>,
    account: Option<String>,
}

/// Reads the query's filters among `allowed`; a filter not allowed, or a `since` that is no
/// time, is an error message.
fn log_filters(query: Option<&str>, allowed: &[&str]) -> Result<LogFilters, String> {
    let mut filters = LogFilters::default();
    for (name, value) in query.unwrap_or_default().split('&').filter_map(|p| p.split_once('=')) {
        let value = crate::wire::model::percent_decode(&value.replace('+', " ")).unwrap_or_default();
        if !allowed.contains(&name) {
            return Err(format!("unknown parameter `{name}` ({})", allowed.join(", ")));
        }
        match name {
            "since" => {
                let seconds = value
                    .parse::<f64>()
                    .ok()
                    .or_else(|| copylab_rules::world::timestamp_seconds(&value).map(|s| s as f64));
                filters.since = Some(seconds.ok_or_else(|| {
                    format!("since `{value}` is neither epoch seconds nor a UTC timestamp like 2026-11-28T16:00:00Z")
                })?);
            }
            "detail-type" => filters.detail_type = Some(value),
            _ => filters.account = Some(value),
        }
    }
    Ok(filters)
}

/// `GET /_localstack/health`, for tooling that waits for LocalStack: the services copylab serves,
/// each `running`, in the shape LocalStack answers (`{"services": {NAME: STATE}}`), from no state.
pub fn localstack_health() -> Response {
    ok(json!({
        "services": {"backup": "running", "kms": "running", "organizations": "running", "iam": "running", "sts": "running"},
        "edition": "copylab",
    }))
}

/// The clock: virtual now (epoch seconds and ISO 8601), where it started, its scale, and what
/// `GET /_copylab/health`: answered from no state (so it never waits for the state's lock, and
/// carries no request id).
pub fn health() -> Response {
    ok(json!({"status": "ok", "implemented_operations": *IMPLEMENTED}))
}

/// `clock/advance` has added.
fn clock(state: &ServerState) -> Value {
    let now = state.clock.now();
    json!({
        "now": now,
        "iso8601": crate::clock::iso8601(now),
        "start": state.clock.start(),
        "scale": state.clock.scale(),
        "advanced": state.clock.advanced(),
    })
}

/// Replaces the world with a scenario's (`world`, optional `as_of`, `wording`; its other
/// members, `seed` included, are ignored: ids go on from the server's own stream, so none is
/// issued twice). A state document is restored whole instead ([`crate::state_document`]).
fn load(state: &mut ServerState, document: &Value) -> Result<(), String> {
    let world = document.get("world").ok_or("the document has no `world`")?;
    if !world.is_object() {
        return Err("`world` is not an object".to_owned());
    }
    let world: copylab_rules::World = serde_json::from_value(world.clone()).map_err(|e| format!("world: {e}"))?;
    copylab_rules::PreparedWorld::new(&world).map_err(|e| format!("the world is invalid: {e}"))?;
    let as_of = match document.get("as_of") {
        None | Some(Value::Null) => None,
        Some(Value::String(day)) if crate::clock::date_seconds(day).is_some() && day.len() == 10 => Some(day.clone()),
        Some(other) => return Err(format!("as_of {other} is not a YYYY-MM-DD date")),
    };
    let wording = match document.get("wording") {
        None | Some(Value::Null) => Default::default(),
        Some(w) => serde_json::from_value(w.clone()).map_err(|e| format!("wording: {e}"))?,
    };
    // The seed is read only to be refused when it is not one: ids go on from the server's.
    if let Some(seed) = document.get("seed").filter(|s| !s.is_null())
        && seed.as_u64().is_none()
    {
        return Err(format!("seed {seed} is not a non-negative integer"));
    }
    state.replace_world(world, as_of, wording);
    Ok(())
}

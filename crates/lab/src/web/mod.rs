//! The browser lab on `copylab serve`'s port: the catalog of failing scenarios, an exercise (the world as SVG, the copy job as the console shows it, investigate, fix, retry, hints, the answer), a seeded exam, and the live jobs with their diagnoses, in English and Japanese. Pages are rendered on the server (minijinja templates embedded in the binary); a little JavaScript calls the `/lab/api/` endpoints.
//!
//! Routes: `GET /` and `GET /lab/` (catalog), `GET /lab/exercises/{id}` (an exercise's neutral
//! public id, never its scenario's name), `GET /lab/exam`,
//! `GET /lab/jobs`, `GET /lab/jobs/{origin}/{id}`, `GET /lab/static/{file}`, and the JSON API
//! under `/lab/api/`. AWS routes never collide: AWS Backup has no `GET /`, and STS and IAM are
//! `POST /`. Every other request goes to the server's dispatcher.

pub mod exam;
pub mod pages;
pub mod sessions;
pub mod svg;

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use copylab_rules::Scenario;
use copylab_server::state::ServerState;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use self::sessions::Sessions;
use crate::exercises::{self, Change, Exercise};
use crate::i18n::{self, Lang};

/// The lab's own state: its catalog, the exercises made of it, and the sessions. The server
/// holds none of it; the lab reads the server's state only for the live jobs.
#[derive(Debug, Default)]
pub struct Lab {
    catalog: Vec<(String, Scenario)>,
    exercises: OnceLock<Vec<Exercise>>,
    /// The exercise sessions (each a world of its own; a server reset keeps them).
    pub sessions: Sessions,
}

impl Lab {
    /// A lab whose exercises are the failing scenarios of `catalog` (computed on first use, so
    /// the server starts without running every scenario).
    pub fn new(catalog: Vec<(String, Scenario)>) -> Lab {
        Lab {
            catalog,
            ..Lab::default()
        }
    }

    /// The exercises: the catalog's scenarios with their verdicts.
    pub fn exercises(&self) -> &[Exercise] {
        self.exercises.get_or_init(|| exercises::exercises(&self.catalog))
    }
}

/// The router of `copylab serve`: the lab's pages, and every other request to the server's
/// dispatcher. The lab's state sits beside the server's, locked after it.
pub fn app(server: copylab_server::Shared, lab: Lab) -> Router {
    let lab = Arc::new(Mutex::new(lab));
    Router::new().fallback(move |request: Request<Body>| {
        let (server, lab) = (server.clone(), lab.clone());
        async move { route(server, lab, request).await }
    })
}

async fn route(server: copylab_server::Shared, lab: Arc<Mutex<Lab>>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    if !is_lab(&parts.method, parts.uri.path(), parts.uri.query(), &parts.headers) {
        return copylab_server::dispatch(server, Request::from_parts(parts, body)).await;
    }
    // The body is read before anything is locked, so a slow client stalls nobody else.
    let body = match copylab_server::read_body(&parts, body).await {
        Ok(body) => body,
        Err(error) => return json_response(error.status, json!({"error": error.message})),
    };
    if let Some(refused) = copylab_server::guard::check(&parts) {
        return refused;
    }
    let server = server.lock().await;
    let mut lab = lab.lock().await;
    handle(
        &mut lab,
        &server,
        &parts.method,
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        &body,
    )
}

/// Whether a request is for the lab: anything under `/lab/`, or `GET /` that carries nothing
/// of AWS's (no signature, no target, no presigned or query-protocol parameters).
pub fn is_lab(method: &Method, path: &str, query: Option<&str>, headers: &HeaderMap) -> bool {
    let aws_query = query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.starts_with("X-Amz-") || pair.starts_with("Action="))
    });
    path.starts_with("/lab/")
        || path == "/lab"
        || (method == Method::GET
            && path == "/"
            && !aws_query
            && !headers.contains_key("authorization")
            && !headers.contains_key("x-amz-target"))
}

fn query_value<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The lab's pages load only their own script and styles, are never framed, and are not
/// sniffed as another type.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn html(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn not_found(lang: Lang) -> Response {
    let mut response = html(pages::not_found(lang));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// Answers a lab request; `server` is read for the live jobs only.
pub fn handle(
    lab: &mut Lab,
    server: &ServerState,
    method: &Method,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let query = copylab_server::wire::rest_json::query_pairs(raw_query);
    let lang = Lang::negotiate(
        query_value(&query, "lang"),
        headers.get("accept-language").and_then(|v| v.to_str().ok()),
    );
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", [""] | ["lab"] | ["lab", ""]) => html(pages::catalog(lab, lang)),
        ("GET", ["lab", "static", file]) => pages::asset(file),
        // By the exercise's public id only. A scenario's name, or any id the lab does not have,
        // gets the same not-found page, byte for byte and without echoing the path: a name is
        // never redirected to its id, so no client can tell which names exist or pair an id
        // with the name that gives its answer away.
        ("GET", ["lab", "exercises", public_id]) => {
            let Some(exercise) = lab.exercises().iter().find(|e| e.id == *public_id) else {
                return not_found(lang);
            };
            let exercise = exercise.clone();
            // A reload or a language switch keeps the session the URL names; one that has ended
            // (the lab keeps so many) is said so, and a new one starts.
            let named = query_value(&query, "session");
            let (id, gone) = match named {
                Some(id) if lab.sessions.get(id).is_some_and(|s| s.exercise_id == exercise.id) => {
                    (id.to_owned(), false)
                }
                Some(_) => (lab.sessions.open(&exercise), true),
                None => (lab.sessions.open(&exercise), false),
            };
            let Some(session) = lab.sessions.get(&id) else {
                return not_found(lang);
            };
            let (world, request) = (session.state.world().clone(), session.request.clone());
            html(pages::exercise(lab, &exercise, (&id, gone), &world, &request, lang))
        }
        ("GET", ["lab", "exam"]) => html(exam::page(lab, &query, lang)),
        ("GET", ["lab", "jobs"]) => html(pages::jobs(server, lab, lang)),
        ("GET", ["lab", "jobs", origin, id]) => match pages::diagnosis(server, lab, origin, id, lang) {
            Some(page) => html(page),
            None => not_found(lang),
        },
        ("GET", ["lab", "answer", session]) => match pages::answer(lab, session, lang) {
            Some(page) => html(page),
            None => not_found(lang),
        },
        ("POST", ["lab", "api", "validate"]) => validate(body),
        (_, ["lab", "api", "sessions", session, rest @ ..]) => {
            session_api(lab, method.as_str(), session, rest, body, lang)
        }
        _ => not_found(lang),
    }
}

fn validate(body: &[u8]) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "the body is not JSON"}));
    };
    let kind = match request["kind"].as_str() {
        Some("kms") => copylab_policy::PolicyKind::Kms,
        Some("vault") => copylab_policy::PolicyKind::Vault,
        Some("trust") => copylab_policy::PolicyKind::Trust,
        Some("identity") => copylab_policy::PolicyKind::Identity,
        _ => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": "kind is kms, vault, trust or identity"}),
            );
        }
    };
    let errors = exercises::validate(request["policy"].as_str().unwrap_or_default(), kind)
        .err()
        .unwrap_or_default();
    json_response(StatusCode::OK, json!({"errors": errors}))
}

fn session_api(lab: &mut Lab, method: &str, session: &str, rest: &[&str], body: &[u8], lang: Lang) -> Response {
    let Some(exercise_id) = lab.sessions.get(session).map(|s| s.exercise_id.clone()) else {
        return json_response(StatusCode::NOT_FOUND, json!({"error": "no such session"}));
    };
    let Some(exercise) = lab.exercises().iter().find(|e| e.id == exercise_id).cloned() else {
        return json_response(StatusCode::NOT_FOUND, json!({"error": "no such exercise"}));
    };
    let hints = crate::text::hints(&exercise, lang);
    // Once solved, and only then, an answer names the exercise's scenario.
    let solved_text = |solved: bool| {
        if solved {
            i18n::tr(lang, "exercise-solved-scenario", &[("name", exercise.name.clone())])
        } else {
            String::new()
        }
    };
    let Some(current) = lab.sessions.get(session) else {
        return json_response(StatusCode::NOT_FOUND, json!({"error": "no such session"}));
    };
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let response = match (method, rest) {
        ("POST", ["start"]) => match current.start() {
            Ok(started) => json_response(StatusCode::OK, json!({"job_id": started["CopyJobId"]})),
            Err(error) => json_response(
                StatusCode::OK,
                json!({"error": {"code": error.code, "message": error.message}, "text": i18n::tr(lang, "job-api-error", &[("code", error.code.to_owned())])}),
            ),
        },
        ("GET", ["jobs", job]) => {
            let mut input = serde_json::Map::new();
            input.insert("CopyJobId".to_owned(), json!(job));
            match current.call("DescribeCopyJob", input) {
                Ok(described) => {
                    let job = &described["CopyJob"];
                    if job["State"] == "COMPLETED" {
                        current.solved = true;
                    }
                    // The job's latest event, as an EventBridge rule's target receives it.
                    let state = &current.state;
                    let event = state
                        .services
                        .backup
                        .events
                        .read(state.now(), None, Some("Copy Job State Change"), None)
                        .into_iter()
                        .rev()
                        .find(|e| e.envelope()["detail"]["copyJobId"] == job["CopyJobId"])
                        .map(|e| e.envelope().clone());
                    json_response(
                        StatusCode::OK,
                        json!({
                            "state": job["State"],
                            "status_message": job["StatusMessage"],
                            "message_category": job["MessageCategory"],
                            "solved": current.solved,
                            "event": event,
                            "text": if job["State"] == "COMPLETED" { i18n::tr(lang, "job-completed", &[]) } else { String::new() },
                            "solved_text": solved_text(current.solved),
                        }),
                    )
                }
                Err(error) => json_response(StatusCode::NOT_FOUND, json!({"error": error.message})),
            }
        }
        ("POST", ["investigate"]) => {
            let chosen = body["check"].as_str().unwrap_or_default();
            let correct = exercise.failed_check() == Some(chosen);
            let feedback = i18n::tr(
                lang,
                if correct {
                    "investigate-correct"
                } else {
                    "investigate-wrong"
                },
                &[],
            );
            json_response(StatusCode::OK, json!({"correct": correct, "feedback": feedback}))
        }
        ("POST", ["changes"]) => match serde_json::from_value::<Change>(body) {
            Ok(change) => match current.change(&change) {
                Ok(()) => json_response(
                    StatusCode::OK,
                    json!({"ok": true, "message": i18n::tr(lang, "fix-applied", &[])}),
                ),
                Err(error) => json_response(StatusCode::UNPROCESSABLE_ENTITY, json!(error)),
            },
            Err(error) => json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": "invalid", "message": error.to_string()}),
            ),
        },
        ("POST", ["alternative"]) => {
            let chosen = body["choice"].as_str().unwrap_or_default();
            // The page's choices carry neutral values (`Exercise::choice_id`), never the ids of
            // catalog messages or diagnosis sentences.
            let correct = exercise
                .alternatives()
                .iter()
                .any(|t| exercise.choice_id(t.id) == chosen);
            // Only where no setting fixes it does the right choice solve the exercise.
            if correct && exercise.fix.is_none() {
                current.solved = true;
            }
            let feedback = i18n::tr(
                lang,
                if correct {
                    "fix-alternative-correct"
                } else {
                    "fix-alternative-wrong"
                },
                &[],
            );
            json_response(
                StatusCode::OK,
                json!({"correct": correct, "feedback": feedback, "solved": current.solved, "solved_text": solved_text(current.solved)}),
            )
        }
        ("GET", ["hints", n]) => {
            let index: usize = n.parse().unwrap_or(usize::MAX);
            match hints.get(index) {
                Some(hint) => json_response(StatusCode::OK, json!({"hint": hint, "more": index + 1 < hints.len()})),
                None => json_response(
                    StatusCode::OK,
                    json!({"hint": i18n::tr(lang, "hint-none", &[]), "more": false}),
                ),
            }
        }
        _ => json_response(StatusCode::NOT_FOUND, json!({"error": "no such endpoint"})),
    };
    // A change may have grown the session's world: keep the lab within its bound.
    lab.sessions.bound();
    response
}

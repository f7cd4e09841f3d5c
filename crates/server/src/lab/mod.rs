//! The training lab on `copylab serve`'s port: the catalog of failing scenarios, an exercise (the world as SVG, the copy job as the console shows it, investigate, fix, retry, hints, the answer), a seeded exam, and the live jobs with their diagnoses, in English and Japanese. Pages are rendered on the server (minijinja templates embedded in the binary); a little JavaScript calls the `/lab/api/` endpoints.
//!
//! Routes: `GET /` (catalog), `GET /lab/exercises/{name}`, `GET /lab/exam`, `GET /lab/jobs`,
//! `GET /lab/jobs/{origin}/{id}`, `GET /lab/static/{file}`, and the JSON API under `/lab/api/`.
//! AWS routes never collide: AWS Backup has no `GET /`, and STS and IAM are `POST /`.

pub mod exam;
pub mod exercises;
pub mod i18n;
pub mod pages;
pub mod svg;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use self::exercises::{Change, Exercise};
use self::i18n::Lang;
use crate::state::ServerState;

/// Whether a request is for the lab: anything under `/lab/`, or `GET /` that carries nothing
/// of AWS's (no signature, no target, no presigned or query-protocol parameters).
pub fn is_lab(method: &Method, path: &str, query: Option<&str>, headers: &HeaderMap) -> bool {
    let aws_query = query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.starts_with("X-Amz-") || pair.starts_with("Action="))
    });
    path.starts_with("/lab/")
        || (method == Method::GET
            && path == "/"
            && !aws_query
            && !headers.contains_key("authorization")
            && !headers.contains_key("x-amz-target"))
}

fn query_value<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn html(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/html; charset=utf-8"));
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

/// The exercises of the state's catalog (computed once per catalog).
pub fn exercise_list(state: &ServerState) -> std::sync::Arc<Vec<Exercise>> {
    state.lab_exercises()
}

/// Answers a lab request.
pub fn handle(
    state: &mut ServerState,
    method: &Method,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let query = crate::wire::rest_json::query_pairs(raw_query);
    let lang = Lang::negotiate(
        query_value(&query, "lang"),
        headers.get("accept-language").and_then(|v| v.to_str().ok()),
    );
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", [""]) => html(pages::catalog(state, lang)),
        ("GET", ["lab", "static", file]) => pages::asset(file),
        ("GET", ["lab", "exercises", name]) => {
            let list = exercise_list(state);
            let Some((number, exercise)) = list.iter().enumerate().find(|(_, e)| e.name == *name) else {
                return not_found(lang);
            };
            // A reload or a language switch keeps the session the URL names.
            let id = match query_value(&query, "session") {
                Some(id) if state.lab.get(id).is_some_and(|s| s.exercise == *name) => id.to_owned(),
                _ => state.lab.open(exercise),
            };
            let Some(session) = state.lab.get(&id) else {
                return not_found(lang);
            };
            let (world, request) = (session.state.world.clone(), session.request.clone());
            html(pages::exercise(
                state,
                exercise,
                number + 1,
                &id,
                &world,
                &request,
                lang,
            ))
        }
        ("GET", ["lab", "exam"]) => html(exam::page(state, &query, lang)),
        ("GET", ["lab", "jobs"]) => html(pages::jobs(state, lang)),
        ("GET", ["lab", "jobs", origin, id]) => match pages::diagnosis(state, origin, id, lang) {
            Some(page) => html(page),
            None => not_found(lang),
        },
        ("GET", ["lab", "answer", session]) => match pages::answer(state, session, lang) {
            Some(page) => html(page),
            None => not_found(lang),
        },
        ("POST", ["lab", "api", "validate"]) => validate(body),
        (_, ["lab", "api", "sessions", session, rest @ ..]) => {
            session_api(state, method.as_str(), session, rest, body, lang)
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

fn session_api(
    state: &mut ServerState,
    method: &str,
    session: &str,
    rest: &[&str],
    body: &[u8],
    lang: Lang,
) -> Response {
    let list = exercise_list(state);
    let Some(current) = state.lab.get(session) else {
        return json_response(StatusCode::NOT_FOUND, json!({"error": "no such session"}));
    };
    let Some(exercise) = list.iter().find(|e| e.name == current.exercise) else {
        return json_response(StatusCode::NOT_FOUND, json!({"error": "no such exercise"}));
    };
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match (method, rest) {
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
                    json_response(
                        StatusCode::OK,
                        json!({
                            "state": job["State"],
                            "status_message": job["StatusMessage"],
                            "message_category": job["MessageCategory"],
                            "solved": current.solved,
                            "text": if job["State"] == "COMPLETED" { i18n::tr(lang, "job-completed", &[]) } else { String::new() },
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
            let correct = exercise.alternatives().iter().any(|t| t.id == chosen);
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
                json!({"correct": correct, "feedback": feedback, "solved": current.solved}),
            )
        }
        ("GET", ["hints", n]) => {
            let hints = pages::hints(exercise, lang);
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
    }
}

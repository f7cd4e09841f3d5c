//! The lab's pages, rendered from the embedded minijinja templates (`lab/templates/`) with every string taken from the language's Fluent bundle through `t(key, ...)`; and the embedded static files (`lab/static/`).

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use copylab_rules::engine::{CheckResult, Outcome, Verdict};
use minijinja::value::Kwargs;
use minijinja::{Environment, State};
use serde_json::{Value, json};

use copylab_server::services::backup::CopyJobRecord;
use copylab_server::state::ServerState;

use super::Lab;
use crate::exercises::{CHECK_ORDER, Exercise};
use crate::i18n::{self, Lang};
use crate::text::{check_name, hints, summary};

static TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("catalog.html", include_str!("../../templates/catalog.html")),
    ("exercise.html", include_str!("../../templates/exercise.html")),
    ("diagnosis.html", include_str!("../../templates/diagnosis.html")),
    ("exam.html", include_str!("../../templates/exam.html")),
    ("jobs.html", include_str!("../../templates/jobs.html")),
    ("not_found.html", include_str!("../../templates/not_found.html")),
];

/// `t(key, name=value, ...)`: the message in the page's language.
fn t(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or(Lang::En);
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: minijinja::Value = kwargs.get(name)?;
        args.push((name, value.to_string()));
    }
    Ok(i18n::tr(lang, key, &args))
}

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        // The templates are embedded and tested: a broken one fails every lab test.
        let _ = env.add_template(name, source);
    }
    env.add_function("t", t);
    env
});

fn render(name: &str, lang: Lang, context: Value) -> String {
    let mut context = context;
    context["lang"] = json!(lang.code());
    context["languages"] = json!(
        Lang::ALL
            .iter()
            .map(|l| json!({"code": l.code(), "name": i18n::tr(*l, "lang-name", &[])}))
            .collect::<Vec<_>>()
    );
    ENV.get_template(name)
        .and_then(|template| template.render(context))
        .unwrap_or_else(|e| format!("<!doctype html><title>copylab</title><p>template error: {e}</p>"))
}

/// A static file.
pub fn asset(file: &str) -> Response {
    let (body, kind) = match file {
        "lab.js" => (include_str!("../../static/lab.js"), "text/javascript; charset=utf-8"),
        "lab.css" => (include_str!("../../static/lab.css"), "text/css; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "").into_response(),
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(kind));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    response
}

fn catalog_line(exercise: &Exercise, lang: Lang) -> String {
    let request = &exercise.scenario.copy_job;
    let resource = exercise
        .scenario
        .world
        .recovery_points
        .iter()
        .find(|r| Some(&r.arn) == request.recovery_point_arn.as_ref())
        .map_or_else(|| "?".to_owned(), |r| r.resource_type.clone());
    let destination = request
        .destination_backup_vault_arn
        .as_deref()
        .and_then(|arn| copylab_rules::arn::account(arn))
        .unwrap_or("?");
    let destination_region = request
        .destination_backup_vault_arn
        .as_deref()
        .and_then(|arn| copylab_rules::arn::region(arn))
        .unwrap_or("?");
    i18n::tr(
        lang,
        "catalog-line",
        &[
            ("resource", resource),
            ("source", format!("{} ({})", request.account, request.region)),
            ("destination", format!("{destination} ({destination_region})")),
        ],
    )
}

/// What started the copy, when a backup plan's rule did (a scenario's `plan_run`): the plan, the
/// rule and its schedule.
fn plan_line(exercise: &Exercise, lang: Lang) -> Option<String> {
    let run = exercise.scenario.plan_run.as_ref()?;
    let (plan, rule) = copylab_rules::plan_copies::find_rule(&exercise.scenario.world, run).ok()?;
    Some(i18n::tr(
        lang,
        "catalog-plan",
        &[
            ("plan", plan.plan.name.clone()),
            ("rule", rule.name.clone()),
            (
                "schedule",
                rule.schedule_expression
                    .clone()
                    .unwrap_or_else(|| copylab_rules::backup_plans::DEFAULT_SCHEDULE_EXPRESSION.to_owned()),
            ),
            (
                "timezone",
                rule.schedule_expression_timezone
                    .clone()
                    .unwrap_or_else(|| "UTC".to_owned()),
            ),
        ],
    ))
}

/// A catalog card: the exercise's public id and neutral title, where the copy goes (and the
/// plan that starts it), and how hard.
fn card(exercise: &Exercise, lang: Lang) -> Value {
    json!({
        "id": exercise.id,
        "title": crate::text::title(&exercise.scenario, lang),
        "line": catalog_line(exercise, lang),
        "plan": plan_line(exercise, lang),
        "difficulty": exercise.difficulty(),
    })
}

/// `GET /`: the catalog, grouped by where the copy goes (never by the check that fails, which is
/// the exercise's answer), each group by difficulty then id; completing scenarios last, as
/// worked examples. Cards show ids and neutral titles, never scenario names: a worked example's
/// name would give away the fix of the exercise it completes (`..._completed` twins).
pub fn catalog(lab: &Lab, lang: Lang) -> String {
    let list = lab.exercises();
    let mut groups = Vec::new();
    for scope in crate::text::SCOPES {
        let mut items: Vec<&Exercise> = list
            .iter()
            .filter(|e| e.failed_check().is_some() && crate::text::scope(&e.scenario) == scope)
            .collect();
        items.sort_by_key(|e| (e.difficulty(), e.id.clone()));
        if !items.is_empty() {
            groups.push(json!({
                "id": scope,
                "title": i18n::tr(lang, &format!("catalog-group-{scope}"), &[]),
                "items": items.into_iter().map(|e| card(e, lang)).collect::<Vec<_>>(),
            }));
        }
    }
    let mut worked: Vec<&Exercise> = list.iter().filter(|e| e.failed_check().is_none()).collect();
    worked.sort_by_key(|e| e.id.clone());
    let worked: Vec<Value> = worked.into_iter().map(|e| card(e, lang)).collect();
    render("catalog.html", lang, json!({"groups": groups, "worked": worked}))
}

fn text_of(path: &str, value: Option<&copylab_rules::world::PolicyDocument>) -> Value {
    json!({"path": path, "text": value.map(|d| serde_json::to_string_pretty(&d.0).unwrap_or_default())})
}

/// `GET /lab/exercises/{id}`: one exercise, in session `session` (`gone`: the session the URL
/// named has ended). Titled by its neutral title and public id; nothing on it names the scenario.
pub fn exercise(
    lab: &Lab,
    exercise: &Exercise,
    (session, gone): (&str, bool),
    world: &copylab_rules::World,
    request: &copylab_rules::world::StartCopyJob,
    lang: Lang,
) -> String {
    let checks: Vec<Value> = CHECK_ORDER
        .iter()
        .map(|id| json!({"id": id, "name": check_name(lang, id)}))
        .collect();
    // Every object a trainee may change, whatever fails: the page says nothing of the cause.
    let keys: Vec<Value> = world
        .keys
        .iter()
        .filter(|k| k.manager == copylab_rules::world::KeyManager::Customer)
        .map(|k| {
            let mut key = text_of(&k.arn, k.policy.as_ref());
            if key["text"].is_null() {
                let account = copylab_rules::arn::account(&k.arn).unwrap_or_default();
                let partition = copylab_rules::arn::partition(&k.arn);
                key["text"] = json!(
                    serde_json::to_string_pretty(&copylab_rules::kms::default_key_policy(partition, account))
                        .unwrap_or_default()
                );
            }
            key["enabled"] = json!(k.state == copylab_rules::world::KeyState::Enabled);
            key["state"] = serde_json::to_value(k.state).unwrap_or_default();
            key
        })
        .collect();
    let vaults: Vec<Value> = world
        .vaults
        .iter()
        .map(|v| {
            let mut vault = text_of(&v.name, v.access_policy.as_ref());
            vault["account"] = json!(v.account);
            vault["region"] = json!(v.region);
            vault
        })
        .collect();
    let roles: Vec<Value> = world
        .roles
        .iter()
        .map(|r| {
            let trust = r
                .trust_policy
                .as_ref()
                .map_or_else(copylab_rules::policies::default_trust_policy, |d| d.0.clone());
            json!({
                "arn": r.arn,
                "trust": serde_json::to_string_pretty(&trust).unwrap_or_default(),
                "policies": r.policies.iter().map(|p| json!({"name": p.name, "text": serde_json::to_string_pretty(&p.document.0).unwrap_or_default()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let organizations: Vec<Value> = world
        .organizations
        .iter()
        .map(|o| json!({"id": o.id, "management": o.management_account, "cross_account": o.cross_account_backup_enabled}))
        .collect();
    let destination = request
        .destination_backup_vault_arn
        .as_deref()
        .and_then(|arn| copylab_rules::arn::account(arn))
        .unwrap_or_default()
        .to_owned();
    let mut outsiders = Vec::new();
    if let Some(org) = world.organizations.first() {
        for account in [&request.account, &destination] {
            let inside = org.management_account == **account || org.accounts.iter().any(|a| a.id == **account);
            if !inside && !account.is_empty() {
                outsiders.push(json!({"account": account, "organization": org.id}));
            }
        }
    }
    let recovery_point = world
        .recovery_points
        .iter()
        .find(|r| Some(&r.arn) == request.recovery_point_arn.as_ref());
    let tags: Vec<Value> = recovery_point
        .map(|r| r.tags.iter().map(|(k, v)| json!({"key": k, "value": v})).collect())
        .unwrap_or_default();
    // The source account's AWS Backup settings, whatever the resource type.
    let dynamodb_on = world
        .region_settings
        .iter()
        .any(|r| r.account == request.account && r.region == request.region && r.dynamodb_advanced_features);
    let dynamodb = json!({"account": request.account, "region": request.region, "on": dynamodb_on});
    // Every exercise offers the same choice, whether or not a setting fixes it.
    let alternatives = alternatives(lab, exercise, lang);
    let mut current = exercise.scenario.clone();
    (current.world, current.copy_job) = (world.clone(), request.clone());
    let summary = summary(&current, lang);
    render(
        "exercise.html",
        lang,
        json!({
            "id": exercise.id,
            "title": crate::text::title(&exercise.scenario, lang),
            "plan": plan_line(exercise, lang),
            "session": session,
            "session_gone": gone,
            "svg": super::svg::world(world, request, lang),
            "summary": summary,
            "checks": checks,
            "keys": keys,
            "vaults": vaults,
            "roles": roles,
            "organizations": organizations,
            "outsiders": outsiders,
            "recovery_point": recovery_point.map(|r| r.arn.clone()),
            "tags": tags,
            "dynamodb": dynamodb,
            "lifecycle": request.lifecycle.as_ref().and_then(|l| l.delete_after_days),
            "alternatives": alternatives,
            "hint_count": hints(exercise, lang).len(),
        }),
    )
}

/// The choices when no setting fixes it: the exercise's alternatives and, from other
/// exercises, as many others (in a fixed order, so a page is the same each time).
pub fn alternatives(lab: &Lab, exercise: &Exercise, lang: Lang) -> Vec<Value> {
    // Where a setting fixes it, the remedy's own alternatives (never its summary, which would
    // give the fix away); where none does, what the diagnosis offers.
    let right = if exercise.fix.is_none() {
        exercise.alternatives()
    } else {
        exercise
            .verdict
            .failed()
            .and_then(|c| c.remedy.as_ref())
            .map(|r| r.alternatives.clone())
            .unwrap_or_default()
    };
    let mut choices: Vec<(&'static str, String)> = right.iter().map(|t| (t.id, i18n::text(lang, t))).collect();
    let list = lab.exercises();
    for other in list.iter().filter(|e| e.name != exercise.name && e.fix.is_none()) {
        for text in other.alternatives() {
            if choices.len() >= (right.len() * 2).max(3) {
                break;
            }
            if !choices.iter().any(|(id, _)| *id == text.id) {
                choices.push((text.id, i18n::text(lang, &text)));
            }
        }
    }
    // Each choice carries a neutral value (never a catalog message's id, which would name the
    // cause), in the order of those values: stable, and not the right answers first.
    let mut choices: Vec<(String, String)> = choices
        .into_iter()
        .map(|(id, text)| (exercise.choice_id(id), text))
        .collect();
    choices.sort();
    choices
        .into_iter()
        .map(|(id, text)| json!({"id": id, "text": text}))
        .collect()
}

fn verdict_view(verdict: &Verdict, lang: Lang) -> Value {
    let checks: Vec<Value> = verdict
        .checks
        .iter()
        .map(|c| {
            let result = match c.result {
                CheckResult::Pass => "pass",
                CheckResult::Fail => "fail",
                CheckResult::Skip => "skip",
                CheckResult::Indeterminate => "indeterminate",
            };
            json!({
                "id": c.id,
                "name": check_name(lang, c.id),
                "result": result,
                "result_text": i18n::tr(lang, &format!("check-result-{result}"), &[]),
                "failed": Some(c.id) == verdict.failed_check,
                "evidence": c.evidence.iter().map(|t| i18n::text(lang, t)).collect::<Vec<_>>(),
                "remedy": c.remedy.as_ref().map(|r| json!({
                    "summary": i18n::text(lang, &r.summary),
                    "commands": r.commands.iter().map(|c| json!({"account": c.account, "command": c.command})).collect::<Vec<_>>(),
                    "alternatives": r.alternatives.iter().map(|t| i18n::text(lang, t)).collect::<Vec<_>>(),
                })),
            })
        })
        .collect();
    let (message, provenance) = match &verdict.outcome {
        Outcome::ApiError {
            error_code,
            message,
            provenance,
            ..
        } => (
            format!("{error_code}: {message}"),
            serde_json::to_value(provenance).unwrap_or_default(),
        ),
        Outcome::CopyJob {
            status_message,
            provenance,
            ..
        } => (
            status_message.clone().unwrap_or_default(),
            serde_json::to_value(provenance).unwrap_or_default(),
        ),
    };
    json!({"checks": checks, "message": message, "provenance": provenance})
}

/// `GET /lab/answer/{session}`: the whole diagnosis of the exercise, with its fix, and the
/// scenario it is (the answer is shown: the name gives nothing more away).
pub fn answer(lab: &mut Lab, session: &str, lang: Lang) -> Option<String> {
    let id = lab.sessions.get(session)?.exercise_id.clone();
    let list = lab.exercises();
    let exercise = list.iter().find(|e| e.id == id)?;
    Some(render(
        "diagnosis.html",
        lang,
        json!({
            "title": i18n::tr(lang, "answer-heading", &[]),
            "scenario": exercise.name,
            "verdict": verdict_view(&exercise.verdict, lang),
        }),
    ))
}

/// `GET /lab/jobs`: every copy job, newest first: the API's and the lab's.
pub fn jobs(state: &ServerState, lab: &Lab, lang: Lang) -> String {
    let mut rows = Vec::new();
    // Each job's EventBridge events so far (the server's and each session's own log), found by
    // the ids the events of a job's states have.
    let events_of = |server: &ServerState| -> std::collections::HashMap<String, String> {
        server
            .services
            .backup
            .events
            .read(server.now(), None, Some("Copy Job State Change"), None)
            .into_iter()
            .map(|e| {
                (
                    e.envelope()["id"].as_str().unwrap_or_default().to_owned(),
                    e.envelope()["time"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let job_events = |events: &std::collections::HashMap<String, String>, job: &CopyJobRecord| -> Vec<String> {
        ["CREATED", "RUNNING", "COMPLETED", "FAILED", "PARTIAL"]
            .iter()
            .filter_map(|state| {
                let id = copylab_server::services::backup::events::event_id(&["copy-job-event", &job.id, state]);
                events.get(&id).map(|time| format!("{state} {time}"))
            })
            .collect()
    };
    let server_events = events_of(state);
    let row = |origin: &str, label: String, job: &CopyJobRecord, progression, now, events: Vec<String>| {
        let state = job.state(progression, now);
        let ended = state == job.end_state();
        let row = json!({
            "origin": origin,
            "label": label,
            "id": job.id,
            "account": job.account,
            "created": copylab_server::clock::iso8601(job.created),
            "created_at": job.created,
            "state": state.as_str(),
            "failed": state == copylab_rules::world::CopyJobState::Failed,
            // As DescribeCopyJob: no message before the job ends.
            "message": match &job.outcome {
                Outcome::CopyJob { status_message, .. } if ended => status_message.clone().unwrap_or_default(),
                Outcome::ApiError { message, .. } => message.clone(),
                Outcome::CopyJob { .. } => String::new(),
            },
            "events": events,
        });
        (job.started, row)
    };
    for job in &state.services.backup.jobs {
        rows.push(row(
            "api",
            i18n::tr(lang, "jobs-origin-api", &[]),
            job,
            state.progression,
            state.now(),
            job_events(&server_events, job),
        ));
    }
    for session in &lab.sessions.sessions {
        let session_events = events_of(&session.state);
        for job in &session.state.services.backup.jobs {
            rows.push(row(
                &session.id,
                i18n::tr(lang, "jobs-origin-lab", &[("exercise", session.exercise_id.clone())]),
                job,
                session.state.progression,
                session.state.now(),
                job_events(&session_events, job),
            ));
        }
    }
    // Newest first by when they were started (each session has a clock of its own).
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    let rows: Vec<Value> = rows.into_iter().take(MAX_JOB_ROWS).map(|(_, row)| row).collect();
    render("jobs.html", lang, json!({"jobs": rows}))
}

/// The most jobs the live list shows.
pub const MAX_JOB_ROWS: usize = 200;

/// `GET /lab/jobs/{origin}/{id}`: why a job ended as it did (once it has ended).
pub fn diagnosis(state: &ServerState, lab: &Lab, origin: &str, id: &str, lang: Lang) -> Option<String> {
    let (job, progression, now) = if origin == "api" {
        (
            state.services.backup.jobs.iter().find(|j| j.id == id)?,
            state.progression,
            state.now(),
        )
    } else {
        let session = lab.sessions.sessions.iter().find(|s| s.id == origin)?;
        (
            session.state.services.backup.jobs.iter().find(|j| j.id == id)?,
            session.state.progression,
            session.state.now(),
        )
    };
    if job.state(progression, now) != job.end_state() {
        return None;
    }
    Some(render(
        "diagnosis.html",
        lang,
        json!({
            "title": i18n::tr(lang, "diagnosis-heading", &[("id", job.id.clone()), ("state", job.end_state().as_str().to_owned())]),
            "verdict": job_verdict_view(job, lang),
        }),
    ))
}

/// A job's verdict for the page; a job restored from a state document shows the checks its
/// document carried (their sentences in the document's English: they are not the engine's
/// templates any more, which translations need).
fn job_verdict_view(job: &CopyJobRecord, lang: Lang) -> Value {
    let mut view = verdict_view(&job.verdict(), lang);
    let Some(checks) = job.decision.restored_checks.as_ref().and_then(Value::as_array) else {
        return view;
    };
    let texts = |value: &Value| -> Vec<Value> {
        value
            .as_array()
            .map(|texts| texts.iter().map(|t| t["text"].clone()).collect())
            .unwrap_or_default()
    };
    view["checks"] = checks
        .iter()
        .map(|c| {
            let id = c["id"].as_str().unwrap_or_default();
            let result = c["result"].as_str().unwrap_or_default();
            let remedy = &c["remedy"];
            json!({
                "id": id,
                "name": check_name(lang, id),
                "result": result,
                "result_text": i18n::tr(lang, &format!("check-result-{result}"), &[]),
                "failed": Some(id) == job.decision.failed_check,
                "evidence": texts(&c["evidence"]),
                "remedy": (!remedy.is_null()).then(|| json!({
                    "summary": remedy["summary"]["text"],
                    "commands": remedy["commands"],
                    "alternatives": texts(&remedy["alternatives"]),
                })),
            })
        })
        .collect();
    view
}

/// The not-found page.
pub fn not_found(lang: Lang) -> String {
    render("not_found.html", lang, json!({}))
}

/// Renders the exam's pages (used by `web/exam.rs`).
pub fn render_exam(lang: Lang, context: Value) -> String {
    render("exam.html", lang, context)
}

/// The world picture and summary of a question (used by `web/exam.rs`).
pub fn question_view(exercise: &Exercise, lang: Lang) -> Value {
    let verdict = verdict_view(&exercise.verdict, lang);
    json!({
        "svg": super::svg::world(&exercise.scenario.world, &exercise.scenario.copy_job, lang),
        "message": verdict["message"],
    })
}

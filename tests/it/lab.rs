//! The training lab through its own HTTP endpoints: every built-in failing scenario worked in English and Japanese (open, start the copy, see AWS's message verbatim, investigate, apply the intended fix and retry to COMPLETED, or choose the documented alternative); the catalog, exam and live-jobs pages; and the i18n files (every key in both languages, the engine's sentences, Japanese script, the glossary, AWS messages never translated).

use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use copylab_lab::exercises::{Exercise, exercises};
use copylab_rules::world::Wording;
use copylab_server::state::{Progression, ServerState};

fn lab() -> axum::Router {
    let world = crate::support::default_world();
    let state = ServerState::new(world, 1, None, Wording::Current, Progression::Instant);
    let lab = copylab_lab::web::Lab::new(copylab::scenario::builtin_catalog());
    copylab_lab::web::app(std::sync::Arc::new(tokio::sync::Mutex::new(state)), lab)
}

async fn call(app: &axum::Router, method: &str, uri: &str, body: Option<Value>) -> (u16, String) {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.map(|b| b.to_string()).unwrap_or_default()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn json_call(app: &axum::Router, method: &str, uri: &str, body: Option<Value>) -> Value {
    let (status, text) = call(app, method, uri, body).await;
    assert!(status < 500, "{method} {uri}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {uri}: not JSON: {text}"))
}

/// The URL of the exercise made of built-in scenario `name`: by its neutral public id.
fn url(name: &str) -> String {
    format!("/lab/exercises/{}", copylab_lab::exercises::public_id(name))
}

fn session_of(page: &str) -> String {
    let start = page.find("data-session=\"").expect("a session") + "data-session=\"".len();
    page[start..].split('"').next().unwrap().to_owned()
}

fn has_japanese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

/// Starts the copy and polls it to its end; returns (state, status message) or the API error.
async fn run_copy(app: &axum::Router, session: &str, lang: &str) -> (String, Option<String>) {
    let started = json_call(
        app,
        "POST",
        &format!("/lab/api/sessions/{session}/start?lang={lang}"),
        Some(json!({})),
    )
    .await;
    if let Some(error) = started.get("error") {
        return (
            error["code"].as_str().unwrap().to_owned(),
            error["message"].as_str().map(str::to_owned),
        );
    }
    let job = started["job_id"].as_str().unwrap().to_owned();
    for _ in 0..10 {
        let described = json_call(
            app,
            "GET",
            &format!("/lab/api/sessions/{session}/jobs/{job}?lang={lang}"),
            None,
        )
        .await;
        let state = described["state"].as_str().unwrap().to_owned();
        if state != "CREATED" && state != "RUNNING" {
            return (state, described["status_message"].as_str().map(str::to_owned));
        }
    }
    panic!("{session}: the job never ended");
}

fn expected_message(exercise: &Exercise) -> Option<String> {
    match &exercise.verdict.outcome {
        copylab_rules::Outcome::ApiError { message, .. } => Some(message.clone()),
        copylab_rules::Outcome::CopyJob { status_message, .. } => status_message.clone(),
    }
}

#[tokio::test]
async fn every_failing_scenario_is_worked_in_the_lab_in_both_languages() {
    let app = lab();
    let list = exercises(&copylab::scenario::builtin_catalog());
    let failing: Vec<&Exercise> = list.iter().filter(|e| e.failed_check().is_some()).collect();
    assert!(failing.len() >= 30, "only {} failing exercises", failing.len());
    let mut fixed = 0;
    for lang in ["en", "ja"] {
        for exercise in &failing {
            let (name, id) = (&exercise.name, &exercise.id);
            let (status, page) = call(&app, "GET", &format!("/lab/exercises/{id}?lang={lang}"), None).await;
            assert_eq!(status, 200, "{name}");
            assert!(page.contains(&format!("<html lang=\"{lang}\">")), "{name}");
            // The page shows the setup, never the cause: no status message, no fix yet.
            let failed = exercise.verdict.failed();
            if let Some(remedy) = failed
                .and_then(|c| c.remedy.as_ref())
                .filter(|_| exercise.fix.is_some())
            {
                let summary = copylab_lab::i18n::text(copylab_lab::i18n::Lang::parse(lang).unwrap(), &remedy.summary);
                assert!(
                    !page.contains(&html_escape(&summary)),
                    "{name} ({lang}) gives its fix away"
                );
            }
            if let Some(message) = expected_message(exercise) {
                assert!(
                    !page.contains(&html_escape(&message)),
                    "{name} ({lang}) shows its message before the copy"
                );
            }
            if lang == "ja" {
                assert!(has_japanese(&page), "{name}: no Japanese");
            }
            let session = session_of(&page);
            // The copy fails with AWS's message, in English whatever the page's language.
            let (state, message) = run_copy(&app, &session, lang).await;
            assert_ne!(state, "COMPLETED", "{name}");
            assert_eq!(message, expected_message(exercise), "{name} ({lang})");
            // Investigate: the failed check is right, another is not.
            let check = exercise.failed_check().unwrap();
            let wrong = if check == "organization-membership" {
                "tag-policy"
            } else {
                "organization-membership"
            };
            let answer = json_call(
                &app,
                "POST",
                &format!("/lab/api/sessions/{session}/investigate?lang={lang}"),
                Some(json!({"check": wrong})),
            )
            .await;
            assert_eq!(answer["correct"], false, "{name}");
            let answer = json_call(
                &app,
                "POST",
                &format!("/lab/api/sessions/{session}/investigate?lang={lang}"),
                Some(json!({"check": check})),
            )
            .await;
            assert_eq!(answer["correct"], true, "{name}");
            if lang == "ja" {
                assert!(has_japanese(answer["feedback"].as_str().unwrap()), "{name}");
            }
            // Hints come one at a time until there are no more, then the answer.
            let mut shown = 0;
            loop {
                let uri = format!("/lab/api/sessions/{session}/hints/{shown}?lang={lang}");
                let hint = json_call(&app, "GET", &uri, None).await;
                assert!(hint["hint"].as_str().is_some_and(|h| !h.is_empty()), "{name}");
                shown += 1;
                if hint["more"] == false {
                    break;
                }
                assert!(shown < 10, "{name}: endless hints");
            }
            assert!(shown >= 2, "{name}: {shown} hints");
            // Nor its name, which says what fails.
            assert!(
                !page.contains(&format!("<h1>{name}")),
                "{name}: the heading names the scenario"
            );
            let (status, answer_page) = call(&app, "GET", &format!("/lab/answer/{session}?lang={lang}"), None).await;
            assert_eq!(status, 200);
            if let Some(message) = expected_message(exercise) {
                assert!(
                    answer_page.contains(&html_escape(&message)),
                    "{name}: the answer lacks the message verbatim"
                );
            }
            match &exercise.fix {
                Some(changes) => {
                    for change in changes {
                        let (status, text) = call(
                            &app,
                            "POST",
                            &format!("/lab/api/sessions/{session}/changes?lang={lang}"),
                            Some(serde_json::to_value(change).unwrap()),
                        )
                        .await;
                        assert_eq!(status, 200, "{name} ({lang}): {change:?} refused: {text}");
                    }
                    let (state, message) = run_copy(&app, &session, lang).await;
                    assert_eq!(
                        (state.as_str(), message),
                        ("COMPLETED", None),
                        "{name} ({lang}) after the fix"
                    );
                    fixed += 1;
                }
                None => {
                    let right = exercise.alternatives();
                    assert!(!right.is_empty(), "{name}: no alternative to choose");
                    // A choice the page offers that is not this exercise's: wrong, not solved.
                    let offered: Vec<&str> = page
                        .split("name=\"choice\" value=\"")
                        .skip(1)
                        .filter_map(|rest| rest.split('"').next())
                        .collect();
                    let right_choice = exercise.choice_id(right[0].id);
                    assert!(
                        offered.contains(&right_choice.as_str()),
                        "{name}: the page does not offer the alternative"
                    );
                    let distractor = offered
                        .iter()
                        .find(|id| !right.iter().any(|t| exercise.choice_id(t.id) == **id))
                        .expect("a distractor");
                    let uri = format!("/lab/api/sessions/{session}/alternative?lang={lang}");
                    let answer = json_call(&app, "POST", &uri, Some(json!({"choice": distractor}))).await;
                    assert_eq!(
                        (&answer["correct"], &answer["solved"]),
                        (&json!(false), &json!(false)),
                        "{name}"
                    );
                    let answer = json_call(&app, "POST", &uri, Some(json!({"choice": right_choice}))).await;
                    assert_eq!(
                        (&answer["correct"], &answer["solved"]),
                        (&json!(true), &json!(true)),
                        "{name}"
                    );
                }
            }
        }
    }
    assert!(fixed >= 2 * 12, "only {fixed} exercises fixed by settings");
}

/// What would give an exercise's answer away before it is solved: its scenario's name, the id
/// of the check that fails, and the id of AWS's message in the catalog.
fn giveaways(exercise: &Exercise) -> Vec<String> {
    let message_id = match &exercise.verdict.outcome {
        copylab_rules::Outcome::ApiError { message_id, .. } => Some(*message_id),
        copylab_rules::Outcome::CopyJob { message_id, .. } => *message_id,
    };
    [Some(exercise.name.as_str()), exercise.failed_check(), message_id]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect()
}

/// The giveaways of `exercise` that `text` contains as a whole token (so `request` is not found
/// in `requests`).
fn found_giveaways(text: &str, exercise: &Exercise) -> Vec<String> {
    giveaways(exercise)
        .into_iter()
        .filter(|needle| {
            regex::Regex::new(&format!(
                r"(?:^|[^A-Za-z0-9_-]){}(?:[^A-Za-z0-9_-]|$)",
                regex::escape(needle)
            ))
            .unwrap()
            .is_match(text)
        })
        .collect()
}

/// The investigate form, which lists every check on every exercise (so it tells nothing), and
/// the page without it.
fn without_investigate(page: &str) -> (String, String) {
    let start = page.find("<form id=\"investigate\">").expect("the investigate form");
    let end = start + page[start..].find("</form>").unwrap() + "</form>".len();
    (
        page[start..end].to_owned(),
        format!("{}{}", &page[..start], &page[end..]),
    )
}

#[tokio::test]
async fn nothing_a_trainee_reads_before_solving_names_the_scenario_its_failed_check_or_its_message() {
    let app = lab();
    let list = exercises(&copylab::scenario::builtin_catalog());
    let id_format = regex::Regex::new(r"^ex-[0-9a-f]{8}$").unwrap();
    for lang in ["en", "ja"] {
        // The catalog: neutral ids in every link, neutral titles, not grouped by check.
        let (_, catalog) = call(&app, "GET", &format!("/?lang={lang}"), None).await;
        let links: Vec<&str> = catalog
            .split("href=\"/lab/exercises/")
            .skip(1)
            .filter_map(|rest| rest.split(['?', '"']).next())
            .collect();
        assert_eq!(links.len(), list.len(), "one link per exercise");
        for exercise in &list {
            assert!(
                id_format.is_match(&exercise.id),
                "{}: id {}",
                exercise.name,
                exercise.id
            );
            assert!(
                links.contains(&exercise.id.as_str()),
                "{}: not linked by id",
                exercise.name
            );
            let found = found_giveaways(&catalog, exercise);
            assert!(
                found.is_empty(),
                "the catalog ({lang}) shows {found:?} of {}",
                exercise.name
            );
        }
        let language = copylab_lab::i18n::Lang::parse(lang).unwrap();
        for check in copylab_lab::exercises::CHECK_ORDER.iter() {
            let name = html_escape(&copylab_lab::text::check_name(language, check));
            assert!(!catalog.contains(&name), "the catalog ({lang}) names check {check}");
        }
        let mut investigate_form: Option<String> = None;
        for exercise in &list {
            let (name, id) = (&exercise.name, &exercise.id);
            let (status, page) = call(&app, "GET", &format!("/lab/exercises/{id}?lang={lang}"), None).await;
            assert_eq!(status, 200, "{name}");
            let (form, rest) = without_investigate(&page);
            assert_eq!(
                form,
                *investigate_form.get_or_insert_with(|| form.clone()),
                "{name}: the investigate form differs between exercises"
            );
            let found = found_giveaways(&rest, exercise);
            assert!(found.is_empty(), "{name} ({lang}): the page shows {found:?}");
            // The title is the situation, from the scenario's data.
            let title = html_escape(&copylab_lab::text::title(&exercise.scenario, language));
            assert!(page.contains(&format!("<h1>{title}</h1>")), "{name} ({lang}): title");
            if exercise.failed_check().is_none() {
                continue;
            }
            // The API's answers before the exercise is solved.
            let session = session_of(&page);
            let api = |path: &str| format!("/lab/api/sessions/{session}/{path}?lang={lang}");
            let mut answers = Vec::new();
            let started = json_call(&app, "POST", &api("start"), Some(json!({}))).await;
            if let Some(job) = started["job_id"].as_str() {
                for _ in 0..4 {
                    answers.push(json_call(&app, "GET", &api(&format!("jobs/{job}")), None).await);
                }
            }
            answers.push(started);
            let wrong = if exercise.failed_check() == Some("iam-role") {
                "tag-policy"
            } else {
                "iam-role"
            };
            answers.push(json_call(&app, "POST", &api("investigate"), Some(json!({"check": wrong}))).await);
            answers.push(json_call(&app, "POST", &api("alternative"), Some(json!({"choice": "c-00000000"}))).await);
            answers.push(
                json_call(
                    &app,
                    "POST",
                    &api("changes"),
                    Some(json!({"kind": "lifecycle", "delete_after_days": 0})),
                )
                .await,
            );
            for answer in &answers {
                assert_ne!(answer["solved"], true, "{name}: solved by wrong answers");
                let found = found_giveaways(&answer.to_string(), exercise);
                assert!(found.is_empty(), "{name} ({lang}): the API answers {found:?}: {answer}");
            }
            // Hints are asked for, to learn what fails (the last names the check), so they may
            // tell the cause; never the scenario's name.
            for n in 0..10 {
                let hint = json_call(&app, "GET", &api(&format!("hints/{n}")), None).await;
                assert!(!hint.to_string().contains(name.as_str()), "{name}: a hint names it");
                if hint["more"] != true {
                    break;
                }
            }
            // Shown the answer, the trainee learns which scenario it is.
            let (_, answer_page) = call(&app, "GET", &format!("/lab/answer/{session}?lang={lang}"), None).await;
            assert!(
                answer_page.contains(name.as_str()),
                "{name}: the answer does not name it"
            );
        }
    }
}

#[tokio::test]
async fn solving_an_exercise_names_its_scenario() {
    let app = lab();
    let (_, page) = call(&app, "GET", &url("seed_cross_account_setting_off"), None).await;
    let session = session_of(&page);
    let change = json!({"kind": "cross_account", "organization": "o-a1b2c3d4e5", "enabled": true});
    call(
        &app,
        "POST",
        &format!("/lab/api/sessions/{session}/changes"),
        Some(change),
    )
    .await;
    let started = json_call(
        &app,
        "POST",
        &format!("/lab/api/sessions/{session}/start"),
        Some(json!({})),
    )
    .await;
    let job = started["job_id"].as_str().unwrap();
    let mut done = Value::Null;
    for _ in 0..10 {
        done = json_call(&app, "GET", &format!("/lab/api/sessions/{session}/jobs/{job}"), None).await;
        if done["state"] == "COMPLETED" {
            break;
        }
    }
    assert_eq!(done["solved"], true, "{done}");
    assert!(
        done["solved_text"]
            .as_str()
            .unwrap()
            .contains("seed_cross_account_setting_off"),
        "{done}"
    );
}

#[test]
fn exercise_ids_are_stable_across_runs_and_when_scenarios_are_added_or_removed() {
    use copylab_lab::exercises::public_id;
    // Pinned: links, docs/lab.md and scripts/lab_e2e.py name exercises by these ids. A hash of
    // the name alone, so no run, machine or other scenario changes them.
    assert_eq!(public_id("seed_source_key_policy_without_destination"), "ex-bd263dcd");
    assert_eq!(public_id("rds_multi_az_cluster"), "ex-3c589a40");
    assert_eq!(public_id("seed_cross_account_setting_off"), "ex-a39b40ab");
    let catalog = copylab::scenario::builtin_catalog();
    let all = exercises(&catalog);
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "two exercises share an id");
    for exercise in &all {
        assert_eq!(exercise.id, public_id(&exercise.name), "{}: a long id", exercise.name);
    }
    // A catalog with one scenario removed and one added, in another order: every other id stays.
    let mut changed = catalog.clone();
    changed.remove(0);
    changed.push(("zz_a_scenario_added_later".to_owned(), catalog[1].1.clone()));
    changed.reverse();
    for exercise in exercises(&changed) {
        if let Some(before) = all.iter().find(|b| b.name == exercise.name) {
            assert_eq!(exercise.id, before.id, "{}", exercise.name);
        }
    }
}

#[tokio::test]
async fn a_scenario_name_in_an_exercise_url_is_not_found_exactly_like_any_unknown_id() {
    let app = lab();
    for lang in ["en", "ja"] {
        let (status, unknown) = call(&app, "GET", &format!("/lab/exercises/ex-00000000?lang={lang}"), None).await;
        assert_eq!(status, 404);
        let language = copylab_lab::i18n::Lang::parse(lang).unwrap();
        let intro = copylab_lab::i18n::tr(language, "not-found-intro", &[]);
        assert!(unknown.contains(&html_escape(&intro)), "{unknown}");
        // Old links by name: the same page byte for byte, so no client can tell which names
        // exist, and no redirect pairs a name with its id.
        for (name, _) in copylab::scenario::builtin_catalog() {
            let (status, page) = call(&app, "GET", &format!("/lab/exercises/{name}?lang={lang}"), None).await;
            assert_eq!((status, page.as_str()), (404, unknown.as_str()), "{name}");
        }
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

#[tokio::test]
async fn a_session_named_in_the_url_keeps_the_trainees_changes() {
    let app = lab();
    let (_, page) = call(&app, "GET", &url("seed_cross_account_setting_off"), None).await;
    let session = session_of(&page);
    assert!(page.contains("cross-account backup: off"), "{page}");
    let change = json!({"kind": "cross_account", "organization": "o-a1b2c3d4e5", "enabled": true});
    let (status, _) = call(
        &app,
        "POST",
        &format!("/lab/api/sessions/{session}/changes"),
        Some(change),
    )
    .await;
    assert_eq!(status, 200);
    let uri = format!("{}?session={session}&lang=ja", url("seed_cross_account_setting_off"));
    let (_, again) = call(&app, "GET", &uri, None).await;
    assert_eq!(session_of(&again), session);
    let uri = format!("{}?session={session}", url("seed_cross_account_setting_off"));
    let (_, english) = call(&app, "GET", &uri, None).await;
    assert!(english.contains("cross-account backup: on"), "{english}");
    // Another exercise's session is not reused.
    let uri = format!(
        "{}?session={session}",
        url("seed_source_key_policy_without_destination")
    );
    let (_, other) = call(&app, "GET", &uri, None).await;
    assert_ne!(session_of(&other), session);
}

#[tokio::test]
async fn session_ids_cannot_be_guessed_and_an_ended_session_says_so() {
    let app = lab();
    let uri = &url("seed_cross_account_setting_off");
    let (_, first) = call(&app, "GET", uri, None).await;
    let (_, second) = call(&app, "GET", uri, None).await;
    let (a, b) = (session_of(&first), session_of(&second));
    // Before the fix, ids were `s-1`, `s-2`, ...: anyone could change another trainee's exercise.
    for id in [&a, &b] {
        let hex = id.strip_prefix("s-").unwrap();
        assert!(hex.len() == 32 && hex.bytes().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
    assert_ne!(a, b);
    assert!(!first.contains("class=\"notice\""));
    for guess in ["s-1", "s-2", "s-3"] {
        let (status, _) = call(
            &app,
            "POST",
            &format!("/lab/api/sessions/{guess}/start"),
            Some(json!({})),
        )
        .await;
        assert_eq!(status, 404, "{guess}");
    }
    // A link to a session that has ended says so, in both languages, and starts a new one.
    for lang in ["en", "ja"] {
        let (status, page) = call(&app, "GET", &format!("{uri}?session=s-gone&lang={lang}"), None).await;
        assert_eq!(status, 200);
        let expected = copylab_lab::i18n::tr(copylab_lab::i18n::Lang::parse(lang).unwrap(), "session-gone", &[]);
        assert!(page.contains(&html_escape(&expected)), "{lang}: {page}");
        assert_ne!(session_of(&page), "s-gone");
    }
}

#[test]
fn account_ids_and_tag_values_keep_every_digit_in_translations() {
    use copylab_lab::i18n::{Lang, tr};
    for lang in [Lang::En, Lang::Ja] {
        assert!(tr(lang, "world-account", &[("id", "012345678901".to_owned())]).contains("012345678901"));
        let tag = tr(
            lang,
            "world-tag",
            &[("key", "k".to_owned()), ("value", "0042".to_owned())],
        );
        assert!(tag.contains("0042"), "{tag}");
    }
}

#[tokio::test]
async fn a_policy_editor_refuses_an_invalid_policy_in_place_and_changes_nothing() {
    let app = lab();
    let (_, page) = call(&app, "GET", &url("seed_source_key_policy_without_destination"), None).await;
    let session = session_of(&page);
    let answer = json_call(&app, "POST", "/lab/api/validate", Some(json!({"kind": "kms", "policy": "{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Maybe\"}]}"}))).await;
    let errors = answer["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert_eq!(errors[0]["line"], 2, "{answer}");
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let (status, text) = call(
        &app,
        "POST",
        &format!("/lab/api/sessions/{session}/changes"),
        Some(json!({"kind": "key_policy", "key": key, "policy": "{not json"})),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    let (state, _) = run_copy(&app, &session, "en").await;
    assert_eq!(state, "FAILED");
    // Bad input: not JSON, unknown kinds, unknown sessions.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/lab/api/sessions/{session}/changes"),
        Some(json!({"kind": "paint_it_green"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(&app, "POST", "/lab/api/sessions/s-999999/start", Some(json!({}))).await;
    assert_eq!(status, 404);
    let huge = json!({"kind": "key_policy", "key": "k", "policy": "x".repeat(2 * 1024 * 1024)});
    let (status, _) = call(
        &app,
        "POST",
        &format!("/lab/api/sessions/{session}/changes"),
        Some(huge),
    )
    .await;
    assert_eq!(status, 413);
    let (status, _) = call(&app, "GET", "/lab/exercises/no_such_exercise", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_catalog_the_exam_and_live_jobs_render_in_both_languages() {
    let app = lab();
    let (status, en) = call(&app, "GET", "/", None).await;
    assert_eq!(status, 200);
    assert!(
        en.contains("Copies to another account") && en.contains("Worked examples"),
        "{en}"
    );
    // ARCHITECTURE.md and the banner say the lab is at /lab/ too: the same catalog.
    for path in ["/lab/", "/lab"] {
        assert_eq!(call(&app, "GET", path, None).await, (200, en.clone()), "{path}");
    }
    // Accept-Language chooses Japanese; ?lang= wins over it.
    let request = axum::http::Request::builder()
        .uri("/")
        .header("accept-language", "ja-JP,ja;q=0.9,en;q=0.5")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let ja = String::from_utf8_lossy(&bytes);
    assert!(ja.contains("<html lang=\"ja\">") && has_japanese(&ja));
    // The same seed gives the same exam.
    let (_, first) = call(&app, "GET", "/lab/exam?seed=42&count=4&lang=en", None).await;
    let (_, again) = call(&app, "GET", "/lab/exam?seed=42&count=4&lang=en", None).await;
    assert_eq!(first, again);
    // An exam question never names its scenario.
    for (name, _) in copylab::scenario::builtin_catalog() {
        assert!(!first.contains(&name), "the exam names {name}");
    }
    let list = exercises(&copylab::scenario::builtin_catalog());
    let questions = copylab_lab::exam::questions(&list, 42, 4);
    assert_eq!(questions.len(), 4);
    assert!(
        questions.iter().any(|q| q.name.starts_with("generated-")),
        "no generated world"
    );
    // Right answers score 4 of 4.
    let answers: Vec<&str> = questions.iter().map(|q| q.failed_check().unwrap()).collect();
    let (_, done) = call(
        &app,
        "GET",
        &format!("/lab/exam?seed=42&count=4&answers={}&lang=en", answers.join(",")),
        None,
    )
    .await;
    assert!(done.contains("Score: 4 of 4"), "{done}");
    let wrong = ["request"; 4].join(",");
    let (_, done) = call(
        &app,
        "GET",
        &format!("/lab/exam?seed=42&count=4&answers={wrong}&lang=ja"),
        None,
    )
    .await;
    assert!(done.contains("id=\"missed\""), "{done}");
    // Live jobs: a job started through the API and one from the lab, each with its diagnosis.
    let backup_request = axum::http::Request::builder()
        .method("PUT")
        .uri("/copy-jobs")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=111122223333/20261128/us-east-1/backup/aws4_request, SignedHeaders=host, Signature=0")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({
            "RecoveryPointArn": crate::sdk::RDS_SHARED,
            "SourceBackupVaultName": "SourceVault",
            // A vault without an access policy: the job fails, and the page links its diagnosis.
            "DestinationBackupVaultArn": "arn:aws:backup:us-east-1:444455556666:backup-vault:UnsharedVault",
            "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"
        }).to_string()))
        .unwrap();
    let response = app.clone().oneshot(backup_request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let (_, page) = call(&app, "GET", &url("seed_cross_account_setting_off"), None).await;
    run_copy(&app, &session_of(&page), "en").await;
    let (_, jobs) = call(&app, "GET", "/lab/jobs?lang=en", None).await;
    // The lab's job is labelled by its exercise's id, never by the scenario's name.
    let label = format!(
        "lab: exercise {}",
        copylab_lab::exercises::public_id("seed_cross_account_setting_off")
    );
    assert!(jobs.contains(&label) && jobs.contains(">API<"), "{jobs}");
    assert!(!jobs.contains("seed_cross_account_setting_off"), "{jobs}");
    // Newest first: the lab's job was started after the API's.
    assert!(jobs.find(&label) < jobs.find(">API<"), "{jobs}");
    // The diagnosis link of the n-th failed job listed.
    let link_of = |n: usize| {
        jobs.split("href=\"/lab/jobs/")
            .nth(n)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&")
    };
    let link = link_of(1);
    let (status, diagnosis) = call(&app, "GET", &format!("/lab/jobs/{link}"), None).await;
    assert_eq!(status, 200);
    assert!(diagnosis.contains("class=\"check fail failed\""), "{diagnosis}");
    // The API's job, saved with the state and restored: the same page.
    let api_link = link_of(2);
    let (_, before) = call(&app, "GET", &format!("/lab/jobs/{api_link}"), None).await;
    let (_, state) = call(&app, "GET", "/_copylab/state", None).await;
    let (status, _) = call(
        &app,
        "POST",
        "/_copylab/scenario",
        Some(serde_json::from_str(&state).unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    let (_, after) = call(&app, "GET", &format!("/lab/jobs/{api_link}"), None).await;
    assert!(before.contains("class=\"check fail failed\""), "{before}");
    assert_eq!(before, after);
}

/// Every Fluent key of `source`, in order.
fn keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .map(|l| l.split(" = ").next().unwrap().trim().to_owned())
        .collect()
}

#[test]
fn both_languages_have_every_key_and_the_engines_sentences() {
    use copylab_lab::i18n::{Lang, source};
    let (en, ja) = (keys(source(Lang::En)), keys(source(Lang::Ja)));
    assert_eq!(en, ja, "en.ftl and ja.ftl differ in keys");
    let mut unique = en.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), en.len(), "a key is defined twice");
    // The engine's sentences: every `text!` id of copylab-rules has its English template.
    let pattern = regex::Regex::new(
        r#"(?:text!\(|Text::plain\(|Text::new\(|decision_evidence\()\s*"([a-z0-9.-]+)",\s*"((?:[^"\\]|\\.)*)""#,
    )
    .unwrap();
    let placeholder = regex::Regex::new(r"\{([a-z_]+)\}").unwrap();
    let mut checked = 0;
    let files = ["crates/rules/src", "crates/rules/src/checks"]
        .into_iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"));
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        for found in pattern.captures_iter(&text) {
            let (id, template) = (&found[1], found[2].replace("\\\"", "\""));
            if id == "id" {
                continue; // the macro's own doc example
            }
            let key = copylab_lab::i18n::text_key(id);
            let expected = placeholder.replace_all(&template, "{ $$$1 }").into_owned();
            let line = source(Lang::En)
                .lines()
                .find(|l| l.starts_with(&format!("{key} = ")))
                .unwrap_or_else(|| panic!("en.ftl lacks {key} = {expected}"));
            assert_eq!(
                &line[key.len() + 3..],
                expected,
                "{key} differs from the engine's template"
            );
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} sentences");
    // The catalog's causes, shown where no setting fixes a refused request.
    for message in copylab_rules::catalog::MESSAGES {
        let key = format!("cause-{}", message.id);
        let line = source(Lang::En)
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("en.ftl lacks {key} = {}", message.cause));
        assert_eq!(&line[key.len() + 3..], message.cause, "{key} differs from the catalog");
    }
}

#[test]
fn japanese_uses_japanese_script_and_the_glossary_and_never_translates_aws_messages() {
    use copylab_lab::i18n::{Lang, source};
    let values: Vec<(String, String)> = source(Lang::Ja)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .map(|l| {
            let (k, v) = l.split_once(" = ").unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    for (key, value) in &values {
        if key == "catalog-difficulty" {
            continue; // its variants are on the following lines
        }
        assert!(has_japanese(value), "ja.ftl {key} has no Japanese: {value}");
    }
    // The glossary's terms: wherever the English of a message uses a term (outside arguments,
    // code and ARNs), the Japanese uses the glossary's translation.
    let glossary = include_str!("../../crates/lab/i18n/glossary-ja.tsv");
    let english: Vec<(String, String)> = source(Lang::En)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .map(|l| {
            let (k, v) = l.split_once(" = ").unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let strip = regex::Regex::new(r"\{[^}]*\}|`[^`]*`|\S*:\S+").unwrap();
    let mut used = 0;
    for row in glossary.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        assert_eq!(cols.len(), 3, "glossary row {row}");
        let (term, japanese) = (cols[0], cols[1]);
        let word = regex::Regex::new(&format!(r"(?i)(^|[^A-Za-z]){}([^A-Za-z]|$)", regex::escape(term))).unwrap();
        for (key, value) in &english {
            if word.is_match(&strip.replace_all(value, " ")) {
                let ja_value = &values.iter().find(|(k, _)| k == key).unwrap().1;
                assert!(
                    ja_value.contains(japanese),
                    "{key}: `{term}` should be `{japanese}`: {ja_value}"
                );
                used += 1;
            }
        }
    }
    assert!(used >= 100, "the glossary terms are used {used} times");
    // AWS's messages are never in the translations: they are shown verbatim.
    for message in copylab_rules::catalog::MESSAGES {
        if message.text.len() > 30 {
            assert!(
                !source(Lang::Ja).contains(message.text),
                "ja.ftl contains AWS's message {}",
                message.id
            );
        }
    }
}

#[test]
fn the_quiz_scores_a_full_run_from_a_fixed_seed_in_both_languages() {
    use copylab::cli::QuizArgs;
    use copylab_lab::i18n::Lang;
    for (lang, code) in [(Lang::En, "en"), (Lang::Ja, "ja")] {
        let key = copylab::quiz_cmd::answer_key(7, 3, lang);
        assert!(key.len() >= 5, "{key:?}");
        let args = QuizArgs {
            lang: Some(code.to_owned()),
            seed: 7,
            count: 3,
            answer_key: false,
        };
        // All right, after one answer out of range (asked again).
        let input = std::iter::once("99".to_owned())
            .chain(key.iter().map(ToString::to_string))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        let mut out = Vec::new();
        copylab::quiz_cmd::quiz(&args, &mut std::io::Cursor::new(input), &mut out, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = copylab_lab::i18n::tr(
            lang,
            "quiz-score",
            &[("score", key.len().to_string()), ("count", key.len().to_string())],
        );
        assert!(text.contains(&expected), "{text}");
        // The quiz never names a question's scenario (its name says what fails).
        for (name, _) in copylab::scenario::builtin_catalog() {
            assert!(!text.contains(&name), "the quiz names {name}");
        }
        assert!(!text.contains('\x1b'), "colour without a terminal");
        for line in text.lines() {
            let width: usize = line.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum();
            assert!(width <= 80, "wider than 80 columns: {line}");
        }
        // All wrong: score 0 and the missed failure modes named.
        let wrong: Vec<String> = key
            .iter()
            .map(|k| if *k == 1 { "2".to_owned() } else { "1".to_owned() })
            .collect();
        let mut out = Vec::new();
        copylab::quiz_cmd::quiz(
            &args,
            &mut std::io::Cursor::new(wrong.join("\n") + "\n"),
            &mut out,
            false,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let zero = copylab_lab::i18n::tr(
            lang,
            "quiz-score",
            &[("score", "0".to_owned()), ("count", key.len().to_string())],
        );
        assert!(text.contains(&zero), "{text}");
    }
}

#[test]
fn policy_decisions_read_in_the_pages_language_with_the_engines_reason_kept() {
    use copylab_lab::i18n::{Lang, text};
    // The engine gives a decision whole (for English) and in parts (for translations).
    let evidence = copylab_rules::text::Text::new(
        "keypolicy.request",
        "{action} by {principal}: {decision}",
        vec![
            ("action", "kms:CreateGrant".to_owned()),
            ("principal", "arn:aws:iam::444455556666:root".to_owned()),
            (
                "decision",
                "ImplicitDeny by statement #1 \"Allow use\": no statement allows it".to_owned(),
            ),
            ("outcome", "ImplicitDeny".to_owned()),
            ("by", "#1 \"Allow use\"".to_owned()),
            ("reason", ": no statement allows it".to_owned()),
        ],
    );
    let english = text(Lang::En, &evidence);
    assert!(
        english.ends_with("ImplicitDeny by statement #1 \"Allow use\": no statement allows it"),
        "{english}"
    );
    let japanese = text(Lang::Ja, &evidence);
    assert!(
        japanese.contains("暗黙的な拒否 (ステートメント #1 \"Allow use\"): no statement allows it"),
        "{japanese}"
    );
    let mut args = evidence.args.to_vec();
    args[3].1 = "Allow".to_owned();
    args[5].1 = "none".to_owned();
    let allowed = copylab_rules::text::Text::new(evidence.id, evidence.template, args);
    assert!(
        text(Lang::Ja, &allowed).ends_with("許可 (ステートメント #1 \"Allow use\")"),
        "{}",
        text(Lang::Ja, &allowed)
    );
    // Every decision sentence of a real exercise carries its parts.
    let list = copylab_lab::exercises::exercises(&copylab::scenario::builtin_catalog());
    let mut seen = 0;
    for exercise in &list {
        for check in &exercise.verdict.checks {
            for line in check
                .evidence
                .iter()
                .filter(|t| t.args.iter().any(|(n, _)| *n == "decision"))
            {
                for part in ["outcome", "by", "reason"] {
                    assert!(
                        line.args.iter().any(|(n, _)| *n == part),
                        "{}: {} lacks {part}",
                        exercise.name,
                        line.id
                    );
                }
                assert!(
                    !text(Lang::Ja, line).contains("ImplicitDeny by"),
                    "{}",
                    text(Lang::Ja, line)
                );
                seen += 1;
            }
        }
    }
    assert!(seen > 50, "only {seen} decisions");
}

#[test]
fn a_quiz_question_fits_an_80_by_24_terminal_in_both_languages() {
    use copylab::cli::QuizArgs;
    use copylab_lab::i18n::{Lang, tr};
    for (lang, code) in [(Lang::En, "en"), (Lang::Ja, "ja")] {
        let prompt = tr(
            lang,
            "quiz-prompt",
            &[("first", "1".to_owned()), ("last", "12".to_owned())],
        );
        for seed in 1..=6 {
            let args = QuizArgs {
                lang: Some(code.to_owned()),
                seed,
                count: 6,
                answer_key: false,
            };
            let input = "1\n".repeat(40);
            let mut out = Vec::new();
            copylab::quiz_cmd::quiz(&args, &mut std::io::Cursor::new(input), &mut out, false).unwrap();
            let text = String::from_utf8(out).unwrap();
            // From a question's heading to its first prompt: one screen.
            for question in text.split("\n\n").filter(|block| block.contains(&prompt)) {
                let rows = question.split(&prompt).next().unwrap().lines().count() + 1;
                assert!(
                    rows <= 24,
                    "{code} seed {seed}: a question takes {rows} rows:\n{question}"
                );
            }
        }
    }
}

#[test]
fn the_labs_sessions_together_stay_within_their_memory_bound() {
    use copylab_lab::web::sessions::{MAX_TOTAL_WORLD_BYTES, Sessions};
    let list = exercises(&copylab::scenario::builtin_catalog());
    let mut sessions = Sessions::default();
    for _ in 0..8 {
        sessions.open(&list[0]);
        // As if a trainee's changes had grown this session's world to 4 MiB.
        if let Some(last) = sessions.sessions.last_mut() {
            last.world_bytes = 4 * 1024 * 1024;
        }
        sessions.bound();
        let total: usize = sessions.sessions.iter().map(|s| s.world_bytes).sum();
        assert!(total <= MAX_TOTAL_WORLD_BYTES, "{total}");
    }
    assert_eq!(sessions.sessions.len(), MAX_TOTAL_WORLD_BYTES / (4 * 1024 * 1024));
}

#[tokio::test]
async fn a_web_page_elsewhere_can_neither_rebind_nor_post_to_copylab_and_the_labs_pages_say_so() {
    let world = crate::support::default_world();
    let state = ServerState::new(world, 1, None, Wording::Current, Progression::Instant);
    let lab = copylab_lab::web::Lab::new(copylab::scenario::builtin_catalog());
    let app = copylab_lab::web::app(std::sync::Arc::new(tokio::sync::Mutex::new(state)), lab);
    // As `copylab serve` sets it.
    let app = copylab_server::guard::allow_hosts(app, vec!["copylab".to_owned()]);
    let send = |method: &str, uri: &str, host: &str, origin: Option<&str>| {
        let mut builder = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("host", host)
            .header("content-type", "text/plain");
        if let Some(origin) = origin {
            builder = builder.header("origin", origin);
        }
        let request = builder.body(axum::body::Body::from("{}")).unwrap();
        let app = app.clone();
        async move { app.oneshot(request).await.unwrap() }
    };
    // Before the fix, any Host was answered and cross-origin text/plain POSTs reset the world.
    for uri in ["/_copylab/health", "/", "/backup-vaults/"] {
        let response = send("GET", uri, "rebound.evil.example:4747", None).await;
        assert_eq!(response.status().as_u16(), 403, "{uri}");
    }
    for uri in ["/_copylab/reset", "/lab/api/validate"] {
        let response = send("POST", uri, "127.0.0.1:4747", Some("http://evil.example")).await;
        assert_eq!(response.status().as_u16(), 403, "{uri}");
    }
    // The lab's own pages keep working: same origin, loopback and allowed names.
    let same = send(
        "POST",
        "/lab/api/validate",
        "127.0.0.1:4747",
        Some("http://127.0.0.1:4747"),
    )
    .await;
    assert_eq!(
        same.status().as_u16(),
        400,
        "same-origin POST reaches the lab (its body is not a policy)"
    );
    assert_eq!(
        send("GET", "/_copylab/health", "copylab:4747", None)
            .await
            .status()
            .as_u16(),
        200
    );
    let page = send("GET", "/", "localhost:4747", None).await;
    assert_eq!(page.status().as_u16(), 200);
    let headers = page.headers();
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

/// A copy a backup plan starts (a scenario's `plan_run`) is an exercise like the others, and
/// its catalog card and page say which plan and rule start it, in both languages.
#[tokio::test]
async fn a_plan_driven_exercise_names_the_plan_that_starts_its_copy() {
    let app = lab();
    let name = "plan_nightly_copy_source_key_policy_without_destination";
    for (lang, wanted) in [
        (
            "en",
            "started by backup plan nightly-copies, rule nightly (cron(0 5 ? * * *) UTC)",
        ),
        (
            "ja",
            "バックアッププラン nightly-copies のルール nightly（cron(0 5 ? * * *) UTC）が開始",
        ),
    ] {
        let (status, page) = call(&app, "GET", &format!("{}?lang={lang}", url(name)), None).await;
        assert_eq!(status, 200);
        let text = page.replace("&#x27;", "'").replace("&quot;", "\"");
        assert!(text.contains(wanted), "{lang}: {page}");
        let (_, catalog) = call(&app, "GET", &format!("/?lang={lang}"), None).await;
        assert!(catalog.contains(wanted), "{lang} catalog");
    }
}

/// An exercise's failed copy shows the EventBridge event a monitor would receive for it (the
/// session's own log): `Copy Job State Change`, FAILED, with AWS's status message.
#[tokio::test]
async fn a_failed_copy_shows_the_event_a_monitor_receives() {
    let app = lab();
    let (_, page) = call(
        &app,
        "GET",
        &url("plan_nightly_copy_source_key_policy_without_destination"),
        None,
    )
    .await;
    assert!(page.contains("job-event-box"), "the page has the event's place");
    let session = session_of(&page);
    let started = json_call(
        &app,
        "POST",
        &format!("/lab/api/sessions/{session}/start?lang=en"),
        Some(json!({})),
    )
    .await;
    let job = started["job_id"].as_str().unwrap().to_owned();
    let mut last = json!(null);
    for _ in 0..10 {
        last = json_call(
            &app,
            "GET",
            &format!("/lab/api/sessions/{session}/jobs/{job}?lang=en"),
            None,
        )
        .await;
        if last["state"] == "FAILED" {
            break;
        }
    }
    assert_eq!(last["state"], "FAILED", "{last}");
    let event = &last["event"];
    assert_eq!(event["detail-type"], "Copy Job State Change", "{last}");
    assert_eq!(event["source"], "aws.backup");
    assert_eq!(event["detail"]["state"], "FAILED");
    assert_eq!(event["detail"]["copyJobId"], job.as_str());
    assert_eq!(event["detail"]["statusMessage"], last["status_message"]);
    // The live jobs page lists the job's events from the same log.
    let (_, jobs) = call(&app, "GET", "/lab/jobs", None).await;
    let failed_at = format!("FAILED {}", event["time"].as_str().unwrap());
    assert!(jobs.contains(&failed_at), "{failed_at} in the live jobs page");
    assert!(jobs.contains("CREATED ") && jobs.contains("RUNNING "));
}

//! The exam: N questions drawn from a seed (failing built-in exercises, and worlds from the world generator), each asking which check failed; the answers travel in the URL, so the same seed gives the same exam and a page can be shared or reloaded.

use copylab_rules::Scenario;
use copylab_rules::ids::IdGenerator;
use serde_json::{Value, json};

use super::exercises::{CHECK_ORDER, Exercise};
use super::i18n::{self, Lang};
use super::pages;
use crate::state::ServerState;

/// The most questions an exam has.
pub const MAX_COUNT: usize = 20;

/// The exam's questions for `seed`: every third one from the world generator, the others
/// failing built-in exercises, none twice.
pub fn questions(exercises: &[Exercise], seed: u64, count: usize) -> Vec<Exercise> {
    let failing: Vec<&Exercise> = exercises.iter().filter(|e| e.failed_check().is_some()).collect();
    let mut rng = IdGenerator::new(seed);
    let mut chosen: Vec<Exercise> = Vec::new();
    let mut attempts = 0;
    while chosen.len() < count && attempts < count * 50 {
        attempts += 1;
        let candidate = if chosen.len() % 3 == 2 {
            let generated_seed = rng.next_u64();
            let generated = copylab_rules::generate::world(generated_seed);
            let scenario = Scenario {
                description: String::new(),
                as_of: Some(generated.as_of.clone()),
                seed: generated_seed,
                wording: Default::default(),
                world: generated.world,
                copy_job: generated.request,
                expect: None,
            };
            Exercise::new(&format!("generated-{generated_seed}"), &scenario)
        } else if failing.is_empty() {
            None
        } else {
            let index = (rng.next_u64() % failing.len() as u64) as usize;
            Some(failing[index].clone())
        };
        if let Some(exercise) = candidate
            && exercise.failed_check().is_some()
            && !chosen.iter().any(|c| c.name == exercise.name)
        {
            chosen.push(exercise);
        }
    }
    chosen
}

fn query<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `GET /lab/exam?seed=S&count=N&answers=a,b,...`: the next question, or the score.
pub fn page(state: &ServerState, raw: &[(String, String)], lang: Lang) -> String {
    let Some(seed) = query(raw, "seed").and_then(|s| s.parse::<u64>().ok()) else {
        return pages::render_exam(lang, json!({"start": true, "seed": 1, "count": 5}));
    };
    // Digits too many for a number ask for as many questions as there can be.
    let count = query(raw, "count")
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
        .map_or(5, |c| c.parse::<usize>().unwrap_or(MAX_COUNT))
        .clamp(1, MAX_COUNT);
    // The form sends the answers so far (`previous`) and this question's (`answer`).
    let mut answers: Vec<String> = query(raw, "answers")
        .or(query(raw, "previous"))
        .unwrap_or_default()
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(answer) = query(raw, "answer").filter(|a| !a.is_empty()) {
        answers.push(answer.to_owned());
    }
    let list = state.lab_exercises();
    let questions = questions(&list, seed, count);
    let checks: Vec<Value> = CHECK_ORDER
        .iter()
        .map(|id| json!({"id": id, "name": pages::check_name(lang, id)}))
        .collect();
    if answers.len() < questions.len() {
        let question = &questions[answers.len()];
        let mut view = pages::question_view(question, lang);
        view["number"] = json!(answers.len() + 1);
        view["generated"] = json!(question.name.starts_with("generated-"));
        return pages::render_exam(
            lang,
            json!({
                "seed": seed,
                "count": questions.len(),
                "answers": answers.join(","),
                "question": view,
                "checks": checks,
            }),
        );
    }
    let mut score = 0;
    let mut missed = Vec::new();
    for (question, answer) in questions.iter().zip(&answers) {
        let right = question.failed_check().unwrap_or_default();
        if answer == right {
            score += 1;
        } else {
            let name = pages::check_name(lang, right);
            if !missed.contains(&name) {
                missed.push(name);
            }
        }
    }
    pages::render_exam(
        lang,
        json!({
            "done": true,
            "seed": seed,
            "count": questions.len(),
            "score": score,
            "missed": missed,
            "next_seed": seed.wrapping_add(1),
            "score_text": i18n::tr(lang, "exam-score", &[("score", score.to_string()), ("count", questions.len().to_string())]),
        }),
    )
}

//! The exam's page: the next question of a seeded exam, or the score (the answers travel in the URL).

use serde_json::{Value, json};

use super::Lab;
use super::pages;
use crate::exam::{MAX_COUNT, questions};
use crate::exercises::CHECK_ORDER;
use crate::i18n::{self, Lang};
use crate::text::check_name;

fn query<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `GET /lab/exam?seed=S&count=N&answers=a,b,...`: the next question, or the score.
pub fn page(lab: &Lab, raw: &[(String, String)], lang: Lang) -> String {
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
    let list = lab.exercises();
    let questions = questions(list, seed, count);
    let checks: Vec<Value> = CHECK_ORDER
        .iter()
        .map(|id| json!({"id": id, "name": check_name(lang, id)}))
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
            let name = check_name(lang, right);
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

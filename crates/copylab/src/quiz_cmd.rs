//! `copylab quiz`: the lab's exercises in a terminal, keyboard only: for each failed copy, the setup and AWS's message, a question on the cause and one on the fix, and a score at the end. Lines fit 80 columns; colour only on a terminal.

use std::io::{BufRead, Write};

use copylab_lab::exercises::{CHECK_ORDER, Exercise};
use copylab_lab::i18n::{self, Lang};
use copylab_rules::ids::IdGenerator;

use crate::cli::QuizArgs;

const WIDTH: usize = 78;

/// Wraps `text` to [`WIDTH`] columns (characters; a CJK character counts as two); the first
/// line starts with `prefix`, the others with as many spaces.
fn wrap(text: &str, prefix: &str) -> String {
    let width_of = |c: char| if (c as u32) >= 0x1100 { 2 } else { 1 };
    let prefix_width: usize = prefix.chars().map(width_of).sum();
    let indent = " ".repeat(prefix_width);
    let mut lines = Vec::new();
    let mut line = String::from(prefix);
    let mut width = prefix_width;
    let mut fresh = true;
    let newline = |line: &mut String, width: &mut usize, lines: &mut Vec<String>| {
        lines.push(line.trim_end().to_owned());
        *line = indent.clone();
        *width = indent.len();
    };
    for word in text.split_inclusive(' ') {
        let word_width: usize = word.chars().map(width_of).sum();
        if width + word_width > WIDTH && !fresh {
            newline(&mut line, &mut width, &mut lines);
        }
        // A word longer than a line (an ARN, or Japanese without spaces) is cut by width.
        for c in word.chars() {
            if width + width_of(c) > WIDTH {
                newline(&mut line, &mut width, &mut lines);
            }
            line.push(c);
            width += width_of(c);
            fresh = false;
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines.join("\n")
}

/// The fix of an exercise, and others as distractors, in a fixed order for `seed`.
fn fix_choices(exercise: &Exercise, all: &[Exercise], lang: Lang, seed: u64) -> (Vec<String>, usize) {
    let describe = |e: &Exercise| -> Option<String> {
        let failed = e.verdict.failed()?;
        match (&e.fix, failed.remedy.as_ref()) {
            (Some(_), Some(remedy)) => Some(i18n::text(lang, &remedy.summary)),
            _ => e
                .alternatives()
                .first()
                .map(|t| i18n::tr(lang, "quiz-no-fix", &[("alternative", i18n::text(lang, t))])),
        }
    };
    let Some(right) = describe(exercise) else {
        return (Vec::new(), 0);
    };
    let mut choices = vec![right.clone()];
    let mut rng = IdGenerator::for_names(&[&exercise.name, &seed.to_string()]);
    let others: Vec<&Exercise> = all
        .iter()
        .filter(|e| e.failed_check().is_some() && e.failed_check() != exercise.failed_check())
        .collect();
    let mut attempts = 0;
    while choices.len() < 4 && attempts < 200 && !others.is_empty() {
        attempts += 1;
        let other = others[(rng.next_u64() % others.len() as u64) as usize];
        if let Some(text) = describe(other)
            && !choices.contains(&text)
        {
            choices.push(text);
        }
    }
    let rotation = (rng.next_u64() % choices.len() as u64) as usize;
    choices.rotate_left(rotation);
    let position = choices.iter().position(|c| *c == right).unwrap_or(0);
    (choices, position)
}

/// Asks one question whose right choice is `right` (0-based) and says whether the answer was
/// right, naming `answer` when not; `None` at the end of input.
fn question(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    lang: Lang,
    count: usize,
    right: usize,
    answer: &str,
) -> std::io::Result<Option<bool>> {
    let Some(chosen) = ask(input, out, lang, count)? else {
        return Ok(None);
    };
    if chosen == right {
        writeln!(out, "{}", i18n::tr(lang, "quiz-correct", &[]))?;
    } else {
        writeln!(
            out,
            "{}",
            wrap(&i18n::tr(lang, "quiz-wrong", &[("answer", answer.to_owned())]), "")
        )?;
    }
    Ok(Some(chosen == right))
}

/// Asks until a number in `1..=count` (or the end of input: `None`).
fn ask(input: &mut dyn BufRead, out: &mut dyn Write, lang: Lang, count: usize) -> std::io::Result<Option<usize>> {
    loop {
        write!(
            out,
            "{} ",
            i18n::tr(
                lang,
                "quiz-prompt",
                &[("first", "1".to_owned()), ("last", count.to_string())]
            )
        )?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(out)?;
            return Ok(None);
        }
        if let Ok(n) = line.trim().parse::<usize>()
            && (1..=count).contains(&n)
        {
            return Ok(Some(n - 1));
        }
    }
}

/// The right answers (1-based, in the order asked) of the quiz for `seed`, `count` and `lang`:
/// the key a trainer checks against, and what the tests answer with.
pub fn answer_key(seed: u64, count: usize, lang: Lang) -> Vec<usize> {
    let all = copylab_lab::exercises::exercises(&crate::scenario::builtin_catalog());
    let questions = copylab_lab::exam::questions(&all, seed, count.clamp(1, copylab_lab::exam::MAX_COUNT));
    let mut key = Vec::new();
    for exercise in &questions {
        let right = exercise.failed_check().unwrap_or_default();
        key.push(CHECK_ORDER.iter().position(|c| *c == right).unwrap_or(0) + 1);
        let (choices, position) = fix_choices(exercise, &all, lang, seed);
        if !choices.is_empty() {
            key.push(position + 1);
        }
    }
    key
}

/// Runs the quiz on `input` and `out`.
pub fn quiz(args: &QuizArgs, input: &mut dyn BufRead, out: &mut dyn Write, color: bool) -> std::io::Result<i32> {
    let lang = match args.lang.as_deref() {
        Some(code) => Lang::parse(code).unwrap_or(Lang::En),
        None => Lang::negotiate(
            None,
            std::env::var("LANG")
                .ok()
                .as_deref()
                .map(|l| l.split(['_', '.']).next().unwrap_or(l)),
        ),
    };
    if args.answer_key {
        for answer in answer_key(args.seed, args.count, lang) {
            writeln!(out, "{answer}")?;
        }
        return Ok(crate::cli::exit::OK);
    }
    let bold = |text: String| if color { format!("\x1b[1m{text}\x1b[0m") } else { text };
    let all = copylab_lab::exercises::exercises(&crate::scenario::builtin_catalog());
    let count = args.count.clamp(1, copylab_lab::exam::MAX_COUNT);
    let questions = copylab_lab::exam::questions(&all, args.seed, count);
    writeln!(out, "{}", bold(i18n::tr(lang, "quiz-title", &[])))?;
    writeln!(
        out,
        "{}",
        wrap(
            &i18n::tr(
                lang,
                "exam-intro",
                &[("count", questions.len().to_string()), ("seed", args.seed.to_string())]
            ),
            ""
        )
    )?;
    let (mut score, mut asked) = (0, 0);
    let mut missed: Vec<String> = Vec::new();
    'questions: for (number, exercise) in questions.iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            bold(i18n::tr(
                lang,
                "exam-question",
                &[
                    ("number", (number + 1).to_string()),
                    ("count", questions.len().to_string())
                ]
            ))
        )?;
        writeln!(
            out,
            "{}",
            wrap(&copylab_lab::text::summary_with(&exercise.scenario, lang, true), "")
        )?;
        let message = match &exercise.verdict.outcome {
            copylab_rules::Outcome::ApiError {
                error_code, message, ..
            } => format!("{error_code}: {message}"),
            copylab_rules::Outcome::CopyJob { status_message, .. } => status_message.clone().unwrap_or_default(),
        };
        let says = format!("{} ", i18n::tr(lang, "quiz-message", &[]));
        writeln!(out, "{}", wrap(&message, &says))?;
        // The cause.
        writeln!(out, "{}", bold(i18n::tr(lang, "quiz-question-cause", &[])))?;
        for (i, check) in CHECK_ORDER.iter().enumerate() {
            writeln!(out, "  {:>2}) {}", i + 1, copylab_lab::text::check_name(lang, check))?;
        }
        let right = exercise.failed_check().unwrap_or_default();
        let right_index = CHECK_ORDER.iter().position(|c| *c == right).unwrap_or(0);
        let name = copylab_lab::text::check_name(lang, right);
        match question(input, out, lang, CHECK_ORDER.len(), right_index, &name)? {
            None => break 'questions,
            Some(correct) => {
                asked += 1;
                if correct {
                    score += 1;
                } else if !missed.contains(&name) {
                    missed.push(name);
                }
            }
        }
        // The fix.
        let (choices, position) = fix_choices(exercise, &all, lang, args.seed);
        if choices.is_empty() {
            continue;
        }
        writeln!(out, "{}", bold(i18n::tr(lang, "quiz-question-fix", &[])))?;
        for (i, choice) in choices.iter().enumerate() {
            writeln!(out, "{}", wrap(choice, &format!("  {}) ", i + 1)))?;
        }
        match question(input, out, lang, choices.len(), position, &(position + 1).to_string())? {
            None => break 'questions,
            Some(correct) => {
                asked += 1;
                score += usize::from(correct);
            }
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        bold(i18n::tr(
            lang,
            "quiz-score",
            &[("score", score.to_string()), ("count", asked.to_string())]
        ))
    )?;
    if !missed.is_empty() {
        writeln!(
            out,
            "{}",
            wrap(&i18n::tr(lang, "quiz-missed", &[("modes", missed.join(", "))]), "")
        )?;
    }
    Ok(crate::cli::exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_lines_within_80_columns() {
        let text = "アカウント 111122223333 のボールト SourceVault にある RDS の復旧ポイント arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453 を、コピーします。";
        // A CJK prefix counts at its display width too.
        for line in wrap(text, "AWS のメッセージ: ").lines() {
            let width: usize = line.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum();
            assert!(width <= 80, "{line}");
        }
    }
}

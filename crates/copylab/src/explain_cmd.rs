//! `copylab explain` and `copylab scenarios`: run a scenario through the rules engine and show the outcome, the checklist and the fix; list the built-in catalog.

use std::io::{self, Write};

use copylab_rules::engine::{CheckResult, Options, Outcome, Verdict};
use copylab_rules::world::{CopyJobState, Expect};
use serde::Serialize;

use crate::cli::{ExplainArgs, Format, ScenariosArgs, exit};
use crate::scenario::{self, LoadedScenario};

/// Whether the verdict matches the scenario's expectation; the differences when not.
pub fn compare(expect: &Expect, verdict: &Verdict) -> Vec<String> {
    let mut differences = Vec::new();
    let state = verdict.outcome.state();
    if let Some(expected) = expect.state
        && state != Some(expected)
    {
        differences.push(format!(
            "state: expected {}, got {}",
            expected.as_str(),
            state.map_or("an API error", CopyJobState::as_str)
        ));
    }
    if let Some(expected) = &expect.status_message {
        let got = verdict.outcome.message().unwrap_or("(none)");
        if got != expected {
            differences.push(format!("status message: expected {expected:?}, got {got:?}"));
        }
    }
    if let Some(expected) = &expect.failed_check {
        let got = verdict.failed_check.unwrap_or("(none)");
        if got != expected {
            differences.push(format!("failed check: expected {expected}, got {got}"));
        }
    }
    if let Some(expected) = &expect.error_code {
        let got = match &verdict.outcome {
            Outcome::ApiError { error_code, .. } => *error_code,
            Outcome::CopyJob { .. } => "(a copy job, no API error)",
        };
        if got != expected {
            differences.push(format!("error code: expected {expected}, got {got}"));
        }
    }
    differences
}

/// Runs a loaded scenario.
pub fn run_scenario(loaded: &LoadedScenario) -> Result<Verdict, copylab_rules::WorldError> {
    let scenario = &loaded.scenario;
    let options = Options {
        as_of: scenario.as_of.clone(),
        seed: scenario.seed,
        wording: scenario.wording,
    };
    copylab_rules::simulate(&scenario.world, &scenario.copy_job, &options)
}

#[derive(Serialize)]
struct ExplainReport<'a> {
    scenario: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_run: Option<&'a copylab_rules::plan_copies::RuleReport<'a>>,
    #[serde(flatten)]
    verdict: &'a Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<&'a Expect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matches_expectation: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    differences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed: Option<ObservedComparison<'a>>,
}

/// An imported scenario's observed job compared with the verdict.
#[derive(Debug, Serialize)]
pub struct ObservedComparison<'a> {
    /// The job as AWS showed it.
    pub job: &'a copylab_rules::world::Observed,
    /// Whether copylab's verdict ends the same way with the same message.
    pub agrees: bool,
    /// The catalog messages AWS's `StatusMessage` matches (id and cause), when they differ.
    pub catalog_matches: Vec<(&'static str, &'static str)>,
    /// The checks copylab could not decide (their facts unknown): candidates too.
    pub undecided_checks: Vec<&'static str>,
}

/// Whether `text` is `template` with its `{name}` arguments filled in (any text for each).
fn template_matches(template: &str, text: &str) -> bool {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        pieces.push(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    pieces.push(rest);
    let Some((first, others)) = pieces.split_first() else {
        return template == text;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let last = others.len().saturating_sub(1);
    for (i, piece) in others.iter().enumerate() {
        if i == last {
            return remaining.ends_with(piece);
        }
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.is_empty()
}

/// Compares the observed job of an imported scenario with the verdict.
pub fn compare_observed<'a>(observed: &'a copylab_rules::world::Observed, verdict: &Verdict) -> ObservedComparison<'a> {
    let state = verdict.outcome.state().map(CopyJobState::as_str);
    // AWS's message, or one of its other documented wordings of the same failure.
    let wordings: Vec<&str> = match &verdict.outcome {
        Outcome::CopyJob {
            status_message,
            other_wordings,
            ..
        } => status_message.iter().chain(other_wordings).map(|m| m.trim()).collect(),
        Outcome::ApiError { message, .. } => vec![message.trim()],
    };
    let agrees = state == Some(observed.state.as_str())
        && match observed.status_message.as_deref().map(str::trim) {
            Some(message) => wordings.contains(&message),
            None => verdict.outcome.message().is_none(),
        };
    let catalog_matches = match (&observed.status_message, agrees) {
        (Some(message), false) => copylab_rules::catalog::MESSAGES
            .iter()
            .filter(|m| {
                std::iter::once(m.text)
                    .chain(m.variants.iter().map(|v| v.text))
                    .any(|t| template_matches(t, message.trim()))
            })
            .map(|m| (m.id, m.cause))
            .collect(),
        _ => Vec::new(),
    };
    let undecided_checks = verdict
        .checks
        .iter()
        .filter(|c| c.result == CheckResult::Indeterminate)
        .map(|c| c.id)
        .collect();
    ObservedComparison {
        job: observed,
        agrees,
        catalog_matches,
        undecided_checks,
    }
}

/// What the rule of a scenario's `plan_run` does: its picks and every copy it would start.
fn plan_report(loaded: &LoadedScenario) -> Result<Option<copylab_rules::plan_copies::RuleReport<'_>>, String> {
    let scenario = &loaded.scenario;
    let Some(run) = &scenario.plan_run else {
        return Ok(None);
    };
    let options = Options {
        as_of: scenario.as_of.clone(),
        seed: scenario.seed,
        wording: scenario.wording,
    };
    // The backups run at the start of the modeled day, as the scenario's own copy's does.
    let created = copylab_rules::plan_copies::day_start(scenario.as_of.as_deref());
    copylab_rules::plan_copies::rule_report(&scenario.world, run, created, &options).map(Some)
}

/// `copylab explain`.
pub(crate) fn explain(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> io::Result<i32> {
    let loaded = match scenario::load(&args.scenario) {
        Ok(loaded) => loaded,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(exit::INPUT);
        }
    };
    let verdict = match run_scenario(&loaded) {
        Ok(verdict) => verdict,
        Err(e) => {
            writeln!(err, "error: {}: {e}", loaded.name)?;
            return Ok(exit::INPUT);
        }
    };
    let plan = match plan_report(&loaded) {
        Ok(plan) => plan,
        Err(e) => {
            writeln!(err, "error: {}: {e}", loaded.name)?;
            return Ok(exit::INPUT);
        }
    };
    let differences = loaded.scenario.expect.as_ref().map(|e| compare(e, &verdict));
    let observed = loaded.scenario.observed.as_ref().map(|o| compare_observed(o, &verdict));
    let code = match &differences {
        Some(d) if d.is_empty() => exit::OK,
        Some(_) => exit::NO,
        None if verdict.outcome.state() == Some(CopyJobState::Completed) => exit::OK,
        None => exit::NO,
    };
    match args.format {
        Format::Json => {
            let report = ExplainReport {
                scenario: &loaded.name,
                description: &loaded.scenario.description,
                plan_run: plan.as_ref(),
                verdict: &verdict,
                expect: loaded.scenario.expect.as_ref(),
                matches_expectation: differences.as_ref().map(Vec::is_empty),
                differences: differences.clone().unwrap_or_default(),
                observed,
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&report).unwrap_or_default())?;
        }
        Format::Text => write!(
            out,
            "{}",
            render(
                &loaded,
                plan.as_ref(),
                &verdict,
                differences.as_deref(),
                observed.as_ref(),
                color
            )
        )?,
    }
    Ok(code)
}

/// The plan section: the rule, what its selections pick and leave out (and why), and how each
/// copy it would start ends.
fn render_plan(s: &mut String, p: &Paint, plan: &copylab_rules::plan_copies::RuleReport<'_>) {
    use std::fmt::Write as _;
    let _ = writeln!(
        s,
        "  backup plan {} ({}), rule {}: {} {}, into vault {}",
        plan.plan_name, plan.plan_id, plan.rule, plan.schedule, plan.timezone, plan.target_vault
    );
    for picked in &plan.picks.picked {
        let _ = writeln!(
            s,
            "    picks {} (selection {}, role {})",
            picked.resource.arn, picked.selection, picked.role
        );
    }
    for left in &plan.picks.not_picked {
        let why: Vec<String> = left
            .reasons
            .iter()
            .map(|(selection, reason)| format!("{selection}: {reason}"))
            .collect();
        let why = if why.is_empty() {
            "the plan has no selection".to_owned()
        } else {
            why.join("; ")
        };
        let _ = writeln!(s, "    leaves out {}: {why}", left.resource.arn);
    }
    for copy in &plan.copies {
        let ends = match &copy.outcome {
            Outcome::CopyJob {
                state, status_message, ..
            } => match status_message {
                Some(message) if *state != CopyJobState::Completed => format!("{}: {message}", p.red(state.as_str())),
                _ => p.green(state.as_str()),
            },
            Outcome::ApiError { message, .. } => format!("{}: {message}", p.red("FAILED")),
        };
        let _ = writeln!(
            s,
            "    copy of {} to {}: {ends}",
            copy.resource_arn, copy.destination_backup_vault_arn
        );
    }
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn red(&self, text: &str) -> String {
        self.wrap("31", text)
    }
    fn green(&self, text: &str) -> String {
        self.wrap("32", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
}

/// The text form: the outcome, the checklist (one line per check), the failed check's evidence
/// and fix, and whether the expectation holds.
fn render(
    loaded: &LoadedScenario,
    plan: Option<&copylab_rules::plan_copies::RuleReport<'_>>,
    verdict: &Verdict,
    differences: Option<&[String]>,
    observed: Option<&ObservedComparison<'_>>,
    color: bool,
) -> String {
    use std::fmt::Write as _;
    let p = Paint(color);
    let mut s = String::new();
    let scenario = &loaded.scenario;
    let _ = writeln!(s, "{} {}", p.bold("scenario"), loaded.name);
    let _ = writeln!(s, "  {}", scenario.description.trim());
    let request = &scenario.copy_job;
    if let Some(plan) = plan {
        render_plan(&mut s, &p, plan);
    }
    let _ = writeln!(
        s,
        "  {}StartCopyJob from account {} in {} (as of {}, seed {})",
        if plan.is_some() { "the plan's copy: " } else { "" },
        request.account,
        request.region,
        verdict.as_of,
        scenario.seed
    );
    let _ = writeln!(s);
    match &verdict.outcome {
        Outcome::ApiError {
            error_code,
            http_status,
            message,
            provenance,
            ..
        } => {
            let _ = writeln!(
                s,
                "{} StartCopyJob fails: {} (HTTP {}): {}",
                p.bold("outcome"),
                p.red(error_code),
                http_status,
                message
            );
            let _ = writeln!(s, "  message: {} ({})", provenance.status, provenance.source);
        }
        Outcome::CopyJob {
            copy_job_id,
            state,
            status_message,
            message_category,
            provenance,
            other_wordings,
            destination_recovery_point,
            ..
        } => {
            let state_text = if *state == CopyJobState::Completed {
                p.green(state.as_str())
            } else {
                p.red(state.as_str())
            };
            let _ = writeln!(s, "{} copy job {copy_job_id} ends {state_text}", p.bold("outcome"));
            if let Some(message) = status_message {
                let _ = writeln!(s, "  StatusMessage: {message}");
            }
            let _ = writeln!(s, "  MessageCategory: {message_category} (modeled)");
            if let Some(provenance) = provenance {
                let _ = writeln!(
                    s,
                    "  message: {} ({}; {})",
                    provenance.status, provenance.source, provenance.reference
                );
            }
            for wording in other_wordings {
                let _ = writeln!(s, "  also seen as: {wording}");
            }
            if let Some(rp) = destination_recovery_point {
                let _ = writeln!(s, "  destination recovery point: {}", rp.arn);
                match &rp.encryption_key_arn {
                    Some(key) => {
                        let _ = writeln!(s, "  encrypted with: {key}");
                    }
                    None => {
                        let _ = writeln!(s, "  unencrypted, as its source");
                    }
                }
            }
        }
    }
    let undecided = verdict
        .checks
        .iter()
        .filter(|c| c.result == CheckResult::Indeterminate)
        .count();
    if undecided > 0 && verdict.failed_check.is_none() {
        let _ = writeln!(
            s,
            "  {}: {undecided} check(s) undecided (below): if one of them fails, the copy fails instead",
            p.bold("but")
        );
    }
    if let Some(observed) = observed {
        let job = observed.job;
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{} copy job {} ended {}{}",
            p.bold("observed"),
            job.copy_job_id,
            job.state,
            job.status_message
                .as_deref()
                .map_or(String::new(), |m| format!(": {m}"))
        );
        if observed.agrees {
            let _ = writeln!(s, "  {} copylab's verdict", p.green("agrees with"));
        } else {
            let _ = writeln!(s, "  {} copylab's verdict", p.red("differs from"));
            for (id, cause) in &observed.catalog_matches {
                let _ = writeln!(s, "  AWS's message is the catalog's {id}: {cause}");
            }
            if observed.catalog_matches.is_empty() && job.status_message.is_some() {
                let _ = writeln!(s, "  AWS's message is not in copylab's catalog");
            }
            if !observed.undecided_checks.is_empty() {
                let _ = writeln!(
                    s,
                    "  undecided checks that could explain it: {}",
                    observed.undecided_checks.join(", ")
                );
            }
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", p.bold("checks"));
    for check in &verdict.checks {
        let mark = match check.result {
            CheckResult::Pass => p.green("pass"),
            CheckResult::Fail => p.red("FAIL"),
            CheckResult::Skip => p.dim("skip"),
            CheckResult::Indeterminate => "????".to_owned(),
        };
        let _ = writeln!(s, "  {mark}  {:<26} {}", check.id, check.title);
    }
    // Where AWS documents no single answer, the output says so with the check's reasons.
    for open in verdict.checks.iter().filter(|c| c.result == CheckResult::Indeterminate) {
        let _ = writeln!(s);
        let _ = writeln!(s, "{} {}: {}", p.bold("undecided"), open.id, open.title);
        for evidence in &open.evidence {
            let _ = writeln!(s, "  - {}", evidence.render());
        }
    }
    if let Some(failed) = verdict.failed() {
        let _ = writeln!(s);
        let _ = writeln!(s, "{} {}: {}", p.bold("why"), failed.id, failed.title);
        for evidence in &failed.evidence {
            let _ = writeln!(s, "  - {}", evidence.render());
        }
        if let Some(remedy) = &failed.remedy {
            let _ = writeln!(s);
            let _ = writeln!(s, "{} {}", p.bold("fix"), remedy.summary.render());
            for command in &remedy.commands {
                let region = command.region.as_deref().map_or(String::new(), |r| format!(", {r}"));
                let _ = writeln!(s, "  # as account {}{region}", command.account);
                let _ = writeln!(s, "  $ {}", command.command);
            }
            for patch in &remedy.patches {
                let _ = writeln!(s, "  patch: {}", serde_json::to_string(patch).unwrap_or_default());
            }
            for alternative in &remedy.alternatives {
                let _ = writeln!(s, "  or: {}", alternative.render());
            }
        }
    }
    if let Some(differences) = differences {
        let _ = writeln!(s);
        if differences.is_empty() {
            let _ = writeln!(s, "{} {}", p.bold("expectation"), p.green("matches"));
        } else {
            let _ = writeln!(s, "{} {}", p.bold("expectation"), p.red("DIFFERS"));
            for d in differences {
                let _ = writeln!(s, "  - {d}");
            }
        }
    }
    s
}

#[derive(Serialize)]
struct CatalogEntry<'a> {
    name: &'a str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<Expect>,
}

/// `copylab scenarios`.
pub(crate) fn scenarios(args: &ScenariosArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    if args.schema {
        let schema = schemars::schema_for!(copylab_rules::Scenario);
        writeln!(out, "{}", serde_json::to_string_pretty(&schema).unwrap_or_default())?;
        return Ok(exit::OK);
    }
    let mut entries = Vec::new();
    for name in scenario::builtin_names() {
        match scenario::load(name) {
            Ok(loaded) => entries.push(CatalogEntry {
                name,
                description: loaded.scenario.description.trim().to_owned(),
                expect: loaded.scenario.expect,
            }),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(exit::INPUT);
            }
        }
    }
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&entries).unwrap_or_default())?,
        Format::Text => {
            for entry in &entries {
                let expectation =
                    entry
                        .expect
                        .as_ref()
                        .map_or(String::new(), |e| match (e.state, &e.error_code, &e.failed_check) {
                            (Some(state), _, Some(check)) => format!(" [{} at {check}]", state.as_str()),
                            (Some(state), _, None) => format!(" [{}]", state.as_str()),
                            (None, Some(code), _) => format!(" [{code}]"),
                            _ => String::new(),
                        });
                writeln!(
                    out,
                    "{}{expectation}\n    {}",
                    entry.name,
                    entry.description.lines().next().unwrap_or_default()
                )?;
            }
        }
    }
    Ok(exit::OK)
}

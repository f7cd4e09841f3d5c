//! `copylab policy check` and `copylab policy simulate`: read the files, call the policy engine, and render its answer as text or JSON.

use std::io::{self, Write};
use std::path::Path;

use copylab_policy::{
    Decision, NoteKind, Outcome, Policy, PolicyError, PolicyKind, PolicySource, PolicyWarning, PrincipalMatch,
    Simulation, SimulationError, SimulationInput, Span, StatementTrace,
};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use crate::cli::{CheckArgs, Format, SimulateArgs, exit};

/// Policies larger than this are refused before parsing (KMS allows 32 KB; IAM less).
const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// A policy error as a miette diagnostic pointing into the file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct SourceDiagnostic {
    message: String,
    code: String,
    help: Option<String>,
    source_code: NamedSource<String>,
    label: LabeledSpan,
}

impl Diagnostic for SourceDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source_code)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

fn render(diagnostic: &SourceDiagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = diagnostic.message.clone();
    }
    out
}

fn span_of(span: Span) -> SourceSpan {
    SourceSpan::new(span.offset.into(), span.len.max(1))
}

/// Renders a policy error as `file:line:column` plus a snippet.
fn render_error(file: &str, text: &str, error: &PolicyError, color: bool) -> String {
    let diagnostic = SourceDiagnostic {
        message: format!("{}:{}:{}: {}", file, error.span.line, error.span.column, error.message),
        code: format!("{}::{}", error.exception, error.rule.as_str()),
        help: Some(format!(
            "AWS answers {}; this message text is copylab's (modeled)",
            error.exception
        )),
        source_code: NamedSource::new(file, text.to_owned()),
        label: LabeledSpan::new_primary_with_span(Some(error.path.clone()), span_of(error.span)),
    };
    render(&diagnostic, color)
}

fn render_warning(file: &str, text: &str, warning: &PolicyWarning, color: bool) -> String {
    let diagnostic = SourceDiagnostic {
        message: format!(
            "{}:{}:{}: warning: {}",
            file, warning.span.line, warning.span.column, warning.message
        ),
        code: format!("warning::{}", warning.rule.as_str()),
        help: None,
        source_code: NamedSource::new(file, text.to_owned()),
        label: LabeledSpan::new_primary_with_span(Some(warning.path.clone()), span_of(warning.span)),
    };
    render(&diagnostic, color)
}

/// The policy document inside the AWS CLI's output of `aws kms get-key-policy`
/// (`{"Policy": "...", "PolicyName": "default"}`) or `aws backup get-backup-vault-access-policy`
/// (`{"BackupVaultName": ..., "BackupVaultArn": ..., "Policy": "..."}`), as scenario files take
/// them: the string `Policy` holds (positions in diagnostics are then in that document).
fn unwrapped(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let members = value.as_object()?;
    let wrapper = members.keys().all(|k| {
        matches!(
            k.as_str(),
            "Policy" | "PolicyName" | "BackupVaultName" | "BackupVaultArn"
        )
    });
    (wrapper && !members.contains_key("Statement"))
        .then(|| members.get("Policy")?.as_str().map(str::to_owned))
        .flatten()
}

/// Reads a policy file, refusing huge or non-UTF-8 files with a clear message.
fn read_policy(path: &Path, err: &mut dyn Write) -> io::Result<Option<String>> {
    let fail = |err: &mut dyn Write, why: String| -> io::Result<Option<String>> {
        writeln!(err, "error: cannot read `{}`: {why}", path.display())?;
        Ok(None)
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_POLICY_BYTES => {
            return fail(
                err,
                format!(
                    "the file is {} bytes; a policy is at most {MAX_POLICY_BYTES}",
                    meta.len()
                ),
            );
        }
        Ok(_) => {}
        Err(e) => return fail(err, e.to_string()),
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            // Editors on some systems write a byte-order mark; it is not part of the JSON.
            Ok(text) => {
                let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
                Ok(Some(unwrapped(&text).unwrap_or(text)))
            }
            Err(_) => fail(err, "the file is not UTF-8 text".to_owned()),
        },
        Err(e) => fail(err, e.to_string()),
    }
}

#[derive(Serialize)]
struct CheckReport<'a> {
    file: &'a str,
    kind: Option<PolicyKind>,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind_error: Option<String>,
    errors: &'a [PolicyError],
    warnings: &'a [PolicyWarning],
    #[serde(skip_serializing_if = "Option::is_none")]
    canonical: Option<serde_json::Value>,
}

/// `copylab policy check`.
pub(crate) fn check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> io::Result<i32> {
    let file = args.file.display().to_string();
    let Some(text) = read_policy(&args.file, err)? else {
        return Ok(exit::INPUT);
    };
    let kind = match args.kind {
        Some(kind) => kind.kind(),
        None => match PolicyKind::infer(&text) {
            Ok(kind) => kind,
            Err(why) => {
                // Malformed JSON is reported by the parser with its position.
                if let Err(errors) = Policy::parse(&text, PolicyKind::Resource)
                    && errors.iter().any(|e| {
                        matches!(
                            e.rule,
                            copylab_policy::Rule::MalformedJson | copylab_policy::Rule::DuplicateKey
                        )
                    })
                {
                    return report_check(args.format, &file, &text, None, Err(errors), out, color);
                }
                if args.format == Format::Json {
                    let report = CheckReport {
                        file: &file,
                        kind: None,
                        valid: false,
                        kind_error: Some(why),
                        errors: &[],
                        warnings: &[],
                        canonical: None,
                    };
                    writeln!(out, "{}", to_json(&report))?;
                } else {
                    writeln!(err, "error: cannot tell which kind of policy `{file}` is: {why}")?;
                    writeln!(
                        err,
                        "  help: say which rules apply with --kind kms|vault|identity|resource"
                    )?;
                }
                return Ok(exit::INPUT);
            }
        },
    };
    let result = Policy::parse(&text, kind);
    report_check(args.format, &file, &text, Some(kind), result, out, color)
}

fn report_check(
    format: Format,
    file: &str,
    text: &str,
    kind: Option<PolicyKind>,
    result: Result<Policy, Vec<PolicyError>>,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<i32> {
    let (errors, warnings, canonical) = match &result {
        Ok(policy) => (
            &[][..],
            &policy.warnings[..],
            serde_json::from_str(&policy.to_canonical_json()).ok(),
        ),
        Err(errors) => (&errors[..], &[][..], None),
    };
    let valid = result.is_ok();
    match format {
        Format::Json => {
            let report = CheckReport {
                file,
                kind,
                valid,
                kind_error: None,
                errors,
                warnings,
                canonical,
            };
            writeln!(out, "{}", to_json(&report))?;
        }
        Format::Text => {
            let kind_name = kind.map_or("policy", |k| k.as_str());
            if valid {
                let count = result.as_ref().map(|p| p.statements.len()).unwrap_or_default();
                writeln!(
                    out,
                    "{file}: valid {kind_name} policy ({count} statement{})",
                    if count == 1 { "" } else { "s" }
                )?;
            } else {
                let exception = errors.first().map_or("", |e| e.exception);
                writeln!(
                    out,
                    "{file}: invalid {kind_name} policy: AWS answers {exception} ({} problem{})",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                )?;
            }
            for error in errors {
                write!(out, "{}", render_error(file, text, error, color))?;
            }
            for warning in warnings {
                write!(out, "{}", render_warning(file, text, warning, color))?;
            }
        }
    }
    Ok(if valid { exit::OK } else { exit::NO })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[derive(Serialize)]
struct SimulateReport<'a> {
    kind: PolicyKind,
    request: &'a copylab_policy::Request,
    #[serde(flatten)]
    decision: &'a Decision<'a>,
}

/// `copylab policy simulate`.
pub(crate) fn simulate(args: &SimulateArgs, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> io::Result<i32> {
    let mut context = Vec::new();
    for pair in &args.context {
        let Some((key, value)) = pair.split_once('=') else {
            writeln!(err, "error: --context `{pair}` is not KEY=VALUE")?;
            return Ok(exit::INPUT);
        };
        if key.is_empty() {
            writeln!(err, "error: --context `{pair}` has an empty key")?;
            return Ok(exit::INPUT);
        }
        context.push((key.to_owned(), vec![value.to_owned()]));
    }
    let resource_label = args.resource_policy.display().to_string();
    let Some(resource_text) = read_policy(&args.resource_policy, err)? else {
        return Ok(exit::INPUT);
    };
    let mut identity = Vec::new();
    for path in &args.identity_policy {
        let Some(text) = read_policy(path, err)? else {
            return Ok(exit::INPUT);
        };
        identity.push((path.display().to_string(), text));
    }
    let input = SimulationInput {
        kind: args.kind.map(|k| k.kind()),
        resource_policy: Some(PolicySource {
            label: resource_label.clone(),
            text: &resource_text,
        }),
        identity_policies: identity
            .iter()
            .map(|(label, text)| PolicySource {
                label: label.clone(),
                text,
            })
            .collect(),
        identity_allows_all: args.identity_allows_all,
        principal: &args.principal,
        action: &args.action,
        resource: &args.resource,
        resource_owner: args.resource_owner.as_deref(),
        context,
    };
    let simulation = match Simulation::new(&input) {
        Ok(simulation) => simulation,
        Err(SimulationError::InvalidPolicy { label, errors }) => {
            let text = if label == resource_label {
                resource_text.as_str()
            } else {
                identity
                    .iter()
                    .find(|(l, _)| *l == label)
                    .map_or("", |(_, t)| t.as_str())
            };
            if args.format == Format::Json {
                let report = CheckReport {
                    file: &label,
                    kind: None,
                    valid: false,
                    kind_error: None,
                    errors: &errors,
                    warnings: &[],
                    canonical: None,
                };
                writeln!(out, "{}", to_json(&report))?;
            } else {
                writeln!(err, "error: policy `{label}` is invalid, so nothing was simulated")?;
                for error in &errors {
                    write!(err, "{}", render_error(&label, text, error, color))?;
                }
            }
            return Ok(exit::INPUT);
        }
        Err(other) => {
            writeln!(err, "error: {other}")?;
            return Ok(exit::INPUT);
        }
    };
    let decision = simulation.decide();
    match args.format {
        Format::Json => {
            let report = SimulateReport {
                kind: simulation.kind(),
                request: simulation.request(),
                decision: &decision,
            };
            writeln!(out, "{}", to_json(&report))?;
        }
        Format::Text => write!(out, "{}", render_decision(&simulation, &decision))?,
    }
    Ok(if decision.decision == Outcome::Allow {
        exit::OK
    } else {
        exit::NO
    })
}

fn principal_words(m: PrincipalMatch) -> &'static str {
    match m {
        PrincipalMatch::NoMatch => "does not name the caller",
        PrincipalMatch::Listed => "NotPrincipal lists the caller (exempt)",
        PrincipalMatch::Account => "names the caller's account",
        PrincipalMatch::NotListed => "NotPrincipal does not list the caller",
        PrincipalMatch::Everyone => "is * (everyone)",
        PrincipalMatch::Exact => "names the caller",
        PrincipalMatch::NotApplicable => "identity policy (no Principal)",
    }
}

fn statement_title(t: &StatementTrace<'_>) -> String {
    match t.sid {
        Some(sid) => format!("{} #{} \"{sid}\"", t.policy, t.index),
        None => format!("{} #{}", t.policy, t.index),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "match" } else { "no match" }
}

/// The text form: the decision, the statements that decided it, then the rest.
fn render_decision(simulation: &Simulation, decision: &Decision<'_>) -> String {
    use std::fmt::Write as _;
    let request = simulation.request();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} {} on {}",
        decision.decision.as_str(),
        request.caller.display(),
        request.action,
        request.resource
    );
    let owner = request.resource_owner.as_deref().unwrap_or("unknown");
    let caller_account = request.caller.account().unwrap_or("none");
    let _ = writeln!(
        s,
        "  {} request: caller account {caller_account}, resource owner {owner}; rules: {}",
        if decision.sides.cross_account {
            "cross-account"
        } else {
            "same-account"
        },
        simulation.kind().as_str()
    );
    for note in decision.notes.iter().filter(|n| n.kind == NoteKind::Reason) {
        let _ = writeln!(s, "  why: {}", note.message);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Deciding statements:");
    if decision.deciding_statements.is_empty() {
        let _ = writeln!(
            s,
            "  none (an implicit deny: no statement, or not enough statements, allow the request)"
        );
    }
    for d in &decision.deciding_statements {
        if let Some(t) = decision
            .statements
            .iter()
            .find(|t| t.policy == d.policy && t.index == d.index)
        {
            let _ = writeln!(s, "  {} ({})", statement_title(t), t.effect.as_str());
        }
    }
    for note in decision.notes.iter().filter(|n| n.kind != NoteKind::Reason) {
        let kind = if note.kind == NoteKind::Indeterminate {
            "indeterminate"
        } else {
            "assumption"
        };
        let _ = writeln!(s, "\n{kind}: {}", note.message);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Statements:");
    for t in &decision.statements {
        let verdict = if t.applies { "applies" } else { "does not apply" };
        let _ = writeln!(s, "  {} {}: {verdict}", statement_title(t), t.effect.as_str());
        let _ = writeln!(
            s,
            "      principal: {}; action: {}; resource: {}",
            principal_words(t.principal_match),
            yes_no(t.action_match),
            yes_no(t.resource_match)
        );
        for c in &t.conditions {
            let tried: Vec<String> = c
                .values_tried
                .iter()
                .map(|v| v.as_deref().map_or("(no value)".to_owned(), |v| format!("{v:?}")))
                .collect();
            let request_values = if c.present {
                format!("{:?}", c.request_values)
            } else {
                "absent".to_owned()
            };
            let _ = writeln!(
                s,
                "      condition {} {}: request {request_values}, policy [{}]: {}",
                c.operator,
                c.key,
                tried.join(", "),
                c.result
            );
        }
        if let Some(why) = t.no_effect {
            let _ = writeln!(s, "      no effect: {why}");
        }
    }
    if !decision.warnings.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Warnings:");
        for w in &decision.warnings {
            let _ = writeln!(
                s,
                "  {} {} ({}:{}): {}",
                w.policy, w.warning.path, w.warning.span.line, w.warning.span.column, w.warning.message
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Request context:");
    for entry in request.context.entries() {
        let _ = writeln!(
            s,
            "  {} = {:?}{}",
            entry.key,
            entry.values,
            if entry.derived {
                " (derived from the caller)"
            } else {
                ""
            }
        );
    }
    s
}

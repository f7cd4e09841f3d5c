//! The rules engine: validates a `StartCopyJob` request against the world, runs the checks in their documented order, and returns a [`Verdict`]: an API error, or a copy job that ends COMPLETED or FAILED with AWS's message, every check's result and evidence, and the failed check's remedy.
//!
//! The check order is the one table [`crate::checks::CHECKS`]; which check wins when several
//! fail is modeled (the first in that order).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{self, Delivery, Message, Provenance};
use crate::checks::{CHECKS, Check};
use crate::ids::IdGenerator;
use crate::policies::{PreparedWorld, WorldError};
use crate::remedy::Remedy;
use crate::text::Text;
use crate::world::{CopyJobState, StartCopyJob, Wording};

/// The latest date the model knows (the pinned botocore snapshot's date); `as_of` defaults to it.
pub const MODEL_DATE: &str = "2026-08-07";

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckResult {
    /// The check passed.
    Pass,
    /// The check failed.
    Fail,
    /// The check does not apply (same-account copy, unencrypted source, ...).
    Skip,
    /// AWS documents no single answer.
    Indeterminate,
}

/// One check's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Stable id.
    pub id: &'static str,
    /// What it checks.
    pub title: &'static str,
    /// Pass, fail, skip or indeterminate.
    pub result: CheckResult,
    /// What copylab looked at and found.
    pub evidence: Vec<Text>,
    /// For a failed check: the message it produces, with arguments.
    pub message: Option<MessageRef>,
    /// For the check that decided a failure: how to fix it (`null` otherwise).
    pub remedy: Option<Remedy>,
}

/// A catalog message with its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MessageRef {
    /// The catalog id.
    pub id: &'static str,
    /// The arguments (serialized as an object).
    #[serde(serialize_with = "crate::text::serialize_args")]
    pub args: Vec<(&'static str, String)>,
}

impl MessageRef {
    pub(crate) fn new(id: &'static str, args: Vec<(&'static str, String)>) -> Self {
        MessageRef { id, args }
    }

    /// The catalog row.
    pub fn message(&self) -> Option<&'static Message> {
        catalog::message(self.id)
    }

    /// The text in the requested wording.
    pub fn render(&self, wording: Wording) -> String {
        let Some(message) = self.message() else {
            return self.id.to_owned();
        };
        let template = match (wording, message.variants.first()) {
            (Wording::Previous, Some(variant)) => variant.text,
            _ => message.text,
        };
        catalog::render(template, &self.args)
    }
}

/// The recovery point a completed copy creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DestinationRecoveryPoint {
    /// `DestinationRecoveryPointArn`.
    pub arn: String,
    /// The key that encrypts it (`DestinationEncryptionKeyArn`); `None` for a copy left
    /// unencrypted ("Copies of unencrypted Amazon Aurora, Amazon DocumentDB, and Amazon Neptune
    /// clusters are also unencrypted", aws-backup-facts.md, encryption page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_key_arn: Option<String>,
    /// Its `DeleteAfterDays`, if any.
    pub delete_after_days: Option<i64>,
    /// The tags copied.
    pub tags: BTreeMap<String, String>,
}

/// What happens to the request.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// `StartCopyJob` is rejected.
    ApiError {
        /// The exception name.
        error_code: &'static str,
        /// The HTTP status.
        http_status: u16,
        /// The message.
        message: String,
        /// The catalog id.
        message_id: &'static str,
        /// Where the text comes from.
        provenance: Provenance,
    },
    /// A copy job runs and ends.
    CopyJob {
        /// `CopyJobId`.
        copy_job_id: String,
        /// The final `State`.
        state: CopyJobState,
        /// `StatusMessage` (absent on success).
        #[serde(skip_serializing_if = "Option::is_none")]
        status_message: Option<String>,
        /// `MessageCategory` (modeled).
        message_category: &'static str,
        /// The catalog id of the message.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<&'static str>,
        /// Where the text comes from.
        #[serde(skip_serializing_if = "Option::is_none")]
        provenance: Option<Provenance>,
        /// Other wordings AWS has used for the same failure.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        other_wordings: Vec<String>,
        /// The destination recovery point a completed copy creates.
        #[serde(skip_serializing_if = "Option::is_none")]
        destination_recovery_point: Option<DestinationRecoveryPoint>,
    },
}

impl Outcome {
    /// The job state, for a job.
    pub fn state(&self) -> Option<CopyJobState> {
        match self {
            Outcome::CopyJob { state, .. } => Some(*state),
            Outcome::ApiError { .. } => None,
        }
    }

    /// The status message or the API error message.
    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::CopyJob { status_message, .. } => status_message.as_deref(),
            Outcome::ApiError { message, .. } => Some(message),
        }
    }

    /// The catalog id of the message.
    pub fn message_id(&self) -> Option<&'static str> {
        match self {
            Outcome::CopyJob { message_id, .. } => *message_id,
            Outcome::ApiError { message_id, .. } => Some(message_id),
        }
    }
}

/// The engine's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The date AWS's behaviour was modelled at.
    pub as_of: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Every check, in order.
    pub checks: Vec<CheckReport>,
    /// The check that decided a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_check: Option<&'static str>,
}

impl Verdict {
    /// The failed check's report.
    pub fn failed(&self) -> Option<&CheckReport> {
        self.failed_check.and_then(|id| self.checks.iter().find(|c| c.id == id))
    }
}

/// How to run a simulation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `YYYY-MM-DD`; default [`MODEL_DATE`].
    pub as_of: Option<String>,
    /// Seed for generated ids.
    pub seed: u64,
    /// Which wording of changed messages.
    pub wording: Wording,
}

/// Parses the world's policies and simulates `request`; `Err` when the world itself is invalid.
pub fn simulate(world: &crate::world::World, request: &StartCopyJob, options: &Options) -> Result<Verdict, WorldError> {
    let prepared = PreparedWorld::new(world)?;
    Ok(prepared.simulate(request, options))
}

impl PreparedWorld<'_> {
    /// Simulates `request`.
    pub fn simulate(&self, request: &StartCopyJob, options: &Options) -> Verdict {
        self.simulate_with(request, options, None)
    }

    /// Simulates `request` on the world with `added`, a recovery point not in it yet, after
    /// its own: the verdict the world with `added` appended gives. (A plan run decides a
    /// night's copies while it holds the night's new recovery points apart: the engine reads
    /// the world's recovery points only to find the copy's source by its ARN.)
    pub fn simulate_with(
        &self,
        request: &StartCopyJob,
        options: &Options,
        added: Option<&crate::world::RecoveryPoint>,
    ) -> Verdict {
        let as_of = options.as_of.clone().unwrap_or_else(|| MODEL_DATE.to_owned());
        let mut ids = IdGenerator::new(options.seed);
        let ctx = match crate::checks::request::validate(self, request, &as_of, added) {
            Ok(ctx) => ctx,
            Err((message, evidence)) => return api_error(as_of, message, evidence),
        };
        // Checks run in order; only the first failing check builds its remedy (the failed
        // check's fix), the later ones report their evidence and message.
        let mut checks: Vec<(&'static crate::checks::CheckDef, Check)> = Vec::with_capacity(CHECKS.len());
        for def in CHECKS {
            let mut check = match unknown_inputs(self.world, def) {
                Some(unknown) => unknown,
                None => (def.run)(&ctx),
            };
            if let Some(remedy) = check.remedy.as_mut() {
                remedy.commands = remedy
                    .patches
                    .iter()
                    .flat_map(|p| p.cli_with(self.world, request, added))
                    .collect();
            }
            if check.result == CheckResult::Fail {
                ctx.want_remedy.set(false);
            }
            checks.push((def, check));
        }
        let copy_job_id = ids.uuid_upper();
        let failed = checks
            .iter()
            .find(|(_, c)| c.result == CheckResult::Fail)
            .map(|(def, c)| (def.id, c.message.clone()));
        let reports: Vec<CheckReport> = checks
            .into_iter()
            .map(|(def, c)| CheckReport {
                id: def.id,
                title: def.title,
                result: c.result,
                evidence: c.evidence,
                message: c.message,
                remedy: c.remedy,
            })
            .collect();
        let outcome = match &failed {
            Some((_, Some(message))) => {
                let row = message.message();
                let category = match row.map(|m| m.delivery) {
                    Some(Delivery::FailedJob { category }) => category,
                    _ => "MISCELLANEOUS",
                };
                let status_message = message.render(options.wording);
                let other_wordings = row
                    .map(|m| {
                        std::iter::once(m.text)
                            .chain(m.variants.iter().map(|v| v.text))
                            .map(|t| catalog::render(t, &message.args))
                            .filter(|t| *t != status_message)
                            .collect()
                    })
                    .unwrap_or_default();
                Outcome::CopyJob {
                    copy_job_id,
                    state: CopyJobState::Failed,
                    status_message: Some(status_message),
                    message_category: category,
                    message_id: Some(message.id),
                    provenance: row.map(|m| m.provenance),
                    other_wordings,
                    destination_recovery_point: None,
                }
            }
            _ => Outcome::CopyJob {
                copy_job_id,
                state: CopyJobState::Completed,
                status_message: None,
                message_category: "SUCCESS",
                message_id: None,
                provenance: None,
                other_wordings: Vec::new(),
                destination_recovery_point: Some(ctx.destination_recovery_point(&mut ids)),
            },
        };
        Verdict {
            as_of,
            outcome,
            checks: reports,
            failed_check: failed.map(|(id, _)| id),
        }
    }
}

/// A check whose inputs the world does not know: `indeterminate`, naming each unknown fact,
/// why it is unknown, and the command (in which account) that would settle it.
fn unknown_inputs(world: &crate::world::World, def: &crate::checks::CheckDef) -> Option<Check> {
    // Most worlds know every fact: nothing to look for.
    if world.unknown.is_empty() {
        return None;
    }
    let evidence: Vec<Text> = world
        .unknown
        .iter()
        .filter(|u| def.reads.contains(&u.fact))
        .map(|u| {
            crate::text!(
                "check.unknown",
                "not known: {fact} ({reason}); to settle it, run `{command}` in account {account}",
                fact = u.fact.as_str(),
                reason = u.reason,
                command = u.command,
                account = u.account.as_deref().unwrap_or("(the one that owns it)")
            )
        })
        .collect();
    (!evidence.is_empty()).then_some(Check {
        result: CheckResult::Indeterminate,
        evidence,
        message: None,
        remedy: None,
    })
}

fn api_error(as_of: String, message: MessageRef, evidence: Text) -> Verdict {
    let row = message.message();
    let (error_code, http_status) = match row.map(|m| m.delivery) {
        Some(Delivery::ApiError { code, http_status }) => (code, http_status),
        _ => ("InvalidRequestException", 400),
    };
    let provenance = row.map_or(
        Provenance {
            status: "modeled",
            source: "copylab",
            reference: "",
        },
        |m| m.provenance,
    );
    let mut checks = vec![CheckReport {
        id: "request",
        title: "the StartCopyJob request is valid and names existing resources",
        result: CheckResult::Fail,
        evidence: vec![evidence],
        message: Some(message.clone()),
        remedy: None,
    }];
    checks.extend(CHECKS.iter().map(|def| CheckReport {
        id: def.id,
        title: def.title,
        result: CheckResult::Skip,
        evidence: vec![Text::plain(
            "check.not-run",
            "not evaluated: StartCopyJob rejected the request",
        )],
        message: None,
        remedy: None,
    }));
    Verdict {
        as_of,
        outcome: Outcome::ApiError {
            error_code,
            http_status,
            message: message.render(Wording::Current),
            message_id: message.id,
            provenance,
        },
        checks,
        failed_check: Some("request"),
    }
}

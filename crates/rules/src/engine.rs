//! The rules engine: validates a `StartCopyJob` request against the world, runs the checks in their documented order, and returns a [`Verdict`]: an API error, or a copy job that ends COMPLETED or FAILED with AWS's message, every check's result and evidence, and the failed check's remedy.
//!
//! Check order (documented in `docs/checks.md`; which check wins when several fail is modeled:
//! the first in this order): `organization-membership`, `cross-account-setting`,
//! `resource-type-support`, `source-encryption`, `key-state`, `source-key-policy`, `iam-role`,
//! `destination-vault-policy`, `tag-policy`, `vault-lock-retention`, then `injected-fault`.

use std::cell::Cell;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{self, Delivery, Message, Provenance};
use crate::features::{self, FeatureRow, KeyMessages, Unsupported};
use crate::ids::IdGenerator;
use crate::kms::{self, KeyRef};
use crate::policies::{PreparedWorld, WorldError};
use crate::remedy::{self, Remedy};
use crate::tag_policy::{self, TagViolation};
use crate::text;
use crate::text::Text;
use crate::world::{
    BackupVault, CopyJobState, Fault, Organization, RecoveryPoint, StartCopyJob, StorageClass, VaultType, Wording,
};

/// The latest date the model knows (the pinned botocore snapshot's date); `as_of` defaults to it.
pub const MODEL_DATE: &str = "2026-08-07";

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestinationRecoveryPoint {
    /// `DestinationRecoveryPointArn`.
    pub arn: String,
    /// The key that encrypts it (`DestinationEncryptionKeyArn`).
    pub encryption_key_arn: String,
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

/// The checks, in order, with their titles.
pub const CHECKS: &[(&str, &str)] = &[
    (
        "organization-membership",
        "source and destination accounts are in the same organization",
    ),
    (
        "cross-account-setting",
        "the organization allows cross-account backup copies",
    ),
    (
        "resource-type-support",
        "the resource type supports this copy in these Regions",
    ),
    ("source-encryption", "the source backup's encryption allows this copy"),
    ("key-state", "the source key and the destination vault's key are usable"),
    (
        "source-key-policy",
        "the source key policy allows the destination account",
    ),
    ("iam-role", "AWS Backup can assume the copy role and it allows the copy"),
    (
        "destination-vault-policy",
        "the destination vault access policy allows the source account",
    ),
    ("tag-policy", "the copied tags comply with the destination's tag policy"),
    (
        "vault-lock-retention",
        "the copy's retention fits the destination vault's limits",
    ),
    ("injected-fault", "no injected fault"),
];

fn title(id: &str) -> &'static str {
    CHECKS.iter().find(|(i, _)| *i == id).map_or("", |(_, t)| t)
}

/// Parses the world's policies and simulates `request`; `Err` when the world itself is invalid.
pub fn simulate(world: &crate::world::World, request: &StartCopyJob, options: &Options) -> Result<Verdict, WorldError> {
    let prepared = PreparedWorld::new(world)?;
    Ok(prepared.simulate(request, options))
}

/// A parsed destination vault ARN.
struct VaultArn {
    partition: String,
    region: String,
    account: String,
    name: String,
}

fn parse_vault_arn(arn: &str) -> Option<VaultArn> {
    let [_, partition, service, region, account, resource] = copylab_policy::split_arn(arn)?;
    let name = resource.strip_prefix("backup-vault:")?;
    (service == "backup" && !region.is_empty() && copylab_policy::is_account_id(account) && !name.is_empty()).then(
        || VaultArn {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            name: name.to_owned(),
        },
    )
}

/// Everything the checks share.
struct Ctx<'w> {
    /// Whether the check being run should build its remedy (no check has failed yet).
    want_remedy: Cell<bool>,
    prepared: &'w PreparedWorld<'w>,
    request: &'w StartCopyJob,
    as_of: String,
    source_account: &'w str,
    source_region: &'w str,
    recovery_point: &'w RecoveryPoint,
    destination: VaultArn,
    destination_vault: Option<&'w BackupVault>,
    role_arn: &'w str,
    cross_account: bool,
    row: Option<&'static FeatureRow>,
    source_key: KeyRef<'w>,
    destination_key: KeyRef<'w>,
}

impl Ctx<'_> {
    fn source_org(&self) -> Option<&Organization> {
        self.prepared.organization_of(self.source_account)
    }
    fn destination_org(&self) -> Option<&Organization> {
        self.prepared.organization_of(&self.destination.account)
    }
    fn resource_type(&self) -> &str {
        &self.recovery_point.resource_type
    }
    fn fully_managed(&self) -> bool {
        self.row.is_some_and(|r| r.fully_managed)
    }
    fn key_messages(&self) -> KeyMessages {
        self.row.map_or(KeyMessages::Generic, |r| r.key_messages)
    }
    fn destination_vault_arn(&self) -> String {
        format!(
            "arn:{}:backup:{}:{}:backup-vault:{}",
            self.destination.partition, self.destination.region, self.destination.account, self.destination.name
        )
    }
    /// The copy role's session, as the policies see it.
    fn role_session(&self) -> String {
        crate::checks::role_session(self.role_arn, &self.destination.partition, self.source_account)
    }
    /// The message a key problem gives for this resource type.
    fn key_message(&self, missing: bool) -> MessageRef {
        let key_arn = self.source_key.arn();
        match self.key_messages() {
            KeyMessages::RdsSnapshot => MessageRef::new("rds-source-key", vec![("key_arn", key_arn)]),
            KeyMessages::Ec2Image if missing => MessageRef::new("key-does-not-exist", vec![]),
            KeyMessages::Ec2Image => MessageRef::new("ami-key-not-accessible", vec![]),
            KeyMessages::EbsSnapshot if missing => MessageRef::new("key-does-not-exist", vec![]),
            KeyMessages::EbsSnapshot => MessageRef::new("ebs-key-not-accessible", vec![]),
            KeyMessages::Generic => MessageRef::new("kms-key-disabled-or-denied", vec![]),
        }
    }
}

/// One check's outcome while it is built.
pub(crate) struct Check {
    pub result: CheckResult,
    pub evidence: Vec<Text>,
    pub message: Option<MessageRef>,
    pub remedy: Option<Remedy>,
}

impl Check {
    fn pass(evidence: Vec<Text>) -> Self {
        Check {
            result: CheckResult::Pass,
            evidence,
            message: None,
            remedy: None,
        }
    }
    fn skip(evidence: Text) -> Self {
        Check {
            result: CheckResult::Skip,
            evidence: vec![evidence],
            message: None,
            remedy: None,
        }
    }
    fn fail(evidence: Vec<Text>, message: MessageRef, remedy: Option<Remedy>) -> Self {
        Check {
            result: CheckResult::Fail,
            evidence,
            message: Some(message),
            remedy,
        }
    }
}

/// Builds a remedy only when the check is the first to fail (`want` is cleared after it).
pub(crate) fn lazy(want: &Cell<bool>, build: impl FnOnce() -> Remedy) -> Option<Remedy> {
    want.get().then(build)
}

/// Merges remedies that were all built (or none, when the check is not the first to fail).
fn lazy_merge(remedies: Vec<Option<Remedy>>) -> Option<Remedy> {
    remedies.into_iter().collect::<Option<Vec<Remedy>>>().map(Remedy::merge)
}

impl PreparedWorld<'_> {
    /// Simulates `request`.
    pub fn simulate(&self, request: &StartCopyJob, options: &Options) -> Verdict {
        let as_of = options.as_of.clone().unwrap_or_else(|| MODEL_DATE.to_owned());
        let mut ids = IdGenerator::new(options.seed);
        let ctx = match self.validate(request, &as_of) {
            Ok(ctx) => ctx,
            Err((message, evidence)) => return api_error(as_of, message, evidence),
        };
        let view = ctx_view(&ctx);
        // Checks run in order; only the first failing check builds its remedy (the failed
        // check's fix), the later ones report their evidence and message.
        let mut checks: Vec<(&'static str, Check)> = Vec::with_capacity(CHECKS.len());
        let mut record = |id: &'static str, check: Check| {
            if check.result == CheckResult::Fail {
                ctx.want_remedy.set(false);
            }
            checks.push((id, check));
        };
        record("organization-membership", organization_membership(&ctx));
        record("cross-account-setting", cross_account_setting(&ctx));
        record("resource-type-support", resource_type_support(&ctx));
        record("source-encryption", source_encryption(&ctx));
        record("key-state", key_state(&ctx));
        record("source-key-policy", crate::checks::source_key_policy(&view));
        record("iam-role", crate::checks::iam_role(&view));
        record(
            "destination-vault-policy",
            crate::checks::destination_vault_policy(&view),
        );
        record("tag-policy", tag_policy_check(&ctx));
        record("vault-lock-retention", vault_lock_retention(&ctx));
        record(
            "injected-fault",
            injected_fault(&ctx, self.world.faults.first().copied()),
        );
        let copy_job_id = ids.uuid_upper();
        let failed = checks
            .iter()
            .find(|(_, c)| c.result == CheckResult::Fail)
            .map(|(id, c)| (*id, c.message.clone()));
        let reports: Vec<CheckReport> = checks
            .into_iter()
            .map(|(id, c)| CheckReport {
                id,
                title: title(id),
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
                destination_recovery_point: Some(destination_recovery_point(&ctx, &mut ids)),
            },
        };
        Verdict {
            as_of,
            outcome,
            checks: reports,
            failed_check: failed.map(|(id, _)| id),
        }
    }

    /// Synchronous validation of the request: the `StartCopyJob` errors.
    fn validate<'s>(&'s self, request: &'s StartCopyJob, as_of: &str) -> Result<Ctx<'s>, (MessageRef, Text)> {
        let members = [
            ("RecoveryPointArn", &request.recovery_point_arn),
            ("SourceBackupVaultName", &request.source_backup_vault_name),
            ("DestinationBackupVaultArn", &request.destination_backup_vault_arn),
            ("IamRoleArn", &request.iam_role_arn),
        ];
        for (member, value) in members {
            if value.as_deref().is_none_or(str::is_empty) {
                return Err((
                    MessageRef::new("missing-parameter", vec![("member", member.to_owned())]),
                    text!(
                        "request.missing",
                        "the request has no `{member}`, which StartCopyJob requires",
                        member = member
                    ),
                ));
            }
        }
        let (Some(rp_arn), Some(vault_name), Some(destination_arn), Some(role_arn)) = (
            request.recovery_point_arn.as_deref(),
            request.source_backup_vault_name.as_deref(),
            request.destination_backup_vault_arn.as_deref(),
            request.iam_role_arn.as_deref(),
        ) else {
            return Err((
                MessageRef::new("missing-parameter", vec![("member", "RecoveryPointArn".into())]),
                Text::plain("request.missing-any", "a required member is missing"),
            ));
        };
        let Some(destination) = parse_vault_arn(destination_arn) else {
            return Err((
                MessageRef::new(
                    "invalid-parameter",
                    vec![
                        ("member", "DestinationBackupVaultArn".into()),
                        ("reason", format!("`{destination_arn}` is not a backup vault ARN")),
                    ],
                ),
                text!(
                    "request.bad-vault-arn",
                    "`{arn}` is not of the form arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME",
                    arn = destination_arn
                ),
            ));
        };
        let role_ok = copylab_policy::split_arn(role_arn).is_some_and(|a| a[2] == "iam" && a[5].starts_with("role/"));
        if !role_ok {
            return Err((
                MessageRef::new(
                    "invalid-parameter",
                    vec![
                        ("member", "IamRoleArn".into()),
                        ("reason", format!("`{role_arn}` is not an IAM role ARN")),
                    ],
                ),
                text!(
                    "request.bad-role-arn",
                    "`{arn}` is not of the form arn:aws:iam::ACCOUNT:role/NAME",
                    arn = role_arn
                ),
            ));
        }
        let Some(source_vault) = self.vault(&request.account, &request.region, vault_name) else {
            return Err((
                MessageRef::new("source-vault-inaccessible", vec![]),
                text!(
                    "request.no-source-vault",
                    "account {account} has no backup vault `{vault}` in {region}; AWS answers AccessDenied for vaults that do not exist",
                    account = request.account,
                    vault = vault_name,
                    region = request.region
                ),
            ));
        };
        let Some(recovery_point) = self.world.recovery_points.iter().find(|rp| {
            rp.arn == rp_arn
                && rp.vault == source_vault.name
                && rp.account.as_deref().is_none_or(|a| a == source_vault.account)
        }) else {
            return Err((
                MessageRef::new("recovery-point-not-found", vec![]),
                text!(
                    "request.no-recovery-point",
                    "vault `{vault}` has no recovery point `{arn}`",
                    vault = vault_name,
                    arn = rp_arn
                ),
            ));
        };
        let not_copyable = if recovery_point.storage_class == StorageClass::Cold {
            Some("backups in cold storage cannot be copied")
        } else if recovery_point.continuous {
            Some("StartCopyJob does not support continuous backups")
        } else if recovery_point.status != crate::world::RecoveryPointStatus::Completed {
            Some("only COMPLETED recovery points can be copied")
        } else {
            None
        };
        if let Some(reason) = not_copyable {
            return Err((
                MessageRef::new(
                    "recovery-point-not-copyable",
                    vec![("recovery_point_arn", rp_arn.to_owned()), ("reason", reason.to_owned())],
                ),
                text!(
                    "request.not-copyable",
                    "recovery point `{arn}`: {reason}",
                    arn = rp_arn,
                    reason = reason
                ),
            ));
        }
        let destination_vault = self.vault(&destination.account, &destination.region, &destination.name);
        let dynamodb_advanced = self.dynamodb_advanced(&request.account, &request.region);
        let row = features::feature_row(&recovery_point.resource_type, dynamodb_advanced);
        let fully_managed = row.is_some_and(|r| r.fully_managed);
        let source_key = if fully_managed {
            kms::resolve(
                self,
                source_vault.encryption_key.as_deref().unwrap_or("alias/aws/backup"),
                &source_vault.account,
                &source_vault.region,
            )
        } else {
            match recovery_point.encryption_key.as_deref() {
                Some(key) => kms::resolve(self, key, &source_vault.account, &source_vault.region),
                None => KeyRef::Unencrypted,
            }
        };
        let destination_key = match destination_vault {
            Some(vault) => kms::resolve(
                self,
                vault.encryption_key.as_deref().unwrap_or("alias/aws/backup"),
                &vault.account,
                &vault.region,
            ),
            None => KeyRef::Unencrypted,
        };
        Ok(Ctx {
            want_remedy: Cell::new(true),
            prepared: self,
            request,
            as_of: as_of.to_owned(),
            source_account: &request.account,
            source_region: &request.region,
            recovery_point,
            cross_account: destination.account != request.account,
            destination,
            destination_vault,
            role_arn,
            row,
            source_key,
            destination_key,
        })
    }
}

/// What the policy checks (in `checks.rs`) need from the context.
pub(crate) struct CtxView<'c, 'w> {
    pub want_remedy: &'c Cell<bool>,
    pub prepared: &'c PreparedWorld<'w>,
    pub source_account: &'c str,
    pub destination_account: &'c str,
    pub destination_region: &'c str,
    pub destination_vault_arn: String,
    pub destination_vault: Option<&'c BackupVault>,
    pub role_arn: &'c str,
    pub role_session: String,
    pub cross_account: bool,
    pub source_key: &'c KeyRef<'w>,
    pub key_message: MessageRef,
    pub partition: &'c str,
    /// The copy role session's `backup:CopyIntoBackupVault` request (shared by two checks).
    pub copy_request: std::cell::OnceCell<Option<copylab_policy::Request>>,
}

fn ctx_view<'c, 'w>(ctx: &'c Ctx<'w>) -> CtxView<'c, 'w> {
    CtxView {
        want_remedy: &ctx.want_remedy,
        prepared: ctx.prepared,
        source_account: ctx.source_account,
        destination_account: &ctx.destination.account,
        destination_region: &ctx.destination.region,
        destination_vault_arn: ctx.destination_vault_arn(),
        destination_vault: ctx.destination_vault,
        role_arn: ctx.role_arn,
        role_session: ctx.role_session(),
        cross_account: ctx.cross_account,
        source_key: &ctx.source_key,
        key_message: ctx.key_message(false),
        partition: &ctx.destination.partition,
        copy_request: std::cell::OnceCell::new(),
    }
}

impl CtxView<'_, '_> {
    /// The copy role session's request, built on first use (prepared worlds rarely need it).
    pub(crate) fn copy_request(&self) -> Option<&copylab_policy::Request> {
        self.copy_request
            .get_or_init(|| {
                crate::checks::copy_request(
                    self.prepared,
                    &self.role_session,
                    &self.destination_vault_arn,
                    self.destination_account,
                )
            })
            .as_ref()
    }
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
    checks.extend(CHECKS.iter().map(|(id, t)| CheckReport {
        id,
        title: t,
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

fn organization_membership(ctx: &Ctx<'_>) -> Check {
    if !ctx.cross_account {
        return Check::skip(Text::plain(
            "org.same-account",
            "same-account copy: no organization is needed",
        ));
    }
    let (source, destination) = (ctx.source_org(), ctx.destination_org());
    let describe = |account: &str, org: Option<&Organization>| match org {
        Some(org) => text!(
            "org.member",
            "account {account} is in organization {org}",
            account = account,
            org = org.id
        ),
        None => text!(
            "org.not-member",
            "account {account} is in no organization",
            account = account
        ),
    };
    let evidence = vec![
        describe(ctx.source_account, source),
        describe(&ctx.destination.account, destination),
    ];
    match (source, destination) {
        (Some(a), Some(b)) if a.id == b.id => Check::pass(evidence),
        _ => Check::fail(
            evidence,
            MessageRef::new("organization-membership", vec![]),
            lazy(&ctx.want_remedy, || {
                remedy::join_organization(ctx.source_account, &ctx.destination.account, source, destination)
            }),
        ),
    }
}

fn cross_account_setting(ctx: &Ctx<'_>) -> Check {
    if !ctx.cross_account {
        return Check::skip(Text::plain(
            "setting.same-account",
            "same-account copy: the cross-account setting does not apply",
        ));
    }
    let Some(org) = ctx.source_org() else {
        return Check::skip(Text::plain(
            "setting.no-org",
            "the source account is in no organization (see organization-membership)",
        ));
    };
    let evidence = vec![text!(
        "setting.value",
        "isCrossAccountBackupEnabled is {value} in management account {management} of {org}",
        value = if org.cross_account_backup_enabled {
            "true"
        } else {
            "false"
        },
        management = org.management_account,
        org = org.id
    )];
    if org.cross_account_backup_enabled {
        Check::pass(evidence)
    } else {
        Check::fail(
            evidence,
            MessageRef::new("cross-account-disabled", vec![]),
            lazy(&ctx.want_remedy, || remedy::enable_cross_account(org)),
        )
    }
}

fn resource_type_support(ctx: &Ctx<'_>) -> Check {
    let source_region = ctx.source_region;
    let destination_region = ctx.destination.region.as_str();
    let resource_type = ctx.resource_type();
    let args = || {
        vec![
            ("source_region", source_region.to_owned()),
            ("destination_region", destination_region.to_owned()),
            ("resource_type", resource_type.to_owned()),
        ]
    };
    let copy = text!(
        "support.copy",
        "{resource_type} copy from {source_region} to {destination_region}, {scope}, as of {as_of}",
        resource_type = resource_type,
        source_region = source_region,
        destination_region = destination_region,
        scope = if ctx.cross_account {
            "across accounts"
        } else {
            "in one account"
        },
        as_of = ctx.as_of
    );
    let Some(row) = ctx.row else {
        return Check::fail(
            vec![
                copy,
                text!(
                    "support.unknown-type",
                    "`{resource_type}` is not a resource type copylab knows",
                    resource_type = resource_type
                ),
            ],
            MessageRef::new("feature-not-supported", args()),
            lazy(&ctx.want_remedy, || {
                Remedy::alternatives_only(vec![Text::plain(
                    "support.alt-unknown",
                    "use one of AWS's ResourceType strings: Aurora, CloudFormation, DocumentDB, DynamoDB, EBS, EC2, EFS, EKS, FSx, Neptune, RDS, Redshift, S3, SAP HANA on Amazon EC2, Storage Gateway, Timestream, VirtualMachine",
                )])
            }),
        );
    };
    let mut evidence = vec![
        copy,
        text!(
            "support.row",
            "feature matrix: cross-Region {cr}, cross-account {ca}, single action {sa} ({confidence}; {source})",
            cr = yes_no(row.cross_region),
            ca = yes_no(row.cross_account),
            sa = match row.single_action {
                features::SingleAction::Always => "yes".to_owned(),
                features::SingleAction::Since(d) => format!("since {d} (day modeled)"),
                features::SingleAction::NotApplicable => "n/a".to_owned(),
            },
            confidence = row.confidence.as_str(),
            source = row.source
        ),
    ];
    if ctx.recovery_point.multi_az_cluster {
        evidence.push(Text::plain(
            "support.multi-az",
            "the source is an RDS Multi-AZ DB cluster: those support no copy operations",
        ));
        return Check::fail(
            evidence,
            MessageRef::new("feature-not-supported", args()),
            lazy(&ctx.want_remedy, || {
                Remedy::alternatives_only(vec![Text::plain(
                    "support.alt-multi-az",
                    "back up a Multi-AZ DB instance or a single-AZ deployment instead; Multi-AZ DB clusters cannot be copied",
                )])
            }),
        );
    }
    if ctx.cross_account && ctx.recovery_point.marketplace_image {
        evidence.push(Text::plain(
            "support.marketplace",
            "the EC2 image comes from AWS Marketplace",
        ));
        return Check::fail(
            evidence,
            MessageRef::new("marketplace-image", vec![]),
            lazy(&ctx.want_remedy, || {
                Remedy::alternatives_only(vec![Text::plain(
                    "support.alt-marketplace",
                    "copy the image within the source account only, or launch the product from AWS Marketplace in the destination account",
                )])
            }),
        );
    }
    if row.resource_type == "DynamoDB" && !row.cross_account {
        evidence.push(text!(
            "support.dynamodb",
            "DynamoDB advanced features are off in account {account}, {region}",
            account = ctx.source_account,
            region = ctx.source_region
        ));
    }
    match features::copy_support(row, source_region, destination_region, ctx.cross_account, &ctx.as_of) {
        Ok(()) => Check::pass(evidence),
        Err(reason) => {
            let (id, remedy) = match &reason {
                Unsupported::SingleAction { since } => {
                    evidence.push(text!(
                        "support.single-action",
                        "{resource_type} cannot copy across Regions and accounts in one action before {since}",
                        resource_type = resource_type,
                        since = since
                    ));
                    (
                        "single-action-not-supported",
                        lazy(&ctx.want_remedy, || {
                            remedy::two_step_copy(
                                ctx.source_account,
                                &ctx.destination.account,
                                source_region,
                                destination_region,
                            )
                        }),
                    )
                }
                Unsupported::CrossAccount | Unsupported::CrossRegion if row.resource_type == "DynamoDB" => {
                    evidence.push(Text::plain(
                        "support.dynamodb-needs-advanced",
                        "DynamoDB copies need AWS Backup advanced features for DynamoDB",
                    ));
                    (
                        "feature-not-supported",
                        lazy(&ctx.want_remedy, || {
                            remedy::enable_dynamodb_advanced(ctx.source_account, ctx.source_region)
                        }),
                    )
                }
                other => {
                    evidence.push(text!(
                        "support.reason",
                        "not supported: {reason}",
                        reason = describe_unsupported(other)
                    ));
                    (
                        "feature-not-supported",
                        lazy(&ctx.want_remedy, || {
                            Remedy::alternatives_only(vec![Text::plain(
                                "support.alt-none",
                                "no setting makes this copy possible: copy to a supported Region or within the account",
                            )])
                        }),
                    )
                }
            };
            Check::fail(evidence, MessageRef::new(id, args()), remedy)
        }
    }
}

fn describe_unsupported(reason: &Unsupported) -> String {
    match reason {
        Unsupported::CrossRegion => "the resource type does not copy across Regions".to_owned(),
        Unsupported::CrossAccount => "the resource type does not copy across accounts".to_owned(),
        Unsupported::SingleAction { since } => format!("one action across Regions and accounts only since {since}"),
        Unsupported::OptInRegion { region, copy } => format!("{copy} copy is not supported in opt-in Region {region}"),
        Unsupported::Partition { rule } => (*rule).to_owned(),
        Unsupported::MultiAzCluster => "RDS Multi-AZ DB clusters copy not at all".to_owned(),
        Unsupported::UnknownType => "unknown resource type".to_owned(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn source_encryption(ctx: &Ctx<'_>) -> Check {
    let mut evidence = Vec::new();
    let fully_managed = ctx.fully_managed();
    evidence.push(text!(
        "encryption.source-key",
        "{resource_type} is {managed} by AWS Backup, so the source key is {which}: {key}",
        resource_type = ctx.resource_type(),
        managed = if fully_managed {
            "fully managed"
        } else {
            "not fully managed"
        },
        which = if fully_managed {
            "the source vault's key"
        } else {
            "the source resource's key"
        },
        key = ctx.source_key.describe()
    ));
    evidence.push(text!(
        "encryption.destination-key",
        "the destination vault's key: {key}",
        key = ctx.destination_key.describe()
    ));
    if ctx.destination_vault.is_none() {
        return Check {
            result: CheckResult::Skip,
            evidence,
            message: None,
            remedy: None,
        };
    }
    let destination_aws_managed = ctx.destination_key.is_aws_managed();
    // The first problem decides the message; the remedy fixes every problem found.
    let mut message: Option<MessageRef> = None;
    let mut remedies = Vec::new();
    let cmk_vault = || {
        lazy(&ctx.want_remedy, || {
            remedy::use_cmk_vault(
                ctx.destination_vault,
                &ctx.destination.account,
                &ctx.destination.region,
                &ctx.destination.partition,
                ctx.source_account,
            )
        })
    };
    if ctx.resource_type() == "Storage Gateway" && destination_aws_managed {
        evidence.push(Text::plain(
            "encryption.sgw",
            "Storage Gateway copies need a user-created vault with a customer managed key at the destination",
        ));
        message = Some(MessageRef::new("storage-gateway-vault-key", vec![]));
        remedies.push(cmk_vault());
    } else if !fully_managed && ctx.destination_key.is_alias("aws/backup") {
        evidence.push(Text::plain("encryption.default-vault-key", "types not fully managed by AWS Backup cannot be copied into a vault encrypted with the AWS managed key aws/backup"));
        message = Some(MessageRef::new("destination-vault-default-key", vec![]));
        remedies.push(cmk_vault());
    }
    if ctx.cross_account && !fully_managed && ctx.source_key.is_aws_managed() {
        evidence.push(Text::plain("encryption.aws-managed-source", "cross-account copies of types not fully managed by AWS Backup need a customer managed source key: an AWS managed key's policy cannot be changed to share it"));
        message.get_or_insert_with(|| match ctx.key_messages() {
            KeyMessages::Ec2Image => MessageRef::new("aws-managed-key-ami", vec![]),
            KeyMessages::EbsSnapshot => MessageRef::new("aws-managed-key-ebs", vec![]),
            _ => ctx.key_message(false),
        });
        remedies.push(lazy(&ctx.want_remedy, || {
            remedy::reencrypt_with_cmk(
                ctx.recovery_point,
                ctx.source_account,
                ctx.source_region,
                &ctx.destination.partition,
                &ctx.destination.account,
            )
        }));
    }
    match message {
        None => Check::pass(evidence),
        Some(message) => Check::fail(evidence, message, lazy_merge(remedies)),
    }
}

fn key_state(ctx: &Ctx<'_>) -> Check {
    let mut evidence = Vec::new();
    // The first problem decides the message; the remedy fixes every key that has one.
    let mut message: Option<MessageRef> = None;
    let mut remedies: Vec<Option<Remedy>> = Vec::new();
    match &ctx.source_key {
        KeyRef::Unencrypted => evidence.push(Text::plain(
            "keys.source-unencrypted",
            "the source backup is not encrypted",
        )),
        KeyRef::Missing(reference) => {
            evidence.push(text!(
                "keys.source-missing",
                "the source key `{key}` does not exist",
                key = reference
            ));
            message = Some(ctx.key_message(true));
            remedies.push(lazy(&ctx.want_remedy, || {
                Remedy::alternatives_only(vec![Text::plain(
                    "keys.alt-missing",
                    "a backup whose key is gone cannot be decrypted: copy another recovery point",
                )])
            }));
        }
        key => {
            let state = key.state();
            evidence.push(text!(
                "keys.source-state",
                "the source key {key} is {state}",
                key = key.arn(),
                state = state
            ));
            if state != "Enabled" {
                message = Some(ctx.key_message(false));
                remedies.push(lazy(&ctx.want_remedy, || remedy::enable_key(key, ctx.source_region)));
            }
        }
    }
    match &ctx.destination_key {
        KeyRef::Unencrypted => {}
        KeyRef::Missing(reference) => {
            evidence.push(text!(
                "keys.destination-missing",
                "the destination vault's key `{key}` does not exist",
                key = reference
            ));
            message.get_or_insert_with(|| MessageRef::new("kms-key-disabled-or-denied", vec![]));
            remedies.push(lazy(&ctx.want_remedy, || {
                Remedy::alternatives_only(vec![Text::plain(
                    "keys.alt-destination-missing",
                    "copy into another vault whose key exists",
                )])
            }));
        }
        key => {
            let state = key.state();
            evidence.push(text!(
                "keys.destination-state",
                "the destination vault's key {key} is {state}",
                key = key.arn(),
                state = state
            ));
            if state != "Enabled" {
                message.get_or_insert_with(|| MessageRef::new("kms-key-disabled-or-denied", vec![]));
                remedies.push(lazy(&ctx.want_remedy, || {
                    remedy::enable_key(key, &ctx.destination.region)
                }));
            }
        }
    }
    match message {
        None => Check::pass(evidence),
        Some(message) => Check::fail(evidence, message, lazy_merge(remedies)),
    }
}

fn tag_policy_check(ctx: &Ctx<'_>) -> Check {
    let Some(org) = ctx.destination_org() else {
        return Check::skip(text!(
            "tags.no-org",
            "destination account {account} is in no organization: no tag policy applies",
            account = ctx.destination.account
        ));
    };
    if org.tag_policies.is_empty() {
        return Check::skip(text!(
            "tags.no-policies",
            "organization {org} has no tag policies",
            org = org.id
        ));
    }
    let computed;
    let (effective, effective_json) = match ctx.prepared.effective_tag_policy(&ctx.destination.account) {
        Some((policy, json)) => (policy, json),
        None => {
            computed = tag_policy::effective_tag_policy(org, &ctx.destination.account);
            (&computed, "")
        }
    };
    let mut evidence = vec![text!(
        "tags.effective",
        "the effective tag policy of destination account {account}: {policy} (which account's policy applies is not documented; copylab takes the destination's: modeled)",
        account = ctx.destination.account,
        policy = if effective_json.is_empty() {
            serde_json::to_string(effective).unwrap_or_default()
        } else {
            effective_json.to_owned()
        }
    )];
    evidence.push(text!(
        "tags.copied",
        "the copy writes these tags: {tags}",
        tags = serde_json::to_string(&ctx.recovery_point.tags).unwrap_or_default()
    ));
    match tag_policy::first_violation(effective, &ctx.recovery_point.tags) {
        None => Check::pass(evidence),
        Some(violation) => {
            let (message, fix) = match &violation {
                TagViolation::KeyCase { key, required } => {
                    evidence.push(text!(
                        "tags.key-case",
                        "tag key `{key}` must be written `{required}` where the policy is enforced for recovery points",
                        key = key,
                        required = required
                    ));
                    (
                        MessageRef::new("tag-copy-internal-failure", vec![]),
                        lazy(&ctx.want_remedy, || {
                            remedy::rename_tag(ctx.recovery_point, ctx.source_account, key, required)
                        }),
                    )
                }
                TagViolation::Value { key, value, allowed } => {
                    evidence.push(text!(
                        "tags.value",
                        "tag `{key}` has value `{value}`; the policy, enforced for recovery points, allows {allowed}",
                        key = key,
                        value = value,
                        allowed = serde_json::to_string(allowed).unwrap_or_default()
                    ));
                    (
                        MessageRef::new("tag-policy-value", vec![("tag_key", key.clone())]),
                        lazy(&ctx.want_remedy, || {
                            remedy::set_tag_value(ctx.recovery_point, ctx.source_account, key, allowed)
                        }),
                    )
                }
            };
            Check::fail(evidence, message, fix)
        }
    }
}

fn retention_days(ctx: &Ctx<'_>) -> Option<i64> {
    ctx.request
        .lifecycle
        .as_ref()
        .and_then(|l| l.delete_after_days)
        .or_else(|| ctx.recovery_point.lifecycle.as_ref().and_then(|l| l.delete_after_days))
}

fn vault_lock_retention(ctx: &Ctx<'_>) -> Check {
    let Some(vault) = ctx.destination_vault else {
        return Check::skip(Text::plain(
            "lock.no-vault",
            "the destination vault does not exist (see destination-vault-policy)",
        ));
    };
    let lock = vault.lock.clone().or_else(|| {
        (vault.vault_type == VaultType::LogicallyAirGappedBackupVault).then_some(crate::world::VaultLock {
            min_retention_days: Some(7),
            max_retention_days: None,
        })
    });
    let Some(lock) = lock else {
        return Check::skip(Text::plain(
            "lock.none",
            "the destination vault has no retention limits",
        ));
    };
    let retention = retention_days(ctx);
    let evidence = vec![text!(
        "lock.range",
        "the destination vault keeps copies between {min} and {max} days; the copy's retention is {retention}",
        min = lock.min_retention_days.map_or("any".to_owned(), |d| d.to_string()),
        max = lock
            .max_retention_days
            .map_or("unlimited".to_owned(), |d| d.to_string()),
        retention = retention.map_or("unlimited (no DeleteAfterDays)".to_owned(), |d| format!("{d} days"))
    )];
    let too_short = matches!((retention, lock.min_retention_days), (Some(r), Some(min)) if r < min);
    let too_long = match (retention, lock.max_retention_days) {
        (Some(r), Some(max)) => r > max,
        (None, Some(_)) => true,
        _ => false,
    };
    if too_short || too_long {
        let days = if too_short {
            lock.min_retention_days.unwrap_or(7)
        } else {
            lock.max_retention_days.unwrap_or(35)
        };
        Check::fail(
            evidence,
            MessageRef::new("retention-out-of-range", vec![]),
            lazy(&ctx.want_remedy, || remedy::set_copy_retention(ctx.request, days)),
        )
    } else {
        Check::pass(evidence)
    }
}

fn injected_fault(ctx: &Ctx<'_>, fault: Option<Fault>) -> Check {
    let Some(fault) = fault else {
        return Check::pass(vec![Text::plain("fault.none", "the scenario injects no fault")]);
    };
    let id = match fault {
        Fault::InternalError => "internal-error",
        Fault::FatalError => "fatal-error",
        Fault::FatalErrorContactSupport => "fatal-error-contact-support",
        Fault::TooManyCopyJobs => "too-many-copy-jobs",
        Fault::RecoveryPointUnavailableForTags => "tag-copy-recovery-point-unavailable",
        Fault::NotAuthorized => "not-authorized",
        Fault::S3BucketVersioningPermission => "s3-bucket-versioning-permission",
        Fault::AmiStoragePermission => "ami-storage-permission",
    };
    Check::fail(
        vec![text!(
            "fault.injected",
            "the scenario injects the fault `{fault}`",
            fault = serde_json::to_value(fault)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )],
        MessageRef::new(id, vec![]),
        lazy(&ctx.want_remedy, || remedy::remove_fault(fault)),
    )
}

fn destination_recovery_point(ctx: &Ctx<'_>, ids: &mut IdGenerator) -> DestinationRecoveryPoint {
    let p = &ctx.destination.partition;
    let (region, account) = (&ctx.destination.region, &ctx.destination.account);
    let lag = ctx
        .destination_vault
        .is_some_and(|v| v.vault_type == VaultType::LogicallyAirGappedBackupVault);
    let arn = if ctx.fully_managed() || lag {
        format!("arn:{p}:backup:{region}:{account}:recovery-point:{}", ids.uuid_upper())
    } else {
        match ctx.resource_type() {
            "RDS" => format!(
                "arn:{p}:rds:{region}:{account}:snapshot:awsbackup:copyjob-{}",
                ids.uuid()
            ),
            "Aurora" | "DocumentDB" | "Neptune" => format!(
                "arn:{p}:rds:{region}:{account}:cluster-snapshot:awsbackup:copyjob-{}",
                ids.uuid()
            ),
            "EC2" => format!("arn:{p}:ec2:{region}::image/ami-{}", ids.hex(17)),
            "FSx" => format!("arn:{p}:fsx:{region}:{account}:backup/backup-{}", ids.hex(17)),
            _ => format!("arn:{p}:ec2:{region}::snapshot/snap-{}", ids.hex(17)),
        }
    };
    DestinationRecoveryPoint {
        arn,
        encryption_key_arn: ctx.destination_key.arn(),
        delete_after_days: retention_days(ctx),
        tags: ctx.recovery_point.tags.clone(),
    }
}

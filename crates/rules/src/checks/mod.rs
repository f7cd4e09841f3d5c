//! The checks, one file each (the check, its evidence and its remedy), and the one ordered table the engine's loop, the docs and the tests read.

mod control_policies;
mod cross_account_setting;
pub(crate) mod destination_key_policy;
mod destination_vault_policy;
mod iam_role;
mod injected_fault;
mod key_state;
mod organization_membership;
pub(crate) mod policy;
pub(crate) mod request;
mod resource_type_support;
mod source_encryption;
pub(crate) mod source_key_policy;
mod tag_policy;
mod vault_lock_retention;

use std::cell::{Cell, OnceCell};

use copylab_policy::Request;

use crate::arn::VaultArn;
use crate::engine::{CheckResult, DestinationRecoveryPoint, MessageRef};
use crate::features::{FeatureRow, KeyMessages};
use crate::ids::IdGenerator;
use crate::kms::KeyRef;
use crate::policies::PreparedWorld;
use crate::remedy::Remedy;
use crate::text::Text;
use crate::world::{BackupVault, Fact, Organization, RecoveryPoint, StartCopyJob, VaultType};

/// One check: its id, what it decides, where the seed article lists it, and the function that
/// runs it.
#[derive(Debug)]
pub struct CheckDef {
    /// The id (`source-key-policy`), in reports, docs and the lab.
    pub id: &'static str,
    /// What a pass means, in a sentence.
    pub title: &'static str,
    /// Its number in the Knowledge Center article (`seed-ja.txt`): 1 to 6 for the article's six
    /// checks, 7 for the organization's cross-account setting it adds; `None` for copylab's own.
    pub article: Option<u8>,
    /// The facts it reads that a world may not know ([`crate::world::World::unknown`]): with
    /// one of them unknown it answers `indeterminate`.
    pub reads: &'static [Fact],
    /// Runs it.
    pub(crate) run: fn(&Ctx<'_>) -> Check,
}

/// The checks in the order they run: the first that fails gives the copy job's message (which
/// check wins when several fail is not documented by AWS: the order is modeled). The engine's
/// loop, `docs/checks.md` (a test compares) and the lab read this table.
pub static CHECKS: &[CheckDef] = &[
    CheckDef {
        id: "organization-membership",
        title: "source and destination accounts are in the same organization",
        article: Some(1),
        reads: &[Fact::Organization],
        run: organization_membership::organization_membership,
    },
    CheckDef {
        id: "cross-account-setting",
        title: "the organization allows cross-account backup copies",
        article: Some(7),
        reads: &[Fact::Organization, Fact::GlobalSettings],
        run: cross_account_setting::cross_account_setting,
    },
    CheckDef {
        id: "resource-type-support",
        title: "the resource type supports this copy in these Regions",
        article: Some(2),
        reads: &[Fact::RegionSettings, Fact::DestinationVault, Fact::SourceResource],
        run: resource_type_support::resource_type_support,
    },
    CheckDef {
        id: "source-encryption",
        title: "the source backup's encryption allows this copy",
        article: Some(3),
        reads: &[Fact::SourceKey, Fact::DestinationVault, Fact::DestinationKey],
        run: source_encryption::source_encryption,
    },
    CheckDef {
        id: "key-state",
        title: "the source key and the destination vault's key are usable",
        article: None,
        reads: &[Fact::SourceKey, Fact::DestinationVault, Fact::DestinationKey],
        run: key_state::key_state,
    },
    CheckDef {
        id: "source-key-policy",
        title: "the source key policy allows the destination account",
        article: Some(4),
        reads: &[Fact::SourceKey, Fact::SourceKeyPolicy, Fact::Organization],
        run: source_key_policy::source_key_policy,
    },
    CheckDef {
        id: "destination-key-policy",
        title: "the destination vault's key policy lets AWS Backup write the copy",
        article: None,
        reads: &[
            Fact::DestinationVault,
            Fact::DestinationKey,
            Fact::DestinationKeyPolicy,
            Fact::Organization,
        ],
        run: destination_key_policy::destination_key_policy,
    },
    CheckDef {
        id: "iam-role",
        title: "AWS Backup can assume the copy role and it allows the copy",
        article: None,
        reads: &[Fact::CopyRole],
        run: iam_role::iam_role,
    },
    CheckDef {
        id: "control-policies",
        title: "the organization's SCPs and RCPs allow the calls the copy makes",
        article: None,
        reads: &[Fact::Organization, Fact::ControlPolicies],
        run: control_policies::control_policies,
    },
    CheckDef {
        id: "destination-vault-policy",
        title: "the destination vault access policy allows the source account",
        article: Some(5),
        reads: &[Fact::DestinationVault, Fact::DestinationVaultPolicy, Fact::Organization],
        run: destination_vault_policy::destination_vault_policy,
    },
    CheckDef {
        id: "tag-policy",
        title: "the copied tags comply with the destination's tag policy",
        article: Some(6),
        reads: &[Fact::TagPolicy],
        run: tag_policy::tag_policy,
    },
    CheckDef {
        id: "vault-lock-retention",
        title: "the copy's retention fits the destination vault's limits",
        article: None,
        reads: &[Fact::DestinationVault, Fact::CopyLifecycle],
        run: vault_lock_retention::vault_lock_retention,
    },
    CheckDef {
        id: "injected-fault",
        title: "no injected fault",
        article: None,
        reads: &[],
        run: injected_fault::injected_fault,
    },
];

/// The check with this id.
pub fn check(id: &str) -> Option<&'static CheckDef> {
    CHECKS.iter().find(|c| c.id == id)
}

pub(crate) use destination_key_policy::DestinationKeyEval;
pub(crate) use destination_vault_policy::{VaultEval, vault_eval};
pub(crate) use iam_role::{CopyFromEval, RoleEval, copy_request, role_eval, role_session};
pub use source_key_policy::{KeyCaller, KeyRequest, KeyService, SOURCE_KEY_REQUESTS};
pub(crate) use source_key_policy::{KeyEval, key_eval};
pub(crate) use vault_lock_retention::retention_days;

/// Everything the checks share, built once by [`request::validate`].
pub(crate) struct Ctx<'w> {
    /// Whether the check being run should build its remedy (no check has failed yet).
    pub(crate) want_remedy: Cell<bool>,
    prepared: &'w PreparedWorld<'w>,
    request: &'w StartCopyJob,
    as_of: String,
    source_account: &'w str,
    source_region: &'w str,
    recovery_point: &'w RecoveryPoint,
    source_vault: &'w BackupVault,
    destination: VaultArn,
    destination_vault: Option<&'w BackupVault>,
    role_arn: &'w str,
    cross_account: bool,
    row: Option<&'static FeatureRow>,
    source_key: KeyRef<'w>,
    destination_key: KeyRef<'w>,
    /// The destination vault's ARN.
    destination_vault_arn: String,
    /// The copy role's session, as the policies see it.
    role_session: String,
    /// The copy role session's `backup:CopyIntoBackupVault` request (shared by two checks),
    /// built on first use (prepared worlds rarely need it).
    copy_request: OnceCell<std::sync::Arc<Option<Request>>>,
    /// The source account's SCPs when it is a member of an organization that has them enabled,
    /// parsed once for the request and the `control-policies` check.
    source_scps: Option<(&'w Organization, crate::control_policies::ParsedControlPolicies)>,
}

impl Ctx<'_> {
    /// The recovery point a completed copy leaves in the destination vault (its ARN drawn from `ids`).
    pub(crate) fn destination_recovery_point(&self, ids: &mut IdGenerator) -> DestinationRecoveryPoint {
        let ctx = self;
        let p = ctx.destination.partition.as_str();
        let (region, account) = (ctx.destination.region.as_str(), ctx.destination.account.as_str());
        let lag = ctx.destination_lag();
        // Concatenated, not formatted: every completed copy makes one.
        let arn = if ctx.fully_managed() || lag {
            [
                "arn:",
                p,
                ":backup:",
                region,
                ":",
                account,
                ":recovery-point:",
                &ids.uuid_upper(),
            ]
            .concat()
        } else {
            match ctx.resource_type() {
                "RDS" => [
                    "arn:",
                    p,
                    ":rds:",
                    region,
                    ":",
                    account,
                    ":snapshot:awsbackup:copyjob-",
                    &ids.uuid(),
                ]
                .concat(),
                "Aurora" | "DocumentDB" | "Neptune" => [
                    "arn:",
                    p,
                    ":rds:",
                    region,
                    ":",
                    account,
                    ":cluster-snapshot:awsbackup:copyjob-",
                    &ids.uuid(),
                ]
                .concat(),
                "EC2" => ["arn:", p, ":ec2:", region, "::image/ami-", &ids.hex(17)].concat(),
                "FSx" => [
                    "arn:",
                    p,
                    ":fsx:",
                    region,
                    ":",
                    account,
                    ":backup/backup-",
                    &ids.hex(17),
                ]
                .concat(),
                _ => ["arn:", p, ":ec2:", region, "::snapshot/snap-", &ids.hex(17)].concat(),
            }
        };
        // "Copies of unencrypted Amazon Aurora, Amazon DocumentDB, and Amazon Neptune clusters
        // are also unencrypted" (the encryption page); every other copy takes the destination
        // vault's key.
        let stays_unencrypted = matches!(ctx.resource_type(), "Aurora" | "DocumentDB" | "Neptune")
            && ctx.recovery_point.encryption_key.is_none();
        DestinationRecoveryPoint {
            arn,
            encryption_key_arn: (!stays_unencrypted).then(|| ctx.destination_key.arn()),
            delete_after_days: retention_days(ctx),
            tags: ctx.recovery_point.tags.clone(),
        }
    }

    /// The tag-policy resource types of what the copy creates and tags in the destination
    /// account (see `tag_policy`): the destination service's snapshot, image or backup, or an
    /// AWS Backup recovery point for the types AWS Backup fully manages and in a logically
    /// air-gapped vault.
    pub(crate) fn destination_tag_types(&self) -> &'static [&'static str] {
        let lag = self
            .destination_vault
            .is_some_and(|v| v.vault_type == VaultType::LogicallyAirGappedBackupVault);
        if self.fully_managed() || lag {
            return &["backup:recovery-point"];
        }
        match self.resource_type() {
            "RDS" => &["rds:snapshot"],
            "Aurora" | "DocumentDB" | "Neptune" => &["rds:cluster-snapshot"],
            "EC2" => &["ec2:image", "ec2:snapshot"],
            "FSx" => &["fsx:backup"],
            _ => &["ec2:snapshot"],
        }
    }

    fn source_org(&self) -> Option<&Organization> {
        self.prepared.organization_of(self.source_account)
    }
    fn destination_org(&self) -> Option<&Organization> {
        self.prepared.organization_of(&self.destination.account)
    }
    fn resource_type(&self) -> &str {
        &self.recovery_point.resource_type
    }
    /// Whether the destination vault is a logically air-gapped vault.
    fn destination_lag(&self) -> bool {
        self.destination_vault
            .is_some_and(|v| v.vault_type == VaultType::LogicallyAirGappedBackupVault)
    }
    /// Whether the source vault is a logically air-gapped vault.
    fn source_lag(&self) -> bool {
        self.source_vault.vault_type == VaultType::LogicallyAirGappedBackupVault
    }
    fn fully_managed(&self) -> bool {
        self.row.is_some_and(|r| r.fully_managed)
    }
    fn key_messages(&self) -> KeyMessages {
        self.row.map_or(KeyMessages::Generic, |r| r.key_messages)
    }
    /// The copy role session's request, built on first use.
    fn copy_request(&self) -> Option<&Request> {
        self.copy_request
            .get_or_init(|| {
                let compute = || {
                    copy_request(
                        self.prepared,
                        &self.role_session,
                        &self.destination_vault_arn,
                        &self.destination.account,
                    )
                };
                match self.destination_vault {
                    Some(vault) => self.prepared.copy_request_into(
                        self.role_arn,
                        vault,
                        self.destination.partition.as_str(),
                        compute,
                    ),
                    None => std::sync::Arc::new(compute()),
                }
            })
            .as_ref()
            .as_ref()
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

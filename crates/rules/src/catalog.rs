//! The message catalog, in one place: every copy-job `StatusMessage` and `StartCopyJob` error copylab can produce, with AWS's exact text, the wordings AWS used over time, and where each is documented.
//!
//! Texts are copied from `shared/reference/aws-backup-facts.md` (§1.2, §2.1, §2.2) and
//! `aws-org-wire-facts.md` (§1.6), never from the seed article (a translation that lost the
//! spaces after periods). `{name}` marks an argument. Which `MessageCategory` a message has,
//! whether a failure is synchronous, and which check wins when several fail are not documented
//! by AWS: those are labelled `modeled`.

use serde::Serialize;

/// How copylab can produce a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// A world configuration causes it.
    Producible,
    /// AWS lists only a pattern (`REGEX#...`); copylab's full text around it is modeled.
    Pattern,
    /// No configuration causes it; a scenario injects it (`faults`).
    Fault,
    /// No world causes it: a change made while the job runs does (`copylab serve`, the lab's
    /// live jobs), pinned by a server test rather than a scenario.
    Sequence,
}

/// How the failure reaches the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Delivery {
    /// A copy job that ends `FAILED` with this `StatusMessage`.
    FailedJob {
        /// The job's `MessageCategory` (modeled: AWS publishes no list; its docs give
        /// `SUCCESS`, `AccessDenied` and `InvalidParameters` as examples, and the dashboard page
        /// says other messages fall under `MISCELLANEOUS`).
        category: &'static str,
    },
    /// `StartCopyJob` is rejected with this exception and HTTP status.
    ApiError {
        /// The exception name (from the pinned model).
        code: &'static str,
        /// The HTTP status.
        http_status: u16,
    },
}

/// Where a text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// `documented` (a public AWS or real-world source shows it) or `modeled`.
    pub status: &'static str,
    /// The source, as cited in the reference (URL or name).
    pub source: &'static str,
    /// Where in the reference it is recorded.
    pub reference: &'static str,
}

/// Another wording of the same message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Variant {
    /// The text.
    pub text: &'static str,
    /// When or where AWS used it.
    pub when: &'static str,
    /// Its source.
    pub source: &'static str,
}

/// One catalog row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Stable id.
    pub id: &'static str,
    /// The current wording (`{name}` marks an argument).
    pub text: &'static str,
    /// Other wordings: older ones first is not implied; `when` says.
    pub variants: &'static [Variant],
    /// Producible, pattern or fault.
    pub reach: Reach,
    /// Failed job or API error.
    pub delivery: Delivery,
    /// Where the current wording comes from.
    pub provenance: Provenance,
    /// What causes it, in copylab's model.
    pub cause: &'static str,
}

const DASHBOARD: &str = "https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-dashboards.html";
const TECRACER: &str = "https://www.tecracer.com/blog/2024/04/automating-cross-account-/-cross-region-backups-with-aws-backup-in-aws-organizations.html";
const KC_XACCT: &str = "https://repost.aws/knowledge-center/backup-troubleshoot-cross-account-copy";
const KC_KEY: &str = "https://repost.aws/knowledge-center/backup-cross-account-copy-error";
const LAG: &str =
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/logicallyairgappedvault.html (troubleshooting)";

/// The destination-vault default-key message, current wording: two catalog rows give it.
const DEFAULT_KEY_TEXT: &str = "Copy job failed because the destination Backup vault is encrypted with the default Backup service managed key. The contents of this vault cannot be copied. Only the contents of a Backup vault encrypted by an AWS KMS key may be copied.";

/// The destination-vault default-key message's older wording.
const DEFAULT_KEY_VARIANTS: &[Variant] = &[Variant {
    text: "Copy job failed because the destination Backup vault is encrypted with the default Backup service managed key. The contents of this vault cannot be copied. Only the contents of a Backup vault encrypted by a customer master key (CMK) may be copied.",
    when: "older wording, from before KMS renamed customer master keys to KMS keys, as the Knowledge Center article quotes it (the article prints it without spaces after the periods)",
    source: "Knowledge Center article, seed-ja.txt line 56",
}];

/// AWS Backup's access-denied copy-job message: the documented row gives it, and the SCP row
/// borrows it (modeled).
const BACKUP_ACCESS_DENIED_TEXT: &str = "Access Denied trying to call AWS Backup service";

/// AWS Backup's KMS access-denied copy-job message: the documented row gives it, and the RCP row
/// borrows it (modeled).
const KMS_DENIED_TEXT: &str = "KMS key is either disabled or pending deletion or access to KMS key is denied";

/// Where the SCP and RCP facts are recorded.
const CONTROL_FACTS: &str = "aws-plans-policies-events-facts.md §3.3 and §3.4";

const fn job(category: &'static str) -> Delivery {
    Delivery::FailedJob { category }
}

const fn documented(source: &'static str, reference: &'static str) -> Provenance {
    Provenance {
        status: "documented",
        source,
        reference,
    }
}

const fn modeled(reference: &'static str) -> Provenance {
    Provenance {
        status: "modeled",
        source: "copylab",
        reference,
    }
}

/// The catalog. Order: copy-job messages of facts §1.2, the rest of §2.1, §2.2, then
/// `StartCopyJob` errors.
pub static MESSAGES: &[Message] = &[
    Message {
        id: "organization-membership",
        text: "Copy job failed. Both source and destination account must be a member of the same organization.",
        variants: &[
            Variant {
                text: "Copy job failed. Both source and destination account must be a member of the same organization",
                when: "quoted without the final period by the Knowledge Center article (English)",
                source: KC_XACCT,
            },
            Variant {
                text: "Access denied: Copy job failed. Both source and destination account must be a member of the same organization",
                when: "as a real job report showed it, with a category prefix (2025-12)",
                source: "aws-solutions-library-samples/account-assessment-for-aws-organizations#57",
            },
        ],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #1"),
        cause: "the source and destination accounts are not in the same AWS Organizations organization",
    },
    Message {
        id: "single-action-not-supported",
        text: "Copy job from {source_region} to {destination_region} cannot be initiated for {resource_type} resources. Feature is not supported for provided resource type.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "documented",
            source: "Knowledge Center (zh-Hans, string in English) for RDS; tecRacer blog for Aurora; the same form for DocumentDB and Neptune is modeled",
            reference: "aws-backup-facts.md §1.2 #2, #2b",
        },
        cause: "before the late-2025 change, RDS, Aurora, DocumentDB and Neptune could not copy across Regions and accounts in one action",
    },
    Message {
        id: "feature-not-supported",
        text: "Copy job from {source_region} to {destination_region} cannot be initiated for {resource_type} resources. Feature is not supported for provided resource type.",
        variants: &[],
        reach: Reach::Pattern,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "modeled",
            source: "AWS lists only the pattern `REGEX#Feature is not supported for provided resource type.`; copylab uses the documented single-action sentence around it",
            reference: "aws-backup-facts.md §1.2 #2c, §2.1",
        },
        cause: "the resource type does not support this copy (cross-account, cross-Region, opt-in Region or partition limits, DynamoDB without advanced features, RDS Multi-AZ DB clusters)",
    },
    Message {
        id: "destination-vault-default-key",
        text: DEFAULT_KEY_TEXT,
        variants: DEFAULT_KEY_VARIANTS,
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: documented(
            TECRACER,
            "aws-backup-facts.md §1.2 #3 (also the AWS docs dashboard page)",
        ),
        cause: "the destination vault uses `aws/backup` and the resource type is not fully managed by AWS Backup",
    },
    Message {
        id: "default-vault-cross-account",
        text: DEFAULT_KEY_TEXT,
        variants: DEFAULT_KEY_VARIANTS,
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "modeled",
            source: "AWS states the rule (create-cross-account-backup, security considerations, known here only from a paraphrase: the destination vault cannot be the default vault; verbatim in the AWS Storage Blog: \"to perform cross-account backups, you must use KMS key encrypted vaults instead of using your default backup vault\") but no message for it, and the same page allows aws/backup for fully managed types; copylab applies the narrower rule with the default-key message, since the default vault is under aws/backup",
            reference: "aws-backup-facts.md §4.2 (destination vault key)",
        },
        cause: "a fully managed type copied to another account into that account's Default vault (under `aws/backup`)",
    },
    Message {
        id: "aws-managed-key-ami",
        text: "Snapshots encrypted with the AWS managed key can't be shared. Specify another snapshot.",
        variants: &[Variant {
            text: "Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot.",
            when: "older EC2 wording (ModifyImageAttribute), quoted by the Knowledge Center article",
            source: "EC2 InvalidParameter, quoted in GitHub code (aws-backup-facts.md §1.2 #4b)",
        }],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #4a"),
        cause: "an EC2 image's snapshots are encrypted with the AWS managed key `aws/ebs` (which EC2 message appears for AMIs versus EBS snapshots is modeled from the EC2 API each comes from)",
    },
    Message {
        id: "aws-managed-key-ebs",
        text: "Encrypted snapshots with Amazon EBS default key cannot be shared",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #4c"),
        cause: "an EBS snapshot is encrypted with the AWS managed key `aws/ebs`",
    },
    Message {
        id: "rds-source-key",
        text: "The source snapshot KMS key [{key_arn}] does not exist, is not enabled or you do not have permissions to access it.",
        variants: &[
            Variant {
                text: "The source snapshot KMS key does not exist, is not enabled or you do not have permissions to access it",
                when: "Knowledge Center article (no key ARN, no final period)",
                source: KC_KEY,
            },
            Variant {
                text: "The source snapshot KMS key does not exist, is not enabled or you do not have permissions to access it.",
                when: "AWS Backup troubleshooting page (no key ARN)",
                source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/troubleshooting.html",
            },
        ],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(
            TECRACER,
            "aws-backup-facts.md §1.2 #5b (also awslabs/aurora-snapshot-tool#26, #29)",
        ),
        cause: "the RDS, Aurora, DocumentDB or Neptune snapshot's key is an AWS managed key, is disabled or missing, or its key policy does not allow the destination account",
    },
    Message {
        id: "ami-key-not-accessible",
        text: "AMI snapshot copy failed with error: Given key ID is not accessible. You must have DescribeKey permissions on the default key",
        variants: &[Variant {
            text: "AMI snapshot copy failed with error: Given key ID is not accessible. You must have DescribeKey permissions on the default CMK",
            when: "older wording, seen in a real report on 2022-12-06",
            source: "aws-samples/aws-backup-automation#2",
        }],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #6"),
        cause: "an EC2 image's key is disabled or its key policy does not let the destination account describe and use it",
    },
    Message {
        id: "ebs-key-not-accessible",
        text: "Given key ID is not accessible",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #6c"),
        cause: "an EBS snapshot's key is disabled or its key policy does not let the destination account use it",
    },
    Message {
        id: "vault-access-denied",
        text: BACKUP_ACCESS_DENIED_TEXT,
        variants: &[Variant {
            text: "Access Denied trying to call AWS Backup service.",
            when: "with a final period, as the tecRacer blog shows it",
            source: TECRACER,
        }],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(
            DASHBOARD,
            "aws-backup-facts.md §1.2 #7; Knowledge Center backup-resolve-access-denied-error",
        ),
        cause: "the destination vault access policy, or the copy role's identity policy, does not allow `backup:CopyIntoBackupVault`",
    },
    Message {
        id: "tag-copy-internal-failure",
        text: "We are unable to copy resource tags to your backup because of the Internal Failure.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("MISCELLANEOUS"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #8"),
        cause: "modeled: an enforced tag policy in the destination account rejects a copied tag key's capitalization (the Knowledge Center relates this message to tag policies; the exact trigger is not documented)",
    },
    Message {
        id: "tag-copy-recovery-point-unavailable",
        text: "We are unable to copy resource tags to your backup because source or destination recovery point is unavailable",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("MISCELLANEOUS"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #8b"),
        cause: "injected: `recovery-point-unavailable-for-tags`",
    },
    Message {
        id: "tag-policy-value",
        text: "The tag policy does not allow the specified value for the following tag key: '{tag_key}'.",
        variants: &[Variant {
            text: "The tag policy does not allow the specified value for the following tag key: '{tag_key}'",
            when: "without the final period, as the Knowledge Center article prints it (with the key 'xyz')",
            source: "Knowledge Center article, seed-ja.txt line 172",
        }],
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "modeled",
            source: "EC2's TagPolicyViolation wording (the service that tags a copied EBS snapshot), also used by DynamoDB; the Knowledge Center article quotes it for cross-account copies; not confirmed in any AWS Backup text",
            reference: "aws-backup-facts.md §1.2 #9; aws-org-wire-facts.md §1.5, §1.6",
        },
        cause: "modeled: the destination account's effective tag policy is enforced on the resource the copy creates (an EBS snapshot, an AMI, an RDS or FSx snapshot) and a copied tag's value is not allowed",
    },
    Message {
        id: "cross-account-disabled",
        text: "Copy job failed. Cross-account copy feature is not enabled for the current organization.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §1.2 #10 (also tecRacer)"),
        cause: "`isCrossAccountBackupEnabled` is off in the organization's management account",
    },
    Message {
        id: "not-authorized",
        text: "You are not authorized to perform this operation.",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "injected: `not-authorized` (no documented configuration produces it for copy jobs)",
    },
    Message {
        id: "s3-bucket-versioning-permission",
        text: "Customer credential miss permission to get bucket versioning for bucket.",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "injected: `s3-bucket-versioning-permission` (S3 permission copylab does not model)",
    },
    Message {
        id: "marketplace-image",
        text: "Images from AWS Marketplace cannot be copied to another AWS account.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "an EC2 image from AWS Marketplace copied to another account",
    },
    Message {
        id: "too-many-copy-jobs",
        text: "There are too many copy jobs running for resource.",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("MISCELLANEOUS"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1; quotas §8"),
        cause: "injected: `too-many-copy-jobs` (the concurrency limit)",
    },
    Message {
        id: "retention-out-of-range",
        text: "Copy job failed. The retention specified in the job is not within the range specified for the target Backup Vault.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1, §8"),
        cause: "the copy's retention is outside the destination vault's Vault Lock (or logically air-gapped vault) minimum and maximum",
    },
    Message {
        id: "lag-aws-managed-source-key",
        text: "Copy job failed. This resource is encrypted with an AWS managed key and cannot be copied to a logically air-gapped backup vault.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "modeled",
            source: "the rule is AWS's (LAG page: \"the source must be encrypted with a customer managed key. AWS managed keys for not fully managed resources are not supported.\"); AWS documents no copy-job text, so copylab puts the \"Copy job failed.\" of the documented retention message before the documented backup-job sentence \"This resource is encrypted with an AWS managed key and cannot be copied to a logically air-gapped backup vault.\" (lag-vault-primary-backup.html)",
            reference: "aws-plans-policies-events-facts.md §4.2, §4.5",
        },
        cause: "a type AWS Backup does not fully manage, under an AWS managed key, copied into a logically air-gapped vault (in any account or Region)",
    },
    Message {
        id: "lag-unencrypted-cluster",
        text: "Copy job failed. Unencrypted Amazon Aurora, Amazon DocumentDB, and Amazon Neptune clusters are not supported for logically air-gapped vault.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "modeled",
            source: "the rule and its sentence are AWS's (LAG page: \"Unencrypted Amazon Aurora, Amazon DocumentDB, and Amazon Neptune clusters are not supported for logically air-gapped vault\"); that a copy job fails with it, after the \"Copy job failed.\" of the documented retention message and with a final period, is copylab's",
            reference: "aws-plans-policies-events-facts.md §4.2; aws-backup-facts.md §4.2",
        },
        cause: "an unencrypted Aurora, DocumentDB or Neptune cluster snapshot copied into a logically air-gapped vault",
    },
    Message {
        id: "lag-copy-out-needs-cmk",
        text: DEFAULT_KEY_TEXT,
        variants: DEFAULT_KEY_VARIANTS,
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "modeled",
            source: "the rule is AWS's (LAG page: \"You can copy a backup from a logically air-gapped vault to a standard backup vault as long as the copy is encrypted with a customer managed key.\"); AWS documents no message for it, so copylab gives the documented message for a destination vault under the default Backup service managed key",
            reference: "aws-plans-policies-events-facts.md §4.2",
        },
        cause: "a copy from a logically air-gapped vault into a standard backup vault whose key is AWS managed (`aws/backup`)",
    },
    Message {
        id: "kms-key-disabled-or-denied",
        text: KMS_DENIED_TEXT,
        variants: &[],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "modeled: the destination vault's key is disabled or pending deletion, or its key policy denies the requests AWS Backup makes to write the copy",
    },
    Message {
        id: "key-does-not-exist",
        text: "Given key ID does not exist",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "modeled: an EBS or EC2 recovery point names a key the world does not have",
    },
    Message {
        id: "storage-gateway-vault-key",
        text: "UnsupportedOperation : Storage Gateway backup copies require a user-created backup vault and key at destination.",
        variants: &[],
        reach: Reach::Producible,
        delivery: job("InvalidParameters"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1 (note the space before the colon)"),
        cause: "a Storage Gateway recovery point copied to a vault that uses the AWS managed `aws/backup` key",
    },
    Message {
        id: "internal-error",
        text: "An internal error occurred.",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("MISCELLANEOUS"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "injected: `internal-error`",
    },
    Message {
        id: "fatal-error-contact-support",
        text: "Copy job encountered a fatal error. Please contact AWS Support for further assistance.",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("MISCELLANEOUS"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "injected: `fatal-error-contact-support`",
    },
    Message {
        id: "fatal-error",
        text: "Copy job encountered a fatal error.",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("MISCELLANEOUS"),
        provenance: documented(DASHBOARD, "aws-backup-facts.md §2.1"),
        cause: "injected: `fatal-error`",
    },
    Message {
        id: "role-cannot-be-assumed",
        text: "IAM Role {role_arn} cannot be assumed by AWS Backup.",
        variants: &[],
        reach: Reach::Pattern,
        delivery: job("AccessDenied"),
        provenance: Provenance {
            status: "modeled",
            source: "AWS lists only the pattern `REGEX#cannot be assumed by AWS Backup`; the sentence around it is copylab's",
            reference: "aws-backup-facts.md §2.1",
        },
        cause: "the copy role does not exist, or its trust policy does not let backup.amazonaws.com assume it",
    },
    Message {
        id: "rds-option-group",
        text: "The snapshot requires a target option group with the following options: {options}.",
        variants: &[],
        reach: Reach::Pattern,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "documented",
            source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html (the docs show `....` where the options go)",
            reference: "aws-backup-facts.md §2.2",
        },
        cause: "not modeled: an RDS cross-Region copy whose destination Region lacks a matching option group",
    },
    Message {
        id: "ami-storage-permission",
        text: "You do not have permission to access the storage of this ami.",
        variants: &[],
        reach: Reach::Fault,
        delivery: job("AccessDenied"),
        provenance: documented(LAG, "aws-backup-facts.md §2.2"),
        cause: "injected: `ami-storage-permission` (auto-remediation revoked an AMI's launch or volume permission during a copy to a logically air-gapped vault)",
    },
    Message {
        id: "source-ami-not-found",
        text: "Source AMI {image_id} not found in Region.",
        variants: &[],
        reach: Reach::Pattern,
        delivery: job("InvalidParameters"),
        provenance: Provenance {
            status: "documented",
            source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/logicallyairgappedvault.html (troubleshooting shows `Source AMI ami-xxxxxx not found in Region.`)",
            reference: "aws-backup-facts.md §2.2",
        },
        cause: "not modeled: EC2 Allowed AMIs without the `aws-backup-vault` alias",
    },
    Message {
        id: "unshare-snapshot-failed",
        text: "Failed to unshare snapshot",
        variants: &[],
        reach: Reach::Sequence,
        delivery: job("MISCELLANEOUS"),
        provenance: Provenance {
            status: "documented",
            source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/create-cross-account-backup.html: \"If you delete a copy job role during a cross-account copy, AWS Backup can't unshare snapshots from the source account when the copy job completes. In this case, the backup job finishes, but the copy job status shows as Failed to unshare snapshot.\"",
            reference: "aws-plans-policies-events-facts.md §1.7 item 7",
        },
        cause: "modeled: the copy role is deleted while a cross-account copy of a snapshot (a type AWS Backup does not fully manage) runs; the copy's data has arrived, so the destination recovery point stays, and the job ends FAILED with this message (the state AWS shows beside it is not documented)",
    },
    Message {
        id: "control-policy-denied-backup",
        text: BACKUP_ACCESS_DENIED_TEXT,
        variants: &[],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: modeled(
            "aws-plans-policies-events-facts.md §3.3-§3.4: no copy job failing because of an SCP has been published; AWS Backup surfaces a denied call only in StatusMessage, so copylab gives the message AWS gives when an IAM policy denies the same AWS Backup call",
        ),
        cause: "modeled: an SCP of the source account denies the copy role `backup:CopyFromBackupVault` or `backup:CopyIntoBackupVault`",
    },
    Message {
        id: "control-policy-denied-key",
        text: KMS_DENIED_TEXT,
        variants: &[],
        reach: Reach::Producible,
        delivery: job("AccessDenied"),
        provenance: modeled(
            "aws-plans-policies-events-facts.md §3.2-§3.4: no copy job failing because of an RCP has been published; copylab gives AWS Backup's message for a KMS key whose access is denied",
        ),
        cause: "modeled: an RCP of the key's account denies a call the copy makes on the source key or the destination vault's key",
    },
    // StartCopyJob errors (synchronous). Exception names are the pinned model's; texts modeled
    // unless noted.
    Message {
        id: "scp-explicit-deny",
        text: "User: {principal} is not authorized to perform: {action} on resource: {resource} with an explicit deny in a service control policy",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "AccessDeniedException",
            http_status: 403,
        },
        provenance: Provenance {
            status: "modeled",
            source: "the form is AWS's (IAM User Guide, troubleshoot_access-denied: `with an explicit deny in a type policy`; observed for an SCP in kubernetes-sigs/aws-load-balancer-controller#2322); which resource AWS Backup names for StartCopyJob is copylab's reading (the recovery point), and whether it appends the policy's ARN is not documented",
            reference: CONTROL_FACTS,
        },
        cause: "an SCP of the source account denies the caller `backup:StartCopyJob`",
    },
    Message {
        id: "scp-implicit-deny",
        text: "User: {principal} is not authorized to perform: {action} on resource: {resource} because no service control policy allows the {action} action",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "AccessDeniedException",
            http_status: 403,
        },
        provenance: Provenance {
            status: "modeled",
            source: "the form is AWS's (IAM User Guide, troubleshoot_access-denied: `because no type policy allows the action action`; observed for SCPs in public deployment notes and the S3 troubleshooting page); the resource AWS Backup names for StartCopyJob is copylab's reading (the recovery point)",
            reference: CONTROL_FACTS,
        },
        cause: "no SCP attached at some level between the root and the source account allows `backup:StartCopyJob`",
    },
    Message {
        id: "missing-parameter",
        text: "Missing required parameter: {member}",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "MissingParameterValueException",
            http_status: 400,
        },
        provenance: modeled("exception from the pinned backup model; message text copylab's"),
        cause: "a required `StartCopyJob` member is missing",
    },
    Message {
        id: "source-vault-inaccessible",
        text: "Insufficient privileges to perform this action.",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "AccessDeniedException",
            http_status: 403,
        },
        provenance: Provenance {
            status: "documented",
            source: "observed on the wire for DescribeBackupVault and ListRecoveryPointsByBackupVault on a vault that does not exist (aws/aws-sdk-js#2625, boto/boto3#2269); for StartCopyJob modeled",
            reference: "aws-backup-facts.md §2.4",
        },
        cause: "the source vault does not exist in the calling account and Region",
    },
    Message {
        id: "recovery-point-not-found",
        text: "Cannot find recovery point",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "ResourceNotFoundException",
            http_status: 400,
        },
        provenance: Provenance {
            status: "documented",
            source: "observed for DescribeRecoveryPoint when the vault exists but the recovery point does not; for StartCopyJob modeled",
            reference: "aws-backup-facts.md §2.4",
        },
        cause: "the recovery point is not in the source vault",
    },
    Message {
        id: "recovery-point-not-copyable",
        text: "Recovery point {recovery_point_arn} cannot be copied: {reason}",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "InvalidRequestException",
            http_status: 400,
        },
        provenance: modeled(
            "rules from the AWS docs: cold or archive tiers cannot be copied; StartCopyJob does not support continuous backups (aws-backup-facts.md §3.3)",
        ),
        cause: "the recovery point is in cold storage, is a continuous backup, or is not COMPLETED",
    },
    Message {
        id: "lifecycle-retention-range",
        text: "Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "InvalidParameterValueException",
            http_status: 400,
        },
        provenance: Provenance {
            status: "modeled",
            source: "AWS Backup's wording for a backup plan rule (hashicorp/terraform-provider-aws#24960, lgallard/terraform-aws-backup#61), where the rule name comes first (`Error in rule NAME : `); for StartCopyJob's Lifecycle no capture exists, so copylab gives the sentence without the rule prefix; the range is the model's (at most 100 years, 36,500 days), with -1 allowed (StartCopyJob: \"specify -1 ... keep your recovery points indefinitely\")",
            reference: "aws-plans-policies-events-facts.md §1.2, §1.4; aws-backup-facts.md §5.3",
        },
        cause: "the copy's `DeleteAfterDays` is 0, below -1, or more than 36,500 days",
    },
    Message {
        id: "lifecycle-cold-storage-gap",
        text: "Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "InvalidParameterValueException",
            http_status: 400,
        },
        provenance: Provenance {
            status: "modeled",
            source: "AWS Backup's wording for a backup plan rule (hashicorp/terraform-provider-aws PR #7350; the SDK v2 form `Error in some rules due to : ...`); for StartCopyJob's Lifecycle no capture exists, so copylab gives the sentence without the rule prefix; the rule is the model's (\"This value must be at least 90 days after the number of days specified in MoveToColdStorageAfterDays\")",
            reference: "aws-plans-policies-events-facts.md §1.2, §1.4",
        },
        cause: "the copy moves to cold storage fewer than 90 days before it is deleted",
    },
    Message {
        id: "invalid-parameter",
        text: "Invalid value for {member}: {reason}",
        variants: &[],
        reach: Reach::Producible,
        delivery: Delivery::ApiError {
            code: "InvalidParameterValueException",
            http_status: 400,
        },
        provenance: modeled("exception from the pinned backup model; message text copylab's"),
        cause: "a `StartCopyJob` member is not a valid ARN of the expected kind",
    },
];

/// Looks a message up by id.
pub fn message(id: &str) -> Option<&'static Message> {
    MESSAGES.iter().find(|m| m.id == id)
}

/// Renders `text` with `{name}` arguments; unknown names are left as they are.
pub fn render(text: &str, args: &[(&str, String)]) -> String {
    if args.is_empty() || !text.contains('{') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').map(|end| (&after[..end], end)) {
            Some((name, end)) => match args.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => {
                    out.push_str(value);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

//! The feature matrix, in one place: for each resource type, cross-Region and cross-account copy, the single-action cross-Region plus cross-account copy and the date it holds from, full AWS Backup management, opt-in Region exceptions, with each row's confidence and source.
//!
//! Rows follow `aws-backup-facts.md` §3.3 (per-resource summary) and §3.4 (opt-in Regions).
//! The single action for RDS, Aurora, DocumentDB and Neptune holds from the AWS Backup
//! announcement of October 2025; its day (the 1st) is modeled.

use serde::Serialize;

use crate::regions;

/// How sure the row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// AWS documents it.
    Documented,
    /// Inferred from documented facts.
    Inference,
    /// The sources disagree or are incomplete.
    Uncertain,
}

impl Confidence {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Documented => "documented",
            Confidence::Inference => "inference",
            Confidence::Uncertain => "uncertain",
        }
    }
}

/// Since when a single action may copy across Regions and accounts at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "since", rename_all = "kebab-case")]
pub enum SingleAction {
    /// Always (as far as the model knows).
    Always,
    /// From this date (`YYYY-MM-DD`); before it such a copy fails.
    Since(&'static str),
    /// Not applicable: the type does not copy.
    NotApplicable,
}

/// Which family of key messages a type's copies report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyMessages {
    /// RDS, Aurora, DocumentDB, Neptune: "The source snapshot KMS key ...".
    RdsSnapshot,
    /// EC2 images: "AMI snapshot copy failed ..." and the AMI sharing message.
    Ec2Image,
    /// EBS snapshots: "Given key ID is not accessible" and the EBS sharing message.
    EbsSnapshot,
    /// Others: the generic KMS message.
    Generic,
}

/// One row of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeatureRow {
    /// The `ResourceType` string.
    pub resource_type: &'static str,
    /// A variant of the type the row is about (`DynamoDB` with or without advanced features).
    pub variant: Option<&'static str>,
    /// Cross-Region copy.
    pub cross_region: bool,
    /// Cross-account copy.
    pub cross_account: bool,
    /// Single action cross-Region plus cross-account.
    pub single_action: SingleAction,
    /// Full AWS Backup management (copies use the vault's key; `arn:aws:backup:...:recovery-point:` ARNs).
    pub fully_managed: bool,
    /// Cross-Region copy where a Region requires opt-in (`Some(list)`: only in those Regions).
    pub opt_in_cross_region: OptIn,
    /// Cross-account copy where a Region requires opt-in.
    pub opt_in_cross_account: OptIn,
    /// The key message family.
    pub key_messages: KeyMessages,
    /// How sure the row is.
    pub confidence: Confidence,
    /// Where it comes from.
    pub source: &'static str,
}

/// Support in opt-in Regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "regions", rename_all = "kebab-case")]
pub enum OptIn {
    /// As elsewhere.
    Supported,
    /// Not supported in Regions where opt-in is required.
    NotSupported,
    /// Supported only in these opt-in Regions.
    Only(&'static [&'static str]),
}

/// The date the single action holds from (October 2025 announcement; day modeled).
pub const SINGLE_ACTION_SINCE: &str = "2025-10-01";

const FOOTNOTE_3: &str =
    "feature availability table footnote 3 and the AWS Backup announcement (2025-10); aws-backup-facts.md §3.1-§3.3";

/// The matrix.
pub static FEATURES: &[FeatureRow] = &[
    row(
        "EC2",
        None,
        true,
        true,
        SingleAction::Always,
        false,
        KeyMessages::Ec2Image,
        Confidence::Documented,
        "2023 table; encryption page",
    ),
    row(
        "EBS",
        None,
        true,
        true,
        SingleAction::Always,
        false,
        KeyMessages::EbsSnapshot,
        Confidence::Documented,
        "2023 table; encryption page",
    ),
    row(
        "EFS",
        None,
        true,
        true,
        SingleAction::Always,
        true,
        KeyMessages::Generic,
        Confidence::Documented,
        "2023 table; encryption page",
    ),
    row(
        "RDS",
        None,
        true,
        true,
        SingleAction::Since(SINGLE_ACTION_SINCE),
        false,
        KeyMessages::RdsSnapshot,
        Confidence::Documented,
        FOOTNOTE_3,
    ),
    row(
        "Aurora",
        None,
        true,
        true,
        SingleAction::Since(SINGLE_ACTION_SINCE),
        false,
        KeyMessages::RdsSnapshot,
        Confidence::Documented,
        FOOTNOTE_3,
    ),
    FeatureRow {
        opt_in_cross_region: OptIn::NotSupported,
        opt_in_cross_account: OptIn::NotSupported,
        ..row(
            "DocumentDB",
            None,
            true,
            true,
            SingleAction::Since(SINGLE_ACTION_SINCE),
            false,
            KeyMessages::RdsSnapshot,
            Confidence::Documented,
            FOOTNOTE_3,
        )
    },
    FeatureRow {
        opt_in_cross_region: OptIn::Only(regions::NEPTUNE_OPT_IN_CROSS_REGION),
        opt_in_cross_account: OptIn::NotSupported,
        ..row(
            "Neptune",
            None,
            true,
            true,
            SingleAction::Since(SINGLE_ACTION_SINCE),
            false,
            KeyMessages::RdsSnapshot,
            Confidence::Documented,
            FOOTNOTE_3,
        )
    },
    row(
        "DynamoDB",
        Some("without advanced features"),
        false,
        false,
        SingleAction::NotApplicable,
        false,
        KeyMessages::Generic,
        Confidence::Inference,
        "2023 table blank; older docs: copying DynamoDB tables across Regions is not supported",
    ),
    row(
        "DynamoDB",
        Some("with advanced features"),
        true,
        true,
        SingleAction::Always,
        true,
        KeyMessages::Generic,
        Confidence::Documented,
        "2023 table; encryption page",
    ),
    FeatureRow {
        opt_in_cross_region: OptIn::NotSupported,
        ..row(
            "FSx",
            None,
            true,
            true,
            SingleAction::Always,
            false,
            KeyMessages::Generic,
            Confidence::Inference,
            "2023 table (FSx for Lustre, Windows File Server, OpenZFS; ONTAP copies not at all, not modeled separately)",
        )
    },
    row(
        "Storage Gateway",
        None,
        true,
        true,
        SingleAction::Always,
        false,
        KeyMessages::Generic,
        Confidence::Inference,
        "2023 table; needs a user-created destination vault and key",
    ),
    row(
        "VirtualMachine",
        None,
        true,
        true,
        SingleAction::Always,
        true,
        KeyMessages::Generic,
        Confidence::Documented,
        "2023 table; encryption page",
    ),
    row(
        "S3",
        None,
        true,
        true,
        SingleAction::Always,
        true,
        KeyMessages::Generic,
        Confidence::Documented,
        "2023 table; encryption page",
    ),
    row(
        "Redshift",
        None,
        false,
        false,
        SingleAction::NotApplicable,
        false,
        KeyMessages::Generic,
        Confidence::Uncertain,
        "2023 table: item-level restore only; current row absent from the mirrored table",
    ),
    FeatureRow {
        opt_in_cross_account: OptIn::NotSupported,
        ..row(
            "Timestream",
            None,
            true,
            true,
            SingleAction::Always,
            true,
            KeyMessages::Generic,
            Confidence::Inference,
            "2023 table; encryption page",
        )
    },
    FeatureRow {
        opt_in_cross_account: OptIn::NotSupported,
        ..row(
            "CloudFormation",
            None,
            true,
            true,
            SingleAction::Always,
            true,
            KeyMessages::Generic,
            Confidence::Inference,
            "2023 table; encryption page; footnote 5",
        )
    },
    row(
        "SAP HANA on Amazon EC2",
        None,
        true,
        true,
        SingleAction::Always,
        true,
        KeyMessages::Generic,
        Confidence::Inference,
        "current text: copies from full backups; encryption page",
    ),
    row(
        "EKS",
        None,
        false,
        false,
        SingleAction::NotApplicable,
        false,
        KeyMessages::Generic,
        Confidence::Uncertain,
        "footnote 10: features of the persisted resources; copylab models no copy",
    ),
];

#[expect(
    clippy::too_many_arguments,
    reason = "a table row: positional reads like the table in the facts file"
)]
const fn row(
    resource_type: &'static str,
    variant: Option<&'static str>,
    cross_region: bool,
    cross_account: bool,
    single_action: SingleAction,
    fully_managed: bool,
    key_messages: KeyMessages,
    confidence: Confidence,
    source: &'static str,
) -> FeatureRow {
    FeatureRow {
        resource_type,
        variant,
        cross_region,
        cross_account,
        single_action,
        fully_managed,
        opt_in_cross_region: OptIn::Supported,
        opt_in_cross_account: OptIn::Supported,
        key_messages,
        confidence,
        source,
    }
}

/// Whether a DynamoDB recovery point is an AWS Backup advanced one, as its ARN says: "Recovery
/// points (backups) of DynamoDB without Advanced Settings enabled have an ARN that begins with
/// `arn:aws:dynamodb`" (the pinned model; facts §5, §6: `table/NAME/backup/...`), advanced ones
/// `arn:aws:backup`. The setting applies "for all new DynamoDB table backups you create"
/// (advanced-ddb-backup page, as issue 12 quotes it), so a backup made before it was turned on
/// stays DynamoDB's own, whatever the Region setting says now.
pub fn dynamodb_backup_is_advanced(recovery_point_arn: &str) -> bool {
    crate::arn::Arn::parse(recovery_point_arn).is_none_or(|arn| arn.service != "dynamodb")
}

/// The row for a resource type; DynamoDB's depends on advanced features.
pub fn feature_row(resource_type: &str, dynamodb_advanced: bool) -> Option<&'static FeatureRow> {
    let variant = match resource_type {
        "DynamoDB" if dynamodb_advanced => Some("with advanced features"),
        "DynamoDB" => Some("without advanced features"),
        _ => None,
    };
    FEATURES
        .iter()
        .find(|r| r.resource_type == resource_type && r.variant == variant)
}

/// Every `ResourceType` string copylab knows (the model's `ListCopyJobs.ByResourceType` list).
pub fn resource_types() -> impl Iterator<Item = &'static str> {
    let mut seen: Vec<&'static str> = Vec::new();
    FEATURES.iter().filter_map(move |r| {
        if seen.contains(&r.resource_type) {
            None
        } else {
            seen.push(r.resource_type);
            Some(r.resource_type)
        }
    })
}

/// Why a copy is not supported, or `None` when it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Unsupported {
    /// The type copies nowhere, not even to another vault of the same account and Region:
    /// "copy operations for that resource type are not supported in any scenario, including
    /// same-Region and same-account copies to a different vault" (recov-point-create-a-copy).
    NoCopy,
    /// The type does not copy across Regions.
    CrossRegion,
    /// The type does not copy across accounts.
    CrossAccount,
    /// Cross-Region plus cross-account in one action, before the date it holds from.
    SingleAction {
        /// From when it works.
        since: &'static str,
    },
    /// An opt-in Region excludes it.
    OptInRegion {
        /// The opt-in Region.
        region: String,
        /// Which kind of copy.
        copy: &'static str,
    },
    /// A partition limit (China, GovCloud).
    Partition {
        /// What the limit says.
        rule: &'static str,
    },
    /// RDS Multi-AZ DB clusters copy not at all.
    MultiAzCluster,
    /// The type is unknown to copylab.
    UnknownType,
}

/// Decides whether a copy of `resource_type` from `source_region` to `destination_region`,
/// across accounts or not, is supported on `as_of` (`YYYY-MM-DD`).
pub fn copy_support(
    row: &FeatureRow,
    source_region: &str,
    destination_region: &str,
    cross_account: bool,
    as_of: &str,
) -> Result<(), Unsupported> {
    let cross_region = source_region != destination_region;
    if !row.cross_region && !row.cross_account {
        return Err(Unsupported::NoCopy);
    }
    if let Some(rule) = regions::partition_limit(source_region, destination_region, cross_account) {
        return Err(Unsupported::Partition { rule });
    }
    if cross_region && !row.cross_region {
        return Err(Unsupported::CrossRegion);
    }
    if cross_account && !row.cross_account {
        return Err(Unsupported::CrossAccount);
    }
    for region in [source_region, destination_region] {
        if !regions::is_opt_in(region) {
            continue;
        }
        let check = |opt_in: OptIn| match opt_in {
            OptIn::Supported => true,
            OptIn::NotSupported => false,
            OptIn::Only(list) => list.contains(&region),
        };
        if cross_region && !check(row.opt_in_cross_region) {
            return Err(Unsupported::OptInRegion {
                region: region.to_owned(),
                copy: "cross-Region",
            });
        }
        if cross_account && !check(row.opt_in_cross_account) {
            return Err(Unsupported::OptInRegion {
                region: region.to_owned(),
                copy: "cross-account",
            });
        }
    }
    if cross_region
        && cross_account
        && let SingleAction::Since(since) = row.single_action
        && as_of < since
    {
        return Err(Unsupported::SingleAction { since });
    }
    Ok(())
}

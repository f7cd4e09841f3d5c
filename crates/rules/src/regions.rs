//! Regions and partitions: opt-in Regions, and the copy limits of the China and GovCloud partitions (`aws-backup-facts.md` §3.4).
//!
//! Region codes for the Region names the facts file lists were confirmed against AWS's Region
//! billing-codes page (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html)
//! and the Automated Security Response deployment page.

/// Regions where opt-in is required (facts §3.4, "Opt-in: Required").
pub const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",     // Africa (Cape Town)
    "ap-east-1",      // Asia Pacific (Hong Kong)
    "ap-south-2",     // Asia Pacific (Hyderabad)
    "ap-southeast-3", // Asia Pacific (Jakarta)
    "ap-southeast-5", // Asia Pacific (Malaysia)
    "ap-southeast-4", // Asia Pacific (Melbourne)
    "ap-southeast-6", // Asia Pacific (New Zealand)
    "ap-east-2",      // Asia Pacific (Taipei)
    "ap-southeast-7", // Asia Pacific (Thailand)
    "ca-west-1",      // Canada West (Calgary)
    "eu-south-1",     // Europe (Milan)
    "eu-south-2",     // Europe (Spain)
    "eu-central-2",   // Europe (Zurich)
    "il-central-1",   // Israel (Tel Aviv)
    "mx-central-1",   // Mexico (Central)
    "me-south-1",     // Middle East (Bahrain)
    "me-central-1",   // Middle East (UAE)
];

/// Opt-in Regions where Neptune cross-Region copy is supported (facts §3.4).
pub const NEPTUNE_OPT_IN_CROSS_REGION: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-southeast-3",
    "il-central-1",
    "me-south-1",
    "me-central-1",
];

/// Regions where "Cross-Region and cross-account copy to a logically air-gapped vault is not
/// currently available" (facts §3.4, Region table footnote 1). The footnote names no Region
/// where the vaults themselves do not exist: copylab reads it as limiting copies into a
/// logically air-gapped vault located in one of these Regions.
pub const LAG_COPY_UNAVAILABLE: &[&str] = &[
    "ap-southeast-5", // Asia Pacific (Malaysia)
    "ca-west-1",      // Canada West (Calgary)
    "mx-central-1",   // Mexico (Central)
    "ap-southeast-7", // Asia Pacific (Thailand)
    "ap-east-2",      // Asia Pacific (Taipei)
    "ap-southeast-6", // Asia Pacific (New Zealand)
    "cn-north-1",     // China (Beijing)
    "cn-northwest-1", // China (Ningxia)
    "us-gov-east-1",  // AWS GovCloud (US-East)
    "us-gov-west-1",  // AWS GovCloud (US-West)
];

const CHINA: &[&str] = &["cn-north-1", "cn-northwest-1"];
const GOVCLOUD: &[&str] = &["us-gov-east-1", "us-gov-west-1"];

/// Whether `region` requires opt-in.
pub fn is_opt_in(region: &str) -> bool {
    OPT_IN_REGIONS.contains(&region)
}

/// Region prefixes and their partitions, from the `regionRegex` of each partition in the AWS
/// SDK's partition table (`endpoint_lib.rs` of aws-sdk-sts 1.124.0: `^cn\-\w+\-\d+$` is
/// `aws-cn`, `^us\-isob\-\w+\-\d+$` `aws-iso-b`, ...); the reference names `aws-cn` and
/// `aws-us-gov` (facts §6, "Partitions"). Longer prefixes first.
const PARTITIONS: &[(&str, &str)] = &[
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("eusc-de-", "aws-eusc"),
    ("cn-", "aws-cn"),
];

/// The ARN partition of a Region: the one place every service's ARNs take it from (`aws` for
/// the commercial Regions and for what no partition claims).
pub fn partition(region: &str) -> &'static str {
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

/// The partition rule a copy breaks, if any (facts §3.4 footnotes 2 and 4).
pub fn partition_limit(source: &str, destination: &str, cross_account: bool) -> Option<&'static str> {
    let in_china = |r: &str| CHINA.contains(&r);
    let in_govcloud = |r: &str| GOVCLOUD.contains(&r);
    if (in_china(source) || in_china(destination)) && cross_account {
        return Some("cross-account copy is not supported in the China (Beijing) and China (Ningxia) Regions");
    }
    if source != destination && in_china(source) != in_china(destination) {
        return Some("China (Beijing) and China (Ningxia) copy across Regions only to each other");
    }
    if source != destination && in_govcloud(source) != in_govcloud(destination) {
        return Some("AWS GovCloud (US-East) and AWS GovCloud (US-West) copy across Regions only to each other");
    }
    None
}

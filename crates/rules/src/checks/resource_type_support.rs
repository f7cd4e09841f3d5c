//! `resource-type-support`: the feature matrix under `as_of` says whether this resource type supports this copy in these Regions; the fixes are a two-step copy or DynamoDB advanced features.

use super::{Check, Ctx, lazy};
use crate::engine::MessageRef;
use crate::features::{self, Unsupported};
use crate::remedy::{Patch, Remedy};
use crate::text;
use crate::text::Text;

pub(crate) fn resource_type_support(ctx: &Ctx<'_>) -> Check {
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
    let advanced_now = ctx.prepared.dynamodb_advanced(ctx.source_account, ctx.source_region);
    if row.resource_type == "DynamoDB" && !row.cross_account {
        evidence.push(text!(
            "support.dynamodb-basic-backup",
            "recovery point {arn} is DynamoDB's own backup (a DynamoDB ARN, not an AWS Backup one), made without AWS Backup advanced features for DynamoDB, which apply only to backups made after they are turned on",
            arn = ctx.recovery_point.arn
        ));
        if !advanced_now {
            evidence.push(text!(
                "support.dynamodb",
                "DynamoDB advanced features are off in account {account}, {region}",
                account = ctx.source_account,
                region = ctx.source_region
            ));
        }
    }
    match features::copy_support(row, source_region, destination_region, ctx.cross_account, &ctx.as_of) {
        Ok(()) => lag_region(ctx, evidence, args()),
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
                            two_step_copy(
                                ctx.source_account,
                                &ctx.destination.account,
                                source_region,
                                destination_region,
                            )
                        }),
                    )
                }
                Unsupported::CrossAccount | Unsupported::CrossRegion | Unsupported::NoCopy
                    if row.resource_type == "DynamoDB" =>
                {
                    evidence.push(Text::plain(
                        "support.dynamodb-needs-advanced",
                        "DynamoDB copies need AWS Backup advanced features for DynamoDB",
                    ));
                    (
                        "feature-not-supported",
                        lazy(&ctx.want_remedy, || {
                            back_up_dynamodb_again(
                                ctx.source_account,
                                ctx.source_region,
                                &ctx.recovery_point.arn,
                                advanced_now,
                            )
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

/// "Cross-Region and cross-account copy to a logically air-gapped vault is not currently
/// available in" the Regions of [`crate::regions::LAG_COPY_UNAVAILABLE`] (Region table footnote
/// 1); AWS documents no message, so the copy gets the feature pattern's (`feature-not-supported`).
fn lag_region(ctx: &Ctx<'_>, mut evidence: Vec<Text>, args: Vec<(&'static str, String)>) -> Check {
    let destination_region = ctx.destination.region.as_str();
    let crosses = ctx.cross_account || ctx.source_region != destination_region;
    if !(ctx.destination_lag() && crosses && crate::regions::LAG_COPY_UNAVAILABLE.contains(&destination_region)) {
        return Check::pass(evidence);
    }
    evidence.push(text!(
        "support.lag-region",
        "cross-Region and cross-account copy to a logically air-gapped vault is not available in {region}",
        region = destination_region
    ));
    Check::fail(
        evidence,
        MessageRef::new("feature-not-supported", args),
        lazy(&ctx.want_remedy, || {
            Remedy::alternatives_only(vec![Text::plain(
                "support.alt-lag-region",
                "copy into a logically air-gapped vault of the source account in the source Region, or into a logically air-gapped vault in a Region where cross-Region and cross-account copies to one are available",
            )])
        }),
    )
}

pub(crate) fn describe_unsupported(reason: &Unsupported) -> String {
    match reason {
        Unsupported::NoCopy => {
            "the resource type supports no copy, not even to another vault of the same account and Region".to_owned()
        }
        Unsupported::CrossRegion => "the resource type does not copy across Regions".to_owned(),
        Unsupported::CrossAccount => "the resource type does not copy across accounts".to_owned(),
        Unsupported::SingleAction { since } => format!("one action across Regions and accounts only since {since}"),
        Unsupported::OptInRegion { region, copy } => format!("{copy} copy is not supported in opt-in Region {region}"),
        Unsupported::Partition { rule } => (*rule).to_owned(),
        Unsupported::MultiAzCluster => "RDS Multi-AZ DB clusters copy not at all".to_owned(),
        Unsupported::UnknownType => "unknown resource type".to_owned(),
    }
}

pub(crate) fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

// The remedy.

pub(crate) fn two_step_copy(
    source_account: &str,
    destination_account: &str,
    source_region: &str,
    destination_region: &str,
) -> Remedy {
    Remedy::alternatives_only(vec![
        text!(
            "remedy.two-step",
            "copy in two steps: first across Regions within account {source} ({source_region} to {destination_region}), then across accounts within {destination_region} to account {destination}",
            source = source_account,
            destination = destination_account,
            source_region = source_region,
            destination_region = destination_region
        ),
        Text::plain(
            "remedy.two-step-date",
            "model a date on or after 2025-10-01 (as_of), from when AWS Backup copies these snapshots across Regions and accounts in one action",
        ),
    ])
}

/// The fix for a DynamoDB backup made without advanced features: turn them on (where they are
/// off), back the table up again, and copy the new recovery point, an AWS Backup one.
pub(crate) fn back_up_dynamodb_again(
    account: &str,
    region: &str,
    recovery_point_arn: &str,
    advanced_now: bool,
) -> Remedy {
    let partition = crate::regions::partition(region);
    let id = crate::ids::IdGenerator::for_names(&[recovery_point_arn, "advanced"]).uuid_upper();
    let mut patches = Vec::new();
    if !advanced_now {
        patches.push(Patch::EnableDynamodbAdvancedFeatures {
            account: account.to_owned(),
            region: region.to_owned(),
        });
    }
    patches.push(Patch::BackUpDynamodbTableAgain {
        recovery_point_arn: recovery_point_arn.to_owned(),
        new_recovery_point_arn: format!("arn:{partition}:backup:{region}:{account}:recovery-point:{id}"),
    });
    Remedy {
        summary: if advanced_now {
            text!(
                "remedy.dynamodb-again",
                "back the table up again in account {account}, {region}, where AWS Backup advanced features for DynamoDB are on now, and copy the new recovery point",
                account = account,
                region = region
            )
        } else {
            text!(
                "remedy.dynamodb",
                "turn on AWS Backup advanced features for DynamoDB in account {account}, {region}, then back the table up again and copy the new recovery point",
                account = account,
                region = region
            )
        },
        patches,
        commands: Vec::new(),
        alternatives: Vec::new(),
    }
}

//! The feature matrix row by row and the Region rules of facts §3.4, each as a table of copies and the expected answer.

use copylab_rules::features::{self, FEATURES, SINGLE_ACTION_SINCE, SingleAction, Unsupported};

/// What a copy should give: `Ok` or the kind of reason.
fn answer(
    resource_type: &str,
    advanced: bool,
    from: &str,
    to: &str,
    cross_account: bool,
    as_of: &str,
) -> Result<(), String> {
    let row = features::feature_row(resource_type, advanced).unwrap_or_else(|| panic!("no row for {resource_type}"));
    features::copy_support(row, from, to, cross_account, as_of).map_err(|e| match e {
        Unsupported::NoCopy => "no copy".to_owned(),
        Unsupported::CrossRegion => "cross-region".to_owned(),
        Unsupported::CrossAccount => "cross-account".to_owned(),
        Unsupported::SingleAction { .. } => "single-action".to_owned(),
        Unsupported::OptInRegion { copy, .. } => format!("opt-in {copy}"),
        Unsupported::Partition { .. } => "partition".to_owned(),
        Unsupported::MultiAzCluster => "multi-az".to_owned(),
        Unsupported::UnknownType => "unknown".to_owned(),
    })
}

#[test]
fn every_matrix_row_answers_its_own_columns() {
    for row in FEATURES {
        let advanced = row.variant == Some("with advanced features");
        let t = row.resource_type;
        let cross_account = answer(t, advanced, "us-east-1", "us-east-1", true, "2026-01-01");
        let cross_region = answer(t, advanced, "us-west-2", "us-east-1", false, "2026-01-01");
        assert_eq!(
            cross_account.is_ok(),
            row.cross_account,
            "{t} {:?}: cross-account",
            row.variant
        );
        assert_eq!(
            cross_region.is_ok(),
            row.cross_region,
            "{t} {:?}: cross-Region",
            row.variant
        );
        let both_before = answer(t, advanced, "us-west-2", "us-east-1", true, "2025-06-01");
        let both_after = answer(t, advanced, "us-west-2", "us-east-1", true, "2025-11-15");
        match row.single_action {
            SingleAction::Since(since) => {
                assert_eq!(since, SINGLE_ACTION_SINCE);
                assert_eq!(both_before, Err("single-action".to_owned()), "{t}: before the change");
                assert_eq!(both_after, Ok(()), "{t}: after the change");
            }
            SingleAction::Always => assert_eq!((both_before, both_after), (Ok(()), Ok(())), "{t}"),
            SingleAction::NotApplicable => assert!(both_after.is_err(), "{t}"),
        }
    }
}

#[test]
fn a_type_that_copies_neither_across_accounts_nor_regions_copies_nowhere() {
    // recov-point-create-a-copy: "not supported in any scenario, including same-Region and
    // same-account copies to a different vault".
    for row in FEATURES.iter().filter(|row| !row.cross_account && !row.cross_region) {
        let advanced = row.variant == Some("with advanced features");
        let t = row.resource_type;
        assert_eq!(
            answer(t, advanced, "us-east-1", "us-east-1", false, "2026-01-01"),
            Err("no copy".to_owned()),
            "{t} {:?}",
            row.variant
        );
    }
    // A type that copies somewhere copies within one account and Region.
    assert_eq!(
        answer("DynamoDB", true, "us-east-1", "us-east-1", false, "2026-01-01"),
        Ok(())
    );
    assert_eq!(
        answer("EBS", false, "us-east-1", "us-east-1", false, "2026-01-01"),
        Ok(())
    );
}

#[test]
fn single_action_holds_from_the_modeled_day_on() {
    assert_eq!(
        answer("RDS", false, "us-west-2", "us-east-1", true, "2025-09-30"),
        Err("single-action".to_owned())
    );
    assert_eq!(
        answer("RDS", false, "us-west-2", "us-east-1", true, "2025-10-01"),
        Ok(())
    );
    // One step at a time was always possible.
    assert_eq!(
        answer("RDS", false, "us-west-2", "us-east-1", false, "2024-01-01"),
        Ok(())
    );
    assert_eq!(
        answer("RDS", false, "us-east-1", "us-east-1", true, "2024-01-01"),
        Ok(())
    );
}

/// Facts §3.4, one row per rule: (type, from, to, cross-account, expected).
#[test]
fn region_rules_of_the_feature_availability_page() {
    type Case<'a> = (&'a str, &'a str, &'a str, bool, Result<(), &'a str>);
    let cases: &[Case<'_>] = &[
        // "Cross-account copy is not supported for Amazon DocumentDB in Regions where opt-in is required."
        (
            "DocumentDB",
            "af-south-1",
            "af-south-1",
            true,
            Err("opt-in cross-account"),
        ),
        // "Cross-Region copy is not supported for Amazon DocumentDB in Regions where opt-in is required."
        (
            "DocumentDB",
            "eu-south-1",
            "eu-west-1",
            false,
            Err("opt-in cross-Region"),
        ),
        ("DocumentDB", "eu-west-1", "us-east-1", true, Ok(())),
        // "Cross-Region copy of Neptune backups is currently supported in Africa (Cape Town), Asia Pacific (Hong Kong), ..."
        ("Neptune", "af-south-1", "eu-west-1", false, Ok(())),
        ("Neptune", "ap-east-1", "eu-west-1", false, Ok(())),
        ("Neptune", "eu-south-1", "eu-west-1", false, Err("opt-in cross-Region")),
        // "Cross-Region copy of FSx ... is not supported in Regions where opt-in is required."
        ("FSx", "me-south-1", "eu-west-1", false, Err("opt-in cross-Region")),
        ("FSx", "me-south-1", "me-south-1", true, Ok(())),
        // "Cross-account copy is not supported for CloudFormation, Neptune, and Timestream in Regions where opt-in is required."
        (
            "CloudFormation",
            "il-central-1",
            "il-central-1",
            true,
            Err("opt-in cross-account"),
        ),
        (
            "Neptune",
            "il-central-1",
            "il-central-1",
            true,
            Err("opt-in cross-account"),
        ),
        (
            "Timestream",
            "ap-southeast-3",
            "ap-southeast-3",
            true,
            Err("opt-in cross-account"),
        ),
        ("Timestream", "eu-west-1", "eu-west-1", true, Ok(())),
        // Footnote 2: China (Beijing) and China (Ningxia) copy across Regions only to each other; no cross-account.
        ("EBS", "cn-north-1", "cn-northwest-1", false, Ok(())),
        ("EBS", "cn-north-1", "us-east-1", false, Err("partition")),
        ("EBS", "cn-north-1", "cn-north-1", true, Err("partition")),
        // Footnote 4: AWS GovCloud (US-East) and (US-West) copy across Regions only to each other.
        ("EBS", "us-gov-west-1", "us-gov-east-1", false, Ok(())),
        ("EBS", "us-gov-west-1", "us-east-1", false, Err("partition")),
        ("EBS", "us-east-1", "us-gov-east-1", false, Err("partition")),
    ];
    for (t, from, to, cross_account, expected) in cases {
        let got = answer(t, false, from, to, *cross_account, "2026-01-01");
        assert_eq!(
            got,
            expected.map_err(str::to_owned),
            "{t} {from} -> {to} cross-account={cross_account}"
        );
    }
}

#[test]
fn dynamodb_copies_need_advanced_features() {
    assert_eq!(
        answer("DynamoDB", false, "us-east-1", "us-east-1", true, "2026-01-01"),
        Err("no copy".to_owned())
    );
    assert_eq!(
        answer("DynamoDB", true, "us-east-1", "us-east-1", true, "2026-01-01"),
        Ok(())
    );
    assert!(features::feature_row("DynamoDB", true).unwrap().fully_managed);
    assert!(!features::feature_row("DynamoDB", false).unwrap().fully_managed);
}

#[test]
fn resource_types_are_the_models_list() {
    let mut types: Vec<&str> = features::resource_types().collect();
    types.sort_unstable();
    // botocore ListCopyJobs.ByResourceType documentation (facts §3.3).
    let model = [
        "Aurora",
        "CloudFormation",
        "DocumentDB",
        "DynamoDB",
        "EBS",
        "EC2",
        "EFS",
        "EKS",
        "FSx",
        "Neptune",
        "RDS",
        "Redshift",
        "S3",
        "SAP HANA on Amazon EC2",
        "Storage Gateway",
        "Timestream",
        "VirtualMachine",
    ];
    assert_eq!(types, model);
}

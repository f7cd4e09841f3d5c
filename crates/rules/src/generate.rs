//! World generators: `seed -> World` (and the copy request), varying world fields only (organization, keys, policies, settings, resources, faults, dates), never choosing a check or a message. Property tests build on them, and the training lab will use them for exams.

use std::collections::BTreeMap;

use serde_json::json;

use crate::ids::IdGenerator;
use crate::world::{
    BackupVault, Fault, Key, KeyManager, KeyState, Lifecycle, MemberAccount, Organization, PolicyDocument,
    RecoveryPoint, RegionSettings, Role, StartCopyJob, TagPolicy, VaultLock, VaultType, World,
};

/// The source account of generated worlds.
pub const SOURCE: &str = "111122223333";
/// The destination account of generated worlds.
pub const DESTINATION: &str = "444455556666";
/// The management account of generated worlds.
pub const MANAGEMENT: &str = "123456789012";
/// An account outside the organization.
pub const OUTSIDE: &str = "777788889999";
/// The organization of generated worlds.
pub const ORGANIZATION: &str = "o-a1b2c3d4e5";

/// Resource types that support cross-account copy, which generated worlds copy.
pub const RESOURCE_TYPES: &[&str] = &[
    "EC2",
    "EBS",
    "EFS",
    "RDS",
    "Aurora",
    "DocumentDB",
    "Neptune",
    "DynamoDB",
    "FSx",
    "Storage Gateway",
    "VirtualMachine",
    "S3",
    "Timestream",
    "CloudFormation",
    "SAP HANA on Amazon EC2",
];

/// A generated world, its copy request and the date to model it at.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The world.
    pub world: World,
    /// The copy request.
    pub request: StartCopyJob,
    /// `as_of`.
    pub as_of: String,
    /// Which field variations were applied (for reports; never a check or message name).
    pub variations: Vec<&'static str>,
}

struct Rng(IdGenerator);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.next_u64() % n }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len() as u64) as usize;
        &items[i.min(items.len().saturating_sub(1))]
    }
}

/// The Knowledge Center's key policy, owner plus one other account (in the `aws` partition).
pub fn shared_key_policy(owner: &str, other: &str) -> serde_json::Value {
    crate::remedy::shared_key_policy("aws", owner, other)
}

/// A recovery point ARN in the resource type's format (facts §6), with ids from `ids`.
pub fn recovery_point_arn(resource_type: &str, region: &str, account: &str, ids: &mut IdGenerator) -> String {
    match resource_type {
        // Concatenated, not formatted: a plan run makes one for every backup.
        "EC2" => ["arn:aws:ec2:", region, "::image/ami-", &ids.hex(17)].concat(),
        "EBS" | "Storage Gateway" => ["arn:aws:ec2:", region, "::snapshot/snap-", &ids.hex(17)].concat(),
        "RDS" => [
            "arn:aws:rds:",
            region,
            ":",
            account,
            ":snapshot:awsbackup:job-",
            &ids.uuid(),
        ]
        .concat(),
        "Aurora" | "DocumentDB" | "Neptune" => [
            "arn:aws:rds:",
            region,
            ":",
            account,
            ":cluster-snapshot:awsbackup:job-",
            &ids.uuid(),
        ]
        .concat(),
        "FSx" => ["arn:aws:fsx:", region, ":", account, ":backup/backup-", &ids.hex(17)].concat(),
        _ => [
            "arn:aws:backup:",
            region,
            ":",
            account,
            ":recovery-point:",
            &ids.uuid_upper(),
        ]
        .concat(),
    }
}

fn resource_arn(resource_type: &str, region: &str, account: &str) -> String {
    match resource_type {
        "EC2" => format!("arn:aws:ec2:{region}:{account}:instance/i-0abcdef1234567890"),
        "EBS" => format!("arn:aws:ec2:{region}:{account}:volume/vol-0abcdef1234567890"),
        "EFS" => format!("arn:aws:elasticfilesystem:{region}:{account}:file-system/fs-0abcdef1"),
        "RDS" => format!("arn:aws:rds:{region}:{account}:db:orders"),
        "Aurora" | "DocumentDB" | "Neptune" => format!("arn:aws:rds:{region}:{account}:cluster:orders-cluster"),
        "DynamoDB" => format!("arn:aws:dynamodb:{region}:{account}:table/Orders"),
        "FSx" => format!("arn:aws:fsx:{region}:{account}:file-system/fs-0abcdef1234567890"),
        "Storage Gateway" => {
            format!("arn:aws:storagegateway:{region}:{account}:gateway/sgw-12A3456B/volume/vol-1122AABB")
        }
        "VirtualMachine" => format!("arn:aws:backup-gateway:{region}:{account}:vm/vm-0abcdef1234567890"),
        "S3" => "arn:aws:s3:::orders-bucket".to_owned(),
        "Timestream" => format!("arn:aws:timestream:{region}:{account}:database/orders/table/events"),
        "CloudFormation" => format!("arn:aws:cloudformation:{region}:{account}:stack/orders/1a2b3c4d"),
        _ => format!("arn:aws:ssm-sap:{region}:{account}:HANA/orders/DB/SYSTEMDB"),
    }
}

fn fully_managed(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "EFS" | "DynamoDB" | "VirtualMachine" | "S3" | "Timestream" | "CloudFormation" | "SAP HANA on Amazon EC2"
    )
}

/// A world in which the copy completes: the Knowledge Center setup for `resource_type`.
pub fn baseline(
    resource_type: &str,
    source_region: &str,
    destination_region: &str,
    ids: &mut IdGenerator,
) -> (World, StartCopyJob) {
    let source_key = Key {
        arn: format!("arn:aws:kms:{source_region}:{SOURCE}:key/{}", ids.uuid()),
        manager: KeyManager::Customer,
        alias: None,
        state: KeyState::Enabled,
        policy: Some(PolicyDocument(shared_key_policy(SOURCE, DESTINATION))),
    };
    let destination_key = Key {
        arn: format!("arn:aws:kms:{destination_region}:{DESTINATION}:key/{}", ids.uuid()),
        manager: KeyManager::Customer,
        alias: None,
        state: KeyState::Enabled,
        policy: None,
    };
    let managed = fully_managed(resource_type);
    let rp_arn = recovery_point_arn(resource_type, source_region, SOURCE, ids);
    let world = World {
        organizations: vec![Organization {
            id: ORGANIZATION.to_owned(),
            management_account: MANAGEMENT.to_owned(),
            root_id: "r-a1b2".to_owned(),
            organizational_units: Vec::new(),
            accounts: vec![
                MemberAccount {
                    id: SOURCE.to_owned(),
                    parent: None,
                },
                MemberAccount {
                    id: DESTINATION.to_owned(),
                    parent: None,
                },
            ],
            cross_account_backup_enabled: true,
            tag_policies: Vec::new(),
            backup_policies: Vec::new(),
            service_control_policies: None,
            resource_control_policies: None,
        }],
        keys: vec![source_key.clone(), destination_key.clone()],
        vaults: vec![
            BackupVault {
                name: "SourceVault".to_owned(),
                account: SOURCE.to_owned(),
                region: source_region.to_owned(),
                encryption_key: managed.then(|| source_key.arn.clone()),
                access_policy: None,
                lock: None,
                vault_type: Default::default(),
                tags: Default::default(),
                notifications: None,
            },
            BackupVault {
                name: "DestinationVault".to_owned(),
                account: DESTINATION.to_owned(),
                region: destination_region.to_owned(),
                encryption_key: Some(destination_key.arn.clone()),
                access_policy: Some(PolicyDocument(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{SOURCE}:root")}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}
                ]}))),
                lock: None,
                vault_type: Default::default(),
                tags: Default::default(),
                notifications: None,
            },
        ],
        roles: vec![Role {
            arn: format!("arn:aws:iam::{SOURCE}:role/service-role/AWSBackupDefaultServiceRole"),
            trust_policy: None,
            policies: Vec::new(),
            managed_policies: vec![
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup".to_owned(),
            ],
            permissions_boundary: None,
        }],
        recovery_points: vec![RecoveryPoint {
            arn: rp_arn.clone(),
            vault: "SourceVault".to_owned(),
            account: None,
            resource_type: resource_type.to_owned(),
            resource_arn: resource_arn(resource_type, source_region, SOURCE),
            encryption_key: (!managed).then(|| source_key.arn.clone()),
            tags: BTreeMap::from([("team".to_owned(), "payments".to_owned())]),
            status: Default::default(),
            storage_class: Default::default(),
            continuous: false,
            multi_az_cluster: false,
            marketplace_image: false,
            lifecycle: None,
            resource_name: None,
            backup_size_in_bytes: None,
            parent_recovery_point_arn: None,
            composite_member_identifier: None,
        }],
        region_settings: if resource_type == "DynamoDB" {
            vec![RegionSettings {
                account: SOURCE.to_owned(),
                region: source_region.to_owned(),
                dynamodb_advanced_features: true,
                opted_out: Vec::new(),
            }]
        } else {
            Vec::new()
        },
        faults: Vec::new(),
        credentials: Vec::new(),
        require_credentials: false,
        backup_plans: Vec::new(),
        resources: Vec::new(),
        unknown: Vec::new(),
    };
    let request = StartCopyJob {
        account: SOURCE.to_owned(),
        caller: None,
        region: source_region.to_owned(),
        recovery_point_arn: Some(rp_arn),
        source_backup_vault_name: Some("SourceVault".to_owned()),
        destination_backup_vault_arn: Some(format!(
            "arn:aws:backup:{destination_region}:{DESTINATION}:backup-vault:DestinationVault"
        )),
        iam_role_arn: Some(format!(
            "arn:aws:iam::{SOURCE}:role/service-role/AWSBackupDefaultServiceRole"
        )),
        lifecycle: None,
    };
    (world, request)
}

const FAULTS: &[Fault] = &[
    Fault::InternalError,
    Fault::FatalError,
    Fault::FatalErrorContactSupport,
    Fault::TooManyCopyJobs,
    Fault::RecoveryPointUnavailableForTags,
];

/// A world from `seed`: a baseline, then field variations each drawn with a small probability.
pub fn world(seed: u64) -> Generated {
    let mut rng = Rng(IdGenerator::new(seed));
    let mut ids = IdGenerator::new(seed ^ 0x5EED);
    let resource_type = *rng.pick(RESOURCE_TYPES);
    let source_region = if rng.chance(8) {
        *rng.pick(&["af-south-1", "il-central-1", "eu-south-1"])
    } else {
        "us-west-2"
    };
    let destination_region = if rng.chance(30) { "us-east-1" } else { source_region };
    let (mut world, mut request) = baseline(resource_type, source_region, destination_region, &mut ids);
    let as_of = if rng.chance(30) { "2025-06-01" } else { "2026-01-15" }.to_owned();
    let mut variations = Vec::new();
    let p = 9;
    if rng.chance(p) {
        variations.push("destination account outside the organization");
        world.organizations[0].accounts.retain(|a| a.id != DESTINATION);
    }
    if rng.chance(p) {
        variations.push("cross-account backup setting off");
        world.organizations[0].cross_account_backup_enabled = false;
    }
    if resource_type == "DynamoDB" && rng.chance(40) {
        // A backup made while advanced features were off is DynamoDB's own (facts §6).
        variations.push("DynamoDB advanced features off");
        world.region_settings.clear();
        let arn = format!(
            "arn:aws:dynamodb:{source_region}:{SOURCE}:table/Orders/backup/01547087347000-{}",
            crate::ids::IdGenerator::for_names(&[&world.recovery_points[0].arn]).hex(8)
        );
        world.recovery_points[0].arn = arn.clone();
        request.recovery_point_arn = Some(arn);
    }
    if rng.chance(p) {
        variations.push("recovery point under an AWS managed key");
        let alias = match resource_type {
            "EC2" | "EBS" => "alias/aws/ebs",
            "RDS" | "Aurora" | "DocumentDB" | "Neptune" => "alias/aws/rds",
            "FSx" => "alias/aws/fsx",
            _ => "alias/aws/backup",
        };
        if fully_managed(resource_type) {
            world.vaults[0].encryption_key = Some(alias.to_owned());
        } else {
            world.recovery_points[0].encryption_key = Some(alias.to_owned());
        }
    }
    if rng.chance(p) {
        variations.push("destination vault under aws/backup");
        world.vaults[1].encryption_key = None;
        if rng.chance(3) {
            variations.push("destination vault is the Default vault");
            let old = format!(":backup-vault:{}", world.vaults[1].name);
            world.vaults[1].name = "Default".to_owned();
            if let Some(arn) = request.destination_backup_vault_arn.as_mut() {
                *arn = arn.replace(&old, ":backup-vault:Default");
            }
        }
    }
    if rng.chance(p) {
        variations.push("source key state changed");
        world.keys[0].state = *rng.pick(&[KeyState::Disabled, KeyState::PendingDeletion]);
    }
    if rng.chance(p) {
        variations.push("destination key policy denies AWS Backup");
        let arn = world.keys[1].arn.clone();
        let (partition, account) = ("aws", crate::arn::account(&arn).unwrap_or(DESTINATION).to_owned());
        let policy = world.keys[1]
            .policy
            .get_or_insert_with(|| PolicyDocument(crate::kms::default_key_policy(partition, &account)));
        if let Some(list) = policy.0.get_mut("Statement").and_then(|s| s.as_array_mut()) {
            list.push(json!({"Sid": "Use only through RDS", "Effect": "Deny", "Principal": "*", "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*", "Condition": {"StringNotLike": {"kms:ViaService": "rds.*.amazonaws.com"}}}));
        }
    }
    if rng.chance(p) {
        variations.push("destination key disabled");
        world.keys[1].state = KeyState::Disabled;
    }
    if rng.chance(p * 2) {
        variations.push("a key policy statement removed");
        let index = rng.below(3) as usize;
        if let Some(policy) = world.keys[0].policy.as_mut()
            && let Some(list) = policy.0.get_mut("Statement").and_then(|s| s.as_array_mut())
            && index < list.len()
        {
            list.remove(index);
        }
    }
    if rng.chance(p) {
        let variant = rng.below(4);
        variations.push("destination vault access policy changed");
        world.vaults[1].access_policy = match variant {
            0 => None,
            1 => Some(PolicyDocument(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OUTSIDE}:root")}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}]}))),
            2 => Some(PolicyDocument(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "backup:CopyIntoBackupVault", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORGANIZATION}}}]}))),
            _ => Some(PolicyDocument(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "backup:CopyIntoBackupVault", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}}]}))),
        };
    }
    if rng.chance(p) {
        variations.push("copy role changed");
        match rng.below(4) {
            0 => world.roles[0].managed_policies.clear(),
            3 => world.roles[0].policies.push(crate::world::InlinePolicy {
                name: "CopyOnlyToTheVaultAccount".to_owned(),
                document: PolicyDocument(json!({"Version": "2012-10-17", "Statement": [
                    {"Sid": "DenyCopyFromBackupVault", "Effect": "Deny", "Action": "backup:CopyFromBackupVault", "Resource": "*",
                     "Condition": {"ForAllValues:ArnNotLike": {"backup:CopyTargets": ["arn:aws:backup:*:112233445566:backup-vault:cab-*"]}}}]})),
            }),
            1 => {
                world.roles[0].trust_policy = Some(PolicyDocument(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})))
            }
            _ => request.iam_role_arn = Some(format!("arn:aws:iam::{SOURCE}:role/MissingRole")),
        }
    }
    if rng.chance(p) {
        variations.push("tag policy attached");
        world.organizations[0].tag_policies.push(TagPolicy {
            name: "team-tags".to_owned(),
            targets: vec!["r-a1b2".to_owned()],
            content: json!({"tags": {"team": {"tag_key": {"@@assign": "Team"}, "tag_value": {"@@assign": ["payments", "platform"]}, "enforced_for": {"@@assign": ["ec2:snapshot", "ec2:image", "rds:snapshot", "rds:cluster-snapshot", "fsx:backup"]}}}}),
        });
        let tag = match rng.below(3) {
            0 => ("Team", "payments"),
            1 => ("Team", "marketing"),
            _ => ("team", "payments"),
        };
        world.recovery_points[0].tags = BTreeMap::from([(tag.0.to_owned(), tag.1.to_owned())]);
    }
    if rng.chance(p) {
        variations.push("SCPs or RCPs");
        let org = &mut world.organizations[0];
        let policy = |name: &str, content: serde_json::Value| crate::world::ControlPolicy {
            name: name.to_owned(),
            description: String::new(),
            targets: vec!["r-a1b2".to_owned()],
            content: PolicyDocument(content),
        };
        match rng.below(6) {
            0 => {
                org.service_control_policies = Some(crate::world::ControlPolicies {
                    default_detached_from: Vec::new(),
                    policies: vec![policy(
                        "RestrictCopyTargets",
                        json!({"Version": "2012-10-17", "Statement": [
                        {"Sid": "DenyCopyFromBackupVault", "Effect": "Deny", "Action": "backup:CopyFromBackupVault", "Resource": "*",
                         "Condition": {"ForAllValues:ArnNotLike": {"backup:CopyTargets": ["arn:aws:backup:*:112233445566:backup-vault:cab-*"]}}}]}),
                    )],
                });
            }
            1 | 2 => {
                org.service_control_policies = Some(crate::world::ControlPolicies {
                    default_detached_from: Vec::new(),
                    policies: vec![policy(
                        "CopyOnlyToTaggedVaults",
                        json!({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Deny", "Action": "backup:CopyIntoBackupVault", "Resource": "*",
                         "Condition": {"Null": {"aws:ResourceTag/DestinationBackupVault": "true"}}}]}),
                    )],
                });
                if rng.chance(2) {
                    world.vaults[1]
                        .tags
                        .insert("DestinationBackupVault".to_owned(), "true".to_owned());
                }
            }
            3 => {
                org.service_control_policies = Some(crate::world::ControlPolicies {
                    default_detached_from: Vec::new(),
                    policies: vec![policy(
                        "NoCopies",
                        json!({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Deny", "Action": "backup:StartCopyJob", "Resource": "*"}]}),
                    )],
                });
            }
            4 => {
                // An allow list at the root: what it does not name, nobody below may do.
                let actions = if rng.chance(2) {
                    json!(["ec2:*", "kms:*", "iam:*"])
                } else {
                    json!(["backup:StartCopyJob", "kms:*"])
                };
                org.service_control_policies = Some(crate::world::ControlPolicies {
                    default_detached_from: vec!["r-a1b2".to_owned()],
                    policies: vec![policy(
                        "AllowList",
                        json!({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": actions, "Resource": "*"}]}),
                    )],
                });
            }
            _ => {
                org.resource_control_policies = Some(crate::world::ControlPolicies {
                    default_detached_from: Vec::new(),
                    policies: vec![policy(
                        "OwnPrincipalsOnly",
                        json!({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
                         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": SOURCE}, "Bool": {"aws:PrincipalIsAWSService": "false"}}}]}),
                    )],
                });
            }
        }
    }
    if rng.chance(p) {
        variations.push("destination vault lock");
        world.vaults[1].lock = Some(VaultLock {
            min_retention_days: Some(30),
            max_retention_days: Some(365),
            ..Default::default()
        });
        request.lifecycle = Some(Lifecycle {
            delete_after_days: Some(*rng.pick(&[7, 35, 400])),
            move_to_cold_storage_after_days: None,
        });
    }
    if rng.chance(4) {
        variations.push("source key missing");
        let missing = format!("arn:aws:kms:{source_region}:{SOURCE}:key/{}", ids.uuid());
        if fully_managed(resource_type) {
            world.vaults[0].encryption_key = Some(missing);
        } else {
            world.recovery_points[0].encryption_key = Some(missing);
        }
    }
    if rng.chance(6) {
        variations.push("request changed");
        match rng.below(7) {
            0 => request.iam_role_arn = None,
            5 => {
                request.lifecycle = Some(Lifecycle {
                    delete_after_days: Some(40_000),
                    move_to_cold_storage_after_days: None,
                })
            }
            6 => {
                request.lifecycle = Some(Lifecycle {
                    delete_after_days: Some(60),
                    move_to_cold_storage_after_days: Some(30),
                })
            }
            1 => request.source_backup_vault_name = Some("NoSuchVault".to_owned()),
            2 => {
                request.recovery_point_arn =
                    Some(format!("{}0", request.recovery_point_arn.clone().unwrap_or_default()))
            }
            3 => world.recovery_points[0].storage_class = crate::world::StorageClass::Cold,
            _ => {
                request.destination_backup_vault_arn =
                    Some("arn:aws:backup:us-east-1:444455556666:vault/DestinationVault".to_owned())
            }
        }
    }
    if rng.chance(5) {
        variations.push("fault injected");
        world.faults.push(*rng.pick(FAULTS));
    }
    if resource_type == "RDS" && rng.chance(10) {
        variations.push("RDS Multi-AZ DB cluster");
        world.recovery_points[0].multi_az_cluster = true;
    }
    if resource_type == "EC2" && rng.chance(10) {
        variations.push("AWS Marketplace image");
        world.recovery_points[0].marketplace_image = true;
    }
    // Logically air-gapped vaults (drawn last, so earlier variations keep their draws).
    if rng.chance(10) {
        variations.push("destination vault logically air-gapped");
        world.vaults[1].vault_type = VaultType::LogicallyAirGappedBackupVault;
        if rng.chance(50) {
            variations.push("destination vault in the source account, with an AWS owned key");
            world.vaults[1].account = SOURCE.to_owned();
            world.vaults[1].encryption_key = None;
            if let Some(arn) = request.destination_backup_vault_arn.as_mut() {
                *arn = arn.replace(&format!(":{DESTINATION}:"), &format!(":{SOURCE}:"));
            }
        }
    }
    if !fully_managed(resource_type) && rng.chance(8) {
        variations.push("recovery point unencrypted");
        world.recovery_points[0].encryption_key = None;
    }
    if rng.chance(6) {
        variations.push("source vault logically air-gapped");
        world.vaults[0].vault_type = VaultType::LogicallyAirGappedBackupVault;
        if rng.chance(50) {
            world.vaults[1].encryption_key = None;
        }
    }
    Generated {
        world,
        request,
        as_of,
        variations,
    }
}

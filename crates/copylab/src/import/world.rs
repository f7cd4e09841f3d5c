//! The mapping from collected AWS CLI outputs (aws-plans-policies-events-facts.md §5.1, member names from the pinned models) to a scenario: the world's organization, keys, vaults, role, recovery point and settings, the copy request and the observed job; each fact's file and JSON path in `sources`, each fact that was refused or not collected in `world.unknown` with the command and account that would settle it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::collected::{Call, Collected, Side};

/// The scenario being made.
struct Builder<'c> {
    collected: &'c Collected,
    unknown: Vec<Value>,
    sources: BTreeMap<String, String>,
}

impl<'c> Builder<'c> {
    /// Marks `fact` unknown: the call that was refused (or the command that was not run).
    fn unknown(&mut self, fact: &str, command: String, account: Option<&str>, reason: String) {
        if self
            .unknown
            .iter()
            .any(|u| u["fact"] == fact && u["command"] == command.as_str())
        {
            return;
        }
        self.unknown
            .push(json!({"fact": fact, "command": command, "account": account, "reason": reason}));
    }

    /// Marks `fact` unknown because `command` was not run.
    fn not_collected(&mut self, fact: &str, command: String, account: Option<&str>) {
        self.unknown(fact, command, account, "not collected".to_owned());
    }

    /// Marks `fact` unknown because `call` failed.
    fn refused(&mut self, fact: &str, call: &Call) {
        let account = call.account.clone();
        self.unknown(fact, call.command(), account.as_deref(), call.failure());
    }

    /// The first successful output of `service operation` run by `side`, or the failed call.
    fn output(&self, side: Side, service: &str, operation: &str) -> Result<(&'c Call, &'c Value), Option<&'c Call>> {
        let calls = self.collected.all(side, service, operation);
        match calls.iter().find(|c| c.output.is_some()) {
            Some(call) => match &call.output {
                Some(output) => Ok((call, output)),
                None => Err(Some(call)),
            },
            None => Err(calls.into_iter().next()),
        }
    }

    fn source(&mut self, pointer: &str, call: &Call, path: &str) {
        self.sources.insert(pointer.to_owned(), call.source(path));
    }
}

/// A member the output must have: else the file is not that command's output.
fn member<'v>(call: &Call, output: &'v Value, name: &str) -> Result<&'v Value, String> {
    output.get(name).filter(|v| !v.is_null()).ok_or_else(|| {
        format!(
            "{}: not the output of `aws {}` (no {name})",
            call.file.as_deref().unwrap_or("(no file)"),
            call.words.iter().take(2).cloned().collect::<Vec<_>>().join(" ")
        )
    })
}

fn text(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| !s.is_empty())
}

/// A policy document as the CLI prints it: an object (IAM's, decoded by the CLI), a JSON string
/// (KMS, AWS Backup, Organizations), or a URL-encoded JSON string (IAM's on the wire).
fn document(call: &Call, value: &Value, path: &str) -> Result<Value, String> {
    match value {
        Value::Object(_) => Ok(value.clone()),
        Value::String(s) => serde_json::from_str(s)
            .or_else(|first| {
                copylab_server::wire::model::percent_decode(s)
                    .and_then(|decoded| serde_json::from_str(&decoded).ok())
                    .ok_or(first)
            })
            .map_err(|e| {
                format!(
                    "{}: {path} is not a JSON policy document: {e}",
                    call.file.as_deref().unwrap_or("(no file)")
                )
            }),
        _ => Err(format!(
            "{}: {path} is not a policy document",
            call.file.as_deref().unwrap_or("(no file)")
        )),
    }
}

/// The account of an ARN.
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// The Region of an ARN.
fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// The vault name of a vault ARN.
fn vault_name(arn: &str) -> Option<&str> {
    arn.split_once(":backup-vault:").map(|(_, name)| name)
}

/// The account a profile is, from its `sts get-caller-identity`.
fn account_of(collected: &Collected, side: Side) -> Option<String> {
    collected
        .first(side, "sts", "get-caller-identity")
        .and_then(|c| c.output.as_ref())
        .and_then(|o| text(&o["Account"]))
        .map(str::to_owned)
}

/// The scenario `collected` describes.
pub fn scenario(collected: &Collected) -> Result<Value, String> {
    let mut b = Builder {
        collected,
        unknown: Vec::new(),
        sources: BTreeMap::new(),
    };
    // The copy job, when collected: what AWS did, and what was copied.
    let job = b.output(Side::Source, "backup", "describe-copy-job").ok();
    let job_member = |name: &str| job.and_then(|(_, o)| text(&o["CopyJob"][name])).map(str::to_owned);

    // The source recovery point: without it there is nothing to diagnose.
    let (rp_call, rp) = match b.output(Side::Source, "backup", "describe-recovery-point") {
        Ok(found) => found,
        Err(Some(call)) => {
            return Err(format!(
                "the source recovery point could not be collected (`{}`: {}); a copy cannot be diagnosed without it",
                call.command(),
                call.failure()
            ));
        }
        Err(None) => {
            return Err(
                "no `aws backup describe-recovery-point` in the manifest: give the collect command --recovery-point-arn and --source-vault, or --copy-job-id"
                    .to_owned(),
            );
        }
    };
    let points = collected.all(Side::Source, "backup", "describe-recovery-point");
    let arns: BTreeSet<&str> = points
        .iter()
        .filter_map(|c| c.output.as_ref().and_then(|o| text(&o["RecoveryPointArn"])))
        .collect();
    if arns.len() > 1 {
        let files: Vec<&str> = points.iter().filter_map(|c| c.file.as_deref()).collect();
        return Err(format!(
            "two recovery points ({}): a folder holds one copy's configuration",
            files.join(", ")
        ));
    }
    let rp_arn = text(member(rp_call, rp, "RecoveryPointArn")?)
        .unwrap_or_default()
        .to_owned();
    let source_vault = text(member(rp_call, rp, "BackupVaultName")?)
        .unwrap_or_default()
        .to_owned();
    let source_account = account_of(collected, Side::Source)
        .or_else(|| text(&rp["BackupVaultArn"]).and_then(arn_account).map(str::to_owned))
        .ok_or_else(|| {
            "the source account is unknown: `aws sts get-caller-identity` failed for the source profile".to_owned()
        })?;
    let source_region = text(&rp["BackupVaultArn"])
        .and_then(arn_region)
        .or_else(|| arn_region(&rp_arn))
        .unwrap_or("us-east-1")
        .to_owned();
    let destination_vault_arn = job_member("DestinationBackupVaultArn")
        .or_else(|| {
            collected
                .calls
                .iter()
                .find(|c| c.side == Side::Destination && c.is("backup", "describe-backup-vault"))
                .and_then(|c| c.output.as_ref())
                .and_then(|o| text(&o["BackupVaultArn"]))
                .map(str::to_owned)
        })
        .or_else(|| {
            // The destination vault's name and the destination account give its ARN.
            let call = collected.first(Side::Destination, "backup", "describe-backup-vault")?;
            let name = call.arg("--backup-vault-name")?;
            let account = account_of(collected, Side::Destination)?;
            Some(format!("arn:aws:backup:{source_region}:{account}:backup-vault:{name}"))
        })
        .ok_or_else(|| {
            "the destination vault is unknown: the manifest has no destination `describe-backup-vault`".to_owned()
        })?;
    let destination_account = arn_account(&destination_vault_arn)
        .map(str::to_owned)
        .or_else(|| account_of(collected, Side::Destination))
        .ok_or_else(|| format!("{destination_vault_arn}: not a vault ARN"))?;
    let destination_region = arn_region(&destination_vault_arn).unwrap_or(&source_region).to_owned();
    let role_arn = job_member("IamRoleArn")
        .or_else(|| {
            b.output(Side::Source, "iam", "get-role")
                .ok()
                .and_then(|(_, o)| text(&o["Role"]["Arn"]).map(str::to_owned))
        })
        .or_else(|| {
            let call = collected.first(Side::Source, "iam", "get-role")?;
            Some(format!(
                "arn:aws:iam::{source_account}:role/{}",
                call.arg("--role-name")?
            ))
        })
        .ok_or_else(|| {
            "the copy role is unknown: give the collect command --iam-role-arn (or --copy-job-id)".to_owned()
        })?;

    let mut world = Map::new();
    let mut keys: Vec<Value> = Vec::new();
    let mut vaults: Vec<Value> = Vec::new();

    // The recovery point (source account).
    let tags = b
        .output(Side::Source, "backup", "list-tags")
        .ok()
        .map(|(_, o)| o["Tags"].clone())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    if let Err(Some(call)) = b.output(Side::Source, "backup", "list-tags") {
        // The tags a copy carries decide the tag policy check.
        b.refused("tag-policy", call);
    }
    let status = match text(&rp["Status"]).unwrap_or("COMPLETED") {
        "COMPLETED" | "AVAILABLE" => "COMPLETED",
        "PARTIAL" => "PARTIAL",
        "EXPIRED" => "EXPIRED",
        "DELETING" => "DELETED",
        other => {
            return Err(format!(
                "{}: the recovery point's Status {other} is not one copylab models (COMPLETED, AVAILABLE, PARTIAL, EXPIRED, DELETING)",
                rp_call.file.as_deref().unwrap_or_default()
            ));
        }
    };
    let mut point = json!({
        "arn": rp_arn,
        "vault": source_vault,
        "account": source_account,
        "resource_type": text(member(rp_call, rp, "ResourceType")?),
        "resource_arn": text(&rp["ResourceArn"]).unwrap_or_default(),
        "tags": tags,
        "status": status,
        "storage_class": text(&rp["StorageClass"]).unwrap_or("WARM"),
    });
    let source_key = text(&rp["EncryptionKeyArn"]).map(str::to_owned);
    if let Some(key) = &source_key {
        point["encryption_key"] = json!(key);
    }
    for (from, to) in [
        ("ResourceName", "resource_name"),
        ("BackupSizeInBytes", "backup_size_in_bytes"),
        ("ParentRecoveryPointArn", "parent_recovery_point_arn"),
        ("CompositeMemberIdentifier", "composite_member_identifier"),
    ] {
        if !rp[from].is_null() {
            point[to] = rp[from].clone();
        }
    }
    if let Some(lifecycle) = rp["Lifecycle"].as_object() {
        let days = |k: &str| lifecycle.get(k).and_then(Value::as_i64);
        point["lifecycle"] = json!({"DeleteAfterDays": days("DeleteAfterDays"), "MoveToColdStorageAfterDays": days("MoveToColdStorageAfterDays")});
    }
    // What a recovery point does not show of its source, for the types where it decides a copy.
    let resource_arn = text(&rp["ResourceArn"]).unwrap_or_default();
    let hidden = match text(&rp["ResourceType"]) {
        Some("EC2") => Some((
            format!(
                "aws ec2 describe-images --image-ids {} --query 'Images[0].ProductCodes'",
                rp_arn.rsplit('/').next().unwrap_or_default()
            ),
            "not collected: whether the image is an AWS Marketplace image (its product codes), which cannot be copied to another account",
            true,
        )),
        Some("RDS") if resource_arn.contains(":cluster:") => Some((
            format!("aws rds describe-db-clusters --db-cluster-identifier {resource_arn}"),
            "not collected: whether the cluster is a Multi-AZ DB cluster, whose snapshots AWS Backup does not copy",
            false,
        )),
        _ => None,
    };
    if let Some((command, reason, cross_account_only)) = hidden
        && (!cross_account_only || source_account != destination_account)
    {
        b.unknown("source-resource", command, Some(&source_account), reason.to_owned());
    }
    world.insert("recovery_points".to_owned(), json!([point]));
    b.source("/world/recovery_points/0", rp_call, "$");

    // The source vault (source account): where the recovery point is.
    let source_vault_arn = format!("arn:aws:backup:{source_region}:{source_account}:backup-vault:{source_vault}");
    match b.output(Side::Source, "backup", "describe-backup-vault") {
        Ok((call, output)) => {
            vaults.push(vault(call, output, &source_account, &source_region)?);
            b.source(&format!("/world/vaults/{}", vaults.len() - 1), call, "$");
        }
        // Only its existence matters to the checks: the recovery point's own key is used.
        _ => vaults.push(json!({"name": source_vault, "account": source_account, "region": source_region})),
    }

    // The source key: who manages it, its state and policy.
    if let Some(key_arn) = &source_key {
        key(
            &mut b,
            &mut keys,
            key_arn,
            Side::Source,
            ("source-key", "source-key-policy"),
        )?;
    }

    // The destination vault, its access policy and key (destination account).
    let destination_name = vault_name(&destination_vault_arn).unwrap_or_default().to_owned();
    let mut destination_key = None;
    match b.output(Side::Destination, "backup", "describe-backup-vault") {
        Ok((call, output)) => {
            let mut found = vault(call, output, &destination_account, &destination_region)?;
            destination_key = text(&output["EncryptionKeyArn"]).map(str::to_owned);
            match b.output(Side::Destination, "backup", "get-backup-vault-access-policy") {
                Ok((policy_call, policy)) => {
                    found["access_policy"] = document(policy_call, member(policy_call, policy, "Policy")?, "$.Policy")?;
                    b.source(
                        &format!("/world/vaults/{}/access_policy", vaults.len()),
                        policy_call,
                        "$.Policy",
                    );
                }
                // A vault without an access policy: ResourceNotFoundException is the answer.
                Err(Some(policy_call)) if policy_call.error_code.as_deref() == Some("ResourceNotFoundException") => {}
                Err(Some(policy_call)) => b.refused("destination-vault-policy", policy_call),
                Err(None) => b.not_collected(
                    "destination-vault-policy",
                    format!("aws backup get-backup-vault-access-policy --backup-vault-name {destination_name}"),
                    Some(&destination_account),
                ),
            }
            // Its tags: an SCP may condition `backup:CopyIntoBackupVault` on them.
            let tagged = b
                .collected
                .all(Side::Destination, "backup", "list-tags")
                .into_iter()
                .find(|c| c.arg("--resource-arn") == Some(destination_vault_arn.as_str()));
            match tagged {
                Some(listed) => match &listed.output {
                    Some(output) => {
                        if let Some(tags) = output["Tags"].as_object().filter(|t| !t.is_empty()) {
                            found["tags"] = Value::Object(tags.clone());
                            b.source(&format!("/world/vaults/{}/tags", vaults.len()), listed, "$.Tags");
                        }
                    }
                    None => b.refused("control-policies", listed),
                },
                None => b.unknown(
                    "control-policies",
                    format!("aws backup list-tags --resource-arn {destination_vault_arn}"),
                    Some(&destination_account),
                    "not collected: the destination vault's tags, which an SCP may read".to_owned(),
                ),
            }
            b.source(&format!("/world/vaults/{}", vaults.len()), call, "$");
            vaults.push(found);
        }
        failed => {
            let command = format!("aws backup describe-backup-vault --backup-vault-name {destination_name}");
            match failed {
                // AWS's error as it is: AWS Backup answers AccessDenied for a vault that does not
                // exist too (aws-backup-facts.md §2.4), which diagnose-a-real-account.md says.
                Err(Some(call)) => b.refused("destination-vault", call),
                _ => b.not_collected("destination-vault", command, Some(&destination_account)),
            }
            vaults
                .push(json!({"name": destination_name, "account": destination_account, "region": destination_region}));
        }
    }
    if let Some(key_arn) = &destination_key
        && !keys.iter().any(|k| k["arn"] == key_arn.as_str())
    {
        key(
            &mut b,
            &mut keys,
            key_arn,
            Side::Destination,
            ("destination-key", "destination-key-policy"),
        )?;
    }

    // The copy role (source account).
    let role = role(&mut b, &role_arn, &source_account)?;
    world.insert("roles".to_owned(), json!([role]));

    // The organization, its settings, SCPs, RCPs and the destination's tag policy.
    let organizations = organization(&mut b, &source_account, &destination_account)?;
    world.insert("organizations".to_owned(), Value::Array(organizations));

    // The source Region's settings.
    match b.output(Side::Source, "backup", "describe-region-settings") {
        Ok((call, output)) => {
            let opted_out: Vec<&String> = output["ResourceTypeOptInPreference"]
                .as_object()
                .map(|m| m.iter().filter(|(_, v)| **v == json!(false)).map(|(k, _)| k).collect())
                .unwrap_or_default();
            let advanced = output["ResourceTypeManagementPreference"]["DynamoDB"] == json!(true);
            world.insert(
                "region_settings".to_owned(),
                json!([{"account": source_account, "region": source_region, "dynamodb_advanced_features": advanced, "opted_out": opted_out}]),
            );
            b.source("/world/region_settings/0", call, "$");
        }
        Err(Some(call)) => b.refused("region-settings", call),
        Err(None) => b.not_collected(
            "region-settings",
            "aws backup describe-region-settings".to_owned(),
            Some(&source_account),
        ),
    }

    // Whether the destination vault limits retention (Vault Lock, a logically air-gapped vault).
    let limits = vaults
        .last()
        .is_some_and(|v| !v["lock"].is_null() || v["vault_type"] == "LOGICALLY_AIR_GAPPED_BACKUP_VAULT");
    world.insert("keys".to_owned(), Value::Array(keys));
    world.insert("vaults".to_owned(), Value::Array(vaults));

    let mut copy_job = json!({
        "account": source_account,
        "region": source_region,
        "RecoveryPointArn": rp_arn,
        "SourceBackupVaultName": source_vault,
        "DestinationBackupVaultArn": destination_vault_arn,
        "IamRoleArn": role_arn,
    });
    if let Some((call, output)) = job {
        match output["CopyJob"]["DestinationRecoveryPointLifecycle"].as_object() {
            Some(lifecycle) => {
                let days = |k: &str| lifecycle.get(k).and_then(Value::as_i64);
                copy_job["Lifecycle"] = json!({"DeleteAfterDays": days("DeleteAfterDays"), "MoveToColdStorageAfterDays": days("MoveToColdStorageAfterDays")});
            }
            // A job that made no copy does not show the retention it asked for; it decides
            // only against a vault with retention limits.
            None if limits => {
                b.unknown(
                    "copy-lifecycle",
                    "the Lifecycle the StartCopyJob request (or the backup plan's copy action) gave".to_owned(),
                    Some(&source_account),
                    format!(
                        "{} does not show it: a copy job shows DestinationRecoveryPointLifecycle only once it made the copy",
                        call.file.as_deref().unwrap_or_default()
                    ),
                );
            }
            None => {}
        }
        b.source("/copy_job", call, "$.CopyJob");
    }
    // Every unknown, the copy job's included.
    world.insert("unknown".to_owned(), Value::Array(b.unknown.clone()));
    let mut scenario = json!({
        "description": format!(
            "Imported by copylab import: the copy of {rp_arn} from account {source_account} ({source_vault_arn}) to {destination_vault_arn}, as the collect script saw it."
        ),
        "world": Value::Object(world),
        "copy_job": copy_job,
    });
    if let Some((call, output)) = job {
        let copy = &output["CopyJob"];
        // AWS's behaviour changes over time: the job is judged as of the day it was created
        // (epoch seconds, as the AWS CLI v1 prints them, or an ISO 8601 date, as v2 does).
        let day = match &copy["CreationDate"] {
            Value::Number(n) => n.as_f64().map(|s| copylab_server::clock::iso8601(s)[..10].to_owned()),
            Value::String(s) => s.get(..10).map(str::to_owned),
            _ => None,
        }
        .filter(|d| copylab_server::clock::date_seconds(d).is_some());
        if let Some(day) = day {
            scenario["as_of"] = json!(day);
            b.source("/as_of", call, "$.CopyJob.CreationDate");
        }
        scenario["observed"] = json!({
            "copy_job_id": text(&copy["CopyJobId"]).unwrap_or_default(),
            "state": text(&copy["State"]).unwrap_or_default(),
            "status_message": text(&copy["StatusMessage"]),
        });
        b.source("/observed", call, "$.CopyJob");
    }
    scenario["sources"] = json!(b.sources);
    Ok(scenario)
}

/// A vault from `describe-backup-vault`.
fn vault(call: &Call, output: &Value, account: &str, region: &str) -> Result<Value, String> {
    let name = text(member(call, output, "BackupVaultName")?).unwrap_or_default();
    let arn = text(&output["BackupVaultArn"]).unwrap_or_default();
    let mut vault = json!({
        "name": name,
        "account": arn_account(arn).unwrap_or(account),
        "region": arn_region(arn).unwrap_or(region),
        "vault_type": text(&output["VaultType"]).unwrap_or("BACKUP_VAULT"),
    });
    if let Some(key) = text(&output["EncryptionKeyArn"]) {
        vault["encryption_key"] = json!(key);
    }
    if output["Locked"] == json!(true) || !output["MinRetentionDays"].is_null() || !output["MaxRetentionDays"].is_null()
    {
        let mut lock = json!({
            "min_retention_days": output["MinRetentionDays"].as_i64(),
            "max_retention_days": output["MaxRetentionDays"].as_i64(),
        });
        if let Some(date) = output["LockDate"].as_f64() {
            lock["lock_date"] = json!(copylab_server::clock::iso8601(date));
        } else if let Some(date) = text(&output["LockDate"]) {
            lock["lock_date"] = json!(date);
        }
        vault["lock"] = lock;
    }
    Ok(vault)
}

/// A key from `kms describe-key` and `kms get-key-policy` run by `side`: added to `keys`, or its
/// facts (`facts`: the key's and its policy's) marked unknown.
fn key(b: &mut Builder<'_>, keys: &mut Vec<Value>, arn: &str, side: Side, facts: (&str, &str)) -> Result<(), String> {
    let owner = arn_account(arn).map(str::to_owned);
    let described = b
        .collected
        .all(side, "kms", "describe-key")
        .into_iter()
        .find(|c| c.arg("--key-id") == Some(arn));
    let Some(call) = described else {
        b.unknown(
            facts.0,
            format!("aws kms describe-key --key-id {arn}"),
            owner.as_deref(),
            "not collected".to_owned(),
        );
        return Ok(());
    };
    let Some(output) = &call.output else {
        // KMS answers NotFoundException for a key that does not exist: a fact, not an unknown
        // (the world then has no such key).
        if call.error_code.as_deref() != Some("NotFoundException") {
            b.refused(facts.0, call);
        }
        return Ok(());
    };
    let metadata = member(call, output, "KeyMetadata")?;
    let aws_managed = text(&metadata["KeyManager"]) == Some("AWS");
    if aws_managed && arn.contains(":alias/aws/") {
        // An AWS managed key named by its alias (a vault under `aws/backup`): it exists in every
        // account and Region and its policy is AWS's, as copylab's worlds take an unlisted
        // `alias/aws/...` key.
        return Ok(());
    }
    let state = match text(&metadata["KeyState"]).unwrap_or("Enabled") {
        "Enabled" => "Enabled",
        "PendingDeletion" => "PendingDeletion",
        // Disabled, and the states a key cannot be used in (PendingImport, Unavailable, ...):
        // modeled as disabled.
        _ => "Disabled",
    };
    let mut key = json!({
        "arn": text(&metadata["Arn"]).unwrap_or(arn),
        "manager": if text(&metadata["KeyManager"]) == Some("AWS") { "AWS" } else { "CUSTOMER" },
        "state": state,
    });
    let index = keys.len();
    b.source(&format!("/world/keys/{index}"), call, "$.KeyMetadata");
    // Its alias (which AWS managed key it is: `aws/backup` decides what may be copied into a
    // vault), from `kms list-aliases --key-id`.
    let aliases = b
        .collected
        .all(side, "kms", "list-aliases")
        .into_iter()
        .find(|c| c.arg("--key-id") == Some(arn) && c.output.is_some());
    if let Some(listed) = aliases
        && let Some(alias) = listed
            .output
            .as_ref()
            .and_then(|o| o["Aliases"].as_array())
            .and_then(|a| a.iter().find_map(|x| text(&x["AliasName"])))
    {
        key["alias"] = json!(alias);
        b.source(&format!("/world/keys/{index}/alias"), listed, "$.Aliases[0].AliasName");
    }
    let policy_call = b
        .collected
        .all(side, "kms", "get-key-policy")
        .into_iter()
        .find(|c| c.arg("--key-id") == Some(arn));
    match policy_call {
        Some(policy_call) => match &policy_call.output {
            Some(output) => {
                key["policy"] = document(policy_call, member(policy_call, output, "Policy")?, "$.Policy")?;
                b.source(&format!("/world/keys/{index}/policy"), policy_call, "$.Policy");
            }
            // An AWS managed key's policy is AWS's and cannot be changed: the checks decide on
            // the key being AWS managed, not on its policy.
            None if aws_managed => {}
            None => b.refused(facts.1, policy_call),
        },
        None if aws_managed => {}
        None => b.unknown(
            facts.1,
            format!("aws kms get-key-policy --key-id {arn} --policy-name default"),
            owner.as_deref(),
            "not collected".to_owned(),
        ),
    }
    keys.push(key);
    Ok(())
}

/// The copy role from `iam get-role`, its inline policies and attached policies' default
/// versions; an attached policy copylab does not vendor is kept as an inline policy with its
/// collected document.
fn role(b: &mut Builder<'_>, arn: &str, source_account: &str) -> Result<Value, String> {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    let mut role = json!({"arn": arn});
    let owner = arn_account(arn).unwrap_or(source_account).to_owned();
    match b.output(Side::Source, "iam", "get-role") {
        Ok((call, output)) => {
            let found = member(call, output, "Role")?;
            if !found["AssumeRolePolicyDocument"].is_null() {
                role["trust_policy"] = document(
                    call,
                    &found["AssumeRolePolicyDocument"],
                    "$.Role.AssumeRolePolicyDocument",
                )?;
                b.source("/world/roles/0/trust_policy", call, "$.Role.AssumeRolePolicyDocument");
            }
            if let Some(boundary) = text(&found["PermissionsBoundary"]["PermissionsBoundaryArn"]) {
                if copylab_rules::policies::managed_policy_in(boundary).is_some() {
                    role["permissions_boundary"] = json!(boundary);
                    b.source(
                        "/world/roles/0/permissions_boundary",
                        call,
                        "$.Role.PermissionsBoundary",
                    );
                } else {
                    b.unknown(
                        "copy-role",
                        format!("aws iam get-policy-version --policy-arn {boundary} --version-id DEFAULT_VERSION"),
                        Some(&owner),
                        format!("the role's permissions boundary {boundary} is a policy copylab's world cannot hold as a boundary"),
                    );
                }
            }
        }
        Err(Some(call)) => {
            b.refused("copy-role", call);
            return Ok(json!({"arn": arn}));
        }
        Err(None) => {
            b.not_collected(
                "copy-role",
                format!("aws iam get-role --role-name {name}"),
                Some(&owner),
            );
            return Ok(json!({"arn": arn}));
        }
    }
    // Inline policies.
    let mut inline = Vec::new();
    match b.output(Side::Source, "iam", "list-role-policies") {
        Ok((call, output)) => {
            for policy_name in output["PolicyNames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let got = b
                    .collected
                    .all(Side::Source, "iam", "get-role-policy")
                    .into_iter()
                    .find(|c| c.arg("--policy-name") == Some(policy_name));
                match got {
                    Some(got) if got.output.is_some() => {
                        let output = got.output.as_ref().map_or(&Value::Null, |o| o);
                        let document = document(got, member(got, output, "PolicyDocument")?, "$.PolicyDocument")?;
                        b.source(
                            &format!("/world/roles/0/policies/{}", inline.len()),
                            got,
                            "$.PolicyDocument",
                        );
                        inline.push(json!({"name": policy_name, "document": document}));
                    }
                    Some(got) => b.refused("copy-role", got),
                    None => b.unknown(
                        "copy-role",
                        format!("aws iam get-role-policy --role-name {name} --policy-name {policy_name}"),
                        Some(&owner),
                        format!("not collected (listed by {})", call.file.as_deref().unwrap_or_default()),
                    ),
                }
            }
        }
        Err(Some(call)) => b.refused("copy-role", call),
        Err(None) => b.not_collected(
            "copy-role",
            format!("aws iam list-role-policies --role-name {name}"),
            Some(&owner),
        ),
    }
    // Attached policies: AWS's that copylab vendors by ARN, the others by their collected
    // default version.
    let mut managed = Vec::new();
    match b.output(Side::Source, "iam", "list-attached-role-policies") {
        Ok((_, output)) => {
            for policy_arn in output["AttachedPolicies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["PolicyArn"].as_str())
            {
                if copylab_rules::policies::managed_policy_in(policy_arn).is_some() {
                    managed.push(policy_arn.to_owned());
                    continue;
                }
                let version = b
                    .collected
                    .all(Side::Source, "iam", "get-policy-version")
                    .into_iter()
                    .find(|c| c.arg("--policy-arn") == Some(policy_arn));
                match version {
                    Some(got) if got.output.is_some() => {
                        let output = got.output.as_ref().map_or(&Value::Null, |o| o);
                        let version = member(got, output, "PolicyVersion")?;
                        let document = document(got, &version["Document"], "$.PolicyVersion.Document")?;
                        b.source(
                            &format!("/world/roles/0/policies/{}", inline.len()),
                            got,
                            "$.PolicyVersion.Document",
                        );
                        inline.push(json!({"name": format!("attached {policy_arn}"), "document": document}));
                    }
                    Some(got) => b.refused("copy-role", got),
                    None => b.not_collected(
                        "copy-role",
                        format!("aws iam get-policy-version --policy-arn {policy_arn} --version-id DEFAULT_VERSION"),
                        Some(&owner),
                    ),
                }
            }
        }
        Err(Some(call)) => b.refused("copy-role", call),
        Err(None) => b.not_collected(
            "copy-role",
            format!("aws iam list-attached-role-policies --role-name {name}"),
            Some(&owner),
        ),
    }
    role["policies"] = json!(inline);
    role["managed_policies"] = json!(managed);
    Ok(role)
}

/// The organizations both accounts are in (none when `describe-organization` answers that an
/// account is in none), with the accounts, OUs, cross-account setting, SCPs, RCPs and the
/// destination's effective tag policy as far as they were collected.
fn organization(b: &mut Builder<'_>, source: &str, destination: &str) -> Result<Vec<Value>, String> {
    // Each account's organization: `Some(id)`, `None` when it is in none.
    let mut membership: BTreeMap<&str, Option<(String, String)>> = BTreeMap::new();
    for (side, account) in [(Side::Source, source), (Side::Destination, destination)] {
        match b.output(side, "organizations", "describe-organization") {
            Ok((call, output)) => {
                let org = member(call, output, "Organization")?;
                let id = text(&org["Id"]).unwrap_or_default().to_owned();
                let management = text(&org["MasterAccountId"]).unwrap_or_default().to_owned();
                membership.insert(account, Some((id, management)));
            }
            Err(Some(call)) if call.error_code.as_deref() == Some("AWSOrganizationsNotInUseException") => {
                membership.insert(account, None);
            }
            Err(Some(call)) => b.refused("organization", call),
            Err(None) => b.not_collected(
                "organization",
                "aws organizations describe-organization".to_owned(),
                Some(account),
            ),
        }
    }
    let management_ran = b.collected.ran(Side::Management);
    let mut organizations = Vec::new();
    let ids: BTreeSet<(String, String)> = membership.values().flatten().cloned().collect();
    for (org_id, management) in ids {
        let members: Vec<&str> = membership
            .iter()
            .filter(|(_, m)| m.as_ref().map(|(id, _)| id) == Some(&org_id))
            .map(|(a, _)| *a)
            .collect();
        let index = organizations.len();
        let mut accounts: BTreeSet<String> = members.iter().map(|a| (*a).to_owned()).collect();
        if let Ok((call, output)) = b.output(Side::Management, "organizations", "list-accounts") {
            for account in output["Accounts"].as_array().into_iter().flatten() {
                if let Some(id) = text(&account["Id"]) {
                    accounts.insert(id.to_owned());
                }
            }
            b.source(&format!("/world/organizations/{index}/accounts"), call, "$.Accounts");
        }
        accounts.remove(&management);
        // Where each account is: its parents, walked from the management account.
        let mut parents: BTreeMap<String, (String, String)> = BTreeMap::new();
        for call in b.collected.all(Side::Management, "organizations", "list-parents") {
            if let (Some(child), Some(output)) = (call.arg("--child-id"), &call.output)
                && let Some(parent) = output["Parents"].as_array().and_then(|p| p.first())
            {
                parents.insert(
                    child.to_owned(),
                    (
                        text(&parent["Id"]).unwrap_or_default().to_owned(),
                        text(&parent["Type"]).unwrap_or_default().to_owned(),
                    ),
                );
            }
        }
        let root_id = b
            .output(Side::Management, "organizations", "list-roots")
            .ok()
            .and_then(|(_, o)| text(&o["Roots"][0]["Id"]).map(str::to_owned))
            .or_else(|| parents.values().find(|(_, t)| t == "ROOT").map(|(id, _)| id.clone()))
            .unwrap_or_else(|| "r-a1b2".to_owned());
        let ou_parent = |id: &str| -> Option<String> {
            parents
                .get(id)
                .filter(|(_, t)| t == "ORGANIZATIONAL_UNIT")
                .map(|(p, _)| p.clone())
        };
        let units: BTreeSet<String> = parents
            .values()
            .filter(|(_, t)| t == "ORGANIZATIONAL_UNIT")
            .map(|(id, _)| id.clone())
            .collect();
        let organizational_units: Vec<Value> = units
            .iter()
            .map(|id| json!({"id": id, "name": id, "parent": ou_parent(id)}))
            .collect();
        let accounts: Vec<Value> = accounts
            .iter()
            .map(|id| json!({"id": id, "parent": ou_parent(id)}))
            .collect();
        // OU paths matter only to a policy that reads them.
        if !management_ran && policies_mention(b, "OrgPaths") {
            b.unknown(
                "organization",
                format!("aws organizations list-parents --child-id {source} (and {destination})"),
                Some(&management),
                "not run: a policy reads an organization path (aws:PrincipalOrgPaths or aws:ResourceOrgPaths), which only the management account can list (give --management-profile)".to_owned(),
            );
        }
        let mut org = json!({
            "id": org_id,
            "management_account": management,
            "root_id": root_id,
            "organizational_units": organizational_units,
            "accounts": accounts,
        });
        // AWS Backup's cross-account setting: the management account's, else a member's.
        let settings = [Side::Management, Side::Source, Side::Destination]
            .into_iter()
            .find_map(|side| b.output(side, "backup", "describe-global-settings").ok());
        match settings {
            Some((call, output)) => {
                org["cross_account_backup_enabled"] =
                    json!(output["GlobalSettings"]["isCrossAccountBackupEnabled"].as_str() == Some("true"));
                b.source(
                    &format!("/world/organizations/{index}/cross_account_backup_enabled"),
                    call,
                    "$.GlobalSettings.isCrossAccountBackupEnabled",
                );
            }
            None => {
                let failed = [Side::Management, Side::Source, Side::Destination]
                    .into_iter()
                    .find_map(|side| b.collected.first(side, "backup", "describe-global-settings"));
                match failed {
                    Some(call) => b.refused("global-settings", call),
                    None => b.not_collected(
                        "global-settings",
                        "aws backup describe-global-settings".to_owned(),
                        Some(&management),
                    ),
                }
            }
        }
        // The destination's effective tag policy, as an assigned policy on the account.
        if members.contains(&destination) {
            match b.output(Side::Destination, "organizations", "describe-effective-policy") {
                Ok((call, output)) => {
                    let content = member(call, output, "EffectivePolicy")?;
                    let policy = document(call, &content["PolicyContent"], "$.EffectivePolicy.PolicyContent")?;
                    org["tag_policies"] = json!([{
                        "name": format!("effective tag policy of {destination}"),
                        "targets": [destination],
                        "content": assigned(&policy),
                    }]);
                    b.source(
                        &format!("/world/organizations/{index}/tag_policies/0"),
                        call,
                        "$.EffectivePolicy.PolicyContent",
                    );
                }
                // No tag policy applies to the account.
                Err(Some(call)) if call.error_code.as_deref() == Some("EffectivePolicyNotFoundException") => {}
                Err(Some(call)) => b.refused("tag-policy", call),
                Err(None) => b.not_collected(
                    "tag-policy",
                    "aws organizations describe-effective-policy --policy-type TAG_POLICY".to_owned(),
                    Some(destination),
                ),
            }
        }
        // SCPs and RCPs: only the management account lists them.
        if management_ran {
            control_policies(b, &mut org, index)?;
        } else {
            b.unknown(
                "control-policies",
                format!(
                    "aws organizations list-policies-for-target --target-id {source} --filter SERVICE_CONTROL_POLICY (and RESOURCE_CONTROL_POLICY, for {destination} too and both accounts' parents)"
                ),
                Some(&management),
                "not run: only the management account lists SCPs and RCPs (give --management-profile)".to_owned(),
            );
        }
        organizations.push(org);
    }
    Ok(organizations)
}

/// Whether a collected policy document mentions `needle` (a condition key).
fn policies_mention(b: &Builder<'_>, needle: &str) -> bool {
    b.collected
        .calls
        .iter()
        .filter_map(|c| c.output.as_ref())
        .any(|o| o.to_string().contains(needle))
}

/// An effective tag policy (values without operators) as a policy that assigns them.
fn assigned(effective: &Value) -> Value {
    let mut policy = effective.clone();
    if let Some(tags) = policy.get_mut("tags").and_then(Value::as_object_mut) {
        for setting in tags.values_mut().filter_map(Value::as_object_mut) {
            for value in setting.values_mut() {
                let operator = value.as_object().is_some_and(|m| m.keys().any(|k| k.starts_with("@@")));
                if !operator {
                    *value = json!({"@@assign": value.clone()});
                }
            }
        }
    }
    policy
}

/// The SCPs and RCPs on the walked targets (the accounts and their parents), from
/// `list-roots`, `list-policies-for-target` and `describe-policy`.
fn control_policies(b: &mut Builder<'_>, org: &mut Value, index: usize) -> Result<(), String> {
    let roots: Option<Value> = b
        .output(Side::Management, "organizations", "list-roots")
        .ok()
        .map(|(_, o)| o.clone());
    let enabled = |kind: &str| -> Option<bool> {
        roots.as_ref().map(|o| {
            o["Roots"][0]["PolicyTypes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| t["Type"] == kind && t["Status"] == "ENABLED")
        })
    };
    for (kind, member_name, full) in [
        ("SERVICE_CONTROL_POLICY", "service_control_policies", "FullAWSAccess"),
        (
            "RESOURCE_CONTROL_POLICY",
            "resource_control_policies",
            "RCPFullAWSAccess",
        ),
    ] {
        match enabled(kind) {
            Some(false) => continue,
            Some(true) => {}
            None => {
                match b.collected.first(Side::Management, "organizations", "list-roots") {
                    Some(call) => b.refused("control-policies", call),
                    None => b.not_collected("control-policies", "aws organizations list-roots".to_owned(), None),
                }
                continue;
            }
        }
        let mut detached = Vec::new();
        let mut policies: BTreeMap<String, (Value, Vec<String>)> = BTreeMap::new();
        for call in b
            .collected
            .all(Side::Management, "organizations", "list-policies-for-target")
        {
            if call.arg("--filter") != Some(kind) {
                continue;
            }
            let Some(target) = call.arg("--target-id") else {
                continue;
            };
            let Some(output) = &call.output else {
                b.refused("control-policies", call);
                continue;
            };
            let listed = output["Policies"].as_array().cloned().unwrap_or_default();
            if !listed
                .iter()
                .any(|p| p["Name"] == full && p["AwsManaged"] == json!(true))
            {
                detached.push(target.to_owned());
            }
            for policy in listed
                .iter()
                .filter(|p| !(p["Name"] == full && p["AwsManaged"] == json!(true)))
            {
                let Some(id) = text(&policy["Id"]) else { continue };
                let described = b
                    .collected
                    .all(Side::Management, "organizations", "describe-policy")
                    .into_iter()
                    .find(|c| c.arg("--policy-id") == Some(id));
                match described {
                    Some(got) if got.output.is_some() => {
                        let output = got.output.as_ref().map_or(&Value::Null, |o| o);
                        let policy = member(got, output, "Policy")?;
                        let content = document(got, &policy["Content"], "$.Policy.Content")?;
                        let summary = &policy["PolicySummary"];
                        let entry = policies.entry(id.to_owned()).or_insert_with(|| {
                            (
                                json!({
                                    "name": text(&summary["Name"]).unwrap_or(id),
                                    "description": text(&summary["Description"]).unwrap_or_default(),
                                    "content": content,
                                }),
                                Vec::new(),
                            )
                        });
                        entry.1.push(target.to_owned());
                    }
                    Some(got) => b.refused("control-policies", got),
                    None => b.not_collected(
                        "control-policies",
                        format!("aws organizations describe-policy --policy-id {id}"),
                        None,
                    ),
                }
            }
        }
        let policies: Vec<Value> = policies
            .into_values()
            .map(|(mut policy, targets)| {
                policy["targets"] = json!(targets);
                policy
            })
            .collect();
        org[member_name] = json!({"default_detached_from": detached, "policies": policies});
        if let Some(call) = b.collected.first(Side::Management, "organizations", "list-roots") {
            b.source(
                &format!("/world/organizations/{index}/{member_name}"),
                call,
                "$.Roots[0].PolicyTypes",
            );
        }
    }
    Ok(())
}

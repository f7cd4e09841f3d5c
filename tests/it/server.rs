//! `copylab serve` in-process over HTTP (restJson1 requests into the axum router): every model operation is routed, errors have AWS's shape, every scenario replayed through the server ends as `copylab explain` says, `polls:N` progression, and malformed requests never break the server; random KMS, Organizations and STS requests answered in their protocols' error shapes; a fuzzer over whole request sequences; and tables of every AWS Backup, IAM and STS operation on another account's or Region's resource, every mutating Organizations operation from a member and every KMS operation on another account's key.

use crate::support::default_world;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use copylab_rules::world::{CopyJobState, Wording};
use copylab_server::state::{Progression, ServerState};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tower::ServiceExt;

/// An in-process server over `world`.
fn server(world: copylab_rules::World, progression: Progression) -> axum::Router {
    copylab_server::app(Arc::new(Mutex::new(ServerState::new(
        world,
        7,
        None,
        Wording::Current,
        progression,
    ))))
}

fn authorization(account: &str, region: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={account}/20260807/{region}/backup/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
    )
}

/// Sends one request; returns status, the `x-amzn-errortype` header and the JSON body.
async fn send(
    app: &axum::Router,
    method: &str,
    path: &str,
    account: Option<(&str, &str)>,
    body: &str,
) -> (StatusCode, Option<String>, Value) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some((account, region)) = account {
        builder = builder.header("authorization", authorization(account, region));
    }
    let response = app
        .clone()
        .oneshot(builder.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let error_type = response
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(
        response.headers().contains_key("x-amzn-requestid"),
        "{method} {path}: no request id"
    );
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)}))
    };
    (status, error_type, json)
}

const SOURCE: (&str, &str) = ("111122223333", "us-east-1");

/// `GET /_copylab/state`, without the id stream's count ([`crate::support::kept`]).
async fn get_state(app: &axum::Router) -> (StatusCode, Option<String>, Value) {
    let (status, kind, state) = send(app, "GET", "/_copylab/state", None, "").await;
    (status, kind, crate::support::kept(state))
}

fn start_copy(rp: &str, destination: &str) -> String {
    json!({
        "RecoveryPointArn": rp,
        "SourceBackupVaultName": "SourceVault",
        "DestinationBackupVaultArn": destination,
        "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"
    })
    .to_string()
}

#[tokio::test]
async fn every_model_operation_is_routed_and_answers_in_aws_error_shape_or_implemented() {
    let app = server(default_world(), Progression::Instant);
    for op in copylab_server::services::backup::OPERATIONS {
        let path = op.path.replace(['{', '}'], "").replace('+', "");
        let (status, error_type, body) = send(&app, op.method, &path, Some(SOURCE), "").await;
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{}: {body}", op.name);
        if !(copylab_server::services::backup::SERVICE.implements)(op.name) {
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{}", op.name);
            assert_eq!(error_type.as_deref(), Some("NotImplementedException"), "{}", op.name);
            assert!(
                body["Message"].as_str().unwrap().contains(op.name),
                "{}: {body}",
                op.name
            );
        } else if status != StatusCode::OK {
            assert!(
                error_type.is_some() && body["Message"].is_string(),
                "{}: {status} {body}",
                op.name
            );
        }
    }
}

#[tokio::test]
async fn copy_jobs_complete_and_fail_with_the_engines_messages() {
    let app = server(default_world(), Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let cases = [
        (
            "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453",
            "COMPLETED",
            None,
        ),
        (
            "arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718",
            "FAILED",
            Some("Encrypted snapshots with Amazon EBS default key cannot be shared"),
        ),
    ];
    for (rp, state, message) in cases {
        let (status, _, started) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
        assert_eq!(status, StatusCode::OK, "{started}");
        let id = started["CopyJobId"].as_str().unwrap();
        let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
        assert_eq!(described["CopyJob"]["State"], state, "{described}");
        assert_eq!(described["CopyJob"]["StatusMessage"].as_str(), message, "{described}");
    }
    // The completed copy's recovery point is in the destination vault, seen from the destination account.
    let (status, _, listed) = send(
        &app,
        "GET",
        "/backup-vaults/DestinationVault/recovery-points/",
        Some(("444455556666", "us-east-1")),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["RecoveryPoints"].as_array().unwrap().len(), 1, "{listed}");
    // Another account does not see the source account's jobs.
    let (_, _, others) = send(&app, "GET", "/copy-jobs/", Some(("444455556666", "us-east-1")), "").await;
    assert_eq!(others["CopyJobs"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn polls_progression_shows_created_running_then_the_end_state() {
    let app = server(default_world(), Progression::Polls(3));
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let (_, _, started) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
    let id = started["CopyJobId"].as_str().unwrap().to_owned();
    let mut states = Vec::new();
    for _ in 0..5 {
        let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
        states.push(described["CopyJob"]["State"].as_str().unwrap().to_owned());
    }
    assert_eq!(states, ["CREATED", "RUNNING", "RUNNING", "COMPLETED", "COMPLETED"]);
}

#[tokio::test]
async fn every_scenario_replayed_through_the_server_ends_as_explain_says() {
    let mut failures = Vec::new();
    for path in crate::scenarios::scenario_files() {
        let loaded = copylab::scenario::load_file(&path).unwrap();
        let verdict = copylab::explain_cmd::run_scenario(&loaded).unwrap();
        let scenario = loaded.scenario;
        let app = copylab_server::app(Arc::new(Mutex::new(ServerState::new(
            scenario.world.clone(),
            scenario.seed,
            scenario.as_of.clone(),
            scenario.wording,
            Progression::Instant,
        ))));
        let request = &scenario.copy_job;
        let body = request.input();
        let caller = (request.account.as_str(), request.region.as_str());
        let (status, error_type, started) = send(
            &app,
            "PUT",
            "/copy-jobs",
            Some(caller),
            &Value::Object(body).to_string(),
        )
        .await;
        match &verdict.outcome {
            copylab_rules::Outcome::ApiError {
                error_code, message, ..
            } => {
                // A missing required member is caught by the model check before the engine.
                let expected_code = *error_code;
                if error_type.as_deref() != Some(expected_code) {
                    failures.push(format!(
                        "{}: expected {expected_code}, got {status} {error_type:?} {started}",
                        loaded.name
                    ));
                } else if expected_code != "MissingParameterValueException" && started["Message"] != json!(message) {
                    failures.push(format!(
                        "{}: message {} (expected {message:?})",
                        loaded.name, started["Message"]
                    ));
                }
            }
            copylab_rules::Outcome::CopyJob {
                state,
                status_message,
                message_category,
                ..
            } => {
                let Some(id) = started["CopyJobId"].as_str() else {
                    failures.push(format!("{}: StartCopyJob answered {status} {started}", loaded.name));
                    continue;
                };
                let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(caller), "").await;
                let job = &described["CopyJob"];
                let expected_state = if *state == CopyJobState::Completed {
                    "COMPLETED"
                } else {
                    "FAILED"
                };
                if job["State"] != expected_state
                    || job["StatusMessage"].as_str() != status_message.as_deref()
                    || job["MessageCategory"] != *message_category
                {
                    failures.push(format!("{}: server {job} differs from explain", loaded.name));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn malformed_requests_get_aws_shaped_4xx_and_leave_the_state_unchanged() {
    let app = server(default_world(), Progression::Instant);
    let (_, _, before) = get_state(&app).await;
    let huge = "x".repeat(copylab_server::MAX_BODY_BYTES + 10);
    /// (method, path, caller, body, expected error type)
    type Case<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>, String, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("PUT", "/copy-jobs", Some(SOURCE), "{not json".into(), "SerializationException"),
        ("PUT", "/copy-jobs", Some(SOURCE), "[1, 2]".into(), "SerializationException"),
        ("PUT", "/copy-jobs", Some(SOURCE), json!({"RecoveryPointArn": 7, "SourceBackupVaultName": "SourceVault", "DestinationBackupVaultArn": "a", "IamRoleArn": "b"}).to_string(), "InvalidRequestException"),
        ("PUT", "/copy-jobs", Some(SOURCE), json!({"SourceBackupVaultName": "SourceVault"}).to_string(), "MissingParameterValueException"),
        ("PUT", "/copy-jobs", Some(SOURCE), json!({"Colour": "red"}).to_string(), "SerializationException"),
        ("PUT", "/copy-jobs", Some(SOURCE), huge, "SerializationException"),
        ("PUT", "/copy-jobs", None, "{}".into(), "MissingAuthenticationToken"),
        ("GET", "/copy-jobs/", Some(("not-an-account", "us-east-1")), String::new(), "UnrecognizedClientException"),
        ("GET", "/copy-jobs/?maxResults=0", Some(SOURCE), String::new(), "InvalidParameterValueException"),
        ("GET", "/copy-jobs/?maxResults=many", Some(SOURCE), String::new(), "InvalidRequestException"),
        ("GET", "/copy-jobs/?nextToken=forged", Some(SOURCE), String::new(), "InvalidParameterValueException"),
        ("GET", "/copy-jobs/?state=DONE", Some(SOURCE), String::new(), "InvalidParameterValueException"),
        ("GET", "/backup-vaults/%ZZ", Some(SOURCE), String::new(), "UnknownOperationException"),
        ("GET", "/backup-vaults/..%2F..%2Fetc", Some(SOURCE), String::new(), "AccessDeniedException"),
        ("GET", "/copy-jobs/does-not-exist", Some(SOURCE), String::new(), "ResourceNotFoundException"),
        ("PUT", "/backup-vaults/SourceVault/access-policy", Some(SOURCE), json!({"Policy": "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"backup:*\", \"Resource\": \"*\"}}"}).to_string(), "InvalidParameterValueException"),
        ("DELETE", "/backup-vaults/SourceVault", Some(SOURCE), String::new(), "InvalidRequestException"),
        ("PUT", "/global-settings", Some(SOURCE), json!({"GlobalSettings": {"isCrossAccountBackupEnabled": "true"}}).to_string(), "InvalidRequestException"),
        // CreateLogicallyAirGappedBackupVault: both retention members are required.
        ("PUT", "/logically-air-gapped-backup-vaults/AirGapped", Some(SOURCE), json!({"MinRetentionDays": 7}).to_string(), "MissingParameterValueException"),
        ("PUT", "/logically-air-gapped-backup-vaults/AirGapped", Some(SOURCE), json!({"MaxRetentionDays": 35}).to_string(), "MissingParameterValueException"),
        ("PUT", "/logically-air-gapped-backup-vaults/AirGapped", Some(SOURCE), json!({"MinRetentionDays": "seven", "MaxRetentionDays": 35}).to_string(), "InvalidRequestException"),
        ("PUT", "/logically-air-gapped-backup-vaults/AirGapped", Some(SOURCE), json!({"MinRetentionDays": 3, "MaxRetentionDays": 35}).to_string(), "InvalidParameterValueException"),
        // StartCopyJob runs without the guard's snapshot: what the rules engine refuses must
        // change nothing on its own.
        ("PUT", "/copy-jobs", Some(SOURCE), start_copy("arn:aws:ec2:us-east-1::image/ami-0000000000000000f", "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault"), "ResourceNotFoundException"),
    ];
    for (method, path, caller, body, expected) in cases {
        let (status, error_type, answer) = send(&app, method, path, caller, &body).await;
        assert!(
            status.is_client_error() || status == StatusCode::NOT_IMPLEMENTED,
            "{method} {path}: {status} {answer}"
        );
        assert_eq!(error_type.as_deref(), Some(expected), "{method} {path}: {answer}");
        assert!(answer["Message"].is_string(), "{method} {path}: {answer}");
    }
    let (_, _, after) = get_state(&app).await;
    assert_eq!(before, after, "a rejected request changed the state");
}

#[tokio::test]
async fn list_copy_jobs_pages_return_every_job_once() {
    let app = server(default_world(), Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let mut ids = std::collections::BTreeSet::new();
    for _ in 0..25 {
        let (_, _, started) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
        ids.insert(started["CopyJobId"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 25, "copy job ids are distinct");
    for page_size in [1, 7, 1000] {
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("/copy-jobs?maxResults={page_size}");
            if let Some(t) = &token {
                path.push_str(&format!("&nextToken={t}"));
            }
            let (status, _, page) = send(&app, "GET", &path, Some(SOURCE), "").await;
            assert_eq!(status, StatusCode::OK, "{page}");
            seen.extend(
                page["CopyJobs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|j| j["CopyJobId"].as_str().unwrap().to_owned()),
            );
            match page["NextToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        let unique: std::collections::BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!((seen.len(), unique), (25, ids.clone()), "page size {page_size}");
    }
}

#[tokio::test]
async fn copy_job_records_are_removed_30_days_after_they_finish() {
    let app = server(default_world(), Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let (_, _, started) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
    let id = started["CopyJobId"].as_str().unwrap().to_owned();
    let listed = |page: &Value| {
        page["CopyJobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["CopyJobId"] == id.as_str())
    };
    // 29 days on, the record is still there.
    send(&app, "POST", "/_copylab/clock/advance?seconds=2505600", None, "").await;
    let (_, _, page) = send(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    assert!(listed(&page), "{page}");
    // 31 days on, ListCopyJobs no longer shows it and DescribeCopyJob does not find it.
    send(&app, "POST", "/_copylab/clock/advance?seconds=172800", None, "").await;
    let (_, _, page) = send(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    assert!(!listed(&page), "{page}");
    let (status, error_type, _) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
    assert_eq!(
        (status, error_type.as_deref()),
        (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException"))
    );
}

/// A backup of a declared resource keeps the resource's key when AWS Backup does not fully
/// manage its type (the encryption page), so its cross-account copy is decided by that key: an
/// EBS volume under `aws/ebs` fails as AWS fails it, one under a key the destination may use
/// completes. A DynamoDB table backed up without advanced features gets DynamoDB's own ARN. No
/// answer carries a `null` member.
#[tokio::test]
async fn a_declared_resources_key_travels_with_its_backup_and_decides_its_copy() {
    let app = server(default_world(), Progression::Instant);
    let role = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole";
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let cases = [
        (
            "vol-0aaaaaaaaaaaaaaa1",
            "alias/aws/ebs",
            "FAILED",
            Some("Encrypted snapshots with Amazon EBS default key cannot be shared"),
        ),
        (
            "vol-0aaaaaaaaaaaaaaa2",
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "COMPLETED",
            None,
        ),
    ];
    for (volume, key, state, message) in cases {
        let volume_arn = format!("arn:aws:ec2:us-east-1:111122223333:volume/{volume}");
        let declared = json!({"arn": volume_arn, "resource_type": "EBS", "encryption_key_arn": key}).to_string();
        let (status, _, answer) = send(&app, "POST", "/_copylab/resources", None, &declared).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let backup =
            json!({"BackupVaultName": "SourceVault", "ResourceArn": volume_arn, "IamRoleArn": role}).to_string();
        let (status, _, job) = send(&app, "PUT", "/backup-jobs", Some(SOURCE), &backup).await;
        assert!(status.is_success(), "{job}");
        let rp = job["RecoveryPointArn"].as_str().unwrap().to_owned();
        let path = format!(
            "/backup-vaults/SourceVault/recovery-points/{}",
            rp.replace(':', "%3A").replace('/', "%2F")
        );
        let (_, _, point) = send(&app, "GET", &path, Some(SOURCE), "").await;
        assert_eq!(point["IsEncrypted"], true, "{point}");
        // A member without a value is left out, as AWS leaves it out (`Lifecycle` here).
        assert!(point.as_object().unwrap().values().all(|v| !v.is_null()), "{point}");
        assert!(point.get("Lifecycle").is_none(), "{point}");
        assert!(
            point["EncryptionKeyArn"]
                .as_str()
                .unwrap()
                .ends_with(key.trim_start_matches("arn:aws:kms:us-east-1:111122223333:")),
            "{point}"
        );
        let (_, _, copy) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(&rp, destination)).await;
        let id = copy["CopyJobId"].as_str().unwrap();
        let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
        assert_eq!(described["CopyJob"]["State"], state, "{volume}: {described}");
        assert_eq!(
            described["CopyJob"]["DestinationVaultType"], "BACKUP_VAULT",
            "{described}"
        );
        assert!(
            described["CopyJob"].get("DestinationVaultLockState").is_none(),
            "{described}"
        );
        assert_eq!(
            described["CopyJob"]["StatusMessage"].as_str(),
            message,
            "{volume}: {described}"
        );
    }
    let table = json!({"BackupVaultName": "SourceVault", "ResourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "IamRoleArn": role}).to_string();
    let (_, _, job) = send(&app, "PUT", "/backup-jobs", Some(SOURCE), &table).await;
    let rp = job["RecoveryPointArn"].as_str().unwrap();
    let id = rp
        .strip_prefix("arn:aws:dynamodb:us-east-1:111122223333:table/Orders/backup/")
        .unwrap_or_else(|| panic!("{rp}"));
    let (millis, suffix) = id.split_once('-').unwrap();
    assert_eq!((millis.len(), suffix.len()), (14, 8), "{rp}");
    assert!(
        millis.bytes().all(|b| b.is_ascii_digit()) && suffix.bytes().all(|b| b.is_ascii_hexdigit()),
        "{rp}"
    );
}

/// DynamoDB advanced features apply "for all new DynamoDB table backups you create": a table
/// backed up while they are off keeps DynamoDB's own backup, which still copies nowhere after the
/// setting is turned on; a backup made after it is an AWS Backup recovery point that copies.
#[tokio::test]
async fn a_dynamodb_backup_made_before_advanced_features_stays_basic_and_a_new_one_copies() {
    let app = server(default_world(), Progression::Instant);
    let role = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole";
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let table = json!({"BackupVaultName": "SourceVault", "ResourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "IamRoleArn": role}).to_string();
    let copy = |rp: String| {
        let app = app.clone();
        async move {
            let (_, _, copy) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(&rp, destination)).await;
            let id = copy["CopyJobId"]
                .as_str()
                .unwrap_or_else(|| panic!("{copy}"))
                .to_owned();
            let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
            described["CopyJob"]["State"].as_str().unwrap().to_owned()
        }
    };
    let (_, _, job) = send(&app, "PUT", "/backup-jobs", Some(SOURCE), &table).await;
    let before = job["RecoveryPointArn"].as_str().unwrap().to_owned();
    assert!(before.starts_with("arn:aws:dynamodb:"), "{before}");
    assert_eq!(copy(before.clone()).await, "FAILED");
    // Advanced features on (UpdateRegionSettings).
    let on = json!({"ResourceTypeManagementPreference": {"DynamoDB": true}}).to_string();
    let (status, _, answer) = send(&app, "PUT", "/account-settings", Some(SOURCE), &on).await;
    assert!(status.is_success(), "{answer}");
    // The old backup is still DynamoDB's own: it still does not copy.
    assert_eq!(copy(before).await, "FAILED");
    // A new backup is AWS Backup's and copies.
    let (_, _, job) = send(&app, "PUT", "/backup-jobs", Some(SOURCE), &table).await;
    let after = job["RecoveryPointArn"].as_str().unwrap().to_owned();
    assert!(
        after.starts_with("arn:aws:backup:us-east-1:111122223333:recovery-point:"),
        "{after}"
    );
    assert_eq!(copy(after).await, "COMPLETED");
}

/// DescribeCopyJob names the destination vault's type and, for a logically air-gapped vault,
/// its lock state.
#[tokio::test]
async fn a_copy_job_names_its_destination_vaults_type_and_an_air_gapped_vaults_lock_state() {
    use copylab_rules::world::{VaultLock, VaultType};
    let mut world = default_world();
    let vault = world.vaults.iter_mut().find(|v| v.name == "DestinationVault").unwrap();
    vault.vault_type = VaultType::LogicallyAirGappedBackupVault;
    vault.lock = Some(VaultLock {
        min_retention_days: Some(7),
        max_retention_days: Some(365),
        ..Default::default()
    });
    let app = server(world, Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let (_, _, copy) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
    let id = copy["CopyJobId"].as_str().unwrap_or_else(|| panic!("{copy}"));
    let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
    assert_eq!(
        described["CopyJob"]["DestinationVaultType"], "LOGICALLY_AIR_GAPPED_BACKUP_VAULT",
        "{described}"
    );
    assert_eq!(
        described["CopyJob"]["DestinationVaultLockState"], "LOCKED",
        "{described}"
    );
}

/// DescribeRecoveryPoint and ListRecoveryPointsByBackupVault show a recovery point's own
/// status (it was always COMPLETED); the world's `deleted` is the model's DELETING.
#[tokio::test]
async fn recovery_points_show_their_own_status() {
    use copylab_rules::world::RecoveryPointStatus;
    let mut world = default_world();
    let statuses = [
        (RecoveryPointStatus::Partial, "PARTIAL"),
        (RecoveryPointStatus::Expired, "EXPIRED"),
        (RecoveryPointStatus::Deleted, "DELETING"),
        (RecoveryPointStatus::Completed, "COMPLETED"),
    ];
    for (rp, (status, _)) in world.recovery_points.iter_mut().zip(statuses) {
        rp.status = status;
    }
    let points: Vec<String> = world.recovery_points.iter().map(|rp| rp.arn.clone()).collect();
    let app = server(world, Progression::Instant);
    for (arn, (_, shown)) in points.iter().zip(statuses) {
        let path = format!(
            "/backup-vaults/SourceVault/recovery-points/{}",
            arn.replace(':', "%3A").replace('/', "%2F")
        );
        let (status, _, point) = send(&app, "GET", &path, Some(SOURCE), "").await;
        assert_eq!(
            (status, point["Status"].as_str()),
            (StatusCode::OK, Some(shown)),
            "{point}"
        );
    }
}

/// Every `By*` filter of the AWS Backup list operations copylab serves is applied (none is
/// accepted and ignored): ListBackupVaults, ListCopyJobs, ListRecoveryPointsByBackupVault and
/// ListBackupJobs, one query per filter, against the unfiltered list.
#[tokio::test]
async fn every_filter_of_every_aws_backup_list_operation_is_applied() {
    let app = server(default_world(), Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let (_, _, copy) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
    let created = copy["CreationDate"].as_f64().unwrap();
    let (status, _, backup) = send(
        &app,
        "PUT",
        "/backup-jobs",
        Some(SOURCE),
        &json!({"BackupVaultName": "SourceVault", "ResourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"}).to_string(),
    )
    .await;
    assert!(status.is_success(), "{backup}");
    let count = |body: &Value, member: &str| body[member].as_array().map_or(usize::MAX, Vec::len);
    let list = |path: String, member: &'static str| {
        let app = app.clone();
        async move {
            let (status, _, body) = send(&app, "GET", &path, Some(SOURCE), "").await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            count(&body, member)
        }
    };
    let at = |t: f64| format!("{t}");
    let cases: Vec<(String, &'static str, usize)> = vec![
        // ListBackupVaults: the caller has one standard vault and no vault shared with it.
        ("/backup-vaults/".into(), "BackupVaultList", 1),
        ("/backup-vaults/?vaultType=BACKUP_VAULT".into(), "BackupVaultList", 1),
        (
            "/backup-vaults/?vaultType=LOGICALLY_AIR_GAPPED_BACKUP_VAULT".into(),
            "BackupVaultList",
            0,
        ),
        ("/backup-vaults/?shared=true".into(), "BackupVaultList", 0),
        ("/backup-vaults/?shared=false".into(), "BackupVaultList", 1),
        // ListCopyJobs: one job, created at `created`, completed a minute later.
        ("/copy-jobs/".into(), "CopyJobs", 1),
        (format!("/copy-jobs/?createdAfter={}", at(created - 1.0)), "CopyJobs", 1),
        (format!("/copy-jobs/?createdAfter={}", at(created + 1.0)), "CopyJobs", 0),
        (
            format!("/copy-jobs/?createdBefore={}", at(created + 1.0)),
            "CopyJobs",
            1,
        ),
        (
            format!("/copy-jobs/?createdBefore={}", at(created - 1.0)),
            "CopyJobs",
            0,
        ),
        (
            format!("/copy-jobs/?completeAfter={}", at(created + 59.0)),
            "CopyJobs",
            1,
        ),
        (
            format!("/copy-jobs/?completeAfter={}", at(created + 61.0)),
            "CopyJobs",
            0,
        ),
        (
            format!("/copy-jobs/?completeBefore={}", at(created + 59.0)),
            "CopyJobs",
            0,
        ),
        ("/copy-jobs/?parentJobId=parent".into(), "CopyJobs", 0),
        (
            "/copy-jobs/?createdAfter=2026-01-01T00%3A00%3A00Z".into(),
            "CopyJobs",
            1,
        ),
        // ListRecoveryPointsByBackupVault.
        (
            "/backup-vaults/SourceVault/recovery-points/?resourceType=RDS".into(),
            "RecoveryPoints",
            2,
        ),
        (
            format!(
                "/backup-vaults/SourceVault/recovery-points/?resourceArn={}",
                "arn%3Aaws%3Ards%3Aus-east-1%3A111122223333%3Adb%3Aorders"
            ),
            "RecoveryPoints",
            1,
        ),
        (
            "/backup-vaults/SourceVault/recovery-points/?backupPlanId=plan".into(),
            "RecoveryPoints",
            0,
        ),
        (
            "/backup-vaults/SourceVault/recovery-points/?parentRecoveryPointArn=parent".into(),
            "RecoveryPoints",
            0,
        ),
        (
            format!(
                "/backup-vaults/SourceVault/recovery-points/?createdAfter={}",
                at(created + 1e6)
            ),
            "RecoveryPoints",
            0,
        ),
        (
            "/backup-vaults/SourceVault/recovery-points/?backupVaultAccountId=111122223333".into(),
            "RecoveryPoints",
            usize::MAX - 1,
        ),
        // ListBackupJobs: one job of a DynamoDB table into SourceVault.
        ("/backup-jobs/".into(), "BackupJobs", 1),
        ("/backup-jobs/?resourceType=DynamoDB".into(), "BackupJobs", 1),
        ("/backup-jobs/?resourceType=EBS".into(), "BackupJobs", 0),
        (
            "/backup-jobs/?resourceArn=arn%3Aaws%3Adynamodb%3Aus-east-1%3A111122223333%3Atable%2FOrders".into(),
            "BackupJobs",
            1,
        ),
        ("/backup-jobs/?resourceArn=elsewhere".into(), "BackupJobs", 0),
        ("/backup-jobs/?backupVaultName=SourceVault".into(), "BackupJobs", 1),
        ("/backup-jobs/?backupVaultName=OtherVault".into(), "BackupJobs", 0),
        ("/backup-jobs/?state=COMPLETED".into(), "BackupJobs", 1),
        ("/backup-jobs/?state=FAILED".into(), "BackupJobs", 0),
        ("/backup-jobs/?messageCategory=SUCCESS".into(), "BackupJobs", 1),
        ("/backup-jobs/?messageCategory=ANY".into(), "BackupJobs", 1),
        ("/backup-jobs/?messageCategory=ERROR".into(), "BackupJobs", 0),
        ("/backup-jobs/?parentJobId=parent".into(), "BackupJobs", 0),
        (
            format!("/backup-jobs/?createdAfter={}", at(created + 1e6)),
            "BackupJobs",
            0,
        ),
        (
            format!("/backup-jobs/?completeBefore={}", at(created - 1e6)),
            "BackupJobs",
            0,
        ),
        ("/backup-jobs/?accountId=777788889999".into(), "BackupJobs", 0),
        ("/backup-jobs/?accountId=111122223333".into(), "BackupJobs", 1),
    ];
    let all_points = list("/backup-vaults/SourceVault/recovery-points/".into(), "RecoveryPoints").await;
    for (path, member, expected) in cases {
        let expected = if expected == usize::MAX - 1 {
            all_points
        } else {
            expected
        };
        assert_eq!(list(path.clone(), member).await, expected, "{path}");
    }
    // Another account's vault named by `BackupVaultAccountId` is one the caller cannot see, and
    // a timestamp that is not one is refused by the query edge, as `maxResults=many` is.
    let (status, error_type, _) = send(
        &app,
        "GET",
        "/backup-vaults/SourceVault/recovery-points/?backupVaultAccountId=444455556666",
        Some(SOURCE),
        "",
    )
    .await;
    assert_eq!(
        (status, error_type.as_deref()),
        (StatusCode::FORBIDDEN, Some("AccessDeniedException"))
    );
    let (status, error_type, _) = send(&app, "GET", "/copy-jobs/?createdAfter=yesterday", Some(SOURCE), "").await;
    assert_eq!(
        (status.as_u16(), error_type.as_deref()),
        (400, Some("InvalidRequestException"))
    );
}

mod request_sequences {
    //! A fuzzer over whole request sequences (proptest, bounded to a few dozen sequences so CI
    //! stays fast; shrunk failures are kept in `tests/it/server.proptest-regressions`): owner,
    //! another Region and an outside account start, list, describe and tag copy jobs, create and
    //! delete vaults, set vault policies, advance the clock and reset. After every step: no 5xx,
    //! errors in AWS's shape, a refused request changes nothing, the world stays one the rules
    //! engine accepts, and paging through ListCopyJobs shows exactly the caller's jobs once each.

    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    use super::*;

    const CALLERS: [(&str, &str); 3] = [SOURCE, ("111122223333", "eu-west-1"), ("777788889999", "us-east-1")];
    const VAULTS: [&str; 3] = ["SourceVault", "FuzzVault", "x"];
    const DESTINATIONS: [&str; 3] = [
        "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault",
        "arn:aws:backup:eu-west-1:111122223333:backup-vault:SourceVault",
        "not-an-arn",
    ];

    #[derive(Debug, Clone)]
    enum Step {
        StartCopy {
            caller: usize,
            rp: usize,
            destination: usize,
        },
        Describe {
            caller: usize,
            job: usize,
        },
        ListAll {
            caller: usize,
            page: u32,
        },
        CreateVault {
            caller: usize,
            vault: usize,
        },
        CreateAirGappedVault {
            caller: usize,
            vault: usize,
            min: i64,
        },
        DeleteVault {
            caller: usize,
            vault: usize,
        },
        PutVaultPolicy {
            caller: usize,
            vault: usize,
            valid: bool,
        },
        Tag {
            caller: usize,
            rp: usize,
            tags: usize,
        },
        Untag {
            caller: usize,
            rp: usize,
        },
        Advance {
            seconds: u32,
        },
        Reset,
    }

    fn step() -> impl Strategy<Value = Step> {
        let caller = 0..CALLERS.len();
        prop_oneof![
            4 => (caller.clone(), 0..6usize, 0..DESTINATIONS.len()).prop_map(|(caller, rp, destination)| Step::StartCopy { caller, rp, destination }),
            2 => (caller.clone(), 0..8usize).prop_map(|(caller, job)| Step::Describe { caller, job }),
            3 => (caller.clone(), 1..30u32).prop_map(|(caller, page)| Step::ListAll { caller, page }),
            1 => (caller.clone(), 0..VAULTS.len()).prop_map(|(caller, vault)| Step::CreateVault { caller, vault }),
            1 => (caller.clone(), 0..VAULTS.len(), prop::sample::select(vec![3i64, 7, 40])).prop_map(|(caller, vault, min)| Step::CreateAirGappedVault { caller, vault, min }),
            1 => (caller.clone(), 0..VAULTS.len()).prop_map(|(caller, vault)| Step::DeleteVault { caller, vault }),
            1 => (caller.clone(), 0..VAULTS.len(), any::<bool>()).prop_map(|(caller, vault, valid)| Step::PutVaultPolicy { caller, vault, valid }),
            2 => (caller.clone(), 0..6usize, 0..60usize).prop_map(|(caller, rp, tags)| Step::Tag { caller, rp, tags }),
            1 => (caller, 0..6usize).prop_map(|(caller, rp)| Step::Untag { caller, rp }),
            1 => (0..3600u32).prop_map(|seconds| Step::Advance { seconds }),
            1 => Just(Step::Reset),
        ]
    }

    /// The recovery points the steps name: the default world's, and one that does not exist.
    fn recovery_points() -> Vec<String> {
        let mut arns: Vec<String> = default_world()
            .recovery_points
            .iter()
            .map(|rp| rp.arn.clone())
            .collect();
        arns.truncate(5);
        arns.push("arn:aws:ec2:us-east-1::image/ami-0000000000000000f".to_owned());
        arns
    }

    fn encode(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// Every job id ListCopyJobs shows `caller`, paging `page` at a time.
    async fn list_all(app: &axum::Router, caller: (&str, &str), page: u32) -> Result<Vec<String>, TestCaseError> {
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..1000 {
            let mut path = format!("/copy-jobs/?maxResults={page}");
            if let Some(t) = &token {
                path.push_str(&format!("&nextToken={}", encode(t)));
            }
            let (status, _, body) = send(app, "GET", &path, Some(caller), "").await;
            prop_assert_eq!(status, StatusCode::OK, "{}", body);
            ids.extend(
                body["CopyJobs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|j| j["CopyJobId"].as_str().map(str::to_owned)),
            );
            match body["NextToken"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(ids),
            }
        }
        Err(TestCaseError::fail("ListCopyJobs never ended"))
    }

    async fn state(app: &axum::Router) -> Value {
        get_state(app).await.2
    }

    proptest! {
        #![proptest_config(crate::proptest_config(24, "tests/it/server.proptest-regressions"))]

        #[test]
        fn request_sequences_keep_every_invariant(steps in prop::collection::vec(step(), 1..30)) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                let app = server(default_world(), Progression::Instant);
                let rps = recovery_points();
                // The jobs each caller started since the last reset, in order.
                let mut started: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
                for step in &steps {
                    let before = state(&app).await;
                    let (method, path, caller, body): (&str, String, Option<(&str, &str)>, String) = match step {
                        Step::StartCopy { caller, rp, destination } => ("PUT", "/copy-jobs".into(), Some(CALLERS[*caller]), start_copy(&rps[*rp % rps.len()], DESTINATIONS[*destination])),
                        Step::Describe { caller, job } => {
                            let ids: Vec<&String> = started.values().flatten().collect();
                            let id = ids.get(*job).map_or_else(|| "no-such-job".to_owned(), |id| (*id).clone());
                            ("GET", format!("/copy-jobs/{id}"), Some(CALLERS[*caller]), String::new())
                        }
                        Step::ListAll { caller, page } => {
                            let caller = CALLERS[*caller];
                            let listed = list_all(&app, caller, *page).await?;
                            let expected = started.get(&caller).cloned().unwrap_or_default();
                            let unique: BTreeSet<&String> = listed.iter().collect();
                            prop_assert_eq!(unique.len(), listed.len(), "a job was listed twice: {:?}", listed);
                            prop_assert_eq!(unique, expected.iter().collect::<BTreeSet<_>>(), "{:?} sees other jobs than its own", caller);
                            continue;
                        }
                        Step::CreateVault { caller, vault } => ("PUT", format!("/backup-vaults/{}", VAULTS[*vault]), Some(CALLERS[*caller]), "{}".into()),
                        Step::CreateAirGappedVault { caller, vault, min } => ("PUT", format!("/logically-air-gapped-backup-vaults/{}", VAULTS[*vault]), Some(CALLERS[*caller]), json!({"MinRetentionDays": min, "MaxRetentionDays": 35}).to_string()),
                        Step::DeleteVault { caller, vault } => ("DELETE", format!("/backup-vaults/{}", VAULTS[*vault]), Some(CALLERS[*caller]), String::new()),
                        Step::PutVaultPolicy { caller, vault, valid } => {
                            let policy = if *valid {
                                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}]}).to_string()
                            } else {
                                "{\"Statement\": 3}".to_owned()
                            };
                            ("PUT", format!("/backup-vaults/{}/access-policy", VAULTS[*vault]), Some(CALLERS[*caller]), json!({"Policy": policy}).to_string())
                        }
                        Step::Tag { caller, rp, tags } => {
                            let tags: serde_json::Map<String, Value> = (0..*tags).map(|i| (format!("k{i}"), Value::from("v"))).collect();
                            ("POST", format!("/tags/{}", encode(&rps[*rp % rps.len()])), Some(CALLERS[*caller]), json!({"Tags": tags}).to_string())
                        }
                        Step::Untag { caller, rp } => ("POST", format!("/untag/{}", encode(&rps[*rp % rps.len()])), Some(CALLERS[*caller]), json!({"TagKeyList": ["k0"]}).to_string()),
                        Step::Advance { seconds } => ("POST", format!("/_copylab/clock/advance?seconds={seconds}"), None, String::new()),
                        Step::Reset => {
                            started.clear();
                            ("POST", "/_copylab/reset".into(), None, String::new())
                        }
                    };
                    let (status, error_type, answer) = send(&app, method, &path, caller, &body).await;
                    prop_assert!(status.as_u16() < 500 || status == StatusCode::NOT_IMPLEMENTED, "{:?}: {} {}", step, status, answer);
                    if status.is_success() {
                        if let (Step::StartCopy { caller, .. }, Some(id)) = (step, answer["CopyJobId"].as_str()) {
                            started.entry(CALLERS[*caller]).or_default().push(id.to_owned());
                        }
                    } else {
                        prop_assert!(error_type.is_some() && answer["Message"].is_string(), "{:?}: {} {}", step, status, answer);
                        prop_assert_eq!(&before, &state(&app).await, "{:?} was refused ({}) but changed the state", step, status);
                    }
                    let world: copylab_rules::World = serde_json::from_value(state(&app).await["world"].clone()).unwrap();
                    prop_assert!(copylab_rules::PreparedWorld::new(&world).is_ok(), "{:?} left an invalid world", step);
                }
                Ok(())
            })?;
        }
    }
}

mod random_requests {
    //! Random methods, paths, query strings, headers and bodies against every route: always an
    //! AWS-shaped answer below 500, and a rejected request never changes the state.

    use proptest::prelude::*;

    use super::*;

    fn method() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["GET", "PUT", "POST", "DELETE", "PATCH"])
    }

    fn path() -> impl Strategy<Value = String> {
        let templates: Vec<&'static str> = copylab_server::services::backup::OPERATIONS
            .iter()
            .map(|op| op.path)
            .collect();
        (
            prop::sample::select(templates),
            "[a-zA-Z0-9%:/._~-]{0,40}",
            any::<bool>(),
        )
            .prop_map(|(template, filler, slash)| {
                let mut path = String::new();
                for segment in template.split('/').skip(1) {
                    path.push('/');
                    if segment.starts_with('{') {
                        path.push_str(&filler)
                    } else {
                        path.push_str(segment)
                    }
                }
                if slash {
                    path.push('/');
                }
                path
            })
    }

    fn body() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "\\PC{0,60}",
            Just("{\"RecoveryPointArn\": null}".to_owned()),
            Just("{\"MaxResults\": \"x\", \"Policy\": 3}".to_owned()),
            Just("{\"BackupVaultTags\": [1, 2], \"EncryptionKeyArn\": {}}".to_owned()),
            Just("{\"GlobalSettings\": {\"isCrossAccountBackupEnabled\": 1}}".to_owned()),
        ]
    }

    /// A KMS, Organizations, STS or IAM request: (service in the scope, target header, body).
    fn json_or_query_request() -> impl Strategy<Value = (&'static str, Option<String>, String)> {
        let kms: Vec<&'static str> = copylab_server::services::kms::OPERATIONS
            .iter()
            .map(|op| op.name)
            .collect();
        let orgs: Vec<&'static str> = copylab_server::services::organizations::OPERATIONS
            .iter()
            .map(|op| op.name)
            .collect();
        let sts: Vec<&'static str> = copylab_server::services::sts::OPERATIONS
            .iter()
            .map(|op| op.name)
            .collect();
        let iam: Vec<&'static str> = copylab_server::services::iam::OPERATIONS
            .iter()
            .map(|op| op.name)
            .collect();
        // IAM form fragments that reach past the edge: real role names, documents and ARNs.
        let iam_extra = prop::collection::vec(
            prop_oneof![
                Just("RoleName=AWSBackupDefaultServiceRole".to_owned()),
                Just("RoleName=BackupOperatorRole".to_owned()),
                Just("PolicyName=P".to_owned()),
                Just(
                    "PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Fservice-role%2FAWSBackupServiceRolePolicyForBackup"
                        .to_owned()
                ),
                Just("PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D".to_owned()),
                Just("AssumeRolePolicyDocument=%7Bx".to_owned()),
                Just("MaxItems=0".to_owned()),
                Just("Marker=99".to_owned()),
                Just("Tags.member.3.Key=k".to_owned()),
                "[a-zA-Z=&%0-9:/+.]{0,30}",
            ],
            0..4,
        )
        .prop_map(|parts| parts.join("&"));
        let json_body = prop_oneof![
            Just(String::new()),
            "\\PC{0,60}",
            Just("{\"KeyId\": \"alias/shared-with-destination\", \"Policy\": \"{}\"}".to_owned()),
            Just("{\"KeyId\": 3, \"Limit\": \"x\"}".to_owned()),
            Just("{\"AccountId\": \"444455556666\", \"PolicyId\": \"p-00000000\", \"TargetId\": \"r-a1b2\"}".to_owned()),
            Just("{\"Content\": \"{\\\"tags\\\": 1}\", \"Name\": \"x\", \"Description\": \"\", \"Type\": \"TAG_POLICY\"}".to_owned()),
        ];
        prop_oneof![
            (prop::sample::select(kms), json_body.clone()).prop_map(|(op, body)| (
                "kms",
                Some(format!("TrentService.{op}")),
                body
            )),
            (prop::sample::select(orgs), json_body).prop_map(|(op, body)| (
                "organizations",
                Some(format!("AWSOrganizationsV20161128.{op}")),
                body
            )),
            (prop::sample::select(sts), "[a-zA-Z=&%0-9:/+]{0,40}").prop_map(|(op, extra)| (
                "sts",
                None,
                format!("Action={op}&Version=2011-06-15&{extra}")
            )),
            (prop::sample::select(iam), iam_extra).prop_map(|(op, extra)| (
                "iam",
                None,
                format!("Action={op}&Version=2010-05-08&{extra}")
            )),
        ]
    }

    proptest! {
        #![proptest_config(crate::proptest_config(64, "tests/it/server.proptest-regressions"))]

        #[test]
        fn random_kms_organizations_sts_and_iam_requests_get_their_protocols_errors_and_never_a_500(
            (service, target, body) in json_or_query_request(),
            key in prop::sample::select(vec!["", "111122223333", "123456789012", "AKIAUNKNOWNEXAMPLE00", "AKIAIOSFODNN7EXAMPLE"]),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                let app = server(default_world(), Progression::Instant);
                let (_, _, before) = get_state(&app).await;
                let mut builder = Request::builder().method("POST").uri("/");
                builder = match &target {
                    Some(target) => builder.header("content-type", "application/x-amz-json-1.1").header("x-amz-target", target),
                    None => builder.header("content-type", "application/x-www-form-urlencoded"),
                };
                if !key.is_empty() {
                    builder = builder.header(
                        "authorization",
                        format!("AWS4-HMAC-SHA256 Credential={key}/20261128/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"),
                    );
                }
                let response = app.clone().oneshot(builder.body(Body::from(body.clone())).unwrap()).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                prop_assert!(status.as_u16() < 500 || status == StatusCode::NOT_IMPLEMENTED, "{service} {target:?} {body}: {status} {text}");
                // Whatever was asked, the world is one the rules engine accepts.
                let (_, _, now) = get_state(&app).await;
                let world: copylab_rules::World = serde_json::from_value(now["world"].clone()).unwrap();
                prop_assert!(copylab_rules::PreparedWorld::new(&world).is_ok(), "{service} {target:?} {body} left an invalid world");
                if !status.is_success() {
                    if target.is_some() {
                        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                        prop_assert!(json["__type"].is_string() && json["message"].is_string(), "{service} {target:?}: {status} {text}");
                    } else {
                        prop_assert!(text.contains("<ErrorResponse") && text.contains("<Code>"), "{service}: {status} {text}");
                    }
                    let (_, _, after) = get_state(&app).await;
                    prop_assert_eq!(before, after, "{} {:?} was rejected but changed the state", service, target);
                }
                Ok(())
            })?;
        }

        #[test]
        fn random_requests_get_aws_shaped_answers_and_never_a_500(method in method(), path in path(), query in "[a-zA-Z=&%0-9]{0,30}", body in body(), signed in any::<bool>()) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                let app = server(default_world(), Progression::Instant);
                let (_, _, before) = get_state(&app).await;
                let uri = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
                let Ok(uri) = uri.parse::<axum::http::Uri>() else { return Ok(()) };
                let caller = signed.then_some(SOURCE);
                let (status, error_type, answer) = send(&app, method, &uri.to_string(), caller, &body).await;
                prop_assert!(status.as_u16() < 500 || status == StatusCode::NOT_IMPLEMENTED, "{} {}: {} {}", method, uri, status, answer);
                if !status.is_success() {
                    prop_assert!(error_type.is_some() && answer["Message"].is_string(), "{} {}: {} {}", method, uri, status, answer);
                    let (_, _, after) = get_state(&app).await;
                    prop_assert_eq!(before, after, "{} {} was rejected but changed the state", method, uri);
                }
                Ok(())
            })?;
        }
    }
}

/// Health never waits behind another request: it answers while the state's lock is held (a
/// long write), from no state and without a request id.
#[tokio::test]
async fn health_answers_while_another_request_holds_the_state() {
    let shared = Arc::new(Mutex::new(ServerState::new(
        default_world(),
        7,
        None,
        Wording::Current,
        Progression::Instant,
    )));
    let app = copylab_server::app(shared.clone());
    let held = shared.lock().await;
    let health = Request::builder().uri("/_copylab/health").body(Body::empty()).unwrap();
    let response = tokio::time::timeout(std::time::Duration::from_secs(5), app.clone().oneshot(health))
        .await
        .expect("health waited for the state's lock")
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response.headers().contains_key("x-amzn-requestid"));
    // Any other request waits for the lock, as it must.
    let state = Request::builder().uri("/_copylab/state").body(Body::empty()).unwrap();
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(200), app.clone().oneshot(state))
            .await
            .is_err()
    );
    drop(held);
}

#[tokio::test]
async fn control_api_health_state_round_trip_reset_resources_clock_and_diagnosis() {
    let app = server(default_world(), Progression::Realtime(1.0));
    let response = app
        .clone()
        .oneshot(Request::builder().uri("/_copylab/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let health: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(health["status"], "ok");
    // GET state is accepted back by POST scenario.
    let (_, _, state) = get_state(&app).await;
    let (status, _, loaded) = send(&app, "POST", "/_copylab/scenario", None, &state.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    let (_, _, again) = get_state(&app).await;
    assert_eq!(state, again);
    // A copy under realtime progression ends when the clock is advanced.
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let (_, _, started) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
    let id = started["CopyJobId"].as_str().unwrap().to_owned();
    let (_, _, created) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
    assert_eq!(created["CopyJob"]["State"], "CREATED");
    let (status, _, _) = send(&app, "POST", "/_copylab/clock/advance?seconds=601", None, "").await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, done) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
    assert_eq!(done["CopyJob"]["State"], "COMPLETED");
    // The engine's diagnosis of that job.
    let (_, _, diagnosis) = send(&app, "GET", &format!("/_copylab/copy-jobs/{id}/diagnosis"), None, "").await;
    assert_eq!(diagnosis["outcome"]["state"], "COMPLETED", "{diagnosis}");
    assert_eq!(
        diagnosis["checks"].as_array().unwrap().len(),
        copylab_rules::checks::CHECKS.len()
    );
    // A resource declared at run time is what a backup job backs up.
    let resource = json!({"arn": "arn:aws:rds:us-east-1:111122223333:cluster:ledger", "resource_type": "Neptune", "encryption_key_arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "tags": {"team": "ledger"}});
    let (status, _, _) = send(&app, "POST", "/_copylab/resources", None, &resource.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    let backup = json!({"BackupVaultName": "SourceVault", "ResourceArn": "arn:aws:rds:us-east-1:111122223333:cluster:ledger", "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"});
    let (status, _, job) = send(&app, "PUT", "/backup-jobs", Some(SOURCE), &backup.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    let rp_arn = job["RecoveryPointArn"].as_str().unwrap();
    let (_, _, point) = send(
        &app,
        "GET",
        &format!(
            "/backup-vaults/SourceVault/recovery-points/{}",
            rp_arn.replace(':', "%3A").replace('/', "%2F")
        ),
        Some(SOURCE),
        "",
    )
    .await;
    assert_eq!(point["ResourceType"], "Neptune", "{point}");
    // An ARN that does not say its type needs resource_type.
    let (status, _, _) = send(
        &app,
        "POST",
        "/_copylab/resources",
        None,
        &json!({"arn": "arn:aws:rds:us-east-1:111122223333:weird:x"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Reset returns to the world the server started with.
    let (status, _, _) = send(&app, "POST", "/_copylab/reset", None, "").await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, after_reset) = get_state(&app).await;
    assert_eq!(after_reset["world"], state["world"]);
    assert_eq!(after_reset["copy_jobs"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn idempotency_token_and_management_account_visibility() {
    let app = server(default_world(), Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let mut body: Value = serde_json::from_str(&start_copy(rp, destination)).unwrap();
    body["IdempotencyToken"] = json!("retry-1");
    let (_, _, first) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &body.to_string()).await;
    let (_, _, second) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &body.to_string()).await;
    assert_eq!(
        first["CopyJobId"], second["CopyJobId"],
        "a retry with the same token starts no new job"
    );
    let (_, _, listed) = send(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    assert_eq!(listed["CopyJobs"].as_array().unwrap().len(), 1);
    // The management account sees a member's jobs when it asks for that account.
    let management = ("123456789012", "us-east-1");
    let (_, _, own) = send(&app, "GET", "/copy-jobs/", Some(management), "").await;
    assert_eq!(own["CopyJobs"].as_array().unwrap().len(), 0);
    let (_, _, member) = send(&app, "GET", "/copy-jobs/?accountId=111122223333", Some(management), "").await;
    assert_eq!(member["CopyJobs"].as_array().unwrap().len(), 1);
    // `*`: every member's, although the model's pattern is twelve digits (documented for
    // ListBackupJobs, modeled for ListCopyJobs); a member asking `*` sees its own only.
    let (status, _, every) = send(&app, "GET", "/copy-jobs/?accountId=*", Some(management), "").await;
    assert_eq!(status, 200, "{every}");
    assert_eq!(every["CopyJobs"].as_array().unwrap().len(), 1);
    let (_, _, own_only) = send(
        &app,
        "GET",
        "/copy-jobs/?accountId=*",
        Some(("444455556666", "us-east-1")),
        "",
    )
    .await;
    assert_eq!(own_only["CopyJobs"].as_array().unwrap().len(), 0);
    let (status, _, refused) = send(&app, "GET", "/copy-jobs/?accountId=12345", Some(management), "").await;
    assert_eq!(status, 400, "any other value keeps the model's pattern: {refused}");
    // The destination account does not see the job (AWS documents no such visibility).
    let (_, _, destination_view) = send(
        &app,
        "GET",
        "/copy-jobs/?accountId=111122223333",
        Some(("444455556666", "us-east-1")),
        "",
    )
    .await;
    assert_eq!(destination_view["CopyJobs"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn world_credentials_map_access_keys_to_their_principals_account() {
    // Without secrets the keys are not authenticated (signatures are tested in `signatures`).
    let mut world = default_world();
    for key in &mut world.credentials {
        key.secret_access_key = None;
    }
    let app = server(world, Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    // AKIAIOSFODNN7EXAMPLE is arn:aws:iam::111122223333:user/backup-operator in worlds/default.yaml.
    let operator = ("AKIAIOSFODNN7EXAMPLE", "us-east-1");
    let (status, _, started) = send(&app, "PUT", "/copy-jobs", Some(operator), &start_copy(rp, destination)).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let (_, _, as_account) = send(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    assert_eq!(
        as_account["CopyJobs"][0]["CopyJobId"], started["CopyJobId"],
        "the key acts as account 111122223333"
    );
    assert_eq!(as_account["CopyJobs"][0]["AccountId"], "111122223333");
    // AKIAI44QH8DHBEXAMPLE is a user of 444455556666, which does not see the source's jobs.
    let (_, _, other) = send(
        &app,
        "GET",
        "/copy-jobs/",
        Some(("AKIAI44QH8DHBEXAMPLE", "us-east-1")),
        "",
    )
    .await;
    assert_eq!(other["CopyJobs"].as_array().unwrap().len(), 0);
    // A key that is neither listed nor an account id is refused as AWS refuses an unknown key.
    let (status, error_type, body) = send(
        &app,
        "GET",
        "/copy-jobs/",
        Some(("AKIAUNKNOWNEXAMPLE00", "us-east-1")),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_type.as_deref(), Some("UnrecognizedClientException"));
    assert_eq!(body["Message"], "The security token included in the request is invalid");
}

#[test]
fn world_credentials_with_a_principal_without_account_or_a_repeated_key_are_rejected() {
    let mut world = default_world();
    world.credentials.push(copylab_rules::world::AccessKey {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        principal: "arn:aws:iam::444455556666:user/other".to_owned(),
        secret_access_key: None,
        session_token: None,
        expiration: None,
    });
    let error = copylab_rules::PreparedWorld::new(&world).unwrap_err();
    assert_eq!(error.path, "world.credentials[2]");
    assert!(error.message.contains("listed twice"), "{error}");
    let mut world = default_world();
    world.credentials[0].principal = "backup-operator".to_owned();
    let error = copylab_rules::PreparedWorld::new(&world).unwrap_err();
    assert_eq!(error.path, "world.credentials[0]");
    assert!(error.message.contains("neither an IAM ARN"), "{error}");
    let mut world = default_world();
    world.credentials[1].expiration = Some("tomorrow".to_owned());
    let error = copylab_rules::PreparedWorld::new(&world).unwrap_err();
    assert_eq!(error.path, "world.credentials[1]");
    assert!(error.message.contains("not a UTC timestamp"), "{error}");
    let mut world = default_world();
    world.roles[0].arn = "arn:aws:iam::111122223333:user/not-a-role".to_owned();
    let error = copylab_rules::PreparedWorld::new(&world).unwrap_err();
    assert!(error.message.contains("not a role ARN"), "{error}");
}

#[test]
fn timestamps_parse_to_epoch_seconds() {
    use copylab_rules::world::timestamp_seconds;
    assert_eq!(timestamp_seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(timestamp_seconds("2026-11-28T16:00:00Z"), Some(1_795_881_600));
    assert_eq!(timestamp_seconds("2026-11-28T16:00:00.5Z"), Some(1_795_881_600));
    assert_eq!(timestamp_seconds("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    for bad in [
        "2026-11-28",
        "2026-13-01T00:00:00Z",
        "2026-02-31T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "300000000000-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2026-11-28T16:00:00",
        "x-y-zT1:2:3Z",
        "2026-11-28T24:00:00Z",
    ] {
        assert_eq!(timestamp_seconds(bad), None, "{bad}");
    }
}

/// Sends an awsJson1_1 request for `target` as `account`; returns status and the JSON body.
async fn send_json1(app: &axum::Router, target: &str, account: &str, body: &str) -> (StatusCode, Value) {
    let service = if target.starts_with("TrentService.") {
        "kms"
    } else {
        "organizations"
    };
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential={account}/20261128/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"),
        )
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// ListKeys' `ResourceOwners` (newer than the pinned Rust SDK, so sent raw): `SELF` (and no
/// value) lists the caller's keys; `OTHER_ACCOUNTS_VIA_RAM` alone lists none, as copylab models
/// no AWS RAM sharing.
#[tokio::test]
async fn list_keys_resource_owners_is_applied() {
    let app = server(default_world(), Progression::Instant);
    let count = |body: Value| {
        let app = app.clone();
        async move {
            let (status, answer) = send_json1(&app, "TrentService.ListKeys", "111122223333", &body.to_string()).await;
            assert_eq!(status, StatusCode::OK, "{body}: {answer}");
            answer["Keys"].as_array().map_or(0, Vec::len)
        }
    };
    let own = count(json!({})).await;
    assert!(own > 0);
    assert_eq!(count(json!({"ResourceOwners": ["SELF"]})).await, own);
    assert_eq!(
        count(json!({"ResourceOwners": ["OTHER_ACCOUNTS_VIA_RAM", "SELF"]})).await,
        own
    );
    assert_eq!(count(json!({"ResourceOwners": ["OTHER_ACCOUNTS_VIA_RAM"]})).await, 0);
}

/// Sends one query-protocol request to `service` (`iam`, `sts`) as `account`; returns the
/// status and the XML answer.
async fn send_query(app: &axum::Router, service: &str, account: &str, form: &str) -> (StatusCode, String) {
    let version = if service == "sts" { "2011-06-15" } else { "2010-05-08" };
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential={account}/20261128/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"),
        )
        .body(Body::from(format!("{form}&Version={version}")))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The audit table of item 2 of the hardening issue, for AWS Backup, IAM and STS (KMS and
/// Organizations have theirs below): every operation that names a resource, called by another
/// account in the organization (444455556666), an account outside it (777788889999) and the
/// owner from another Region, on the owner's (111122223333, us-east-1) vault, recovery point,
/// copy job, backup job and role. Each is refused with the error AWS gives for a resource the
/// caller cannot see (AWS Backup: AccessDenied for a vault, as observed for one that does not
/// exist, facts aws-org-wire §2.4; ResourceNotFound for jobs and tagged resources; IAM:
/// NoSuchEntity, as role names are the caller's account's; STS: AccessDenied, as the role's trust
/// policy names AWS Backup only), and nothing changes.
#[tokio::test]
async fn every_backup_iam_and_sts_operation_on_another_accounts_or_regions_resource_is_refused() {
    let app = server(default_world(), Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let rp = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let (_, _, copy) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
    let copy_job = copy["CopyJobId"].as_str().unwrap().to_owned();
    let (status, _, backup) = send(
        &app,
        "PUT",
        "/backup-jobs",
        Some(SOURCE),
        &json!({"BackupVaultName": "SourceVault", "ResourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"}).to_string(),
    )
    .await;
    assert!(status.is_success(), "{backup}");
    let backup_job = backup["BackupJobId"].as_str().unwrap().to_owned();
    let (_, _, before) = get_state(&app).await;
    let vault_arn = "arn:aws:backup:us-east-1:111122223333:backup-vault:SourceVault";
    let encoded = |arn: &str| arn.replace(':', "%3A").replace('/', "%2F");
    let policy = json!({"Policy": json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "backup:*", "Resource": "*"}]}).to_string()}).to_string();
    let backup_cases: Vec<(&str, String, String, &str)> = vec![
        ("GET", "/backup-vaults/SourceVault".into(), String::new(), "AccessDeniedException"),
        ("DELETE", "/backup-vaults/SourceVault".into(), String::new(), "AccessDeniedException"),
        ("PUT", "/backup-vaults/SourceVault/access-policy".into(), policy.clone(), "AccessDeniedException"),
        ("GET", "/backup-vaults/SourceVault/access-policy".into(), String::new(), "AccessDeniedException"),
        ("DELETE", "/backup-vaults/SourceVault/access-policy".into(), String::new(), "AccessDeniedException"),
        ("PUT", "/backup-vaults/SourceVault/vault-lock".into(), json!({"MinRetentionDays": 1}).to_string(), "ResourceNotFoundException"),
        ("GET", format!("/backup-vaults/SourceVault/recovery-points/{}", encoded(rp)), String::new(), "AccessDeniedException"),
        ("GET", "/backup-vaults/SourceVault/recovery-points/".into(), String::new(), "AccessDeniedException"),
        ("PUT", "/copy-jobs".into(), start_copy(rp, destination), "AccessDeniedException"),
        ("GET", format!("/copy-jobs/{copy_job}"), String::new(), "ResourceNotFoundException"),
        ("GET", format!("/backup-jobs/{backup_job}"), String::new(), "ResourceNotFoundException"),
        ("PUT", "/backup-jobs".into(), json!({"BackupVaultName": "SourceVault", "ResourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"}).to_string(), "AccessDeniedException"),
        ("GET", format!("/tags/{}", encoded(rp)), String::new(), "ResourceNotFoundException"),
        ("POST", format!("/tags/{}", encoded(rp)), json!({"Tags": {"a": "b"}}).to_string(), "ResourceNotFoundException"),
        ("POST", format!("/untag/{}", encoded(rp)), json!({"TagKeyList": ["a"]}).to_string(), "ResourceNotFoundException"),
        ("POST", format!("/tags/{}", encoded(vault_arn)), json!({"Tags": {"a": "b"}}).to_string(), "ResourceNotFoundException"),
    ];
    for caller in [
        ("444455556666", "us-east-1"),
        ("777788889999", "us-east-1"),
        ("111122223333", "eu-west-1"),
    ] {
        for (method, path, body, expected) in &backup_cases {
            let (status, error_type, answer) = send(&app, method, path, Some(caller), body).await;
            assert!(
                status.is_client_error(),
                "{caller:?} {method} {path}: {status} {answer}"
            );
            assert_eq!(
                error_type.as_deref(),
                Some(*expected),
                "{caller:?} {method} {path}: {answer}"
            );
        }
    }
    let role = "RoleName=AWSBackupDefaultServiceRole";
    let document = "PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
    let iam_cases = [
        format!("Action=GetRole&{role}"),
        format!("Action=DeleteRole&{role}"),
        format!("Action=UpdateAssumeRolePolicy&{role}&{document}"),
        format!("Action=PutRolePolicy&{role}&PolicyName=P&{document}"),
        format!("Action=GetRolePolicy&{role}&PolicyName=P"),
        format!("Action=DeleteRolePolicy&{role}&PolicyName=P"),
        format!("Action=ListRolePolicies&{role}"),
        format!(
            "Action=AttachRolePolicy&{role}&PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Fservice-role%2FAWSBackupServiceRolePolicyForBackup"
        ),
        format!(
            "Action=DetachRolePolicy&{role}&PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Fservice-role%2FAWSBackupServiceRolePolicyForBackup"
        ),
        format!("Action=ListAttachedRolePolicies&{role}"),
    ];
    for account in ["444455556666", "777788889999"] {
        for form in &iam_cases {
            let (status, answer) = send_query(&app, "iam", account, form).await;
            assert!(status.is_client_error(), "{account} {form}: {status} {answer}");
            assert!(
                answer.contains("<Code>NoSuchEntity</Code>"),
                "{account} {form}: {answer}"
            );
        }
        // STS: the owner's role trusts AWS Backup only, so another account may not assume it.
        let (status, answer) = send_query(
            &app,
            "sts",
            account,
            "Action=AssumeRole&RoleSessionName=audit&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fservice-role%2FAWSBackupDefaultServiceRole",
        )
        .await;
        assert!(status.is_client_error(), "{account} AssumeRole: {status} {answer}");
        assert!(
            answer.contains("<Code>AccessDenied</Code>"),
            "{account} AssumeRole: {answer}"
        );
    }
    let (_, _, after) = get_state(&app).await;
    assert_eq!(before, after, "a refused operation changed the state");
}

#[tokio::test]
async fn every_mutating_organizations_operation_from_a_member_and_every_kms_operation_on_another_accounts_key_is_refused()
 {
    let app = server(default_world(), Progression::Instant);
    let (_, _, before) = get_state(&app).await;
    // A member account (111122223333) may not change the organization.
    let organizations = [
        ("RemoveAccountFromOrganization", json!({"AccountId": "444455556666"})),
        (
            "CreatePolicy",
            json!({"Content": "{\"tags\":{}}", "Description": "d", "Name": "n", "Type": "TAG_POLICY"}),
        ),
        ("AttachPolicy", json!({"PolicyId": "p-12345678", "TargetId": "r-a1b2"})),
        ("DetachPolicy", json!({"PolicyId": "p-12345678", "TargetId": "r-a1b2"})),
        (
            "EnablePolicyType",
            json!({"RootId": "r-a1b2", "PolicyType": "TAG_POLICY"}),
        ),
        (
            "CreateAccount",
            json!({"AccountName": "new", "Email": "new@example.com"}),
        ),
        (
            "InviteAccountToOrganization",
            json!({"Target": {"Id": "777788889999", "Type": "ACCOUNT"}}),
        ),
        (
            "CreateOrganizationalUnit",
            json!({"ParentId": "r-a1b2", "Name": "Workloads"}),
        ),
        (
            "MoveAccount",
            json!({"AccountId": "444455556666", "SourceParentId": "r-a1b2", "DestinationParentId": "r-a1b2"}),
        ),
    ];
    for (operation, body) in organizations {
        let (status, answer) = send_json1(
            &app,
            &format!("AWSOrganizationsV20161128.{operation}"),
            "111122223333",
            &body.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{operation}");
        assert_eq!(answer["__type"], "AccessDeniedException", "{operation}: {answer}");
        assert_eq!(answer["message"], "You don't have permissions to access this resource.");
    }
    // A member cannot found an organization of its own either.
    let (status, answer) = send_json1(
        &app,
        "AWSOrganizationsV20161128.CreateOrganization",
        "111122223333",
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["__type"], "AlreadyInOrganizationException", "{answer}");
    // The destination account (444455556666) on the source account's shared key: DescribeKey is
    // allowed by the key policy; every other operation is not cross-account, so the key is not
    // found (and never confused with a key of the caller's own account).
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let kms = [
        ("GetKeyPolicy", json!({"KeyId": key})),
        ("PutKeyPolicy", json!({"KeyId": key, "Policy": "{}"})),
        ("ListKeyPolicies", json!({"KeyId": key})),
        ("EnableKey", json!({"KeyId": key})),
        ("DisableKey", json!({"KeyId": key})),
        ("ScheduleKeyDeletion", json!({"KeyId": key})),
        ("CancelKeyDeletion", json!({"KeyId": key})),
        (
            "TagResource",
            json!({"KeyId": key, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        ),
        ("ListResourceTags", json!({"KeyId": key})),
        ("CreateAlias", json!({"AliasName": "alias/theirs", "TargetKeyId": key})),
    ];
    for (operation, body) in kms {
        let (status, answer) = send_json1(
            &app,
            &format!("TrentService.{operation}"),
            "444455556666",
            &body.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{operation}");
        assert_eq!(answer["__type"], "NotFoundException", "{operation}: {answer}");
        assert_eq!(answer["message"], format!("Key '{key}' does not exist"), "{operation}");
    }
    // The caller's own alias, named through another account's or another Region's ARN, is not
    // the caller's key: nothing is found, nothing changes.
    for other in [
        "arn:aws:kms:us-east-1:111122223333:alias/shared-with-destination",
        "arn:aws:kms:eu-west-1:444455556666:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    ] {
        let (status, answer) = send_json1(
            &app,
            "TrentService.DisableKey",
            "444455556666",
            &json!({"KeyId": other}).to_string(),
        )
        .await;
        assert_eq!(
            (status, answer["__type"].as_str()),
            (StatusCode::BAD_REQUEST, Some("NotFoundException")),
            "{other}"
        );
    }
    let (status, answer) = send_json1(
        &app,
        "TrentService.DescribeKey",
        "444455556666",
        &json!({"KeyId": key}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, _, after) = get_state(&app).await;
    assert_eq!(before, after, "refused requests changed nothing");
}

#[tokio::test]
async fn a_vault_named_with_a_bare_key_id_describes_its_key_as_a_key_arn() {
    let mut world = default_world();
    let vault = world.vaults.iter_mut().find(|v| v.name == "DestinationVault").unwrap();
    vault.encryption_key = Some("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".to_owned());
    let app = server(world, Progression::Instant);
    let (status, _, body) = send(
        &app,
        "GET",
        "/backup-vaults/DestinationVault",
        Some(("444455556666", "us-east-1")),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["EncryptionKeyArn"],
        "arn:aws:kms:us-east-1:444455556666:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    );
}

/// Sends `raw` (a whole HTTP/1.1 request, maybe broken) to a server started in-process and
/// returns the status line.
async fn raw_status(raw: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let state = ServerState::new(default_world(), 1, None, Wording::Current, Progression::Instant);
    let server = copylab_server::start(state).await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(server.url().trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(raw).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_malformed_chunked_body_is_a_400_not_too_large() {
    // Before the fix: 413 "larger than 1048576 bytes" for ten bytes of broken chunking.
    let status = raw_status(
        b"PUT /backup-vaults/V HTTP/1.1\r\nHost: copylab\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert!(status.starts_with("HTTP/1.1 400"), "{status}");
}

#[tokio::test]
async fn kms_answers_post_slash_only_as_awsjson_services_do() {
    let app = server(default_world(), Progression::Instant);
    let request = |method: &str, path: &str| {
        axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("x-amz-target", "TrentService.ListKeys")
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0",
            )
            .body(axum::body::Body::from("{}"))
            .unwrap()
    };
    let ok = app.clone().oneshot(request("POST", "/")).await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    // Before the fix, any method and path with KMS's target was answered as ListKeys.
    for (method, path) in [("GET", "/"), ("POST", "/backup-vaults/"), ("DELETE", "/x")] {
        let response = app.clone().oneshot(request(method, path)).await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{method} {path}");
    }
}

#[tokio::test]
async fn a_credential_scoped_to_another_service_is_refused_by_each_protocol() {
    let app = server(default_world(), Progression::Instant);
    let signed_for = |service: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential=111122223333/20261128/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
        )
    };
    // (method, path, target, content type, body, the right scope, the code refused with)
    let cases = [
        (
            "GET",
            "/backup-vaults/",
            None,
            "application/json",
            "",
            "backup",
            "InvalidSignatureException",
            403,
        ),
        (
            "POST",
            "/",
            Some("TrentService.ListKeys"),
            "application/x-amz-json-1.1",
            "{}",
            "kms",
            "InvalidSignatureException",
            400,
        ),
        (
            "POST",
            "/",
            None,
            "application/x-www-form-urlencoded",
            "Action=GetCallerIdentity&Version=2011-06-15",
            "sts",
            "SignatureDoesNotMatch",
            403,
        ),
    ];
    for (method, path, target, content_type, body, right, code, status) in cases {
        let request = |scope: &str| {
            let mut builder = Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", content_type)
                .header("authorization", signed_for(scope));
            if let Some(target) = target {
                builder = builder.header("x-amz-target", target);
            }
            builder.body(Body::from(body.to_owned())).unwrap()
        };
        let ok = app.clone().oneshot(request(right)).await.unwrap();
        assert_eq!(ok.status().as_u16(), 200, "{path} signed for {right}");
        // Before the fix, a request signed for s3 was accepted.
        let response = app.clone().oneshot(request("s3")).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path} signed for s3");
        let text = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned();
        assert!(text.contains(code), "{path}: {text}");
        assert!(text.contains("`s3`"), "{path}: {text}");
    }
}

/// A server in-process with short connection limits, and a raw connection to it.
async fn limited(limits: copylab_server::listen::Limits) -> (copylab_server::RunningServer, String) {
    let state = ServerState::new(default_world(), 1, None, Wording::Current, Progression::Instant);
    let server = copylab_server::start_with(state, limits).await.unwrap();
    let address = server.url().trim_start_matches("http://").to_owned();
    (server, address)
}

/// Reads until the peer closes (or `within` passes): what it sent, and whether it closed.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> (String, bool) {
    use tokio::io::AsyncReadExt as _;
    let mut received = Vec::new();
    let closed = tokio::time::timeout(within, stream.read_to_end(&mut received))
        .await
        .is_ok();
    (String::from_utf8_lossy(&received).into_owned(), closed)
}

#[tokio::test]
async fn half_sent_headers_idle_keep_alives_and_missing_bodies_are_timed_out() {
    use std::time::Duration;
    use tokio::io::AsyncWriteExt as _;
    let limits = copylab_server::listen::Limits {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let (_server, address) = limited(limits).await;
    // Before the fix each of these connections was kept open forever.
    let mut half = tokio::net::TcpStream::connect(&address).await.unwrap();
    half.write_all(b"GET /_copylab/health HTTP/1.1\r\nHost: x")
        .await
        .unwrap();
    let (_, closed) = read_until_closed(&mut half, Duration::from_secs(5)).await;
    assert!(closed, "a half-sent header is closed");

    let mut idle = tokio::net::TcpStream::connect(&address).await.unwrap();
    idle.write_all(b"GET /_copylab/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle keep-alive is closed");

    let mut short = tokio::net::TcpStream::connect(&address).await.unwrap();
    short
        .write_all(b"PUT /backup-vaults/V HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n0123456789")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut short, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "a body that never comes: {answer}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_closes() {
    use std::time::Duration;
    use tokio::io::AsyncWriteExt as _;
    let limits = copylab_server::listen::Limits {
        header_read_timeout: Duration::from_secs(2),
        max_connections: 2,
        ..Default::default()
    };
    let (_server, address) = limited(limits).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(tokio::net::TcpStream::connect(&address).await.unwrap());
    }
    let mut third = tokio::net::TcpStream::connect(&address).await.unwrap();
    third
        .write_all(b"GET /_copylab/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (early, _) = read_until_closed(&mut third, Duration::from_millis(500)).await;
    assert!(
        early.is_empty(),
        "answered while two connections held the limit: {early}"
    );
    // The held connections time out; then the third is served.
    let (answer, closed) = read_until_closed(&mut third, Duration::from_secs(10)).await;
    assert!(closed && answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(held);
}

/// EFS backups are "always encrypted" with the vault's key (the encryption page): a world's
/// EFS recovery point that names no key, and a backup of a file system declared under a key of
/// its own, are both described under the vault's key, the key the engine decides their copies
/// by; the copy is encrypted under the destination vault's key.
#[tokio::test]
async fn efs_backups_are_always_encrypted_under_their_vaults_key() {
    let mut world = default_world();
    let mut efs = world.recovery_points[0].clone();
    efs.arn = "arn:aws:backup:us-east-1:111122223333:recovery-point:D99699E7-E183-477E-BFCD-CCB1C6E5455E".to_owned();
    efs.resource_type = "EFS".to_owned();
    efs.resource_arn = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0".to_owned();
    efs.encryption_key = None;
    world.recovery_points.push(efs.clone());
    let app = server(world, Progression::Instant);
    let vault_key = "arn:aws:kms:us-east-1:111122223333:alias/aws/backup";
    let describe = |arn: &str| {
        format!(
            "/backup-vaults/SourceVault/recovery-points/{}",
            arn.replace(':', "%3A").replace('/', "%2F")
        )
    };
    let (_, _, point) = send(&app, "GET", &describe(&efs.arn), Some(SOURCE), "").await;
    assert_eq!(
        (point["IsEncrypted"].as_bool(), point["EncryptionKeyArn"].as_str()),
        (Some(true), Some(vault_key)),
        "{point}"
    );
    // A file system declared under a key of its own is backed up under the vault's.
    let file_system = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0fedcba9876543210";
    let own_key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let declared = json!({"arn": file_system, "encryption_key_arn": own_key}).to_string();
    let (status, _, answer) = send(&app, "POST", "/_copylab/resources", None, &declared).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let role = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole";
    let backup = json!({"BackupVaultName": "SourceVault", "ResourceArn": file_system, "IamRoleArn": role}).to_string();
    let (_, _, job) = send(&app, "PUT", "/backup-jobs", Some(SOURCE), &backup).await;
    let rp = job["RecoveryPointArn"].as_str().unwrap_or_else(|| panic!("{job}"));
    let (_, _, point) = send(&app, "GET", &describe(rp), Some(SOURCE), "").await;
    assert_eq!(point["EncryptionKeyArn"].as_str(), Some(vault_key), "{point}");
    // The copy is encrypted under the destination vault's key.
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let (_, _, copy) = send(
        &app,
        "PUT",
        "/copy-jobs",
        Some(SOURCE),
        &start_copy(&efs.arn, destination),
    )
    .await;
    let id = copy["CopyJobId"].as_str().unwrap_or_else(|| panic!("{copy}"));
    let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
    assert_eq!(
        (
            described["CopyJob"]["State"].as_str(),
            described["CopyJob"]["DestinationEncryptionKeyArn"].as_str()
        ),
        (
            Some("COMPLETED"),
            Some("arn:aws:kms:us-east-1:444455556666:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
        ),
        "{described}"
    );
}

/// DescribeCopyJob and ListCopyJobs show the source recovery point's `ResourceName` and
/// `BackupSizeInBytes` as the world declares them (a world's recovery point, or a resource
/// declared through the control API and backed up), and so does the copy's recovery point;
/// `CreatedBy` is left out for an on-demand copy (it names a backup plan and rule); a completed
/// copy names its destination recovery point and key, with its `CompletionDate`.
#[tokio::test]
async fn copy_jobs_show_the_declared_resource_name_and_backup_size() {
    let mut world = default_world();
    let rds = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
    let point = world.recovery_points.iter_mut().find(|rp| rp.arn == rds).unwrap();
    point.resource_name = Some("orders-db".to_owned());
    point.backup_size_in_bytes = Some(22_548_578_304);
    let app = server(world, Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    // A declared volume under a key the destination may use, backed up through the API.
    let volume = "arn:aws:ec2:us-east-1:111122223333:volume/vol-0aaaaaaaaaaaaaaa3";
    let declared = json!({
        "arn": volume,
        "encryption_key_arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "resource_name": "scratch",
        "backup_size_in_bytes": 3_221_225_472u64
    })
    .to_string();
    let (status, _, answer) = send(&app, "POST", "/_copylab/resources", None, &declared).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let role = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole";
    let backup = json!({"BackupVaultName": "SourceVault", "ResourceArn": volume, "IamRoleArn": role}).to_string();
    let (_, _, job) = send(&app, "PUT", "/backup-jobs", Some(SOURCE), &backup).await;
    let snapshot = job["RecoveryPointArn"]
        .as_str()
        .unwrap_or_else(|| panic!("{job}"))
        .to_owned();
    let (_, _, backup_job) = send(
        &app,
        "GET",
        &format!("/backup-jobs/{}", job["BackupJobId"].as_str().unwrap()),
        Some(SOURCE),
        "",
    )
    .await;
    assert_eq!(
        (
            backup_job["ResourceName"].as_str(),
            backup_job["BackupSizeInBytes"].as_u64()
        ),
        (Some("scratch"), Some(3_221_225_472)),
        "{backup_job}"
    );
    for (rp, name, size) in [
        (rds, "orders-db", 22_548_578_304u64),
        (snapshot.as_str(), "scratch", 3_221_225_472),
    ] {
        let (_, _, copy) = send(&app, "PUT", "/copy-jobs", Some(SOURCE), &start_copy(rp, destination)).await;
        let id = copy["CopyJobId"].as_str().unwrap_or_else(|| panic!("{copy}"));
        let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
        let job = &described["CopyJob"];
        assert_eq!(job["State"], "COMPLETED", "{described}");
        assert_eq!(
            (job["ResourceName"].as_str(), job["BackupSizeInBytes"].as_u64()),
            (Some(name), Some(size)),
            "{described}"
        );
        assert!(job.get("CreatedBy").is_none(), "{described}");
        assert!(job["CompletionDate"].is_number(), "{described}");
        assert_eq!(
            job["DestinationEncryptionKeyArn"],
            "arn:aws:kms:us-east-1:444455556666:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "{described}"
        );
        let (_, _, listed) = send(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
        let listed = listed["CopyJobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["CopyJobId"] == id)
            .unwrap()
            .clone();
        assert_eq!(&listed, job, "ListCopyJobs shows the job as DescribeCopyJob does");
        // The copy's recovery point, as the destination account reads it.
        let copied = job["DestinationRecoveryPointArn"].as_str().unwrap();
        let path = format!(
            "/backup-vaults/DestinationVault/recovery-points/{}",
            copied.replace(':', "%3A").replace('/', "%2F")
        );
        let (_, _, point) = send(&app, "GET", &path, Some(("444455556666", "us-east-1")), "").await;
        assert_eq!(
            (point["ResourceName"].as_str(), point["BackupSizeInBytes"].as_u64()),
            (Some(name), Some(size)),
            "{point}"
        );
    }
}

/// The default world with a CloudFormation stack's composite recovery point in `SourceVault`
/// and two nested ones: an EBS volume under a key the destination may use (`DataVolume`) and
/// one under `aws/ebs` (`LogsVolume`).
fn world_with_a_stack() -> copylab_rules::World {
    let mut world = default_world();
    let mut point = world.recovery_points[0].clone();
    point.arn = STACK_POINT.to_owned();
    point.resource_type = "CloudFormation".to_owned();
    point.resource_arn = "arn:aws:cloudformation:us-east-1:111122223333:stack/orders/0a1b2c3d".to_owned();
    point.encryption_key = None;
    world.recovery_points.push(point.clone());
    for (n, member, key) in [
        (
            1,
            "DataVolume",
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        (2, "LogsVolume", "alias/aws/ebs"),
    ] {
        let mut nested = point.clone();
        nested.arn = format!("arn:aws:ec2:us-east-1::snapshot/snap-0cf00000000000{n:03}");
        nested.resource_type = "EBS".to_owned();
        nested.resource_arn = format!("arn:aws:ec2:us-east-1:111122223333:volume/vol-0cf00000000000{n:03}");
        nested.encryption_key = Some(key.to_owned());
        nested.parent_recovery_point_arn = Some(STACK_POINT.to_owned());
        nested.composite_member_identifier = Some(member.to_owned());
        world.recovery_points.push(nested);
    }
    world
}

/// A CloudFormation stack's composite recovery point is copied by a "parent (composite) copy
/// job" with one "child (nested) copy job" (the model) per nested recovery point, each decided
/// as a copy of its own: StartCopyJob answers `IsParent`, the nested
/// jobs name their `ParentJobId` and `CompositeMemberIdentifier` and are listed by
/// `ByParentJobId`, the composite job counts them (`NumberOfChildJobs`, `ChildJobsInState`)
/// and is PARTIAL when one completes and one fails; the copies keep the composite structure.
#[tokio::test]
async fn a_cloudformation_stack_is_copied_by_a_composite_job_with_a_nested_job_per_resource() {
    let app = server(world_with_a_stack(), Progression::Instant);
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let (_, _, started) = send(
        &app,
        "PUT",
        "/copy-jobs",
        Some(SOURCE),
        &start_copy(STACK_POINT, destination),
    )
    .await;
    assert_eq!(started["IsParent"], true, "{started}");
    let id = started["CopyJobId"].as_str().unwrap().to_owned();
    let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
    let parent = &described["CopyJob"];
    assert_eq!(
        (
            &parent["State"],
            &parent["IsParent"],
            &parent["NumberOfChildJobs"],
            &parent["ChildJobsInState"]
        ),
        (
            &json!("PARTIAL"),
            &json!(true),
            &json!(2),
            &json!({"COMPLETED": 1, "FAILED": 1})
        ),
        "{described}"
    );
    let (_, _, children) = send(&app, "GET", &format!("/copy-jobs/?parentJobId={id}"), Some(SOURCE), "").await;
    let children = children["CopyJobs"].as_array().unwrap().clone();
    let seen: Vec<(&str, &str, &str)> = children
        .iter()
        .map(|c| {
            (
                c["CompositeMemberIdentifier"].as_str().unwrap(),
                c["State"].as_str().unwrap(),
                c["ParentJobId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("DataVolume", "COMPLETED", id.as_str()),
            ("LogsVolume", "FAILED", id.as_str())
        ]
    );
    assert_eq!(
        children[1]["StatusMessage"],
        "Encrypted snapshots with Amazon EBS default key cannot be shared"
    );
    // Every job of the account is listed, the nested ones too.
    let (_, _, all) = send(&app, "GET", "/copy-jobs/", Some(SOURCE), "").await;
    assert_eq!(all["CopyJobs"].as_array().unwrap().len(), 3, "{all}");
    // The source vault lists the stack's nested recovery points by their parent.
    let (_, _, nested) = send(
        &app,
        "GET",
        &format!(
            "/backup-vaults/SourceVault/recovery-points/?parentRecoveryPointArn={}",
            STACK_POINT.replace(':', "%3A").replace('/', "%2F")
        ),
        Some(SOURCE),
        "",
    )
    .await;
    assert_eq!(nested["RecoveryPoints"].as_array().unwrap().len(), 2, "{nested}");
    // In the destination, the composite's copy is a parent of the nested volume's copy.
    let copied_stack = parent["DestinationRecoveryPointArn"].as_str().unwrap();
    let copied_volume = children[0]["DestinationRecoveryPointArn"].as_str().unwrap();
    let read = |arn: &str| {
        format!(
            "/backup-vaults/DestinationVault/recovery-points/{}",
            arn.replace(':', "%3A").replace('/', "%2F")
        )
    };
    let other = Some(("444455556666", "us-east-1"));
    let (_, _, stack) = send(&app, "GET", &read(copied_stack), other, "").await;
    assert_eq!(stack["IsParent"], true, "{stack}");
    let (_, _, volume) = send(&app, "GET", &read(copied_volume), other, "").await;
    assert_eq!(
        (
            volume["ParentRecoveryPointArn"].as_str(),
            volume["CompositeMemberIdentifier"].as_str()
        ),
        (Some(copied_stack), Some("DataVolume")),
        "{volume}"
    );
}

/// Under `polls:2` a composite job's nested jobs run with it, and it runs until they have
/// ended: here one nested job waits behind an earlier copy of its volume, so the composite job
/// stays RUNNING past its own polls until that copy has ended and the nested job has run.
#[tokio::test]
async fn a_composite_copy_job_runs_until_its_nested_jobs_have_ended() {
    let app = server(world_with_a_stack(), Progression::Polls(2));
    let destination = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
    let volume = "arn:aws:ec2:us-east-1::snapshot/snap-0cf00000000000001";
    let (_, _, earlier) = send(
        &app,
        "PUT",
        "/copy-jobs",
        Some(SOURCE),
        &start_copy(volume, destination),
    )
    .await;
    let earlier = earlier["CopyJobId"].as_str().unwrap().to_owned();
    let (_, _, started) = send(
        &app,
        "PUT",
        "/copy-jobs",
        Some(SOURCE),
        &start_copy(STACK_POINT, destination),
    )
    .await;
    let id = started["CopyJobId"].as_str().unwrap().to_owned();
    let mut states = Vec::new();
    for _ in 0..4 {
        let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
        states.push((
            described["CopyJob"]["State"].as_str().unwrap().to_owned(),
            described["CopyJob"]["ChildJobsInState"].clone(),
        ));
    }
    assert_eq!(
        states,
        [
            ("CREATED".to_owned(), json!({"CREATED": 2})),
            ("RUNNING".to_owned(), json!({"CREATED": 1, "RUNNING": 1})),
            ("RUNNING".to_owned(), json!({"CREATED": 1, "FAILED": 1})),
            ("RUNNING".to_owned(), json!({"CREATED": 1, "FAILED": 1})),
        ]
    );
    for _ in 0..3 {
        send(&app, "GET", &format!("/copy-jobs/{earlier}"), Some(SOURCE), "").await;
    }
    let mut states = Vec::new();
    for _ in 0..3 {
        let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), Some(SOURCE), "").await;
        states.push(described["CopyJob"]["State"].as_str().unwrap().to_owned());
    }
    assert_eq!(states, ["RUNNING", "RUNNING", "PARTIAL"]);
}

/// A copy that stays unencrypted ("Copies of unencrypted Amazon Aurora, Amazon DocumentDB, and
/// Amazon Neptune clusters are also unencrypted") names no `DestinationEncryptionKeyArn`, and its
/// recovery point is not encrypted; any other completed copy names the destination vault's key.
#[tokio::test]
async fn a_copy_that_stays_unencrypted_names_no_destination_key() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/aurora_unencrypted_cross_account.yaml");
    let scenario = copylab::scenario::load_file(&path).unwrap().scenario;
    let request = &scenario.copy_job;
    let app = server(scenario.world.clone(), Progression::Instant);
    let body = json!({
        "RecoveryPointArn": request.recovery_point_arn,
        "SourceBackupVaultName": request.source_backup_vault_name,
        "DestinationBackupVaultArn": request.destination_backup_vault_arn,
        "IamRoleArn": request.iam_role_arn,
    })
    .to_string();
    let caller = Some((request.account.as_str(), request.region.as_str()));
    let (_, _, copy) = send(&app, "PUT", "/copy-jobs", caller, &body).await;
    let id = copy["CopyJobId"].as_str().unwrap_or_else(|| panic!("{copy}"));
    let (_, _, described) = send(&app, "GET", &format!("/copy-jobs/{id}"), caller, "").await;
    let job = &described["CopyJob"];
    assert_eq!(job["State"], "COMPLETED", "{described}");
    assert!(job.get("DestinationEncryptionKeyArn").is_none(), "{described}");
    let copied = job["DestinationRecoveryPointArn"].as_str().unwrap();
    let vault = copylab_rules::arn::VaultArn::parse(request.destination_backup_vault_arn.as_deref().unwrap()).unwrap();
    let path = format!(
        "/backup-vaults/{}/recovery-points/{}",
        vault.name,
        copied.replace(':', "%3A").replace('/', "%2F")
    );
    let (_, _, point) = send(
        &app,
        "GET",
        &path,
        Some((vault.account.as_str(), vault.region.as_str())),
        "",
    )
    .await;
    assert_eq!(point["IsEncrypted"], false, "{point}");
}

const STACK_POINT: &str = "arn:aws:backup:us-east-1:111122223333:recovery-point:1A2B3CDE-F405-6789-012A-3456AB789012";

/// The habits of moto and LocalStack users: an access key the world does not know is refused
/// with AWS's error and message, and `x-copylab-hint` (beside it, never in it) names the key and
/// the keys the world takes; `--accept-any-key ACCOUNT` (`ServerState::accept_any_key`) makes
/// such a key act as that account; `GET /_localstack/health` lists the services copylab serves.
#[tokio::test]
async fn an_unknown_key_is_refused_with_a_hint_unless_any_key_is_accepted_and_localstack_health_answers() {
    let request = |app: &axum::Router, key: &str| {
        let app = app.clone();
        let key = key.to_owned();
        async move {
            let request = Request::builder()
                .method("GET")
                .uri("/backup-vaults/")
                .header("authorization", authorization(&key, "us-east-1"))
                .body(Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            let hint = response
                .headers()
                .get("x-copylab-hint")
                .map(|v| v.to_str().unwrap().to_owned());
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, hint, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let app = server(default_world(), Progression::Instant);
    let (status, hint, body) = request(&app, "test").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({"Code": "UnrecognizedClientException", "Message": "The security token included in the request is invalid"}),
        "AWS's message, nothing appended"
    );
    let hint = hint.expect("a hint beside the message");
    assert!(
        hint.contains("`test`") && hint.contains("12-digit") && hint.contains("--accept-any-key"),
        "{hint}"
    );

    let mut state = ServerState::new(default_world(), 7, None, Wording::Current, Progression::Instant);
    state.accept_any_key = Some("111122223333".to_owned());
    let any = copylab_server::app(Arc::new(Mutex::new(state)));
    let (status, hint, body) = request(&any, "test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(hint.is_none());
    let names: Vec<&str> = body["BackupVaultList"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["BackupVaultName"].as_str())
        .collect();
    assert!(
        names.contains(&"SourceVault"),
        "account 111122223333's vaults: {names:?}"
    );

    let response = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/_localstack/health")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let health: Value = serde_json::from_slice(&bytes).unwrap();
    for service in ["backup", "kms", "organizations", "iam", "sts"] {
        assert_eq!(health["services"][service], "running", "{health}");
    }
}

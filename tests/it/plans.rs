//! AWS Backup's plan-side operations over HTTP, in-process: Vault Lock with `ChangeableForDays` (its `LockDate` on the virtual clock, immutable after it) and DeleteBackupVaultLockConfiguration, report plans, and moto's `POST /moto-api/reset`.

use crate::support::default_world;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use copylab_rules::world::Wording;
use copylab_server::state::{Progression, ServerState};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tower::ServiceExt;

fn server() -> axum::Router {
    copylab_server::app(Arc::new(Mutex::new(ServerState::new(
        default_world(),
        7,
        None,
        Wording::Current,
        Progression::Instant,
    ))))
}

const SOURCE: &str = "111122223333";

/// Sends one request as `account` (none: unsigned) with extra headers; returns the status, the
/// error code (`Code` of the body) and the JSON body.
async fn send_with(
    app: &axum::Router,
    method: &str,
    path: &str,
    account: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(account) = account {
        builder = builder.header(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={account}/20260807/us-east-1/backup/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
            ),
        );
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(builder.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)}))
    };
    (status, json)
}

async fn send(app: &axum::Router, method: &str, path: &str, body: &str) -> (StatusCode, Value) {
    send_with(app, method, path, Some(SOURCE), &[], body).await
}

async fn advance_days(app: &axum::Router, days: u64) {
    let path = format!("/_copylab/clock/advance?seconds={}", days * 86_400);
    let (status, clock) = send_with(app, "POST", &path, None, &[], "").await;
    assert_eq!(status, StatusCode::OK, "{clock}");
}

async fn vault(app: &axum::Router) -> Value {
    let (status, vault) = send(app, "GET", "/backup-vaults/SourceVault", "").await;
    assert_eq!(status, StatusCode::OK, "{vault}");
    vault
}

/// `ChangeableForDays` sets `LockDate` that many days after now on the virtual clock; before it
/// the lock can be changed and deleted, on and after it both are refused with
/// InvalidRequestException and the lock stays as it was.
#[tokio::test]
async fn a_vault_lock_becomes_immutable_on_its_lock_date_on_the_virtual_clock() {
    let app = server();
    let (_, clock) = send_with(&app, "GET", "/_copylab/clock", None, &[], "").await;
    let now = clock["now"].as_f64().unwrap();
    let lock = json!({"MinRetentionDays": 7, "MaxRetentionDays": 365, "ChangeableForDays": 3}).to_string();
    let (status, body) = send(&app, "PUT", "/backup-vaults/SourceVault/vault-lock", &lock).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let described = vault(&app).await;
    assert_eq!(described["Locked"], true, "{described}");
    assert_eq!(described["MinRetentionDays"], 7);
    assert_eq!(described["MaxRetentionDays"], 365);
    assert_eq!(
        described["LockDate"].as_f64(),
        Some(now + 3.0 * 86_400.0),
        "{described}"
    );
    // Before the lock date: changeable (a weaker lock too) and deletable.
    advance_days(&app, 2).await;
    let weaker = json!({"MinRetentionDays": 1, "ChangeableForDays": 3}).to_string();
    let (status, body) = send(&app, "PUT", "/backup-vaults/SourceVault/vault-lock", &weaker).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = send(&app, "DELETE", "/backup-vaults/SourceVault/vault-lock", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let described = vault(&app).await;
    assert_eq!(described["Locked"], false, "{described}");
    assert!(
        described.get("MinRetentionDays").is_none() && described.get("LockDate").is_none(),
        "{described}"
    );
    // On the lock date: neither a weaker lock nor a delete.
    let (status, body) = send(&app, "PUT", "/backup-vaults/SourceVault/vault-lock", &lock).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    advance_days(&app, 3).await;
    let before = vault(&app).await;
    for (method, body) in [("PUT", weaker.as_str()), ("PUT", lock.as_str()), ("DELETE", "")] {
        let (status, refused) = send(&app, method, "/backup-vaults/SourceVault/vault-lock", body).await;
        assert_eq!(
            (status, refused["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("InvalidRequestException")),
            "{method} {refused}"
        );
    }
    assert_eq!(vault(&app).await, before);
}

/// A lock without `ChangeableForDays` has no `LockDate` and can be changed or deleted at any
/// time; the documented bounds (`MinRetentionDays` 1 to 36500, `MaxRetentionDays` at most 36500,
/// `ChangeableForDays` 3 to 36500, minimum not above maximum) are refused with
/// InvalidParameterValueException, changing nothing; a vault that does not exist is AccessDenied.
#[tokio::test]
async fn vault_lock_bounds_are_refused_and_a_lock_without_changeable_for_days_stays_changeable() {
    let app = server();
    for refused in [
        json!({"MinRetentionDays": 0}),
        json!({"MinRetentionDays": 36501}),
        json!({"MaxRetentionDays": 36501}),
        json!({"MaxRetentionDays": 0}),
        json!({"ChangeableForDays": 2}),
        json!({"ChangeableForDays": 36501}),
        json!({"MinRetentionDays": 100, "MaxRetentionDays": 50}),
    ] {
        let (status, body) = send(
            &app,
            "PUT",
            "/backup-vaults/SourceVault/vault-lock",
            &refused.to_string(),
        )
        .await;
        assert_eq!(
            (status, body["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("InvalidParameterValueException")),
            "{refused}: {body}"
        );
        assert_eq!(vault(&app).await["Locked"], false, "{refused}");
    }
    let lock = json!({"MinRetentionDays": 1, "MaxRetentionDays": 36500}).to_string();
    let (status, body) = send(&app, "PUT", "/backup-vaults/SourceVault/vault-lock", &lock).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    advance_days(&app, 40_000).await;
    let described = vault(&app).await;
    assert!(described.get("LockDate").is_none(), "{described}");
    let (status, body) = send(&app, "DELETE", "/backup-vaults/SourceVault/vault-lock", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The model lists ResourceNotFoundException for the lock operations (moto answers it too);
    // AWS's AccessDenied for a missing vault is observed only on other operations.
    for (method, lock) in [("PUT", lock.as_str()), ("DELETE", "")] {
        let (status, body) = send(&app, method, "/backup-vaults/NoSuchVault/vault-lock", lock).await;
        assert_eq!(
            (status, body["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException")),
            "{method} {body}"
        );
    }
}

/// A logically air-gapped vault is locked in compliance mode from creation: its lock cannot be
/// deleted or changed.
#[tokio::test]
async fn a_logically_air_gapped_vaults_lock_cannot_be_deleted_or_changed() {
    let app = server();
    let create = json!({"MinRetentionDays": 7, "MaxRetentionDays": 35}).to_string();
    let (status, body) = send(&app, "PUT", "/logically-air-gapped-backup-vaults/Gapped", &create).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (method, body) in [("PUT", r#"{"MinRetentionDays": 8}"#), ("DELETE", "")] {
        let (status, refused) = send(&app, method, "/backup-vaults/Gapped/vault-lock", body).await;
        assert_eq!(
            refused["Code"], "InvalidRequestException",
            "{method} {status} {refused}"
        );
    }
}

/// Report plans: create, describe, update, list, delete, each answering the model's members;
/// a name taken is AlreadyExistsException, a plan that does not exist ResourceNotFoundException;
/// the plans are in `GET /_copylab/state` and `POST /_copylab/reset` forgets them.
#[tokio::test]
async fn report_plans_are_created_described_updated_listed_deleted_and_in_the_state() {
    let app = server();
    let (status, listed) = send(&app, "GET", "/audit/report-plans", "").await;
    assert_eq!(
        (status, &listed["ReportPlans"]),
        (StatusCode::OK, &json!([])),
        "{listed}"
    );
    let plan = json!({
        "ReportPlanName": "nightly_copies",
        "ReportDeliveryChannel": {"S3BucketName": "mybucket"},
        "ReportSetting": {"ReportTemplate": "COPY_JOB_REPORT"},
    })
    .to_string();
    let (status, created) = send(&app, "POST", "/audit/report-plans", &plan).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["ReportPlanName"], "nightly_copies");
    let arn = created["ReportPlanArn"].as_str().unwrap().to_owned();
    assert!(
        arn.starts_with("arn:aws:backup:us-east-1:111122223333:report-plan:nightly_copies-"),
        "{arn}"
    );
    let (status, again) = send(&app, "POST", "/audit/report-plans", &plan).await;
    assert_eq!(
        (status, again["Code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("AlreadyExistsException"))
    );
    let update = json!({"ReportSetting": {"ReportTemplate": "BACKUP_JOB_REPORT"}}).to_string();
    let (status, updated) = send(&app, "PUT", "/audit/report-plans/nightly_copies", &update).await;
    assert_eq!(
        (status, updated["ReportPlanArn"].as_str()),
        (StatusCode::OK, Some(arn.as_str()))
    );
    let (_, described) = send(&app, "GET", "/audit/report-plans/nightly_copies", "").await;
    let described = &described["ReportPlan"];
    assert_eq!(
        described["ReportSetting"],
        json!({"ReportTemplate": "BACKUP_JOB_REPORT"})
    );
    assert_eq!(described["ReportDeliveryChannel"], json!({"S3BucketName": "mybucket"}));
    assert_eq!(described["DeploymentStatus"], "COMPLETED");
    // Another account sees none of them.
    let (_, others) = send_with(&app, "GET", "/audit/report-plans", Some("444455556666"), &[], "").await;
    assert_eq!(others["ReportPlans"], json!([]), "{others}");
    let (_, state) = send_with(&app, "GET", "/_copylab/state", None, &[], "").await;
    assert_eq!(
        state["services"]["backup"]["report_plans"][0]["arn"],
        arn.as_str(),
        "{state}"
    );
    let (status, _) = send(&app, "DELETE", "/audit/report-plans/nightly_copies", "").await;
    assert_eq!(status, StatusCode::OK);
    for (method, path) in [
        ("GET", "/audit/report-plans/nightly_copies"),
        ("DELETE", "/audit/report-plans/nightly_copies"),
    ] {
        let (status, gone) = send(&app, method, path, "").await;
        assert_eq!(
            (status, gone["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException")),
            "{method} {gone}"
        );
    }
    send(&app, "POST", "/audit/report-plans", &plan).await;
    send_with(&app, "POST", "/_copylab/reset", None, &[], "").await;
    let (_, listed) = send(&app, "GET", "/audit/report-plans", "").await;
    assert_eq!(listed["ReportPlans"], json!([]), "{listed}");
}

/// `POST /moto-api/reset` (what moto's server-mode suites send before each test) resets the
/// server as `POST /_copylab/reset` does, under the same guard: a page from another site may
/// not send it.
#[tokio::test]
async fn moto_api_reset_resets_like_the_control_api_under_the_same_guard() {
    let app = server();
    let create = json!({}).to_string();
    let (status, body) = send(&app, "PUT", "/backup-vaults/Made", &create).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cross_site = [("origin", "http://evil.example"), ("host", "127.0.0.1:4747")];
    let (status, _) = send_with(&app, "POST", "/moto-api/reset", None, &cross_site, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, "GET", "/backup-vaults/Made", "").await.0, StatusCode::OK);
    let (status, reset) = send_with(&app, "POST", "/moto-api/reset", None, &[], "").await;
    assert_eq!((status, &reset), (StatusCode::OK, &json!({"reset": true})));
    assert_eq!(
        send(&app, "GET", "/backup-vaults/Made", "").await.0,
        StatusCode::FORBIDDEN
    );
    // Only the reset: moto's other routes are not the control API.
    let (status, _) = send_with(&app, "GET", "/moto-api/reset", None, &[], "").await;
    assert_ne!(status, StatusCode::OK);
}

fn plan_input(name: &str, rules: Value) -> String {
    json!({"BackupPlan": {"BackupPlanName": name, "Rules": rules}}).to_string()
}

fn nightly_rule() -> Value {
    json!([{
        "RuleName": "nightly",
        "TargetBackupVaultName": "SourceVault",
        "ScheduleExpression": "cron(0 3 ? * * *)",
        "Lifecycle": {"DeleteAfterDays": 35},
        "CopyActions": [{"DestinationBackupVaultArn": "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault"}]
    }])
}

fn selection_input(name: &str) -> String {
    json!({"BackupSelection": {
        "SelectionName": name,
        "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole",
        "Resources": ["arn:aws:rds:us-east-1:111122223333:db:*"],
        "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "nightly"}]}
    }})
    .to_string()
}

fn is_lower_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
            }
        })
}

/// A plan's whole life on the wire: CreateBackupPlan answers a lower-case UUID id, a
/// `backup-plan:` ARN and a `VersionId` in AWS's format (the base64 of a UUID string);
/// GetBackupPlan shows the rules with their ids and AWS's defaults; UpdateBackupPlan makes a new
/// version and keeps the old one readable; DeleteBackupPlan is refused with AWS's message while a
/// selection exists, then marks the plan deleted (listed only with IncludeDeleted).
#[tokio::test]
async fn a_backup_plan_is_created_read_versioned_listed_and_deleted_as_aws_answers() {
    let app = server();
    let (status, created) = send(&app, "PUT", "/backup/plans/", &plan_input("nightly", nightly_rule())).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["BackupPlanId"].as_str().unwrap().to_owned();
    assert!(is_lower_uuid(&id), "{id}");
    assert_eq!(
        created["BackupPlanArn"],
        format!("arn:aws:backup:us-east-1:111122223333:backup-plan:{id}")
    );
    let first_version = created["VersionId"].as_str().unwrap().to_owned();
    assert_eq!(first_version.len(), 48, "{first_version}");
    let (_, got) = send(&app, "GET", &format!("/backup/plans/{id}/"), "").await;
    let rule = &got["BackupPlan"]["Rules"][0];
    assert_eq!(rule["ScheduleExpression"], "cron(0 3 ? * * *)");
    assert_eq!(
        (
            rule["StartWindowMinutes"].as_i64(),
            rule["CompletionWindowMinutes"].as_i64()
        ),
        (Some(480), Some(10080))
    );
    assert!(is_lower_uuid(rule["RuleId"].as_str().unwrap()), "{rule}");
    assert_eq!(
        rule["CopyActions"][0]["DestinationBackupVaultArn"],
        "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault"
    );
    assert_eq!(got["VersionId"], first_version.as_str());
    // A new version; the old one stays readable by its VersionId.
    let weekly = json!([{"RuleName": "nightly", "TargetBackupVaultName": "SourceVault", "ScheduleExpression": "cron(0 3 ? * SUN *)"}]);
    let (status, updated) = send(
        &app,
        "POST",
        &format!("/backup/plans/{id}"),
        &plan_input("nightly", weekly),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let second_version = updated["VersionId"].as_str().unwrap().to_owned();
    assert_ne!(second_version, first_version);
    let (_, old) = send(
        &app,
        "GET",
        &format!("/backup/plans/{id}/?versionId={first_version}"),
        "",
    )
    .await;
    assert_eq!(
        old["BackupPlan"]["Rules"][0]["ScheduleExpression"], "cron(0 3 ? * * *)",
        "{old}"
    );
    let (_, new) = send(&app, "GET", &format!("/backup/plans/{id}/"), "").await;
    assert_eq!(
        new["BackupPlan"]["Rules"][0]["ScheduleExpression"],
        "cron(0 3 ? * SUN *)"
    );
    assert_eq!(
        new["BackupPlan"]["Rules"][0]["RuleId"], rule["RuleId"],
        "a rule of the same name keeps its id"
    );
    let (status, unknown) = send(&app, "GET", &format!("/backup/plans/{id}/?versionId=nope"), "").await;
    assert_eq!(
        (status, unknown["Code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException"))
    );
    let (_, versions) = send(&app, "GET", &format!("/backup/plans/{id}/versions/"), "").await;
    let listed: Vec<&str> = versions["BackupPlanVersionsList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["VersionId"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [first_version.as_str(), second_version.as_str()]);
    // Refused while a selection exists, with AWS's message, and nothing changes.
    let (status, selected) = send(
        &app,
        "PUT",
        &format!("/backup/plans/{id}/selections/"),
        &selection_input("rds"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{selected}");
    let selection = selected["SelectionId"].as_str().unwrap().to_owned();
    let (_, before) = send_with(&app, "GET", "/_copylab/state", None, &[], "").await;
    let (status, refused) = send(&app, "DELETE", &format!("/backup/plans/{id}"), "").await;
    assert_eq!(
        (status, refused["Code"].as_str(), refused["Message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("InvalidRequestException"),
            Some("Related backup plan selections must be deleted prior to backup plan deletion")
        )
    );
    let (_, after) = send_with(&app, "GET", "/_copylab/state", None, &[], "").await;
    assert_eq!(before["world"], after["world"]);
    let (status, _) = send(
        &app,
        "DELETE",
        &format!("/backup/plans/{id}/selections/{selection}"),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, deleted) = send(&app, "DELETE", &format!("/backup/plans/{id}"), "").await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["VersionId"], second_version.as_str());
    assert!(deleted["DeletionDate"].is_number(), "{deleted}");
    let (_, listed) = send(&app, "GET", "/backup/plans/", "").await;
    assert_eq!(listed["BackupPlansList"], json!([]), "{listed}");
    let (_, listed) = send(&app, "GET", "/backup/plans/?includeDeleted=true", "").await;
    assert_eq!(listed["BackupPlansList"][0]["BackupPlanId"], id.as_str(), "{listed}");
    assert!(listed["BackupPlansList"][0]["DeletionDate"].is_number(), "{listed}");
    let (_, got) = send(&app, "GET", &format!("/backup/plans/{id}/"), "").await;
    assert!(got["DeletionDate"].is_number(), "{got}");
    for (method, path) in [
        ("DELETE", format!("/backup/plans/{id}")),
        ("GET", "/backup/plans/nope/".to_owned()),
    ] {
        let (status, gone) = send(&app, method, &path, "").await;
        assert_eq!(
            (status, gone["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException")),
            "{method} {path}"
        );
    }
}

/// Every documented validation rule refuses the plan with AWS's code and message (verbatim where
/// AWS's text is known, copylab's marked modeled otherwise), and a refused request changes
/// nothing.
#[tokio::test]
async fn invalid_plans_are_refused_with_awss_messages_and_change_nothing() {
    let app = server();
    let rule = |extra: Value| {
        let mut rule = json!({"RuleName": "daily", "TargetBackupVaultName": "SourceVault"});
        rule.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!([rule])
    };
    let cases = [
        (
            rule(json!({"Lifecycle": {"MoveToColdStorageAfterDays": 30, "DeleteAfterDays": 100}})),
            "InvalidParameterValueException",
            Some(
                "Error in rule daily : Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays",
            ),
            "aws",
        ),
        (
            rule(
                json!({"EnableContinuousBackup": true, "Lifecycle": {"MoveToColdStorageAfterDays": 30, "DeleteAfterDays": 35}}),
            ),
            "InvalidParameterValueException",
            Some("Error in rule daily : Invalid lifecycle. MoveToColdStorageAfterDays is unavailable"),
            "aws",
        ),
        (
            rule(json!({"ScheduleExpression": "cron(0/10 * ? * * *)"})),
            "InvalidParameterValueException",
            Some("The interval between backup jobs shouldn't be less than 60 minutes."),
            "aws",
        ),
        (
            rule(json!({"Lifecycle": {"DeleteAfterDays": 36501}})),
            "InvalidParameterValueException",
            Some(
                "Error in rule daily : Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days",
            ),
            "modeled",
        ),
        (
            rule(json!({"EnableContinuousBackup": true, "Lifecycle": {"DeleteAfterDays": 36}})),
            "InvalidParameterValueException",
            None,
            "modeled",
        ),
        (
            rule(json!({"StartWindowMinutes": 30})),
            "InvalidParameterValueException",
            None,
            "modeled",
        ),
        (
            rule(json!({"ScheduleExpression": "rate(1 day)"})),
            "InvalidParameterValueException",
            None,
            "modeled",
        ),
        (
            rule(json!({"ScheduleExpression": "cron(0 5 * * *)"})),
            "InvalidParameterValueException",
            None,
            "modeled",
        ),
        (
            rule(json!({"ScheduleExpression": "cron(0 5 * * * *)"})),
            "InvalidParameterValueException",
            Some(
                "Invalid schedule expression cron(0 5 * * * *): `*` in both the day-of-month and day-of-week fields: put `?` in one of them",
            ),
            "modeled",
        ),
        (
            rule(json!({"ScheduleExpression": "cron(0 5 ? * 8 *)"})),
            "InvalidParameterValueException",
            Some(
                "Invalid schedule expression cron(0 5 ? * 8 *): the day-of-week field `8` has `8`, which is not 1-7 or SUN-SAT",
            ),
            "modeled",
        ),
        (
            rule(json!({"ScheduleExpressionTimezone": "America/Springfield"})),
            "InvalidParameterValueException",
            Some(
                "Invalid ScheduleExpressionTimezone America/Springfield: `America/Springfield` is not a time zone: ScheduleExpressionTimezone takes an IANA name such as `America/Los_Angeles`",
            ),
            "modeled",
        ),
        (
            rule(
                json!({"CopyActions": [{"DestinationBackupVaultArn": "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault", "Lifecycle": {"MoveToColdStorageAfterDays": 10, "DeleteAfterDays": 20}}]}),
            ),
            "InvalidParameterValueException",
            Some(
                "Error in rule daily : Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays",
            ),
            "aws",
        ),
    ];
    let (_, before) = send_with(&app, "GET", "/_copylab/state", None, &[], "").await;
    for (rules, code, message, provenance) in cases {
        let response = app
            .clone()
            .oneshot(
                Request::builder()
                    .method("PUT")
                    .uri("/backup/plans/")
                    .header(
                        "authorization",
                        "AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/backup/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
                    )
                    .body(Body::from(plan_input("p", rules.clone())))
                    .unwrap(),
            )
            .await
            .unwrap();
        let shown = response
            .headers()
            .get("x-copylab-provenance")
            .map_or("aws", |v| v.to_str().unwrap())
            .to_owned();
        let status = response.status();
        let body: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!(
            (status, body["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{rules}: {body}"
        );
        if let Some(message) = message {
            assert_eq!(body["Message"], message, "{rules}");
        }
        assert_eq!(shown, provenance, "{rules}: {body}");
    }
    // Allowed: a copy action that keeps its copies indefinitely (-1 for both).
    let forever = rule(
        json!({"CopyActions": [{"DestinationBackupVaultArn": "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault", "Lifecycle": {"MoveToColdStorageAfterDays": -1, "DeleteAfterDays": -1}}]}),
    );
    let (_, after) = send_with(&app, "GET", "/_copylab/state", None, &[], "").await;
    assert_eq!(before["world"], after["world"]);
    // Allowed: AWS's cron wildcards in a time zone.
    for (i, (expression, timezone)) in [
        ("cron(15 10 ? * 6L 2026-2030)", "America/Los_Angeles"),
        ("cron(0 3 LW * ? *)", "Europe/London"),
        ("cron(0 3 ? * MON#1 *)", "UTC"),
    ]
    .into_iter()
    .enumerate()
    {
        let allowed = rule(json!({"ScheduleExpression": expression, "ScheduleExpressionTimezone": timezone}));
        let (status, body) = send(&app, "PUT", "/backup/plans/", &plan_input(&format!("tz{i}"), allowed)).await;
        assert_eq!(status, StatusCode::OK, "{expression} in {timezone}: {body}");
    }
    let (status, body) = send(&app, "PUT", "/backup/plans/", &plan_input("p", forever)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same plan document again: AWS's AlreadyExistsException.
    let (status, again) = send(&app, "PUT", "/backup/plans/", &plan_input("q", nightly_rule())).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let (status, again) = send(&app, "PUT", "/backup/plans/", &plan_input("q", nightly_rule())).await;
    assert_eq!(
        (status, again["Code"].as_str(), again["Message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("AlreadyExistsException"),
            Some("Backup plan with the same plan document already exists")
        )
    );
}

/// A retry of CreateBackupPlan or CreateBackupSelection with the same `CreatorRequestId`
/// answers as the first call did and makes nothing new.
#[tokio::test]
async fn a_retry_with_the_same_creator_request_id_answers_as_the_first_call() {
    let app = server();
    let mut input: Value = serde_json::from_str(&plan_input("nightly", nightly_rule())).unwrap();
    input["CreatorRequestId"] = json!("run-1");
    let (_, first) = send(&app, "PUT", "/backup/plans/", &input.to_string()).await;
    let (status, second) = send(&app, "PUT", "/backup/plans/", &input.to_string()).await;
    assert_eq!((status, &second), (StatusCode::OK, &first));
    let id = first["BackupPlanId"].as_str().unwrap();
    let mut selection: Value = serde_json::from_str(&selection_input("rds")).unwrap();
    selection["CreatorRequestId"] = json!("sel-1");
    let path = format!("/backup/plans/{id}/selections/");
    let (_, first) = send(&app, "PUT", &path, &selection.to_string()).await;
    let (status, second) = send(&app, "PUT", &path, &selection.to_string()).await;
    assert_eq!((status, &second), (StatusCode::OK, &first));
    let (_, listed) = send(&app, "GET", &path, "").await;
    assert_eq!(listed["BackupSelectionsList"].as_array().unwrap().len(), 1, "{listed}");
}

/// Selections: an empty one is refused with AWS's message; one is created, read back as given,
/// listed with its name and role, and deleted; a selection or plan that does not exist is
/// ResourceNotFoundException.
#[tokio::test]
async fn backup_selections_are_created_read_listed_and_deleted() {
    let app = server();
    let (_, plan) = send(&app, "PUT", "/backup/plans/", &plan_input("nightly", nightly_rule())).await;
    let id = plan["BackupPlanId"].as_str().unwrap().to_owned();
    let path = format!("/backup/plans/{id}/selections/");
    let empty = json!({"BackupSelection": {"SelectionName": "none", "IamRoleArn": "arn:aws:iam::111122223333:role/r"}})
        .to_string();
    let (status, refused) = send(&app, "PUT", &path, &empty).await;
    assert_eq!(
        (status, refused["Code"].as_str(), refused["Message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("InvalidParameterValueException"),
            Some("Invalid backup selection. Either 'ListOfTags' or 'Resources' section must be non-empty.")
        )
    );
    let (status, created) = send(&app, "PUT", &path, &selection_input("rds")).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let selection = created["SelectionId"].as_str().unwrap().to_owned();
    assert!(is_lower_uuid(&selection), "{selection}");
    assert_eq!(created["BackupPlanId"], id.as_str());
    let (_, got) = send(&app, "GET", &format!("{path}{selection}"), "").await;
    let given: Value = serde_json::from_str(&selection_input("rds")).unwrap();
    assert_eq!(got["BackupSelection"], given["BackupSelection"], "{got}");
    let (_, listed) = send(&app, "GET", &path, "").await;
    let member = &listed["BackupSelectionsList"][0];
    assert_eq!(
        (member["SelectionName"].as_str(), member["SelectionId"].as_str()),
        (Some("rds"), Some(selection.as_str()))
    );
    assert_eq!(
        member["IamRoleArn"],
        "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"
    );
    let (status, _) = send(&app, "DELETE", &format!("{path}{selection}"), "").await;
    assert_eq!(status, StatusCode::OK);
    for (method, path) in [
        ("GET", format!("{path}{selection}")),
        ("DELETE", format!("{path}{selection}")),
        ("PUT", "/backup/plans/nope/selections/".to_owned()),
    ] {
        let body = if method == "PUT" {
            selection_input("x")
        } else {
            String::new()
        };
        let (status, gone) = send(&app, method, &path, &body).await;
        assert_eq!(
            (status, gone["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("ResourceNotFoundException")),
            "{method} {path}: {gone}"
        );
    }
}

/// Plans are the world's: `GET /_copylab/state` carries them, `POST /_copylab/scenario` loads
/// them back, and a plan a scenario writes without `version_id` or `RuleId` gets ids derived
/// from its id, the same on every read; its tags are ListTags'.
#[tokio::test]
async fn plans_and_selections_are_the_worlds_and_round_trip_through_the_state() {
    let app = server();
    let (_, plan) = send(&app, "PUT", "/backup/plans/", &plan_input("nightly", nightly_rule())).await;
    let id = plan["BackupPlanId"].as_str().unwrap().to_owned();
    send(
        &app,
        "PUT",
        &format!("/backup/plans/{id}/selections/"),
        &selection_input("rds"),
    )
    .await;
    let (_, state) = send_with(&app, "GET", "/_copylab/state", None, &[], "").await;
    assert_eq!(state["world"]["backup_plans"][0]["id"], id.as_str(), "{state}");
    assert_eq!(
        state["world"]["backup_plans"][0]["selections"][0]["selection"]["SelectionName"],
        "rds"
    );
    let (_, got_before) = send(&app, "GET", &format!("/backup/plans/{id}/"), "").await;
    send_with(&app, "POST", "/_copylab/reset", None, &[], "").await;
    let (status, loaded) = send_with(&app, "POST", "/_copylab/scenario", None, &[], &state.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    let (_, got_after) = send(&app, "GET", &format!("/backup/plans/{id}/"), "").await;
    assert_eq!(got_before, got_after);
    // A plan as a scenario writes it.
    let mut world = state["world"].clone();
    world["backup_plans"] = json!([{
        "id": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
        "account": "111122223333",
        "region": "us-east-1",
        "plan": {"BackupPlanName": "written", "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "SourceVault"}]},
        "tags": {"team": "dr"}
    }]);
    let (status, loaded) = send_with(
        &app,
        "POST",
        "/_copylab/scenario",
        None,
        &[],
        &json!({"world": world}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    let path = "/backup/plans/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9/";
    let (_, first) = send(&app, "GET", path, "").await;
    let (_, second) = send(&app, "GET", path, "").await;
    assert_eq!(first, second);
    assert_eq!(first["VersionId"].as_str().map(str::len), Some(48), "{first}");
    assert_eq!(
        first["BackupPlan"]["Rules"][0]["ScheduleExpression"],
        "cron(0 5 ? * * *)"
    );
    assert!(
        is_lower_uuid(first["BackupPlan"]["Rules"][0]["RuleId"].as_str().unwrap()),
        "{first}"
    );
    let arn = "arn:aws:backup:us-east-1:111122223333:backup-plan:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    let (_, tags) = send(
        &app,
        "GET",
        &format!("/tags/{}", arn.replace(':', "%3A").replace('/', "%2F")),
        "",
    )
    .await;
    assert_eq!(tags["Tags"], json!({"team": "dr"}), "{tags}");
    // A world whose plan ids repeat is refused.
    let mut twice = world.clone();
    let plan = twice["backup_plans"][0].clone();
    twice["backup_plans"].as_array_mut().unwrap().push(plan);
    let (status, _) = send_with(
        &app,
        "POST",
        "/_copylab/scenario",
        None,
        &[],
        &json!({"world": twice}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Ids come from the server's id stream: two servers with the same seed given the same requests
/// answer byte for byte the same.
#[tokio::test]
async fn plan_and_selection_ids_are_deterministic_for_a_seed() {
    let mut answers = Vec::new();
    for _ in 0..2 {
        let app = server();
        let (_, plan) = send(&app, "PUT", "/backup/plans/", &plan_input("nightly", nightly_rule())).await;
        let id = plan["BackupPlanId"].as_str().unwrap().to_owned();
        let (_, selection) = send(
            &app,
            "PUT",
            &format!("/backup/plans/{id}/selections/"),
            &selection_input("rds"),
        )
        .await;
        let (_, got) = send(&app, "GET", &format!("/backup/plans/{id}/"), "").await;
        answers.push((plan, selection, got));
    }
    assert_eq!(answers[0], answers[1]);
}

/// GetBackupPlanFromJSON answers the plan a JSON document describes, checked as CreateBackupPlan
/// checks it, and stores nothing.
#[tokio::test]
async fn get_backup_plan_from_json_answers_the_plan_and_stores_nothing() {
    let app = server();
    let template = json!({"BackupPlan": {"BackupPlanName": "fromjson", "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "SourceVault"}]}}).to_string();
    let (status, plan) = send(
        &app,
        "POST",
        "/backup/template/json/toPlan",
        &json!({"BackupPlanTemplateJson": template}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["BackupPlan"]["BackupPlanName"], "fromjson");
    assert_eq!(
        plan["BackupPlan"]["Rules"][0]["ScheduleExpression"],
        "cron(0 5 ? * * *)"
    );
    let (_, listed) = send(&app, "GET", "/backup/plans/", "").await;
    assert_eq!(listed["BackupPlansList"], json!([]));
    for bad in [
        "not json",
        r#"{"BackupPlan": {"BackupPlanName": "x", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v", "ScheduleExpression": "cron(* * ? * * *)"}]}}"#,
    ] {
        let (status, refused) = send(
            &app,
            "POST",
            "/backup/template/json/toPlan",
            &json!({"BackupPlanTemplateJson": bad}).to_string(),
        )
        .await;
        assert_eq!(
            (status, refused["Code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("InvalidParameterValueException")),
            "{bad}"
        );
    }
}

/// The real `aws-sdk-backup` client creates a plan with a cross-account copy action and a
/// tag-based selection, reads both back typed, updates the plan to a new version, and cannot
/// delete the plan until the selection is gone.
#[tokio::test]
async fn the_rust_sdk_creates_reads_updates_and_deletes_a_plan_with_a_selection() {
    use aws_sdk_backup::error::ProvideErrorMetadata;
    use aws_sdk_backup::types::{
        BackupPlanInput, BackupRuleInput, BackupSelection, ConditionParameter, Conditions, CopyAction, Lifecycle,
    };
    let app = crate::support::router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let backup = crate::support::client(&app, SOURCE, "us-east-1");
    let rule = |schedule: &str| {
        BackupRuleInput::builder()
            .rule_name("nightly")
            .target_backup_vault_name("SourceVault")
            .schedule_expression(schedule)
            .lifecycle(Lifecycle::builder().delete_after_days(35).build())
            .copy_actions(
                CopyAction::builder()
                    .destination_backup_vault_arn(crate::sdk::DESTINATION)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    let plan = |schedule: &str| {
        BackupPlanInput::builder()
            .backup_plan_name("nightly-cross-account")
            .rules(rule(schedule))
            .build()
            .unwrap()
    };
    let created = backup
        .create_backup_plan()
        .backup_plan(plan("cron(0 3 ? * * *)"))
        .backup_plan_tags("team", "dr")
        .send()
        .await
        .unwrap();
    let id = created.backup_plan_id().unwrap().to_owned();
    let selection = backup
        .create_backup_selection()
        .backup_plan_id(&id)
        .backup_selection(
            BackupSelection::builder()
                .selection_name("tagged")
                .iam_role_arn(crate::sdk::ROLE)
                .resources("*")
                .conditions(
                    Conditions::builder()
                        .string_equals(
                            ConditionParameter::builder()
                                .condition_key("aws:ResourceTag/backup")
                                .condition_value("nightly")
                                .build(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let got = backup.get_backup_plan().backup_plan_id(&id).send().await.unwrap();
    let rules = got.backup_plan().unwrap().rules();
    assert_eq!(
        rules[0].copy_actions()[0].destination_backup_vault_arn(),
        crate::sdk::DESTINATION
    );
    assert_eq!(rules[0].schedule_expression(), Some("cron(0 3 ? * * *)"));
    assert_eq!(got.version_id(), created.version_id());
    let read = backup
        .get_backup_selection()
        .backup_plan_id(&id)
        .selection_id(selection.selection_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(read.backup_selection().unwrap().selection_name(), "tagged");
    let updated = backup
        .update_backup_plan()
        .backup_plan_id(&id)
        .backup_plan(plan("cron(0 4 ? * * *)"))
        .send()
        .await
        .unwrap();
    assert_ne!(updated.version_id(), created.version_id());
    let tags = backup
        .list_tags()
        .resource_arn(created.backup_plan_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().and_then(|t| t.get("team")).map(String::as_str), Some("dr"));
    let err = backup
        .delete_backup_plan()
        .backup_plan_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (
            Some("InvalidRequestException"),
            Some("Related backup plan selections must be deleted prior to backup plan deletion")
        )
    );
    backup
        .delete_backup_selection()
        .backup_plan_id(&id)
        .selection_id(selection.selection_id().unwrap())
        .send()
        .await
        .unwrap();
    let deleted = backup.delete_backup_plan().backup_plan_id(&id).send().await.unwrap();
    assert_eq!(deleted.version_id(), updated.version_id());
    let listed = backup.list_backup_plans().include_deleted(true).send().await.unwrap();
    assert!(listed.backup_plans_list()[0].deletion_date().is_some());
}

/// `GetBackupPlan` with `MaxScheduledRunsPreview` previews the next runs of the plan's rules
/// from the virtual clock's now, by the scheduler's calendar, in time order, at most as many as
/// asked (the model's `ScheduledPlanExecutionMember`); without it, no preview.
#[tokio::test]
async fn get_backup_plan_previews_the_next_scheduled_runs_by_the_calendar() {
    let app = server();
    let rules = json!([
        {"RuleName": "nightly", "TargetBackupVaultName": "SourceVault", "ScheduleExpression": "cron(0 3 ? * * *)"},
        {"RuleName": "weekly", "TargetBackupVaultName": "SourceVault", "ScheduleExpression": "cron(30 4 ? * SUN *)", "ScheduleExpressionTimezone": "America/Los_Angeles"}
    ]);
    let (status, created) = send(&app, "PUT", "/backup/plans/", &plan_input("previewed", rules)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["BackupPlanId"].as_str().unwrap().to_owned();
    let (_, plan) = send(&app, "GET", &format!("/backup/plans/{id}/"), "").await;
    assert!(plan.get("ScheduledRunsPreview").is_none(), "{plan}");
    let (status, plan) = send(
        &app,
        "GET",
        &format!("/backup/plans/{id}/?MaxScheduledRunsPreview=8"),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let runs = plan["ScheduledRunsPreview"].as_array().unwrap();
    assert_eq!(runs.len(), 8, "{plan}");
    let rule_id = |name: &str| {
        plan["BackupPlan"]["Rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["RuleName"] == name)
            .unwrap()["RuleId"]
            .clone()
    };
    let times: Vec<i64> = runs.iter().map(|r| r["ExecutionTime"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "in time order: {times:?}");
    for run in runs {
        assert_eq!(run["RuleExecutionType"], "SNAPSHOTS");
        let at = run["ExecutionTime"].as_i64().unwrap();
        if run["RuleId"] == rule_id("nightly") {
            assert_eq!(at.rem_euclid(86_400), 3 * 3600, "03:00 UTC: {at}");
        } else {
            assert_eq!(run["RuleId"], rule_id("weekly"));
            // 04:30 on a Sunday in Los Angeles: 11:30 or 12:30 UTC (PDT or PST), a Sunday.
            let seconds = at.rem_euclid(86_400);
            assert!(seconds == 11 * 3600 + 1800 || seconds == 12 * 3600 + 1800, "{at}");
            assert_eq!((at.div_euclid(86_400) + 4).rem_euclid(7), 0, "a Sunday: {at}");
        }
    }
    assert!(
        runs.iter().any(|r| r["RuleId"] == rule_id("weekly")),
        "a week of runs names both rules"
    );
}

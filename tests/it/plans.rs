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
    for (method, lock) in [("PUT", lock.as_str()), ("DELETE", "")] {
        let (status, body) = send(&app, method, "/backup-vaults/NoSuchVault/vault-lock", lock).await;
        assert_eq!(
            (status, body["Code"].as_str()),
            (StatusCode::FORBIDDEN, Some("AccessDeniedException")),
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
    assert_eq!(state["report_plans"][0]["arn"], arn.as_str(), "{state}");
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

//! The seed article's checks walked through the AWS APIs alone, with the real SDK clients against `copylab serve` (in-process): each failure produced by changing the world through AWS Backup, KMS or Organizations, seen as a FAILED copy job with the engine's message, and repaired the same way. `/_copylab/` is used only to reset and to declare a resource.

use aws_sdk_organizations::types::PolicyType;
use copylab_rules::world::Wording;
use copylab_server::state::Progression;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::sdk::{ROLE, copy_shared_snapshot, copy_to_destination, engine_status_message};
use crate::support::{SHARED_KEY, client, default_world, drop_destination_from_shared_key, router};

async fn control(app: &axum::Router, path: &str, body: serde_json::Value) {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/_copylab/{path}"))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert!(
        status.is_success(),
        "{path}: {status} {}",
        String::from_utf8_lossy(&bytes)
    );
}

fn kms(app: &axum::Router) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&crate::support::config(app, "111122223333", "us-east-1"))
}

fn organizations(app: &axum::Router) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::new(&crate::support::config(app, "123456789012", "us-east-1"))
}

/// Asserts the next copy fails with a message containing `phrase`.
async fn fails_with(app: &axum::Router, phrase: &str) {
    let (state, message) = copy_shared_snapshot(app).await;
    assert_eq!(state, "FAILED");
    let message = message.unwrap_or_default();
    assert!(message.contains(phrase), "`{message}` does not contain `{phrase}`");
}

async fn completes(app: &axum::Router) {
    assert_eq!(copy_shared_snapshot(app).await, ("COMPLETED".to_owned(), None));
}

#[tokio::test]
async fn the_seeds_failures_are_produced_and_repaired_through_the_aws_apis_alone() {
    let app = router(default_world(), 3, None, Wording::Current, Progression::Instant);
    completes(&app).await;
    let management_backup = client(&app, "123456789012", "us-east-1");
    let destination_backup = client(&app, "444455556666", "us-east-1");

    // The organization's cross-account setting (management account, AWS Backup).
    management_backup
        .update_global_settings()
        .global_settings("isCrossAccountBackupEnabled", "false")
        .send()
        .await
        .unwrap();
    let mut disabled = default_world();
    disabled.organizations[0].cross_account_backup_enabled = false;
    assert_eq!(
        copy_shared_snapshot(&app).await,
        ("FAILED".to_owned(), engine_status_message(&disabled)),
        "cross-account backup disabled"
    );
    management_backup
        .update_global_settings()
        .global_settings("isCrossAccountBackupEnabled", "true")
        .send()
        .await
        .unwrap();
    completes(&app).await;

    // The source key policy (KMS).
    let original = kms(&app)
        .get_key_policy()
        .key_id(SHARED_KEY)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    drop_destination_from_shared_key(&kms(&app)).await;
    fails_with(&app, "KMS key").await;
    kms(&app)
        .put_key_policy()
        .key_id(SHARED_KEY)
        .policy(&original)
        .send()
        .await
        .unwrap();
    completes(&app).await;

    // The destination vault access policy (the destination account, AWS Backup).
    let policy = destination_backup
        .get_backup_vault_access_policy()
        .backup_vault_name("DestinationVault")
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    destination_backup
        .delete_backup_vault_access_policy()
        .backup_vault_name("DestinationVault")
        .send()
        .await
        .unwrap();
    fails_with(&app, "Access Denied").await;
    destination_backup
        .put_backup_vault_access_policy()
        .backup_vault_name("DestinationVault")
        .policy(policy)
        .send()
        .await
        .unwrap();
    completes(&app).await;

    // The organization's tag policy (Organizations).
    let content = r#"{"tags":{"team":{"tag_key":{"@@assign":"team"},"tag_value":{"@@assign":["platform"]},"enforced_for":{"@@assign":["rds:snapshot"]}}}}"#;
    let orgs = organizations(&app);
    let id = orgs
        .create_policy()
        .name("teams")
        .description("teams")
        .r#type(PolicyType::TagPolicy)
        .content(content)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .policy_summary
        .unwrap()
        .id
        .unwrap();
    orgs.enable_policy_type()
        .root_id("r-a1b2")
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    orgs.attach_policy()
        .policy_id(&id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap();
    let mut tagged = default_world();
    tagged.organizations[0]
        .tag_policies
        .push(copylab_rules::world::TagPolicy {
            name: "teams".into(),
            targets: vec!["r-a1b2".into()],
            content: serde_json::from_str(content).unwrap(),
        });
    assert_eq!(
        copy_shared_snapshot(&app).await,
        ("FAILED".to_owned(), engine_status_message(&tagged)),
        "non-compliant tag"
    );
    orgs.detach_policy()
        .policy_id(&id)
        .target_id("r-a1b2")
        .send()
        .await
        .unwrap();
    completes(&app).await;

    // Same organization (Organizations).
    orgs.remove_account_from_organization()
        .account_id("444455556666")
        .send()
        .await
        .unwrap();
    fails_with(
        &app,
        "Both source and destination account must be a member of the same organization.",
    )
    .await;
    control(&app, "reset", serde_json::json!({})).await;
    completes(&app).await;

    // Source encryption: an EBS snapshot under aws/ebs cannot be shared; a volume under the
    // shared customer managed key, backed up through AWS Backup, copies.
    let job = copy_to_destination(&app, "arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718").await;
    assert_eq!(
        job.status_message(),
        Some("Encrypted snapshots with Amazon EBS default key cannot be shared")
    );
    let volume = "arn:aws:ec2:us-east-1:111122223333:volume/vol-0fedcba9876543210";
    control(
        &app,
        "resources",
        serde_json::json!({"arn": volume, "resource_type": "EBS", "encryption_key_arn": SHARED_KEY}),
    )
    .await;
    let source = client(&app, "111122223333", "us-east-1");
    let backup = source
        .start_backup_job()
        .backup_vault_name("SourceVault")
        .resource_arn(volume)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let job = copy_to_destination(&app, backup.recovery_point_arn().unwrap()).await;
    assert_eq!(
        job.state().map(|s| s.as_str()),
        Some("COMPLETED"),
        "{:?}",
        job.status_message()
    );
}

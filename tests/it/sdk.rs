//! The real `aws-sdk-backup` client against `copylab serve`, in-process through a connector into the router (the s3s pattern: no socket, no sleeps): copy jobs completing and failing, errors as the SDK surfaces them, every scenario replayed through the SDK, and concurrent clients.

use aws_sdk_backup::error::ProvideErrorMetadata;
use copylab_rules::world::{CopyJobState, Wording};
use copylab_server::state::Progression;
use serde_json::json;

use crate::support::{client, default_world, router};

pub(crate) const ROLE: &str = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole";
pub(crate) const DESTINATION: &str = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault";
pub(crate) const RDS_SHARED: &str =
    "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453";
const EBS_AWS_KEY: &str = "arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718";

#[tokio::test]
async fn sdk_copy_job_completes_then_the_destination_reads_its_recovery_point() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Polls(2));
    let source = client(&app, "111122223333", "us-east-1");
    let started = source
        .start_copy_job()
        .recovery_point_arn(RDS_SHARED)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let id = started.copy_job_id().unwrap().to_owned();
    let mut states = Vec::new();
    let job = loop {
        let job = source
            .describe_copy_job()
            .copy_job_id(&id)
            .send()
            .await
            .unwrap()
            .copy_job
            .unwrap();
        states.push(job.state().unwrap().as_str().to_owned());
        if matches!(job.state().unwrap().as_str(), "COMPLETED" | "FAILED") {
            break job;
        }
        assert!(states.len() < 10, "never ends: {states:?}");
    };
    assert_eq!(states, ["CREATED", "RUNNING", "COMPLETED"]);
    assert_eq!(job.message_category(), Some("SUCCESS"));
    let destination_rp = job.destination_recovery_point_arn().unwrap().to_owned();
    // The destination reads with an access key the default world's `credentials` map to a user
    // of 444455556666, signed by the SDK as for AWS.
    let destination = client(&app, "AKIAI44QH8DHBEXAMPLE", "us-east-1");
    let rp = destination
        .describe_recovery_point()
        .backup_vault_name("DestinationVault")
        .recovery_point_arn(&destination_rp)
        .send()
        .await
        .unwrap();
    assert_eq!(rp.resource_type(), Some("RDS"));
    assert_eq!(
        rp.encryption_key_arn(),
        Some("arn:aws:kms:us-east-1:444455556666:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
    );
}

#[tokio::test]
async fn sdk_sees_failed_copy_jobs_and_aws_errors() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = client(&app, "111122223333", "us-east-1");
    let started = source
        .start_copy_job()
        .recovery_point_arn(EBS_AWS_KEY)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let job = source
        .describe_copy_job()
        .copy_job_id(started.copy_job_id().unwrap())
        .send()
        .await
        .unwrap()
        .copy_job
        .unwrap();
    assert_eq!(job.state().map(|s| s.as_str()), Some("FAILED"));
    assert_eq!(
        job.status_message(),
        Some("Encrypted snapshots with Amazon EBS default key cannot be shared")
    );
    let failed = source
        .list_copy_jobs()
        .by_state(aws_sdk_backup::types::CopyJobState::Failed)
        .send()
        .await
        .unwrap();
    assert_eq!(failed.copy_jobs().len(), 1);
    // A vault that does not exist: AccessDeniedException, as AWS answers.
    let err = source
        .describe_backup_vault()
        .backup_vault_name("Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert_eq!(err.message(), Some("Insufficient privileges to perform this action."));
    // The exception classes of the model: a recovery point the vault does not hold.
    let err = source
        .describe_recovery_point()
        .backup_vault_name("SourceVault")
        .recovery_point_arn("arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err:?}"
    );
    assert_eq!(err.message(), Some("Cannot find recovery point"));
    // Vault lifecycle and access policy through the SDK.
    source
        .create_backup_vault()
        .backup_vault_name("Scratch")
        .send()
        .await
        .unwrap();
    let err = source
        .create_backup_vault()
        .backup_vault_name("Scratch")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().is_some_and(|e| e.is_already_exists_exception()),
        "{err:?}"
    );
    let bad_policy = r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "backup:*", "Resource": "*"}}"#;
    let err = source
        .put_backup_vault_access_policy()
        .backup_vault_name("Scratch")
        .policy(bad_policy)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_value_exception()),
        "{err:?}"
    );
    let vaults = source.list_backup_vaults().send().await.unwrap();
    assert_eq!(vaults.backup_vault_list().len(), 2);
    // An operation copylab does not implement answers in AWS's error shape.
    let err = source.list_restore_jobs().send().await.unwrap_err();
    assert_eq!(err.code(), Some("NotImplementedException"));
}

#[tokio::test]
async fn every_scenario_replayed_through_the_sdk_ends_as_explain_says() {
    let mut failures = Vec::new();
    for path in crate::scenarios::scenario_files() {
        let loaded = copylab::scenario::load_file(&path).unwrap();
        let verdict = copylab::explain_cmd::run_scenario(&loaded).unwrap();
        let s = loaded.scenario;
        let app = router(
            s.world.clone(),
            s.seed,
            s.as_of.clone(),
            s.wording,
            Progression::Instant,
        );
        let sdk = client(&app, &s.copy_job.account, &s.copy_job.region);
        let mut request = sdk.start_copy_job();
        request = request.set_recovery_point_arn(s.copy_job.recovery_point_arn.clone());
        request = request.set_source_backup_vault_name(s.copy_job.source_backup_vault_name.clone());
        request = request.set_destination_backup_vault_arn(s.copy_job.destination_backup_vault_arn.clone());
        request = request.set_iam_role_arn(s.copy_job.iam_role_arn.clone());
        if let Some(lifecycle) = &s.copy_job.lifecycle {
            request = request.lifecycle(
                aws_sdk_backup::types::Lifecycle::builder()
                    .set_delete_after_days(lifecycle.delete_after_days)
                    .set_move_to_cold_storage_after_days(lifecycle.move_to_cold_storage_after_days)
                    .build(),
            );
        }
        let started = request.send().await;
        match (&verdict.outcome, started) {
            (copylab_rules::Outcome::ApiError { error_code, .. }, Err(err)) => {
                if err.code() != Some(error_code) {
                    failures.push(format!(
                        "{}: expected {error_code}, the SDK saw {:?} ({err:?})",
                        loaded.name,
                        err.code()
                    ));
                }
            }
            (
                copylab_rules::Outcome::CopyJob {
                    state,
                    status_message,
                    message_category,
                    ..
                },
                Ok(started),
            ) => {
                let job = sdk
                    .describe_copy_job()
                    .copy_job_id(started.copy_job_id().unwrap())
                    .send()
                    .await
                    .unwrap()
                    .copy_job
                    .unwrap();
                let expected = if *state == CopyJobState::Completed {
                    "COMPLETED"
                } else {
                    "FAILED"
                };
                if job.state().map(|s| s.as_str()) != Some(expected)
                    || job.status_message() != status_message.as_deref()
                    || job.message_category() != Some(*message_category)
                {
                    failures.push(format!("{}: the SDK saw {job:?}", loaded.name));
                }
            }
            (outcome, started) => failures.push(format!(
                "{}: explain says {outcome:?}, the SDK got {started:?}",
                loaded.name
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_start_a_thousand_copy_jobs_and_list_each_once() {
    // Four source accounts: the default world's, and three more with a vault and an EBS snapshot
    // each (their copies fail, which is still a copy job).
    let mut world = default_world();
    let extra = ["222233334444", "555566667777", "888899990000"];
    for account in extra {
        world.vaults.push(copylab_rules::world::BackupVault {
            name: "SourceVault".into(),
            account: account.into(),
            region: "us-east-1".into(),
            encryption_key: None,
            access_policy: None,
            lock: None,
            vault_type: Default::default(),
            tags: Default::default(),
            notifications: None,
        });
        world.recovery_points.push(copylab_rules::world::RecoveryPoint {
            arn: format!("arn:aws:ec2:us-east-1::snapshot/snap-{account}0"),
            vault: "SourceVault".into(),
            account: Some(account.into()),
            resource_type: "EBS".into(),
            resource_arn: format!("arn:aws:ec2:us-east-1:{account}:volume/vol-1"),
            encryption_key: None,
            tags: Default::default(),
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
        });
    }
    let app = router(world, 3, None, Wording::Current, Progression::Instant);
    let accounts: Vec<&str> = std::iter::once("111122223333").chain(extra).collect();
    let mut tasks = Vec::new();
    for worker in 0..32 {
        let account = accounts[worker % accounts.len()].to_owned();
        let sdk = client(&app, &account, "us-east-1");
        let rp = if account == "111122223333" {
            RDS_SHARED.to_owned()
        } else {
            format!("arn:aws:ec2:us-east-1::snapshot/snap-{account}0")
        };
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..32 {
                let started = sdk
                    .start_copy_job()
                    .recovery_point_arn(&rp)
                    .source_backup_vault_name("SourceVault")
                    .destination_backup_vault_arn(DESTINATION)
                    .iam_role_arn(format!(
                        "arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"
                    ))
                    .send()
                    .await
                    .unwrap();
                ids.push(started.copy_job_id().unwrap().to_owned());
            }
            (account, ids)
        }));
    }
    let mut all = std::collections::BTreeMap::<String, Vec<String>>::new();
    for task in tasks {
        let (account, ids) = task.await.unwrap();
        all.entry(account).or_default().extend(ids);
    }
    let distinct: std::collections::BTreeSet<&String> = all.values().flatten().collect();
    assert_eq!(distinct.len(), 32 * 32, "copy job ids are distinct");
    for (account, ids) in &all {
        let sdk = client(&app, account, "us-east-1");
        let expected: std::collections::BTreeSet<&String> = ids.iter().collect();
        for page_size in [1, 7, 1000] {
            let mut seen = Vec::new();
            let mut pages = sdk.list_copy_jobs().max_results(page_size).into_paginator().send();
            while let Some(page) = pages.next().await {
                seen.extend(
                    page.unwrap()
                        .copy_jobs()
                        .iter()
                        .map(|j| j.copy_job_id().unwrap().to_owned()),
                );
            }
            let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
            assert_eq!(
                (seen.len(), unique),
                (ids.len(), expected.clone()),
                "{account}, page size {page_size}"
            );
        }
    }
}

#[tokio::test]
async fn sdk_backup_jobs_tags_region_settings_and_vault_lock() {
    let app = router(default_world(), 5, None, Wording::Current, Progression::Instant);
    let source = client(&app, "111122223333", "us-east-1");
    // A backup job creates a recovery point that a copy can then copy.
    let job = source
        .start_backup_job()
        .backup_vault_name("SourceVault")
        .resource_arn("arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0abcdef1")
        .iam_role_arn(ROLE)
        .recovery_point_tags("team", "payments")
        .send()
        .await
        .unwrap();
    let rp = job.recovery_point_arn().unwrap().to_owned();
    assert!(
        rp.starts_with("arn:aws:backup:us-east-1:111122223333:recovery-point:"),
        "{rp}"
    );
    let described = source
        .describe_backup_job()
        .backup_job_id(job.backup_job_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(described.state().map(|s| s.as_str()), Some("COMPLETED"));
    assert_eq!(source.list_backup_jobs().send().await.unwrap().backup_jobs().len(), 1);
    // Tags of the recovery point are the ones a copy writes.
    source
        .tag_resource()
        .resource_arn(&rp)
        .tags("CostCenter", "100")
        .send()
        .await
        .unwrap();
    source
        .untag_resource()
        .resource_arn(&rp)
        .tag_key_list("team")
        .send()
        .await
        .unwrap();
    let tags = source.list_tags().resource_arn(&rp).send().await.unwrap();
    assert_eq!(tags.tags().map(|t| t.len()), Some(1));
    // The new EFS recovery point copies to the destination.
    let copy = source
        .start_copy_job()
        .recovery_point_arn(&rp)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let copied = source
        .describe_copy_job()
        .copy_job_id(copy.copy_job_id().unwrap())
        .send()
        .await
        .unwrap()
        .copy_job
        .unwrap();
    assert_eq!(copied.state().map(|s| s.as_str()), Some("COMPLETED"), "{copied:?}");
    // Region settings: DynamoDB advanced features.
    let before = source.describe_region_settings().send().await.unwrap();
    assert_eq!(
        before
            .resource_type_management_preference()
            .and_then(|m| m.get("DynamoDB")),
        Some(&false)
    );
    source
        .update_region_settings()
        .resource_type_management_preference("DynamoDB", true)
        .send()
        .await
        .unwrap();
    let after = source.describe_region_settings().send().await.unwrap();
    assert_eq!(
        after
            .resource_type_management_preference()
            .and_then(|m| m.get("DynamoDB")),
        Some(&true)
    );
    // Vault lock: a copy with a shorter retention now fails with AWS's message.
    let destination = client(&app, "444455556666", "us-east-1");
    destination
        .put_backup_vault_lock_configuration()
        .backup_vault_name("DestinationVault")
        .min_retention_days(30)
        .send()
        .await
        .unwrap();
    let copy = source
        .start_copy_job()
        .recovery_point_arn(RDS_SHARED)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .lifecycle(aws_sdk_backup::types::Lifecycle::builder().delete_after_days(7).build())
        .send()
        .await
        .unwrap();
    let locked = source
        .describe_copy_job()
        .copy_job_id(copy.copy_job_id().unwrap())
        .send()
        .await
        .unwrap()
        .copy_job
        .unwrap();
    assert_eq!(
        locked.status_message(),
        Some(
            "Copy job failed. The retention specified in the job is not within the range specified for the target Backup Vault."
        )
    );
    // A vault name off the model's pattern.
    let err = source
        .create_backup_vault()
        .backup_vault_name("bad name!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"), "{err:?}");
}

/// Copies `recovery_point` from SourceVault to DestinationVault as the source account and
/// describes the job once (under `instant` progression, its end state).
pub(crate) async fn copy_to_destination(app: &axum::Router, recovery_point: &str) -> aws_sdk_backup::types::CopyJob {
    let backup = client(app, "111122223333", "us-east-1");
    let id = backup
        .start_copy_job()
        .recovery_point_arn(recovery_point)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .copy_job_id
        .unwrap();
    backup
        .describe_copy_job()
        .copy_job_id(id)
        .send()
        .await
        .unwrap()
        .copy_job
        .unwrap()
}

/// Copies the default world's shared RDS snapshot; returns the job's end state and `StatusMessage`.
pub(crate) async fn copy_shared_snapshot(app: &axum::Router) -> (String, Option<String>) {
    let job = copy_to_destination(app, RDS_SHARED).await;
    (job.state().unwrap().as_str().to_owned(), job.status_message)
}

/// The rules engine's `StatusMessage` for the same copy in `world`.
pub(crate) fn engine_status_message(world: &copylab_rules::World) -> Option<String> {
    let request = copylab_rules::world::StartCopyJob {
        account: "111122223333".into(),
        caller: None,
        region: "us-east-1".into(),
        recovery_point_arn: Some(RDS_SHARED.into()),
        source_backup_vault_name: Some("SourceVault".into()),
        destination_backup_vault_arn: Some(DESTINATION.into()),
        iam_role_arn: Some(ROLE.into()),
        lifecycle: None,
    };
    match copylab_rules::simulate(world, &request, &Default::default())
        .unwrap()
        .outcome
    {
        copylab_rules::engine::Outcome::CopyJob { status_message, .. } => status_message,
        other => panic!("not a copy job: {other:?}"),
    }
}

/// `GET /_copylab/state` as JSON: the world, the jobs and what the services keep, without the
/// id stream's count ([`crate::support::kept`]).
pub(crate) async fn state_of(app: &axum::Router) -> serde_json::Value {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let request = axum::http::Request::builder()
        .uri("/_copylab/state")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    crate::support::kept(serde_json::from_slice(&bytes).unwrap())
}

/// `GET` from the control API, its JSON answer.
pub(crate) async fn control_get(app: &axum::Router, path: &str) -> (u16, serde_json::Value) {
    control(app, "GET", path).await
}

/// `POST` to the control API, its JSON answer.
pub(crate) async fn control_post(app: &axum::Router, path: &str) -> (u16, serde_json::Value) {
    control(app, "POST", path).await
}

/// A control API request without a body, its JSON answer.
async fn control(app: &axum::Router, method: &str, path: &str) -> (u16, serde_json::Value) {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn one_clock_a_job_an_sts_session_and_the_control_api_agree_after_an_advance() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let (status, clock) = control_post(&app, "/_copylab/clock/advance?seconds=86400").await;
    assert_eq!(status, 200, "{clock}");
    let now = clock["now"].as_f64().unwrap();
    assert_eq!(
        now,
        copylab_server::clock::date_seconds(copylab_rules::MODEL_DATE).unwrap() + 86_400.0
    );
    let job = copy_to_destination(&app, RDS_SHARED).await;
    assert_eq!(job.creation_date().unwrap().secs() as f64, now);
    let sts = aws_sdk_sts::Client::new(&crate::support::config(&app, "111122223333", "us-east-1"));
    let credentials = sts
        .assume_role()
        .role_arn("arn:aws:iam::111122223333:role/BackupOperatorRole")
        .role_session_name("clock")
        .duration_seconds(900)
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    assert_eq!(credentials.expiration().secs() as f64, now + 900.0);
    let state = state_of(&app).await;
    let (_, read) = control_post(&app, "/_copylab/clock/advance?seconds=0").await;
    assert_eq!(read["now"], clock["now"], "{state}");
    // A clock AWS's timestamps cannot show is refused, and the clock is unchanged.
    for bad in ["1e12", "1e308", "NaN", "-1", "x"] {
        let (status, body) = control_post(&app, &format!("/_copylab/clock/advance?seconds={bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (_, after) = control_post(&app, "/_copylab/clock/advance?seconds=0").await;
    assert_eq!(after["now"], clock["now"]);
}

#[tokio::test]
async fn ids_issued_before_and_after_a_reset_never_collide() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let mut ids = std::collections::BTreeSet::new();
    for round in 0..3 {
        for _ in 0..3 {
            let job = copy_to_destination(&app, RDS_SHARED).await;
            assert!(
                ids.insert(job.copy_job_id.unwrap()),
                "round {round}: a copy job id was issued twice"
            );
        }
        let (status, _) = control_post(&app, "/_copylab/reset").await;
        assert_eq!(status, 200);
    }
    assert_eq!(ids.len(), 9);
}

#[tokio::test]
async fn the_control_api_loads_built_in_scenarios_by_name_and_never_a_file() {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let state = copylab::embed::state(None, Progression::Instant).unwrap();
    let app = copylab_server::app(std::sync::Arc::new(tokio::sync::Mutex::new(state)));
    let load = |name: &str| {
        axum::http::Request::builder()
            .method("POST")
            .uri("/_copylab/scenario")
            .body(axum::body::Body::from(serde_json::json!({ "name": name }).to_string()))
            .unwrap()
    };
    let before = app.clone().oneshot(
        axum::http::Request::get("/_copylab/state")
            .body(axum::body::Body::empty())
            .unwrap(),
    );
    let before = before.await.unwrap().into_body().collect().await.unwrap().to_bytes();
    // Before the fix, a path was opened: /dev/zero read until memory ran out, a FIFO blocked
    // every client.
    for path in [
        "/dev/zero",
        "/etc/passwd",
        "Cargo.toml",
        "scenarios/seed_cross_account_setting_off.yaml",
    ] {
        let response = app.clone().oneshot(load(path)).await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
    let after = app.clone().oneshot(
        axum::http::Request::get("/_copylab/state")
            .body(axum::body::Body::empty())
            .unwrap(),
    );
    let after = after.await.unwrap().into_body().collect().await.unwrap().to_bytes();
    assert_eq!(before, after, "a refused load changed the state");
    let response = app
        .clone()
        .oneshot(load("seed_cross_account_setting_off"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn a_copy_job_is_regional_another_regions_describe_does_not_find_it() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let job = copy_to_destination(&app, RDS_SHARED).await;
    let id = job.copy_job_id.unwrap();
    let home = client(&app, "111122223333", "us-east-1");
    assert!(home.describe_copy_job().copy_job_id(&id).send().await.is_ok());
    // Before the fix, eu-west-1 described the us-east-1 job while listing none.
    let away = client(&app, "111122223333", "eu-west-1");
    let listed = away.list_copy_jobs().send().await.unwrap();
    assert!(listed.copy_jobs().is_empty());
    let error = away.describe_copy_job().copy_job_id(&id).send().await.unwrap_err();
    assert_eq!(error.code(), Some("ResourceNotFoundException"), "{error:?}");
}

/// Every tag operation on every kind of resource, by every kind of caller: only the owner, in
/// the resource's Region, lists or changes its tags; everyone else gets ResourceNotFound and
/// changes nothing.
#[tokio::test]
async fn only_the_owner_in_its_region_lists_or_changes_a_resources_tags() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let resources = [
        RDS_SHARED,
        "arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718",
        "arn:aws:backup:us-east-1:111122223333:backup-vault:SourceVault",
    ];
    // (caller account, Region): the owner elsewhere, a member of its organization, an outsider.
    let others = [
        ("111122223333", "eu-west-1"),
        ("444455556666", "us-east-1"),
        ("777788889999", "us-east-1"),
    ];
    let owner = client(&app, "111122223333", "us-east-1");
    for arn in resources {
        owner
            .tag_resource()
            .resource_arn(arn)
            .tags("team", "owner")
            .send()
            .await
            .unwrap();
        for (account, region) in others {
            let other = client(&app, account, region);
            // Before the fix, 777788889999 listed, tagged and untagged 111122223333's recovery point.
            let listed = other.list_tags().resource_arn(arn).send().await.unwrap_err();
            let tagged = other
                .tag_resource()
                .resource_arn(arn)
                .tags("team", "other")
                .send()
                .await
                .unwrap_err();
            let untagged = other
                .untag_resource()
                .resource_arn(arn)
                .tag_key_list("team")
                .send()
                .await
                .unwrap_err();
            for code in [listed.code(), tagged.code(), untagged.code()] {
                assert_eq!(code, Some("ResourceNotFoundException"), "{account} {region} on {arn}");
            }
        }
        let tags = owner.list_tags().resource_arn(arn).send().await.unwrap();
        assert_eq!(
            tags.tags().and_then(|t| t.get("team")).map(String::as_str),
            Some("owner"),
            "{arn}"
        );
    }
    // A backup ARN of nothing that exists is not stored.
    let plan = "arn:aws:backup:us-east-1:111122223333:backup-plan:nothing";
    let error = owner
        .tag_resource()
        .resource_arn(plan)
        .tags("a", "b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn a_recovery_point_keeps_at_most_fifty_tags_as_aws_says() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let owner = client(&app, "111122223333", "us-east-1");
    let existing = owner.list_tags().resource_arn(RDS_SHARED).send().await.unwrap();
    let have = existing.tags().map_or(0, |t| t.len());
    let mut request = owner.tag_resource().resource_arn(RDS_SHARED);
    for i in have..50 {
        request = request.tags(format!("k{i}"), "v");
    }
    request.send().await.unwrap();
    // Before the fix, 3,500 tags were accepted and copied with every job.
    let error = owner
        .tag_resource()
        .resource_arn(RDS_SHARED)
        .tags("one-too-many", "v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("LimitExceededException"));
    assert_eq!(
        error.message(),
        Some("The resultant tag set must not have more than 50 user tags.")
    );
    // Re-setting a key it has is no new tag.
    owner
        .tag_resource()
        .resource_arn(RDS_SHARED)
        .tags("k49", "w")
        .send()
        .await
        .unwrap();
    let tags = owner.list_tags().resource_arn(RDS_SHARED).send().await.unwrap();
    assert_eq!(tags.tags().map_or(0, |t| t.len()), 50);
}

#[tokio::test]
async fn a_refused_scenario_changes_nothing_and_reset_returns_to_the_world_the_server_started_with() {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let state = copylab::embed::state(None, Progression::Instant).unwrap();
    let app = copylab_server::app(std::sync::Arc::new(tokio::sync::Mutex::new(state)));
    let post = |path: &str, body: serde_json::Value| {
        let request = axum::http::Request::post(path)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let state = || {
        let app = app.clone();
        async move {
            let request = axum::http::Request::get("/_copylab/state")
                .body(axum::body::Body::empty())
                .unwrap();
            app.oneshot(request)
                .await
                .unwrap()
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
        }
    };
    let started = state().await;
    let vault = |name: &str, account: &str| json!({"name": name, "account": account, "region": "us-east-1"});
    // Before the fix, each of these was accepted (the seed turned into 0).
    let refused = [
        json!({"world": []}),
        json!({"world": {"vaults": [vault("V1", "111122223333"), vault("V1", "111122223333")]}}),
        json!({"world": {"vaults": [vault("a vault", "111122223333")]}}),
        json!({"world": {"vaults": [vault("V1", "1234")]}}),
        json!({"world": {}, "as_of": "not-a-date"}),
        json!({"world": {}, "seed": "x"}),
        json!({"world": {}, "wording": "loud"}),
    ];
    for document in refused {
        let (status, text) = post("/_copylab/scenario", document.clone()).await;
        assert_eq!(status, 400, "{document}: {text}");
        assert_eq!(state().await, started, "{document} changed the state");
    }
    let (status, _) = post("/_copylab/scenario", json!({"name": "seed_cross_account_setting_off"})).await;
    assert_eq!(status, 200);
    assert_ne!(state().await, started);
    let (status, _) = post("/_copylab/reset", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        state().await,
        started,
        "reset returns to the world the server started with"
    );
}

/// Another account (a member of the organization, and an outsider) can neither read nor change
/// 111122223333's key policy, role or vault access policy through KMS, IAM or AWS Backup: each
/// looks in the caller's own account (KMS's DescribeKey alone crosses, as KMS documents), so
/// the owner's resources are not found or access is denied, and nothing changes.
#[tokio::test]
async fn no_service_lets_another_account_read_or_change_the_owners_key_role_or_vault() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}]}"#;
    let owner_kms = aws_sdk_kms::Client::new(&crate::support::config(&app, "111122223333", "us-east-1"));
    let owner_iam = aws_sdk_iam::Client::new(&crate::support::config(&app, "111122223333", "us-east-1"));
    let owner_backup = client(&app, "111122223333", "us-east-1");
    // What the owner sees of its key policy and its role's trust.
    let owned = || async {
        let policy = owner_kms.get_key_policy().key_id(key).send().await.unwrap();
        let role = owner_iam
            .get_role()
            .role_name("AWSBackupDefaultServiceRole")
            .send()
            .await
            .unwrap();
        (
            policy.policy().map(str::to_owned),
            role.role()
                .and_then(|r| r.assume_role_policy_document().map(str::to_owned)),
        )
    };
    let before = owned().await;
    for other in ["444455556666", "777788889999"] {
        let kms = aws_sdk_kms::Client::new(&crate::support::config(&app, other, "us-east-1"));
        let error = kms.get_key_policy().key_id(key).send().await.unwrap_err();
        assert_eq!(
            aws_sdk_kms::error::ProvideErrorMetadata::code(&error),
            Some("NotFoundException"),
            "{other}"
        );
        let error = kms
            .put_key_policy()
            .key_id(key)
            .policy(policy)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            aws_sdk_kms::error::ProvideErrorMetadata::code(&error),
            Some("NotFoundException"),
            "{other}"
        );
        let iam = aws_sdk_iam::Client::new(&crate::support::config(&app, other, "us-east-1"));
        let error = iam
            .update_assume_role_policy()
            .role_name("AWSBackupDefaultServiceRole")
            .policy_document(policy)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            aws_sdk_iam::error::ProvideErrorMetadata::code(&error),
            Some("NoSuchEntity"),
            "{other}"
        );
        let backup = client(&app, other, "us-east-1");
        let error = backup
            .put_backup_vault_access_policy()
            .backup_vault_name("SourceVault")
            .policy(policy)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                error.code(),
                Some("AccessDeniedException" | "ResourceNotFoundException")
            ),
            "{other}: {error:?}"
        );
    }
    let after = owned().await;
    assert_eq!(before, after);
    assert!(
        owner_backup
            .get_backup_vault_access_policy()
            .backup_vault_name("SourceVault")
            .send()
            .await
            .is_err_and(|e| e.code() == Some("ResourceNotFoundException")),
        "SourceVault still has no access policy"
    );
}

/// `CreateLogicallyAirGappedBackupVault` through the SDK, with the required retention range.
async fn create_lag_vault(
    client: &aws_sdk_backup::Client,
    name: &str,
    min: i64,
    max: i64,
    key: Option<&str>,
) -> Result<
    aws_sdk_backup::operation::create_logically_air_gapped_backup_vault::CreateLogicallyAirGappedBackupVaultOutput,
    aws_sdk_backup::error::SdkError<
        aws_sdk_backup::operation::create_logically_air_gapped_backup_vault::CreateLogicallyAirGappedBackupVaultError,
    >,
> {
    client
        .create_logically_air_gapped_backup_vault()
        .backup_vault_name(name)
        .min_retention_days(min)
        .max_retention_days(max)
        .set_encryption_key_arn(key.map(str::to_owned))
        .send()
        .await
}

/// A copy job started and read back at once (`Progression::Instant`).
async fn copy_into(
    client: &aws_sdk_backup::Client,
    recovery_point: &str,
    destination: &str,
    delete_after_days: i64,
) -> aws_sdk_backup::types::CopyJob {
    let started = client
        .start_copy_job()
        .recovery_point_arn(recovery_point)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(destination)
        .iam_role_arn(ROLE)
        .lifecycle(
            aws_sdk_backup::types::Lifecycle::builder()
                .delete_after_days(delete_after_days)
                .build(),
        )
        .send()
        .await
        .unwrap();
    client
        .describe_copy_job()
        .copy_job_id(started.copy_job_id().unwrap())
        .send()
        .await
        .unwrap()
        .copy_job
        .unwrap()
}

#[tokio::test]
async fn a_logically_air_gapped_vault_is_creating_then_available_on_the_clock_and_copies_follow_its_rules() {
    use aws_sdk_backup::types::{EncryptionKeyType, VaultState, VaultType};
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = client(&app, "111122223333", "us-east-1");
    let vault_arn = "arn:aws:backup:us-east-1:111122223333:backup-vault:AirGapped";
    let created = create_lag_vault(&source, "AirGapped", 7, 35, None).await.unwrap();
    assert_eq!(created.backup_vault_name(), Some("AirGapped"));
    assert_eq!(created.backup_vault_arn(), Some(vault_arn));
    assert_eq!(created.vault_state(), Some(&VaultState::Creating));
    let creation_date = *created.creation_date().unwrap();
    // The documented describe-backup-vault fields; no EncryptionKeyArn under an AWS owned key.
    let described = source
        .describe_backup_vault()
        .backup_vault_name("AirGapped")
        .send()
        .await
        .unwrap();
    assert_eq!(described.vault_type(), Some(&VaultType::LogicallyAirGappedBackupVault));
    assert_eq!(described.vault_state(), Some(&VaultState::Creating));
    assert_eq!(
        described.encryption_key_type(),
        Some(&EncryptionKeyType::AwsOwnedKmsKey)
    );
    assert_eq!(described.encryption_key_arn(), None);
    assert_eq!(described.locked(), Some(true));
    assert_eq!(described.min_retention_days(), Some(7));
    assert_eq!(described.max_retention_days(), Some(35));
    assert_eq!(described.creation_date(), Some(&creation_date));
    assert_eq!(described.lock_date(), Some(&creation_date));
    assert_eq!(described.number_of_recovery_points(), 0);
    // While it is CREATING a copy into it is refused, and the refusal changes nothing.
    let before = state_of(&app).await;
    let err = source
        .start_copy_job()
        .recovery_point_arn(RDS_SHARED)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(vault_arn)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidRequestException"));
    assert_eq!(
        err.message(),
        Some(
            "destination backup vault `arn:aws:backup:us-east-1:111122223333:backup-vault:AirGapped` is CREATING: a logically air-gapped vault takes copies once its VaultState is AVAILABLE"
        )
    );
    assert_eq!(state_of(&app).await, before);
    // A minute of the virtual clock later it is AVAILABLE.
    let (status, _) = control_post(&app, "/_copylab/clock/advance?seconds=59").await;
    assert_eq!(status, 200);
    let still = source
        .describe_backup_vault()
        .backup_vault_name("AirGapped")
        .send()
        .await
        .unwrap();
    assert_eq!(still.vault_state(), Some(&VaultState::Creating));
    control_post(&app, "/_copylab/clock/advance?seconds=1").await;
    let ready = source
        .describe_backup_vault()
        .backup_vault_name("AirGapped")
        .send()
        .await
        .unwrap();
    assert_eq!(ready.vault_state(), Some(&VaultState::Available));
    // ListBackupVaults: the same fields, and the ByVaultType and ByShared filters.
    let listed = source
        .list_backup_vaults()
        .by_vault_type(VaultType::LogicallyAirGappedBackupVault)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = listed
        .backup_vault_list()
        .iter()
        .map(|v| v.backup_vault_name())
        .collect();
    assert_eq!(names, [Some("AirGapped")]);
    let member = &listed.backup_vault_list()[0];
    assert_eq!(member.vault_state(), Some(&VaultState::Available));
    assert_eq!(member.encryption_key_type(), Some(&EncryptionKeyType::AwsOwnedKmsKey));
    assert_eq!(member.encryption_key_arn(), None);
    assert_eq!(
        (
            member.locked(),
            member.min_retention_days(),
            member.max_retention_days()
        ),
        (Some(true), Some(7), Some(35))
    );
    assert_eq!(member.lock_date(), Some(&creation_date));
    let standard = source
        .list_backup_vaults()
        .by_vault_type(VaultType::BackupVault)
        .send()
        .await
        .unwrap();
    assert!(
        standard
            .backup_vault_list()
            .iter()
            .all(|v| v.backup_vault_name() != Some("AirGapped"))
    );
    assert!(!standard.backup_vault_list().is_empty());
    // No vault is shared with the caller through AWS RAM in copylab's model.
    let shared = source.list_backup_vaults().by_shared(true).send().await.unwrap();
    assert!(shared.backup_vault_list().is_empty());
    // Copies: an EBS snapshot under aws/ebs fails even within the account; an RDS snapshot
    // under a customer managed key completes under the vault's AWS owned key; a retention
    // beyond the vault's maximum fails with the documented message.
    let ebs = copy_into(
        &source,
        "arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718",
        vault_arn,
        14,
    )
    .await;
    assert_eq!(ebs.state().map(|s| s.as_str()), Some("FAILED"));
    assert_eq!(
        ebs.status_message(),
        Some(
            "Copy job failed. This resource is encrypted with an AWS managed key and cannot be copied to a logically air-gapped backup vault."
        )
    );
    let rds = copy_into(&source, RDS_SHARED, vault_arn, 14).await;
    assert_eq!(
        rds.state().map(|s| s.as_str()),
        Some("COMPLETED"),
        "{:?}",
        rds.status_message()
    );
    assert_eq!(rds.destination_vault_type(), Some("LOGICALLY_AIR_GAPPED_BACKUP_VAULT"));
    assert_eq!(rds.destination_vault_lock_state(), Some("LOCKED"));
    assert_eq!(rds.destination_encryption_key_arn(), None);
    let copied = rds.destination_recovery_point_arn().unwrap();
    assert!(
        copied.starts_with("arn:aws:backup:us-east-1:111122223333:recovery-point:"),
        "{copied}"
    );
    let rp = source
        .describe_recovery_point()
        .backup_vault_name("AirGapped")
        .recovery_point_arn(copied)
        .send()
        .await
        .unwrap();
    assert!(rp.is_encrypted());
    assert_eq!(rp.encryption_key_arn(), None);
    assert_eq!(rp.encryption_key_type(), Some(&EncryptionKeyType::AwsOwnedKmsKey));
    let too_long = copy_into(&source, RDS_SHARED, vault_arn, 90).await;
    assert_eq!(
        too_long.status_message(),
        Some(
            "Copy job failed. The retention specified in the job is not within the range specified for the target Backup Vault."
        )
    );
}

#[tokio::test]
async fn a_logically_air_gapped_vault_takes_a_customer_managed_key_of_the_caller_and_a_retry_with_its_request_id() {
    use aws_sdk_backup::types::{EncryptionKeyType, VaultState};
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = client(&app, "111122223333", "us-east-1");
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    // By key id: stored and shown as the key's ARN.
    create_lag_vault(
        &source,
        "AirGappedCmk",
        8,
        30,
        Some("1234abcd-12ab-34cd-56ef-1234567890ab"),
    )
    .await
    .unwrap();
    let described = source
        .describe_backup_vault()
        .backup_vault_name("AirGappedCmk")
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.encryption_key_type(),
        Some(&EncryptionKeyType::CustomerManagedKmsKey)
    );
    assert_eq!(described.encryption_key_arn(), Some(key));
    assert_eq!(
        (described.min_retention_days(), described.max_retention_days()),
        (Some(8), Some(30))
    );
    // The same CreatorRequestId answers as the first call did; without it the name exists.
    let first = source
        .create_logically_air_gapped_backup_vault()
        .backup_vault_name("Retried")
        .min_retention_days(7)
        .max_retention_days(7)
        .creator_request_id("request-1")
        .backup_vault_tags("team", "payments")
        .send()
        .await
        .unwrap();
    let again = source
        .create_logically_air_gapped_backup_vault()
        .backup_vault_name("Retried")
        .min_retention_days(7)
        .max_retention_days(7)
        .creator_request_id("request-1")
        .send()
        .await
        .unwrap();
    assert_eq!(again.creation_date(), first.creation_date());
    assert_eq!(again.vault_state(), Some(&VaultState::Creating));
    let described = source
        .describe_backup_vault()
        .backup_vault_name("Retried")
        .send()
        .await
        .unwrap();
    assert_eq!(described.creator_request_id(), Some("request-1"));
    let tags = source
        .list_tags()
        .resource_arn("arn:aws:backup:us-east-1:111122223333:backup-vault:Retried")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().and_then(|t| t.get("team")).map(String::as_str),
        Some("payments")
    );
    let err = create_lag_vault(&source, "Retried", 7, 7, None).await.unwrap_err();
    assert_eq!(err.code(), Some("AlreadyExistsException"));
    assert_eq!(
        err.message(),
        Some("A Backup vault with the name Retried already exists")
    );
}

/// A refused `CreateLogicallyAirGappedBackupVault`: name, min, max, key, code, message.
type RefusedVault = (&'static str, i64, i64, Option<&'static str>, &'static str, &'static str);

#[tokio::test]
async fn a_refused_logically_air_gapped_vault_answers_aws_errors_and_changes_nothing() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Instant);
    let source = client(&app, "111122223333", "us-east-1");
    let before = state_of(&app).await;
    let cases: &[RefusedVault] = &[
        (
            "TooShort",
            6,
            30,
            None,
            "InvalidParameterValueException",
            "MinRetentionDays is 6: the minimum value accepted is 7 days",
        ),
        (
            "Inverted",
            40,
            30,
            None,
            "InvalidParameterValueException",
            "MinRetentionDays must not exceed MaxRetentionDays",
        ),
        (
            "OtherAccountsKey",
            7,
            30,
            Some("arn:aws:kms:us-east-1:444455556666:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
            "InvalidParameterValueException",
            "EncryptionKeyArn `arn:aws:kms:us-east-1:444455556666:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d` is not a customer managed KMS key of account 111122223333 in us-east-1",
        ),
        (
            "AwsManagedKey",
            7,
            30,
            Some("alias/aws/backup"),
            "InvalidParameterValueException",
            "EncryptionKeyArn `alias/aws/backup` is not a customer managed KMS key of account 111122223333 in us-east-1",
        ),
        (
            "MissingKey",
            7,
            30,
            Some("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"),
            "InvalidParameterValueException",
            "EncryptionKeyArn `arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000` is not a customer managed KMS key of account 111122223333 in us-east-1",
        ),
        (
            "SourceVault",
            7,
            30,
            None,
            "AlreadyExistsException",
            "A Backup vault with the name SourceVault already exists",
        ),
    ];
    for (name, min, max, key, code, message) in cases {
        let err = create_lag_vault(&source, name, *min, *max, *key).await.unwrap_err();
        assert_eq!((err.code(), err.message()), (Some(*code), Some(*message)), "{name}");
    }
    assert_eq!(state_of(&app).await, before);
}

/// Starts a copy of `rp` into the destination vault; its id.
async fn start_copy_of(source: &aws_sdk_backup::Client, rp: &str) -> String {
    source
        .start_copy_job()
        .recovery_point_arn(rp)
        .source_backup_vault_name("SourceVault")
        .destination_backup_vault_arn(DESTINATION)
        .iam_role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .copy_job_id()
        .unwrap()
        .to_owned()
}

/// One `DescribeCopyJob`: the job's state and `CompletionDate`.
async fn state_of_job(source: &aws_sdk_backup::Client, id: &str) -> (String, Option<i64>) {
    let job = source
        .describe_copy_job()
        .copy_job_id(id)
        .send()
        .await
        .unwrap()
        .copy_job
        .unwrap();
    (
        job.state().unwrap().as_str().to_owned(),
        job.completion_date().map(|d| d.secs()),
    )
}

/// "Only one backup or copy job can run at a time for a given resource. Additional copy jobs
/// for the same resource remain in CREATED status until the running job completes." Under
/// `polls:2`, a second copy of the same resource stays CREATED however often it is polled while
/// the first runs, then progresses as any job once the first has ended; a copy of another
/// resource does not wait.
#[tokio::test]
async fn a_second_copy_of_a_resource_stays_created_until_the_first_ends_under_polls() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Polls(2));
    let source = client(&app, "111122223333", "us-east-1");
    let first = start_copy_of(&source, RDS_SHARED).await;
    let second = start_copy_of(&source, RDS_SHARED).await;
    let other = start_copy_of(&source, EBS_AWS_KEY).await;
    let mut waiting = Vec::new();
    for _ in 0..4 {
        waiting.push(state_of_job(&source, &second).await.0);
    }
    assert_eq!(waiting, ["CREATED"; 4], "the second copy ran beside the first");
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(state_of_job(&source, &other).await.0);
    }
    assert_eq!(
        others,
        ["CREATED", "RUNNING", "FAILED"],
        "another resource does not wait"
    );
    let mut states = Vec::new();
    for _ in 0..3 {
        states.push(state_of_job(&source, &first).await);
    }
    assert_eq!(
        states.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["CREATED", "RUNNING", "COMPLETED"]
    );
    let first_completed = states[2].1.unwrap();
    let mut states = Vec::new();
    for _ in 0..3 {
        states.push(state_of_job(&source, &second).await);
    }
    assert_eq!(
        states.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["CREATED", "RUNNING", "COMPLETED"]
    );
    assert!(states[2].1.unwrap() > first_completed, "{states:?}");
}

/// The same on the clock (`realtime:1`, a copy takes 10 minutes): the second copy of a
/// resource stays CREATED while the first runs, and starts to run when the first's time is up.
#[tokio::test]
async fn a_second_copy_of_a_resource_stays_created_until_the_first_ends_on_the_clock() {
    let app = router(default_world(), 1, None, Wording::Current, Progression::Realtime(1.0));
    let source = client(&app, "111122223333", "us-east-1");
    let first = start_copy_of(&source, RDS_SHARED).await;
    let second = start_copy_of(&source, RDS_SHARED).await;
    let mut seen = Vec::new();
    for seconds in [300, 301, 100, 600] {
        control_post(&app, &format!("/_copylab/clock/advance?seconds={seconds}")).await;
        seen.push((
            state_of_job(&source, &first).await,
            state_of_job(&source, &second).await,
        ));
    }
    let states: Vec<(&str, &str)> = seen.iter().map(|((a, _), (b, _))| (a.as_str(), b.as_str())).collect();
    assert_eq!(
        states,
        [
            ("RUNNING", "CREATED"),
            ("COMPLETED", "CREATED"),
            ("COMPLETED", "RUNNING"),
            ("COMPLETED", "COMPLETED")
        ]
    );
    let ((_, first_completed), (_, second_completed)) = &seen[3];
    assert_eq!(second_completed.unwrap() - first_completed.unwrap(), 600);
}

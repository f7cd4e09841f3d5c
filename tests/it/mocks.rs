//! The in-process mocks (`copylab-mocks`, aws-smithy-mocks rules) against `copylab serve` for every built-in scenario: the same calls through the real SDK on both sides, compared field by field (StartCopyJob, each DescribeCopyJob poll of a `polls:2` progression, ListCopyJobs, DescribeRecoveryPoint, and errors by code and message).

use aws_sdk_backup::error::ProvideErrorMetadata;
use copylab_mocks::BackupMock;
use copylab_server::state::Progression;

use crate::support::{client, router};

/// An SDK result as comparable text: outputs without their request id (the mocks have none),
/// errors as code and message.
fn comparable<T: std::fmt::Debug, E: ProvideErrorMetadata>(
    result: &Result<T, aws_sdk_backup::error::SdkError<E>>,
) -> String {
    match result {
        Ok(output) => {
            let text = format!("{output:?}");
            static REQUEST_ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
                regex::Regex::new(r#"_request_id: (Some\("[^"]*"\)|None)"#).expect("regex")
            });
            let request_id = &*REQUEST_ID;
            request_id.replace_all(&text, "_request_id: _").into_owned()
        }
        Err(error) => format!("error {:?}: {:?}", error.code(), error.message()),
    }
}

/// Runs the same calls on `client`; returns one line per answer.
async fn calls(client: &aws_sdk_backup::Client, scenario: &copylab_rules::Scenario) -> Vec<String> {
    let request = &scenario.copy_job;
    let mut start = client
        .start_copy_job()
        .set_recovery_point_arn(request.recovery_point_arn.clone())
        .set_source_backup_vault_name(request.source_backup_vault_name.clone())
        .set_destination_backup_vault_arn(request.destination_backup_vault_arn.clone())
        .set_iam_role_arn(request.iam_role_arn.clone());
    if let Some(days) = request.lifecycle.as_ref().and_then(|l| l.delete_after_days) {
        start = start.lifecycle(
            aws_sdk_backup::types::Lifecycle::builder()
                .delete_after_days(days)
                .build(),
        );
    }
    let started = start.send().await;
    let mut lines = vec![comparable(&started)];
    let id = started
        .as_ref()
        .ok()
        .and_then(|s| s.copy_job_id().map(str::to_owned))
        .unwrap_or_else(|| "no-such-job".to_owned());
    for _ in 0..4 {
        lines.push(comparable(&client.describe_copy_job().copy_job_id(&id).send().await));
    }
    lines.push(comparable(&client.list_copy_jobs().send().await));
    lines.push(comparable(
        &client
            .list_copy_jobs()
            .by_state(aws_sdk_backup::types::CopyJobState::Failed)
            .max_results(1)
            .send()
            .await,
    ));
    lines.push(comparable(
        &client
            .describe_recovery_point()
            .backup_vault_name(request.source_backup_vault_name.clone().unwrap_or_default())
            .recovery_point_arn(request.recovery_point_arn.clone().unwrap_or_default())
            .send()
            .await,
    ));
    lines
}

#[tokio::test]
async fn the_mocks_answer_every_scenario_field_by_field_as_the_server_does() {
    let mut compared = 0;
    for path in crate::scenarios::scenario_files() {
        let scenario = copylab::scenario::load_file(&path).unwrap().scenario;
        let progression = Progression::Polls(2);
        let app = router(
            scenario.world.clone(),
            scenario.seed,
            scenario.as_of.clone(),
            scenario.wording,
            progression,
        );
        let server = calls(
            &client(&app, &scenario.copy_job.account, &scenario.copy_job.region),
            &scenario,
        )
        .await;
        let mock = BackupMock::new(&scenario, progression).unwrap();
        let mocked = calls(&mock.client(), &scenario).await;
        for (i, (from_server, from_mock)) in server.iter().zip(&mocked).enumerate() {
            assert_eq!(from_mock, from_server, "{}: answer {i}", path.display());
        }
        assert_eq!(server.len(), mocked.len());
        compared += 1;
    }
    assert!(compared >= 50, "only {compared} scenarios");
}

#[tokio::test]
async fn mocked_copy_jobs_progress_created_running_then_their_end_state() {
    let scenario = copylab::scenario::load("seed_source_key_policy_without_destination")
        .unwrap()
        .scenario;
    let mock = BackupMock::new(&scenario, Progression::Polls(2)).unwrap();
    let client = mock.client();
    let request = &scenario.copy_job;
    let id = client
        .start_copy_job()
        .set_recovery_point_arn(request.recovery_point_arn.clone())
        .set_source_backup_vault_name(request.source_backup_vault_name.clone())
        .set_destination_backup_vault_arn(request.destination_backup_vault_arn.clone())
        .set_iam_role_arn(request.iam_role_arn.clone())
        .send()
        .await
        .unwrap()
        .copy_job_id
        .unwrap();
    let mut states = Vec::new();
    for _ in 0..4 {
        let job = client
            .describe_copy_job()
            .copy_job_id(&id)
            .send()
            .await
            .unwrap()
            .copy_job
            .unwrap();
        states.push(job.state().unwrap().as_str().to_owned());
    }
    assert_eq!(states, ["CREATED", "RUNNING", "FAILED", "FAILED"]);
    // Another job id: AWS Backup's not-found error, not a panic of the mock.
    let error = client
        .describe_copy_job()
        .copy_job_id("no-such-job")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ResourceNotFoundException"));
}

/// The mocks carry every member the server fills: here `ResourceName` and `BackupSizeInBytes`,
/// which no built-in scenario declares, on the copy job and on the recovery point.
#[tokio::test]
async fn the_mocks_carry_the_resource_name_and_backup_size_as_the_server_does() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed_rds_cross_account_completed.yaml");
    let mut scenario = copylab::scenario::load_file(&path).unwrap().scenario;
    let arn = scenario.copy_job.recovery_point_arn.clone().unwrap();
    let point = scenario
        .world
        .recovery_points
        .iter_mut()
        .find(|rp| rp.arn == arn)
        .unwrap();
    point.resource_name = Some("orders-db".to_owned());
    point.backup_size_in_bytes = Some(22_548_578_304);
    let progression = Progression::Polls(2);
    let app = router(
        scenario.world.clone(),
        scenario.seed,
        scenario.as_of.clone(),
        scenario.wording,
        progression,
    );
    let server = calls(
        &client(&app, &scenario.copy_job.account, &scenario.copy_job.region),
        &scenario,
    )
    .await;
    let mock = BackupMock::new(&scenario, progression).unwrap();
    let mocked = calls(&mock.client(), &scenario).await;
    assert_eq!(mocked, server);
    assert!(server.iter().all(|answer| !answer.starts_with("error")), "{server:#?}");
    for member in [
        "resource_name: Some(\"orders-db\")",
        "backup_size_in_bytes: Some(22548578304)",
    ] {
        assert!(server[4].contains(member), "{member}: {}", server[4]);
        assert!(server.last().unwrap().contains(member), "{member}: {server:#?}");
    }
}

/// The mocks carry a composite copy's members as the server does: `IsParent`,
/// `NumberOfChildJobs` and `ChildJobsInState` on the composite job, `ParentJobId` and
/// `CompositeMemberIdentifier` on the nested job ListCopyJobs lists, `IsParent` on the
/// composite recovery point.
#[tokio::test]
async fn the_mocks_carry_a_composite_copy_as_the_server_does() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed_rds_cross_account_completed.yaml");
    let mut scenario = copylab::scenario::load_file(&path).unwrap().scenario;
    let nested_arn = scenario.copy_job.recovery_point_arn.clone().unwrap();
    let nested = scenario
        .world
        .recovery_points
        .iter_mut()
        .find(|rp| rp.arn == nested_arn)
        .unwrap();
    let stack = "arn:aws:backup:us-east-1:111122223333:recovery-point:1A2B3CDE-F405-6789-012A-3456AB789012";
    nested.parent_recovery_point_arn = Some(stack.to_owned());
    nested.composite_member_identifier = Some("OrdersDatabase".to_owned());
    let mut composite = nested.clone();
    composite.arn = stack.to_owned();
    composite.resource_type = "CloudFormation".to_owned();
    composite.resource_arn = "arn:aws:cloudformation:us-east-1:111122223333:stack/orders/0a1b2c3d".to_owned();
    composite.encryption_key = None;
    composite.parent_recovery_point_arn = None;
    composite.composite_member_identifier = None;
    scenario.world.recovery_points.push(composite);
    scenario.copy_job.recovery_point_arn = Some(stack.to_owned());
    let progression = Progression::Polls(2);
    let app = router(
        scenario.world.clone(),
        scenario.seed,
        scenario.as_of.clone(),
        scenario.wording,
        progression,
    );
    let server = calls(
        &client(&app, &scenario.copy_job.account, &scenario.copy_job.region),
        &scenario,
    )
    .await;
    let mock = BackupMock::new(&scenario, progression).unwrap();
    let mocked = calls(&mock.client(), &scenario).await;
    assert_eq!(mocked, server);
    for (answer, member) in [
        (0, "is_parent: true"),
        (4, "number_of_child_jobs: Some(1)"),
        (4, "child_jobs_in_state: Some({Completed: 1})"),
        (5, "composite_member_identifier: Some(\"OrdersDatabase\")"),
        (5, "parent_job_id: Some("),
        (7, "is_parent: true"),
    ] {
        assert!(server[answer].contains(member), "{member}: {}", server[answer]);
    }
}

//! The example a user copies: code under test that starts a copy job and waits for it, unit-tested against copylab's mocks of AWS Backup for a copy that fails (the seed's source key policy) and one that completes, with no server.

use aws_sdk_backup::Client;
use aws_sdk_backup::types::{CopyJob, CopyJobState};
use copylab_mocks::{BackupMock, Progression, Scenario};

/// What the code under test reports.
#[derive(Debug, PartialEq)]
enum CopyOutcome {
    Completed { destination_recovery_point: String },
    Failed { reason: String },
}

/// The code under test: start a copy, poll until it ends, report the outcome.
async fn copy_and_wait(client: &Client, scenario: &Scenario) -> Result<CopyOutcome, aws_sdk_backup::Error> {
    let request = &scenario.copy_job;
    let started = client
        .start_copy_job()
        .set_recovery_point_arn(request.recovery_point_arn.clone())
        .set_source_backup_vault_name(request.source_backup_vault_name.clone())
        .set_destination_backup_vault_arn(request.destination_backup_vault_arn.clone())
        .set_iam_role_arn(request.iam_role_arn.clone())
        .send()
        .await?;
    let id = started.copy_job_id().unwrap_or_default().to_owned();
    loop {
        let job = client
            .describe_copy_job()
            .copy_job_id(&id)
            .send()
            .await?
            .copy_job
            .unwrap_or_else(|| CopyJob::builder().build());
        match job.state() {
            Some(CopyJobState::Completed) => {
                return Ok(CopyOutcome::Completed {
                    destination_recovery_point: job.destination_recovery_point_arn().unwrap_or_default().to_owned(),
                });
            }
            Some(CopyJobState::Failed) => {
                return Ok(CopyOutcome::Failed {
                    reason: job.status_message().unwrap_or_default().to_owned(),
                });
            }
            // CREATED, RUNNING: a real caller would sleep here.
            _ => {}
        }
    }
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn a_copy_under_a_key_the_destination_cannot_use_fails_with_awss_message() -> TestResult {
    let scenario = copylab_mocks::scenario_from_yaml(include_str!(
        "../../../scenarios/seed_source_key_policy_without_destination.yaml"
    ))?;
    let mock = BackupMock::new(&scenario, Progression::Polls(2))?;
    let outcome = copy_and_wait(&mock.client(), &scenario).await?;
    assert_eq!(
        outcome,
        CopyOutcome::Failed {
            reason: "The source snapshot KMS key [arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab] does not exist, is not enabled or you do not have permissions to access it.".to_owned()
        }
    );
    Ok(())
}

#[tokio::test]
async fn a_copy_of_an_aurora_cluster_completes_into_the_destination_vault() -> TestResult {
    let scenario =
        copylab_mocks::scenario_from_yaml(include_str!("../../../scenarios/completed_aurora_cross_account.yaml"))?;
    let mock = BackupMock::new(&scenario, Progression::Polls(3))?;
    let client = mock.client();
    let outcome = copy_and_wait(&client, &scenario).await?;
    let CopyOutcome::Completed {
        destination_recovery_point,
    } = outcome
    else {
        panic!("expected a completed copy, got {outcome:?}");
    };
    assert!(
        destination_recovery_point.contains(":444455556666:"),
        "{destination_recovery_point}"
    );
    // The job is listed, as ListCopyJobs would show it.
    let listed = client.list_copy_jobs().send().await?;
    assert_eq!(listed.copy_jobs().len(), 1);
    Ok(())
}

#[tokio::test]
async fn an_operation_without_a_rule_can_be_added_by_the_user() -> TestResult {
    use aws_smithy_mocks::mock;
    let scenario =
        copylab_mocks::scenario_from_yaml(include_str!("../../../scenarios/completed_aurora_cross_account.yaml"))?;
    let mock = BackupMock::new(&scenario, Progression::Instant)?;
    let vaults = mock!(Client::list_backup_vaults)
        .then_output(|| aws_sdk_backup::operation::list_backup_vaults::ListBackupVaultsOutput::builder().build());
    let client = mock.client_with(vec![vaults]);
    let vaults = client.list_backup_vaults().send().await?;
    assert!(vaults.backup_vault_list().is_empty());
    Ok(())
}

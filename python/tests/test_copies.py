"""The example suite CI runs against the installed wheel: what a user's first copylab tests look like."""

import json

import pytest

from copylab import CopylabServer

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SNAPSHOT = "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453"
DESTINATION = "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault"
ROLE = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"
SEED_MESSAGE = (
    f"The source snapshot KMS key [{KEY}] does not exist, is not enabled or you do not have permissions to access it."
)


def copy(backup):
    job = backup.start_copy_job(
        RecoveryPointArn=SNAPSHOT,
        SourceBackupVaultName="SourceVault",
        DestinationBackupVaultArn=DESTINATION,
        IamRoleArn=ROLE,
    )
    return backup.describe_copy_job(CopyJobId=job["CopyJobId"])["CopyJob"]


@pytest.mark.copylab_scenario("seed_source_key_policy_without_destination")
def test_a_copy_fails_with_the_seed_articles_message_and_is_repaired(copylab):
    backup = copylab.client("backup")
    failed = copy(backup)
    assert failed["State"] == "FAILED"
    assert failed["StatusMessage"] == SEED_MESSAGE
    diagnosis = copylab.diagnosis(failed["CopyJobId"])
    assert diagnosis["failed_check"] == "source-key-policy"

    # The fix: let the destination account use the key.
    kms = copylab.client("kms")
    policy = json.loads(kms.get_key_policy(KeyId=KEY, PolicyName="default")["Policy"])
    policy["Statement"].append(
        {
            "Sid": "AllowDestinationAccount",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": ["kms:DescribeKey", "kms:Decrypt", "kms:CreateGrant"],
            "Resource": "*",
        }
    )
    kms.put_key_policy(KeyId=KEY, PolicyName="default", Policy=json.dumps(policy))
    assert copy(backup)["State"] == "COMPLETED"


@pytest.mark.copylab_scenario("seed_destination_vault_policy_without_source")
def test_the_marker_serves_the_scenario(copylab):
    failed = copy(copylab.client("backup"))
    assert failed["State"] == "FAILED"
    assert failed["StatusMessage"] == "Access Denied trying to call AWS Backup service"


def test_a_test_creates_a_vault(copylab):
    copylab.client("backup").create_backup_vault(BackupVaultName="OnlyInThisTest")
    names = [v["BackupVaultName"] for v in copylab.client("backup").list_backup_vaults()["BackupVaultList"]]
    assert "OnlyInThisTest" in names


def test_the_next_test_does_not_see_it(copylab):
    names = [v["BackupVaultName"] for v in copylab.client("backup").list_backup_vaults()["BackupVaultList"]]
    assert "OnlyInThisTest" not in names


def test_events_and_the_clock(copylab):
    copy(copylab.client("backup"))
    copylab.advance(3600)
    kinds = {event["detail-type"] for event in copylab.events()}
    assert "Copy Job State Change" in kinds


@pytest.mark.copylab_scenario("seed_source_key_policy_without_destination")
def test_a_saved_state_is_served_again_with_its_jobs(copylab):
    failed = copy(copylab.client("backup"))
    saved = copylab.state()
    copylab.reset()
    assert copylab.client("backup").list_copy_jobs()["CopyJobs"] == []
    copylab.load_scenario(saved)
    again = copylab.client("backup").describe_copy_job(CopyJobId=failed["CopyJobId"])["CopyJob"]
    assert again == failed
    assert copylab.diagnosis(failed["CopyJobId"])["failed_check"] == "source-key-policy"


def test_the_server_without_the_fixture():
    with CopylabServer(empty=True) as server:
        assert server.client("backup").list_backup_vaults()["BackupVaultList"] == []
        assert server.endpoint_url.startswith("http://127.0.0.1:")

"""copylab from a plain Python script (no pytest): start the server, fail a copy, read why."""

from copylab import ThreadedCopylabServer

with ThreadedCopylabServer(scenario="seed_destination_vault_policy_without_source") as copylab:
    backup = copylab.client("backup")
    job = backup.start_copy_job(
        RecoveryPointArn="arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453",
        SourceBackupVaultName="SourceVault",
        DestinationBackupVaultArn="arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault",
        IamRoleArn="arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole",
    )
    state = backup.describe_copy_job(CopyJobId=job["CopyJobId"])["CopyJob"]
    print(state["State"], state["StatusMessage"])
    print("failed check:", copylab.diagnosis(job["CopyJobId"])["failed_check"])
    assert state["State"] == "FAILED"

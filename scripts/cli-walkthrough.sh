#!/usr/bin/env bash
# The AWS CLI walkthrough (docs/serve.md, continued in docs/services.md) against a fresh `copylab serve`, checked: one copy job
# completes, one fails with AWS's message; then a key policy changed through `aws kms` fails the
# next copy, and putting it back lets it complete; the same through `aws iam` (a Deny on the copy
# role) and `aws organizations`; signatures, STS sessions and the ordinary ways to configure a
# client; vault notifications and events delivered to the Lambda example (examples/lambda); and
# SIGTERM stops it with exit status 0. Installs the AWS CLI (v1.46.3, from PyPI) into a throwaway
# virtualenv; builds copylab if needed. Usage: scripts/cli-walkthrough.sh [path/to/copylab]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  copylab=$1
else
  # Always (re)build: a stale binary would test old code.
  cargo build --locked --quiet -p copylab
  copylab=target/debug/copylab
fi
venv=$(mktemp -d)
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check awscli==1.46.3
aws="$venv/bin/aws"
log=$(mktemp)
# The Lambda example (examples/lambda): an adapter invokes handler.py with what copylab delivers.
lambda_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
alerts=$(mktemp)
(cd examples/lambda && exec python3 adapter.py "$lambda_port" "$alerts") &
adapter=$!
"$copylab" serve --bind 127.0.0.1:0 --events-to "http://127.0.0.1:$lambda_port/events" \
  --notifications-to "http://127.0.0.1:$lambda_port/sns" --event-pattern examples/lambda/failed-copies.json > "$log" 2>&1 &
server=$!
trap 'kill $server $adapter 2>/dev/null || true; rm -rf "$venv" "$log" "$alerts"' EXIT
for _ in $(seq 1 50); do grep -q 'http://' "$log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$log" | head -1)
export AWS_ENDPOINT_URL=$url AWS_ACCESS_KEY_ID=111122223333 AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
role=arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole
destination=arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault
# The source vault's failed copies go to an SNS topic too.
"$aws" backup put-backup-vault-notifications --backup-vault-name SourceVault \
  --sns-topic-arn arn:aws:sns:us-east-1:111122223333:backup-alerts --backup-vault-events COPY_JOB_FAILED
"$aws" backup start-copy-job --recovery-point-arn arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453 \
  --source-backup-vault-name SourceVault --destination-backup-vault-arn "$destination" --iam-role-arn "$role" > /dev/null
"$aws" backup start-copy-job --recovery-point-arn arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718 \
  --source-backup-vault-name SourceVault --destination-backup-vault-arn "$destination" --iam-role-arn "$role" > /dev/null
"$aws" backup start-copy-job --recovery-point-arn arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453 \
  --source-backup-vault-name SourceVault --destination-backup-vault-arn arn:aws:backup:us-east-1:777788889999:backup-vault:OutsideVault --iam-role-arn "$role" > /dev/null
jobs=$("$aws" backup list-copy-jobs --query 'CopyJobs[].[ResourceType,State,StatusMessage]' --output text)
echo "$jobs"
expected=$(printf 'RDS\tCOMPLETED\tNone\nEBS\tFAILED\tEncrypted snapshots with Amazon EBS default key cannot be shared\nRDS\tFAILED\tCopy job failed. Both source and destination account must be a member of the same organization.')
if [ "$jobs" != "$expected" ]; then
  echo "cli walkthrough: unexpected copy jobs" >&2
  exit 1
fi
# The events read back, and the Lambda handler's alerts for the two failed copies, by both routes.
failed_events=$(python3 -c 'import json, sys, urllib.request; print(sum(e["detail"]["state"] == "FAILED" for e in json.load(urllib.request.urlopen(sys.argv[1]))["events"]))' "$url/_copylab/events?detail-type=Copy+Job+State+Change")
[ "$failed_events" = "2" ] || { echo "cli walkthrough: $failed_events FAILED copy events, not 2" >&2; exit 1; }
for _ in $(seq 1 50); do [ "$(wc -l < "$alerts")" -ge 4 ] && break; sleep 0.1; done
delivered=$(python3 -c 'import json, sys; lines = [json.loads(l) for l in open(sys.argv[1])]; print(" ".join(sorted(a["via"] for l in lines for a in l["result"]["alerts"])))' "$alerts")
echo "the Lambda handler's alerts: $delivered"
[ "$delivered" = "eventbridge eventbridge sns sns" ] || { echo "cli walkthrough: the handler got $delivered" >&2; exit 1; }
grep -q 'Encrypted snapshots with Amazon EBS default key cannot be shared' "$alerts" \
  || { echo "cli walkthrough: the handler's alert lacks AWS's message" >&2; exit 1; }
copied=$(AWS_ACCESS_KEY_ID=444455556666 "$aws" backup list-recovery-points-by-backup-vault --backup-vault-name DestinationVault --query 'length(RecoveryPoints)')
[ "$copied" = "1" ] || { echo "cli walkthrough: expected 1 recovery point in DestinationVault, got $copied" >&2; exit 1; }
if "$aws" backup describe-backup-vault --backup-vault-name Nope 2> "$log.err"; then
  echo "cli walkthrough: a missing vault was described" >&2
  exit 1
fi
grep -q 'AccessDeniedException' "$log.err" && grep -q 'Insufficient privileges to perform this action.' "$log.err"
rm -f "$log.err"
# One world: a key policy changed through KMS decides the next copy.
rds=arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453
copy_state() {
  local id
  id=$("$aws" backup start-copy-job --recovery-point-arn "$rds" --source-backup-vault-name SourceVault \
    --destination-backup-vault-arn "$destination" --iam-role-arn "$role" --query CopyJobId --output text)
  "$aws" backup describe-copy-job --copy-job-id "$id" --query 'CopyJob.[State,StatusMessage]' --output text
}
manager=$("$aws" kms describe-key --key-id alias/aws/ebs --query KeyMetadata.KeyManager --output text)
[ "$manager" = "AWS" ] || { echo "cli walkthrough: alias/aws/ebs is $manager, not AWS managed" >&2; exit 1; }
original=$("$aws" kms get-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy-name default --query Policy --output text)
"$aws" kms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy-name default --policy \
  '{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}'
dropped=$(copy_state)
echo "after put-key-policy without the destination: $dropped"
case "$dropped" in
  FAILED*) ;;
  *) echo "cli walkthrough: the copy did not fail after the key policy dropped the destination" >&2; exit 1 ;;
esac
"$aws" kms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy-name default --policy "$original"
restored=$(copy_state)
echo "after putting the key policy back: $restored"
[ "$restored" = "$(printf 'COMPLETED\tNone')" ] || { echo "cli walkthrough: the copy did not complete after the fix" >&2; exit 1; }
# Signatures: the AWS CLI's SigV4 verifies with the world's secret, and fails with a wrong one.
signed=$(AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
  "$aws" kms list-aliases --query 'length(Aliases)')
[ "$signed" -ge 1 ] || { echo "cli walkthrough: a signed kms list-aliases failed" >&2; exit 1; }
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
  "$aws" backup list-backup-vaults > /dev/null
if AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wrong "$aws" backup list-backup-vaults 2> "$log.err"; then
  echo "cli walkthrough: a request signed with a wrong secret was accepted" >&2
  exit 1
fi
grep -q 'InvalidSignatureException' "$log.err"
rm -f "$log.err"
# STS: who am I, and a role session that acts as the role.
me=$("$aws" sts get-caller-identity --query Arn --output text)
[ "$me" = "arn:aws:iam::111122223333:root" ] || { echo "cli walkthrough: get-caller-identity says $me" >&2; exit 1; }
read -r session_key session_secret session_token < <("$aws" sts assume-role --role-arn arn:aws:iam::111122223333:role/BackupOperatorRole \
  --role-session-name nightly --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
as_role=$(AWS_ACCESS_KEY_ID=$session_key AWS_SECRET_ACCESS_KEY=$session_secret AWS_SESSION_TOKEN=$session_token \
  "$aws" sts get-caller-identity --query Arn --output text)
[ "$as_role" = "arn:aws:sts::111122223333:assumed-role/BackupOperatorRole/nightly" ] || { echo "cli walkthrough: the session is $as_role" >&2; exit 1; }
AWS_ACCESS_KEY_ID=$session_key AWS_SECRET_ACCESS_KEY=$session_secret AWS_SESSION_TOKEN=$session_token \
  "$aws" backup list-backup-vaults --query 'BackupVaultList[].BackupVaultName' --output text
# Clients configured the ordinary ways: a service-specific endpoint variable, --endpoint-url, a profile.
env -u AWS_ENDPOINT_URL AWS_ENDPOINT_URL_BACKUP="$url" "$aws" backup list-backup-vaults > /dev/null
env -u AWS_ENDPOINT_URL "$aws" --endpoint-url "$url" kms list-aliases > /dev/null
config=$(mktemp)
printf '[profile copylab]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = 111122223333\naws_secret_access_key = x\n' "$url" > "$config"
env -u AWS_ENDPOINT_URL -u AWS_REGION -u AWS_DEFAULT_REGION AWS_CONFIG_FILE="$config" "$aws" --profile copylab sts get-caller-identity > /dev/null
rm -f "$config"

# IAM: the copy role's policies and trust, changed through `aws iam`, decide the next copy.
path=$("$aws" iam get-role --role-name AWSBackupDefaultServiceRole --query Role.Path --output text)
[ "$path" = "/service-role/" ] || { echo "cli walkthrough: get-role says the path is $path" >&2; exit 1; }
# The CLI decodes IAM's URL-encoded documents, as it does against AWS.
principal=$("$aws" iam get-role --role-name AWSBackupDefaultServiceRole \
  --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service' --output text)
[ "$principal" = "backup.amazonaws.com" ] || { echo "cli walkthrough: the trust policy names $principal" >&2; exit 1; }
"$aws" iam put-role-policy --role-name AWSBackupDefaultServiceRole --policy-name NoCopies --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"backup:CopyIntoBackupVault","Resource":"*"}]}'
denied=$(copy_state)
echo "after put-role-policy with a Deny: $denied"
[ "$denied" = "$(printf 'FAILED\tAccess Denied trying to call AWS Backup service')" ] \
  || { echo "cli walkthrough: the copy did not fail after the role denied it" >&2; exit 1; }
"$aws" iam delete-role-policy --role-name AWSBackupDefaultServiceRole --policy-name NoCopies
[ "$(copy_state)" = "$(printf 'COMPLETED\tNone')" ] || { echo "cli walkthrough: the copy did not complete after delete-role-policy" >&2; exit 1; }
if "$aws" iam get-role --role-name NoSuchRole 2> "$log.err"; then
  echo "cli walkthrough: a missing role was found" >&2
  exit 1
fi
grep -q 'NoSuchEntity' "$log.err" && grep -q 'The role with name NoSuchRole cannot be found.' "$log.err"
rm -f "$log.err"

# Plans: a nightly rule backs up a declared RDS database and copies it to the destination account
# when the clock reaches 05:00; a key policy that drops the destination fails the next night's copy.
control() { python3 -c 'import sys, urllib.request; r = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST", headers={"content-type": "application/json"}); print(urllib.request.urlopen(r).read().decode())' "$url/_copylab/$1" "$2"; }
control resources '{"arn":"arn:aws:rds:us-east-1:111122223333:db:orders","resource_type":"RDS","encryption_key_arn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}' > /dev/null
plan_file=$(mktemp)
printf '{"BackupPlanName":"nightly","Rules":[{"RuleName":"nightly","TargetBackupVaultName":"SourceVault","ScheduleExpression":"cron(0 5 ? * * *)","CopyActions":[{"DestinationBackupVaultArn":"%s"}]}]}' "$destination" > "$plan_file"
plan_id=$("$aws" backup create-backup-plan --backup-plan "file://$plan_file" --query BackupPlanId --output text)
rm -f "$plan_file"
"$aws" backup create-backup-selection --backup-plan-id "$plan_id" --backup-selection \
  "{\"SelectionName\":\"orders\",\"IamRoleArn\":\"$role\",\"Resources\":[\"arn:aws:rds:us-east-1:111122223333:db:orders\"]}" > /dev/null
control 'clock/advance?seconds=86400' '' > /dev/null
nightly=$("$aws" backup list-copy-jobs --query "CopyJobs[?CreatedBy.BackupPlanId=='$plan_id'].State" --output text)
echo "the plan's copy jobs after a day: $nightly"
[ "$nightly" = "COMPLETED" ] || { echo "cli walkthrough: the plan's first night copied $nightly" >&2; exit 1; }
"$aws" kms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy-name default --policy \
  '{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}'
control 'clock/advance?seconds=86400' '' > /dev/null
second=$("$aws" backup list-copy-jobs --query "CopyJobs[?CreatedBy.BackupPlanId=='$plan_id'] | [-1].[State,StatusMessage]" --output text)
echo "the plan's second night after put-key-policy without the destination: $second"
case "$second" in
  FAILED*"does not exist, is not enabled or you do not have permissions to access it."*) ;;
  *) echo "cli walkthrough: the plan's second night did not fail with the engine's message" >&2; exit 1 ;;
esac
"$aws" kms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy-name default --policy "$original"

# Organizations: the destination leaves the organization, and the next copy fails with the seed's message.
AWS_ACCESS_KEY_ID=123456789012 "$aws" organizations remove-account-from-organization --account-id 444455556666
left=$(copy_state)
echo "after remove-account-from-organization: $left"
[ "$left" = "$(printf 'FAILED\tCopy job failed. Both source and destination account must be a member of the same organization.')" ] \
  || { echo "cli walkthrough: the copy did not fail after the destination left the organization" >&2; exit 1; }

# Shutdown: SIGTERM stops the server within its grace period (5 s), with exit status 0.
kill -TERM "$server"
for _ in $(seq 1 70); do kill -0 "$server" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$server" 2> /dev/null; then
  echo "cli walkthrough: copylab serve still runs 7 s after SIGTERM" >&2
  exit 1
fi
status=0
wait "$server" || status=$?
[ "$status" = 0 ] || { echo "cli walkthrough: copylab serve exited with $status after SIGTERM" >&2; exit 1; }
echo "SIGTERM: copylab serve exited 0"
echo "cli walkthrough: ok"

#!/usr/bin/env bash
# The round trip of `copylab collect` and `copylab import` (issue 15) with the real AWS CLI: for
# each built-in scenario that copies across accounts, `copylab serve` serves it, the copy job is
# started through the CLI, the collect script runs with one profile per account pointing at the
# server, and `copylab import` then `copylab explain` must end the copy as the server's job ended,
# with the same message. Scenarios whose cause the account cannot show (injected faults) must
# instead say that AWS's observed message differs and name the catalog message it matches. For
# some, the script runs a second time without the management profile: the checks that read SCPs
# and RCPs must then be undecided (indeterminate) and the others unchanged.
# AWS_CLI=PATH runs that AWS CLI instead (CI: Debian's v2); ENDPOINT_BY=env reaches the server
# through AWS_ENDPOINT_URL instead of the profiles' endpoint_url.
# Usage: scripts/collect-roundtrip.sh [--all | SCENARIO...] (default: a set that covers every
# check). Needs python3 (a virtualenv with the AWS CLI v1.46.3 from PyPI is made); builds copylab.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --quiet -p copylab
copylab=$PWD/target/debug/copylab
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT; echo "work: $work" >&2
venv=${COPYLAB_AWS_VENV:-}
if [ -z "$venv" ]; then
  venv=$work/venv
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check awscli==1.46.3
fi
export PATH="$venv/bin:$PATH"
python="$venv/bin/python"
# AWS_CLI=/usr/bin/aws runs another AWS CLI (Debian's v2) in place of the virtualenv's v1.
if [ -n "${AWS_CLI:-}" ]; then
  mkdir -p "$work/cli"
  ln -s "$AWS_CLI" "$work/cli/aws"
  export PATH="$work/cli:$PATH"
fi
aws --version

# The scenarios: every cross-account one that starts a copy job (not an API error), or a set.
all=$("$python" - <<'EOF'
import glob, os, yaml
for f in sorted(glob.glob('scenarios/*.yaml')):
    d = yaml.safe_load(open(f))
    job = d.get('copy_job') or {}
    dest = job.get('DestinationBackupVaultArn') or ''
    account = dest.split(':')[4] if dest.count(':') >= 5 else ''
    if account and account != job.get('account') and not (d.get('expect') or {}).get('error_code'):
        print(os.path.basename(f)[:-5])
EOF
)
if [ "${1:-}" = "--all" ]; then
  names=$all
elif [ $# -gt 0 ]; then
  names=$*
else
  names="seed_source_key_policy_without_destination seed_destination_vault_policy_without_source
    seed_accounts_in_different_organizations seed_cross_account_setting_off scp_copy_to_untagged_vault
    seed_tag_policy_value_not_allowed role_trust_does_not_allow_backup destination_vault_key_disabled
    vault_lock_retention_too_short seed_rds_cross_account_completed fault_internal_error"
fi
# Run a second time without the management profile.
refused="scp_copy_to_untagged_vault seed_source_key_policy_without_destination"

failures=0
count=0
for name in $names; do
  count=$((count + 1))
  dir=$work/$name
  mkdir -p "$dir"
  # The scenario's request and accounts.
  "$python" - "$name" > "$dir/request.sh" <<'EOF'
import shlex, sys, yaml
d = yaml.safe_load(open(f'scenarios/{sys.argv[1]}.yaml'))
job = d['copy_job']
orgs = d.get('world', {}).get('organizations') or []
management = orgs[0]['management_account'] if orgs else ''
dest = job['DestinationBackupVaultArn']
for k, v in [('SOURCE', job['account']), ('REGION', job['region']), ('DESTINATION', dest.split(':')[4]),
             ('MANAGEMENT', management), ('RP', job.get('RecoveryPointArn', '')),
             ('VAULT', job.get('SourceBackupVaultName', '')), ('DEST_VAULT', dest), ('ROLE', job.get('IamRoleArn', '')),
             ('LIFECYCLE', str((job.get('Lifecycle') or {}).get('DeleteAfterDays') or ''))]:
    print(f'{k}={shlex.quote(v)}')
EOF
  # shellcheck disable=SC1091
  . "$dir/request.sh"
  "$copylab" serve --scenario "$name" --bind 127.0.0.1:0 > "$dir/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do grep -q 'http://' "$dir/serve.log" && break; sleep 0.05; done
  url=$(grep -o 'http://[0-9.:]*' "$dir/serve.log" | head -1)
  {
    for account in $SOURCE $DESTINATION $MANAGEMENT; do
      printf '[profile a%s]\nregion = %s\nendpoint_url = %s\n' "$account" "$REGION" "$url"
    done
  } > "$dir/config"
  {
    for account in $SOURCE $DESTINATION $MANAGEMENT; do
      printf '[a%s]\naws_access_key_id = %s\naws_secret_access_key = copylab\n' "$account" "$account"
    done
  } > "$dir/credentials"
  export AWS_CONFIG_FILE=$dir/config AWS_SHARED_CREDENTIALS_FILE=$dir/credentials
  unset AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION
  # The profiles' endpoint_url by default; AWS_ENDPOINT_URL with ENDPOINT_BY=env (AWS CLI v2
  # before 2.13 reads neither, and gets it as --endpoint-url from the collect script).
  if [ "${ENDPOINT_BY:-profile}" = env ]; then export AWS_ENDPOINT_URL=$url; fi
  lifecycle=()
  if [ -n "$LIFECYCLE" ]; then lifecycle=(--lifecycle "DeleteAfterDays=$LIFECYCLE"); fi
  if ! job=$(aws --profile "a$SOURCE" --endpoint-url "$url" backup start-copy-job --recovery-point-arn "$RP" --source-backup-vault-name "$VAULT" \
    --destination-backup-vault-arn "$DEST_VAULT" --iam-role-arn "$ROLE" "${lifecycle[@]}" --query CopyJobId --output text 2> "$dir/start.err"); then
    echo "FAIL $name: StartCopyJob was refused: $(cat "$dir/start.err")"
    failures=$((failures + 1))
    kill "$server"
    continue
  fi
  truth=$(aws --profile "a$SOURCE" --endpoint-url "$url" backup describe-copy-job --copy-job-id "$job" --query '[CopyJob.State, CopyJob.StatusMessage]' --output json | tr -d '\n')
  management=()
  if [ -n "$MANAGEMENT" ]; then management=(--management-profile "a$MANAGEMENT"); fi
  "$copylab" collect --copy-job-id "$job" --source-profile "a$SOURCE" --destination-profile "a$DESTINATION" "${management[@]}" > "$dir/collect.sh"
  bash "$dir/collect.sh" "$dir/out" > "$dir/collect.log" 2>&1
  without=""
  case " $(echo $refused) " in
    *" $name "*)
      "$copylab" collect --copy-job-id "$job" --source-profile "a$SOURCE" --destination-profile "a$DESTINATION" > "$dir/collect-without.sh"
      bash "$dir/collect-without.sh" "$dir/out-without" > "$dir/collect-without.log" 2>&1
      without=$dir/explain-without.json
      ;;
  esac
  kill "$server"
  if ! "$copylab" import "$dir/out" -o "$dir/scenario.json" 2> "$dir/import.err"; then
    echo "FAIL $name: import: $(cat "$dir/import.err")"
    failures=$((failures + 1))
    continue
  fi
  "$copylab" explain "$dir/scenario.json" --format json > "$dir/explain.json" || true
  if [ -n "$without" ]; then
    "$copylab" import "$dir/out-without" -o "$dir/scenario-without.json" 2> "$dir/import-without.err" || true
    "$copylab" explain "$dir/scenario-without.json" --format json > "$without" || true
  fi
  verdict=$("$python" - "$dir/explain.json" "$truth" "$name" "$without" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
state, message = json.loads(sys.argv[2])
name, without = sys.argv[3], sys.argv[4]
outcome = report['outcome']
got = (outcome.get('state'), outcome.get('status_message'))
undecided = [c['id'] for c in report['checks'] if c['result'] == 'indeterminate']
observed = report.get('observed') or {}
problems = []
if name.startswith('fault_'):
    # The cause is the world's injected fault, which no account can show: the observed job must
    # be reported as differing, with the catalog message it matches.
    if observed.get('agrees') or not observed.get('catalog_matches'):
        problems.append(f'expected the observed fault to differ and match the catalog: {observed}')
elif not observed.get('agrees'):
    # What the world refused to show (AWS Backup's AccessDenied for a vault that does not
    # exist, a key policy the account may not read) leaves checks undecided: copylab must then
    # fail no check, say which are undecided, and report AWS's observed message as differing.
    unknown = json.load(open(sys.argv[1].replace('explain.json', 'scenario.json')))['world'].get('unknown', [])
    # (and what the script does not collect by design: an EC2 image's Marketplace codes, an
    # RDS cluster's Multi-AZ kind)
    refused_only = unknown and all(not u['reason'].startswith('not ') or u['fact'] == 'source-resource' for u in unknown)
    if refused_only and undecided and not report.get('failed_check') and not observed.get('agrees'):
        print(f'ok, undecided where the world refused the call ({", ".join(undecided)}); AWS said {message!r}', file=sys.stderr)
    else:
        problems.append(f'got {got[0]} {got[1]!r} (undecided {undecided}), the server {state} {message!r}')
elif got != (state, message):
    # The same failure in another wording AWS documents (the scenario's `wording: previous`).
    print(f'ok, AWS said it in another documented wording: {message!r}', file=sys.stderr)
elif undecided:
    # Undecided only where the world itself refused a call (a key policy that does not let the
    # account read it): what copylab must say then.
    unknown = json.load(open(sys.argv[1].replace('explain.json', 'scenario.json')))['world'].get('unknown', [])
    if not unknown or any(u['reason'].startswith('not ') and u['fact'] != 'source-resource' for u in unknown):
        problems.append(f'undecided {undecided} with unknown facts {unknown}')
    else:
        print('ok, undecided where the world refused the call: ' + ', '.join(f"{u['fact']} ({u['reason'].split(':')[0]})" for u in unknown), file=sys.stderr)
if without:
    other = json.load(open(without))
    results = {c['id']: c['result'] for c in report['checks']}
    changed = sorted(c['id'] for c in other['checks'] if c['result'] != results[c['id']])
    later = sorted(c['id'] for c in other['checks'] if c['result'] == 'indeterminate')
    # SCPs and RCPs are the management account's to list.
    if changed != later or later != ['control-policies']:
        problems.append(f'without the management profile: changed {changed}, undecided {later}')
print('ok' if not problems else '; '.join(problems))
EOF
  )
  if [ "$verdict" = ok ]; then
    echo "ok   $name${without:+ (and without the management profile)}"
  else
    echo "FAIL $name: $verdict"
    failures=$((failures + 1))
  fi
done
echo "collect round trip: $((count - failures)) of $count scenarios agree"
[ "$failures" -eq 0 ]

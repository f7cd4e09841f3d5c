#!/usr/bin/env python3
"""`copylab serve --state-dir` under kill -9 (issue 16, docs/persistence.md): a loop of writes
(CreateBackupVault, one name each) killed at random moments, restarted, and checked against what
was acknowledged: every acknowledged vault is there after the restart, and nothing else but the
one request in flight when the process died. Also: the clock and a copy job survive, and a
corrupt, truncated-in-the-middle or newer-version journal is refused with the file named; and
`copylab serve --scenario FILE` with the output of `GET /_copylab/state` serves the same jobs,
KMS keys and clock, with or without `--state-dir`.

Usage: scripts/persistence-crash.py path/to/copylab [ROUNDS] (standard library only; prints its seed).
"""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ACCOUNT = "111122223333"


def start(binary, state_dir, *options):
    process = subprocess.Popen(
        [binary, "serve", "--bind", "127.0.0.1:0", "--clock-scale", "0", *options]
        + (["--state-dir", state_dir] if state_dir else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        found = re.search(r" on (http://[0-9.:]+)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, found.group(1)
    raise SystemExit("copylab serve did not start:\n" + "".join(lines))


def call(url, method, path, body=None):
    headers = {
        "authorization": f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/{time.strftime('%Y%m%d', time.gmtime())}/us-east-1/backup/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
        "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "content-type": "application/json",
    }
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def kms(url, action, body):
    headers = {
        "authorization": f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/{time.strftime('%Y%m%d', time.gmtime())}/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
        "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": f"TrentService.{action}",
    }
    request = urllib.request.Request(url + "/", data=json.dumps(body).encode(), method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def copy_rds_snapshot(url):
    """StartCopyJob of the default world's RDS snapshot to the destination account: its id."""
    return call(url, "PUT", "/copy-jobs", {
        "RecoveryPointArn": "arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453",
        "SourceBackupVaultName": "SourceVault",
        "DestinationBackupVaultArn": "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault",
        "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole",
    })["CopyJobId"]


def vaults(url):
    names, token = [], None
    while True:
        page = call(url, "GET", "/backup-vaults/" + (f"?nextToken={token}" if token else ""))
        names += [v["BackupVaultName"] for v in page["BackupVaultList"]]
        token = page.get("NextToken")
        if not token:
            return set(names)


def crash_loop(binary, rounds, rng):
    state_dir = tempfile.mkdtemp(prefix="copylab-state-")
    acknowledged = set()
    counter = 0
    try:
        for round_number in range(rounds):
            process, url = start(binary, state_dir)
            before = vaults(url)
            missing = acknowledged - before
            extra = before - acknowledged - {"SourceVault"}
            assert not missing, f"round {round_number}: acknowledged vaults lost: {sorted(missing)}"
            assert len(extra) <= 1, f"round {round_number}: vaults never acknowledged: {sorted(extra)}"
            # The one in flight may or may not have been applied: from now on it counts as it is.
            acknowledged |= extra
            in_flight = []
            stop = threading.Event()

            def writer():
                nonlocal counter
                while not stop.is_set():
                    counter += 1
                    name = f"v{counter}"
                    in_flight[:] = [name]
                    try:
                        call(url, "PUT", f"/backup-vaults/{name}", {})
                    except Exception:
                        return
                    acknowledged.add(name)
                    in_flight.clear()

            thread = threading.Thread(target=writer, daemon=True)
            thread.start()
            time.sleep(rng.uniform(0.05, 0.6))
            process.send_signal(signal.SIGKILL)
            process.wait()
            stop.set()
            thread.join(5)
        process, url = start(binary, state_dir)
        final = vaults(url)
        assert acknowledged <= final, f"acknowledged vaults lost: {sorted(acknowledged - final)}"
        assert len(final - acknowledged - {"SourceVault"}) <= 1
        process.terminate()
        process.wait()
        print(f"crash loop: {rounds} kill -9 rounds, {len(acknowledged)} acknowledged writes, none lost")
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def jobs_and_clock(binary):
    """A copy job, its end and an advanced clock are what they were after a restart (a control
    request before the job draws no id the replay would not draw: the job keeps its id)."""
    state_dir = tempfile.mkdtemp(prefix="copylab-state-")
    try:
        process, url = start(binary, state_dir)
        call(url, "POST", "/_copylab/clock/advance?seconds=60")
        job = copy_rds_snapshot(url)
        advanced = call(url, "POST", "/_copylab/clock/advance?seconds=86400")
        before = call(url, "GET", f"/copy-jobs/{job}")["CopyJob"]
        process.send_signal(signal.SIGKILL)
        process.wait()
        process, url = start(binary, state_dir)
        after = call(url, "GET", f"/copy-jobs/{job}")["CopyJob"]
        clock = call(url, "GET", "/_copylab/clock")
        process.terminate()
        process.wait()
        assert after == before, (before, after)
        assert clock["now"] == advanced["now"], (advanced, clock)
        print(f"jobs and clock: copy job {job} ({after['State']}) and the clock ({clock['iso8601']}) restored")
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def refused(binary, text, expect):
    state_dir = tempfile.mkdtemp(prefix="copylab-state-")
    try:
        path = os.path.join(state_dir, "journal.jsonl")
        with open(path, "w") as f:
            f.write(text)
        result = subprocess.run(
            [binary, "serve", "--bind", "127.0.0.1:0", "--state-dir", state_dir],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
        assert path in result.stderr and expect in result.stderr, result.stderr
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def bad_journals(binary):
    # A good header, taken from a journal the server writes.
    state_dir = tempfile.mkdtemp(prefix="copylab-state-")
    process, url = start(binary, state_dir)
    call(url, "PUT", "/backup-vaults/Kept", {})
    process.terminate()
    process.wait()
    with open(os.path.join(state_dir, "journal.jsonl")) as f:
        header, entry = f.read().splitlines()[:2]
    shutil.rmtree(state_dir, ignore_errors=True)
    newer = json.loads(header)
    newer["version"] = 99
    refused(binary, json.dumps(newer) + "\n", "newer copylab")
    older = json.loads(header)
    older["version"] = 1
    refused(binary, json.dumps(older) + "\n", "older copylab")
    refused(binary, header + "\n{not json\n" + entry + "\n", "not a journal entry")
    refused(binary, "garbage\n", "not a copylab state journal")
    print("bad journals: newer version, a corrupt line in the middle and a foreign file refused with the file named")


def state_document(binary):
    """`GET /_copylab/state` written to a file and served again by `--scenario FILE`: the same
    copy job (a failed one, its diagnosis too), KMS key description and clock; with `--state-dir`
    beside it, a restart keeps both the document's state and what came after."""
    work = tempfile.mkdtemp(prefix="copylab-document-")
    try:
        process, url = start(binary, None)
        kms(url, "PutKeyPolicy", {
            "KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "PolicyName": "default",
            "Policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}),
        })
        job = copy_rds_snapshot(url)
        key = kms(url, "CreateKey", {"Description": "ledger backups"})["KeyMetadata"]
        call(url, "POST", "/_copylab/clock/advance?seconds=3600")
        before = call(url, "GET", f"/copy-jobs/{job}")["CopyJob"]
        diagnosis = call(url, "GET", f"/_copylab/copy-jobs/{job}/diagnosis")
        clock = call(url, "GET", "/_copylab/clock")
        document = os.path.join(work, "state.json")
        with urllib.request.urlopen(url + "/_copylab/state", timeout=10) as response, open(document, "wb") as f:
            f.write(response.read())
        process.terminate()
        process.wait()
        assert before["State"] == "FAILED", before
        state_dir = os.path.join(work, "state")
        for run in range(3):
            # Without a state directory, then twice with one: a restart replays on the document.
            process, url = start(binary, state_dir if run else None, "--scenario", document)
            assert call(url, "GET", f"/copy-jobs/{job}")["CopyJob"] == before
            assert call(url, "GET", f"/_copylab/copy-jobs/{job}/diagnosis") == diagnosis
            described = kms(url, "DescribeKey", {"KeyId": key["KeyId"]})["KeyMetadata"]
            assert described == key, (key, described)
            now = call(url, "GET", "/_copylab/clock")
            if run < 2:
                assert now["now"] == clock["now"], (clock, now)
            if run == 0:
                # A reset returns to the document's world, without its jobs.
                call(url, "PUT", "/backup-vaults/BeforeTheReset", {})
                call(url, "POST", "/_copylab/reset")
                names = vaults(url)
                assert "SourceVault" in names and "BeforeTheReset" not in names, names
                assert call(url, "GET", "/copy-jobs/")["CopyJobs"] == []
            if run == 1:
                call(url, "PUT", "/backup-vaults/AfterTheDocument", {})
                call(url, "POST", "/_copylab/clock/advance?seconds=60")
            if run == 2:
                assert "AfterTheDocument" in vaults(url)
                assert now["now"] == clock["now"] + 60, (clock, now)
            process.send_signal(signal.SIGKILL)
            process.wait()
        # Posted to a server with a state directory whose clock is later: the clock goes back to
        # the document's, and stays there after a restart.
        posted_dir = os.path.join(work, "posted")
        process, url = start(binary, posted_dir)
        call(url, "POST", "/_copylab/clock/advance?seconds=7200")
        with open(document) as f:
            call(url, "POST", "/_copylab/scenario", json.load(f))
        before_restart = call(url, "GET", "/_copylab/clock")["now"]
        process.send_signal(signal.SIGKILL)
        process.wait()
        process, url = start(binary, posted_dir)
        after_restart = call(url, "GET", "/_copylab/clock")["now"]
        assert after_restart == before_restart == clock["now"], (before_restart, after_restart, clock)
        assert call(url, "GET", f"/copy-jobs/{job}")["CopyJob"] == before
        process.terminate()
        process.wait()
        # The members in another order (as `jq -S` writes them) are the same document.
        sorted_path = os.path.join(work, "sorted.json")
        with open(document) as f, open(sorted_path, "w") as out:
            json.dump(json.load(f), out, sort_keys=True)
        process, url = start(binary, None, "--scenario", sorted_path)
        assert call(url, "GET", f"/copy-jobs/{job}")["CopyJob"] == before
        process.terminate()
        process.wait()
        # A newer document, and a pinned clock beside a document, are refused naming why.
        with open(document) as f:
            newer = json.load(f)
        newer["version"] = 99
        newer_path = os.path.join(work, "newer.json")
        with open(newer_path, "w") as f:
            json.dump(newer, f)
        for options, expect in [
            (["--scenario", newer_path], f"{newer_path}: written by a newer copylab"),
            (["--scenario", document, "--clock-start", "2026-01-01"], "a state document starts the clock where it was taken"),
        ]:
            result = subprocess.run([binary, "serve", "--bind", "127.0.0.1:0", *options], capture_output=True, text=True, timeout=30)
            assert result.returncode == 2 and expect in result.stderr, (options, result.returncode, result.stderr)
        print(f"state document: copy job {job} ({before['State']}), its diagnosis, key {key['KeyId']} and the clock served again from {os.path.getsize(document)} bytes")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    binary = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    seed = int(os.environ.get("SEED", random.randrange(2**32)))
    print(f"seed {seed} (SEED={seed} to repeat)")
    crash_loop(binary, rounds, random.Random(seed))
    jobs_and_clock(binary)
    bad_journals(binary)
    state_document(binary)


if __name__ == "__main__":
    main()

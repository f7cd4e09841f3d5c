#!/usr/bin/env python3
"""Whole-process memory per copy job: starts `copylab serve` (the binary given, default
target/release/copylab), sends N StartCopyJob over one keep-alive connection, and prints resident
memory before and after, bytes per job and jobs per second.

With K = 0 (the default) every job repeats the default world's copy, so every job is decided
alike. With K > 0 the server first loads a world of K RDS recovery points, each under its own
customer managed key, and the jobs go round them: K distinct decisions, more than the server
remembers whole, so what a job keeps is what its checks do not share with the others'.
Not part of CI: run it by hand (`cargo build --release -p copylab` first) and copy the figures
into docs/performance.md. Usage: scripts/perf-jobs-memory.py [N] [BINARY] [K]"""
import http.client, json, subprocess, time, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/copylab"
k = int(sys.argv[3]) if len(sys.argv) > 3 else 0
p = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:4797"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
def rss(): return int([l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")][0].split()[1])
c = http.client.HTTPConnection("127.0.0.1", 4797)
auth = {"Authorization": "AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/backup/aws4_request, SignedHeaders=host, Signature=0", "Content-Type": "application/json"}
SRC, DST = "111122223333", "444455556666"
def copy(rp):
    return json.dumps({"RecoveryPointArn": rp, "SourceBackupVaultName": "SourceVault",
        "DestinationBackupVaultArn": f"arn:aws:backup:us-east-1:{DST}:backup-vault:DestinationVault",
        "IamRoleArn": f"arn:aws:iam::{SRC}:role/service-role/AWSBackupDefaultServiceRole"})
if k == 0:
    bodies = [copy("arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453")]
else:
    key = lambda i: f"arn:aws:kms:us-east-1:{SRC}:key/{i:08x}-0000-4000-8000-000000000000"
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{SRC}:root", f"arn:aws:iam::{DST}:root"]}, "Action": "kms:*", "Resource": "*"}]}
    rp = lambda i: f"arn:aws:rds:us-east-1:{SRC}:snapshot:awsbackup:job-{i:08x}-0000-4000-8000-000000000000"
    dkey = f"arn:aws:kms:us-east-1:{DST}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    world = {
        "organizations": [{"id": "o-a1b2c3d4e5", "management_account": "123456789012", "accounts": [{"id": SRC}, {"id": DST}]}],
        "keys": [{"arn": key(i), "policy": allow} for i in range(k)] + [{"arn": dkey}],
        "vaults": [{"name": "SourceVault", "account": SRC, "region": "us-east-1"},
                   {"name": "DestinationVault", "account": DST, "region": "us-east-1", "encryption_key": dkey,
                    "access_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{SRC}:root"}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}]}}],
        "roles": [{"arn": f"arn:aws:iam::{SRC}:role/service-role/AWSBackupDefaultServiceRole", "managed_policies": ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"]}],
        "recovery_points": [{"arn": rp(i), "vault": "SourceVault", "resource_type": "RDS", "resource_arn": f"arn:aws:rds:us-east-1:{SRC}:db:db{i}", "encryption_key": key(i)} for i in range(k)],
    }
    c.request("POST", "/_copylab/scenario", json.dumps({"world": world}), {"Content-Type": "application/json"}); r = c.getresponse(); out = r.read()
    assert r.status == 200, (r.status, out)
    bodies = [copy(rp(i)) for i in range(k)]
time.sleep(0.2)
before = rss(); t = time.time()
for i in range(n):
    c.request("PUT", "/copy-jobs", bodies[i % len(bodies)], auth); r = c.getresponse(); out = r.read()
    assert r.status == 200, (r.status, out)
el = time.time() - t
time.sleep(0.5); after = rss()
c.request("GET", f"/copy-jobs/{json.loads(out)['CopyJobId']}", headers=auth); r = c.getresponse(); state = json.loads(r.read())["CopyJob"]["State"]
print(f"{n} jobs over {len(bodies)} distinct decisions (last {state}): RSS {before/1024:.1f} MB -> {after/1024:.1f} MB, {(after-before)*1024/n:.0f} bytes/job, {n/el:.0f} jobs/s")
p.terminate(); p.wait()

#!/usr/bin/env python3
"""Whole-process memory per copy job: starts `copylab serve` (the binary given, default
target/release/copylab), sends N StartCopyJob of the default world's copy over one keep-alive
connection, and prints resident memory before and after, bytes per job and jobs per second.
Not part of CI: run it by hand (`cargo build --release -p copylab` first) and copy the figures
into docs/performance.md. Usage: scripts/perf-jobs-memory.py [N] [BINARY]"""
import http.client, json, subprocess, time, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/copylab"
p = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:4797"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
def rss(): return int([l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")][0].split()[1])
c = http.client.HTTPConnection("127.0.0.1", 4797)
auth = {"Authorization": "AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/backup/aws4_request, SignedHeaders=host, Signature=0", "Content-Type": "application/json"}
body = json.dumps({"RecoveryPointArn":"arn:aws:rds:us-east-1:111122223333:snapshot:awsbackup:job-be59cf2a-2343-4402-bd8b-226993d23453","SourceBackupVaultName":"SourceVault","DestinationBackupVaultArn":"arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault","IamRoleArn":"arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"})
before = rss(); t = time.time()
for i in range(n):
    c.request("PUT", "/copy-jobs", body, auth); r = c.getresponse(); r.read()
    assert r.status == 200, r.status
el = time.time() - t
time.sleep(0.5); after = rss()
print(f"{n} jobs: RSS {before/1024:.1f} MB -> {after/1024:.1f} MB, {(after-before)*1024/n:.0f} bytes/job, {n/el:.0f} jobs/s")
p.terminate(); p.wait()

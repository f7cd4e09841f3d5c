#!/usr/bin/env python3
"""API latency with event delivery, whole process, side by side: starts `copylab serve` (the
binary given, default target/release/copylab) four times: without delivery, with --events-to
and --notifications-to a receiver that answers at once, one that is down (a closed port), one
that answers 500, and one that takes 2 s per request; sends N StartCopyJob (each emits events)
over one keep-alive connection to each, and prints the median and 99th percentile latency.
Not part of CI: run it by hand (`cargo build --release -p copylab` first) and copy the figures
into docs/performance.md. Usage: scripts/perf-delivery.py [N] [BINARY]"""
import http.client, json, socket, statistics, subprocess, sys, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/copylab"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

RECEIVER = """
import http.server, sys, time
status, delay = int(sys.argv[2]), float(sys.argv[3])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        time.sleep(delay)
        self.send_response(status); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""
receivers = []

def receiver(status, delay):
    """A receiver in a process of its own (so that it does not slow the client measuring)."""
    port = free_port()
    receivers.append(subprocess.Popen([sys.executable, "-c", RECEIVER, str(port), str(status), str(delay)]))
    time.sleep(0.3)
    return f"http://127.0.0.1:{port}/"

auth = {"Authorization": "AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/backup/aws4_request, SignedHeaders=host, Signature=0",
        "Content-Type": "application/json"}
body = json.dumps({"RecoveryPointArn": "arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f60718",
                   "SourceBackupVaultName": "SourceVault",
                   "DestinationBackupVaultArn": "arn:aws:backup:us-east-1:444455556666:backup-vault:DestinationVault",
                   "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"})

def measure(extra):
    port = free_port()
    p = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"] + extra,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close(); break
            except OSError:
                time.sleep(0.05)
        c = http.client.HTTPConnection("127.0.0.1", port)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            c.request("PUT", "/copy-jobs", body=body, headers=auth)
            c.getresponse().read()
            times.append((time.perf_counter() - start) * 1e6)
        times.sort()
        return statistics.median(times), times[int(len(times) * 0.99)]
    finally:
        p.terminate(); p.wait()

cases = [("no delivery", []),
         ("receiver answers at once", None),
         ("receiver down", ["--events-to", f"http://127.0.0.1:{free_port()}/", "--notifications-to", f"http://127.0.0.1:{free_port()}/"]),
         ("receiver answers 500", None),
         ("receiver takes 2 s", None)]
print(f"| delivery | median StartCopyJob | p99 | ({n} requests, one connection) |")
print("| --- | --- | --- | --- |")
for name, extra in cases:
    if extra is None:
        status, delay = {"receiver answers at once": (200, 0), "receiver answers 500": (500, 0), "receiver takes 2 s": (200, 2)}[name]
        url = receiver(status, delay)
        extra = ["--events-to", url, "--notifications-to", url]
    median, p99 = measure(extra)
    print(f"| {name} | {median:.0f} µs | {p99:.0f} µs | |")
for r in receivers:
    r.terminate()

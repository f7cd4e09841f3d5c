"""A tiny HTTP adapter that turns what `copylab serve --events-to URL` (or `--notifications-to`)
POSTs into a Lambda invocation: each request body is the event, `handler(event, context)` is
called, and its result is appended to a file as one JSON line. Usage:
python3 adapter.py PORT RESULTS_FILE   (handler.py next to it)"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from handler import handler

RESULTS = sys.argv[2]


class Invoke(BaseHTTPRequestHandler):
    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
        result = handler(event, None)
        with open(RESULTS, "a", encoding="utf-8") as out:
            out.write(json.dumps({"path": self.path, "result": result}) + "\n")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Invoke).serve_forever()

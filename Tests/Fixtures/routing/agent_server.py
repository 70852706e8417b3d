"""A small local HTTP agent for the routing end-to-end tests: it answers every request with its version.

    python3 agent_server.py PORT VERSION

GET /_requests returns how many requests it served (and of those, how many were mirrored shadow copies);
every other path answers {"version": VERSION, "conversation": <x-conversation-id>}.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
VERSION = sys.argv[2]
LOCK = threading.Lock()
COUNTS = {"requests": 0, "mirrored": 0}


class Agent(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_requests":
            with LOCK:
                self.answer(dict(COUNTS))
            return
        with LOCK:
            COUNTS["requests"] += 1
            if self.headers.get("X-Agent-Canary-Shadow") == "1":
                COUNTS["mirrored"] += 1
        self.answer({"version": VERSION, "conversation": self.headers.get("x-conversation-id", "")})

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Agent)
print("ready", flush=True)
server.serve_forever()

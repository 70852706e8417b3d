"""Drives multi-turn conversations through a gateway, as users' clients would, for the routing tests.

    python3 conversation_client.py URL STATE_FILE [--new N] [--turns T] [--continue-turns T] [--header K:V]

Conversations live in STATE_FILE (JSON) between calls, so a test can change the gateway's configuration
between turns. Each conversation sends `x-conversation-id`, keeps the `agent-version` cookie the gateway
sets and echoes the `x-agent-version` header, like a browser or an SDK. Prints a JSON summary: new
conversations per version, and every conversation that saw more than one version.
"""

import argparse
import http.client
import json
import os
import threading
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("state")
parser.add_argument("--new", type=int, default=0)
parser.add_argument("--turns", type=int, default=1)
parser.add_argument("--continue-turns", type=int, default=0)
parser.add_argument("--header", action="append", default=[])
parser.add_argument("--no-pins", action="store_true", help="send neither the cookie nor the echoed header")
args = parser.parse_args()

url = urllib.parse.urlparse(args.url)
local = threading.local()
extra = dict(h.split(":", 1) for h in args.header)
state = json.load(open(args.state)) if os.path.exists(args.state) else {"conversations": {}}


def connection():
    if not hasattr(local, "connection"):
        local.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    return local.connection


def turn(conversation_id, record):
    headers = {"x-conversation-id": conversation_id, **extra}
    if record.get("cookie") and not args.no_pins:
        headers["Cookie"] = record["cookie"]
    if record.get("pin") and not args.no_pins:
        headers["x-agent-version"] = record["pin"]
    http = connection()
    http.request("GET", f"/chat?turn={len(record['versions'])}", headers=headers)
    response = http.getresponse()
    body = json.loads(response.read())
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            record["cookie"] = value.split(";", 1)[0]
        if name.lower() == "x-agent-version":
            record["pin"] = value
    record["versions"].append(body["version"])


def continue_conversation(item):
    conversation_id, record = item
    for _ in range(args.continue_turns):
        turn(conversation_id, record)
    return args.continue_turns


def new_conversation(_):
    conversation_id = str(uuid.uuid4())
    record = {"versions": []}
    for _ in range(args.turns):
        turn(conversation_id, record)
    return conversation_id, record


# Each conversation's turns stay in order on one thread; conversations run four at a time.
with ThreadPoolExecutor(max_workers=4) as pool:
    continued = sum(pool.map(continue_conversation, list(state["conversations"].items())))
    created = list(pool.map(new_conversation, range(args.new)))

first_versions = {}
for conversation_id, record in created:
    state["conversations"][conversation_id] = record
    first_versions[record["versions"][0]] = first_versions.get(record["versions"][0], 0) + 1

json.dump(state, open(args.state, "w"))
mixed = [c for c, r in state["conversations"].items() if len(set(r["versions"])) > 1]
last = {}
for record in state["conversations"].values():
    last[record["versions"][-1]] = last.get(record["versions"][-1], 0) + 1
print(json.dumps({"new": first_versions, "continued_requests": continued, "mixed": mixed[:20],
                  "mixed_count": len(mixed), "last_versions": last,
                  "conversations": len(state["conversations"])}))

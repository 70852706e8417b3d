#!/usr/bin/env bash
# The local run of AgentCanary on the bundled example: builds the tools (release), then gates the example
# candidate against its baseline and prints the verdict and where the evidence is.
#
#   ./pipelines/local/run.sh            # from the repository root, on a fresh clone
#
# Output goes to agent-canary-out/ (the artifact, JUnit, summary) and agent-canary-out/ledger.sqlite.
set -euo pipefail
cd "$(dirname "$0")/../.."

# GRDB builds over the system SQLite: install its headers when they are missing and we may.
if [ ! -f /usr/include/sqlite3.h ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq libsqlite3-dev >/dev/null
  else
    echo "error: SQLite's headers are missing; install them (Debian: sudo apt-get install libsqlite3-dev)" >&2
    exit 69
  fi
fi

echo "==> building (release; the first build takes a few minutes)" >&2
swift build -c release --product benchmark-gate >&2
bin=$(swift build -c release --show-bin-path)

out=agent-canary-out
mkdir -p "$out"
example=pipelines/local/example
echo "==> benchmark-gate: support-agent 1.5.0 (candidate) vs 1.4.0 (baseline)" >&2
set +e
"$bin/benchmark-gate" \
  --candidate "$example/candidate.jsonl" --baseline "$example/baseline.jsonl" --policy "$example/canary.yaml" \
  --output "$out/gate-result.json" --junit "$out/gate-junit.xml" --summary "$out/gate-summary.md" \
  --ledger "$out/ledger.sqlite"
status=$?
set -e
case $status in
  0) verdict="the gate lets the release go on" ;;
  1) verdict="the gate stops the release" ;;
  *) echo "error: benchmark-gate failed with exit status $status" >&2; exit "$status" ;;
esac
echo
echo "$verdict (exit $status)."
echo "artifact: $out/gate-result.json · JUnit: $out/gate-junit.xml · summary: $out/gate-summary.md"
echo "ledger:   $out/ledger.sqlite (try: sqlite3 $out/ledger.sqlite 'SELECT * FROM run_summary')"

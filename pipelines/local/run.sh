#!/usr/bin/env bash
# The whole AgentCanary loop on one machine, on a simulated agent fleet:
#
#   benchmark suites → benchmark-gate → canary-deploy start (nginx) → per step: fleet telemetry at the
#   rollout's weight → monitor analyze --act → promotion or rollback → feedback-export → regression tasks
#   for the next gate
#
#   ./pipelines/local/run.sh                       # all three scenarios: good, regressed, rogue
#   ./pipelines/local/run.sh --scenario regressed  # one of them
#   ./pipelines/local/run.sh --format otlp         # the fleet's telemetry as OTLP/JSON traces (GenAI names)
#   ./pipelines/local/run.sh --format otlp-http    # the fleet exports OTLP/HTTP to monitor serve; looks --intake
#   ./pipelines/local/run.sh --ledger postgresql://canary@db.internal/canary   # the shared ledger
#   ./pipelines/local/run.sh --tools DIR           # the tools in DIR, no build (a release archive's bin/)
#
# Run from a fresh clone: it builds the tools (release, Swift's runtime linked in) first. From an unpacked
# release archive it runs the archive's bin/ and builds nothing. Everything goes to agent-canary-out/<scenario>/
# (its own SQLite ledger, the gate's and the monitor's artifacts, the HTML report, the rendered nginx
# configuration, the datasets). With --ledger (or AGENT_CANARY_LEDGER) every scenario records into that ledger
# instead, a PostgreSQL database or a file, under run ids of their own (run-local-<scenario>-<time>-<pid>).
# The simulated clock starts at 2026-11-26T09:00:00Z and moves 15 minutes per look, so a run is deterministic
# and takes seconds, not hours. Exit status: 0 when every scenario ended as expected
# (good promoted; regressed and rogue rolled back), 1 otherwise, other statuses as the tools' own.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/../.."

scenarios=(good regressed rogue)
format=native
while [ $# -gt 0 ]; do
  case $1 in
    --scenario) scenarios=("$2"); shift 2 ;;
    --format) format=$2; shift 2 ;;
    --out) out_root=$2; shift 2 ;;
    --ledger) shared_ledger=$2; shift 2 ;;
    --tools) case $2 in /*) tools=$2 ;; *) tools=$caller/$2 ;; esac; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (try --help)" >&2; exit 64 ;;
  esac
done
out_root=${out_root:-agent-canary-out}
shared_ledger=${shared_ledger:-${AGENT_CANARY_LEDGER:-}}
stamp=$(date -u +%Y%m%dT%H%M%S)-$$
for scenario in "${scenarios[@]}"; do
  case $scenario in
    good | regressed | rogue) ;;
    *) echo "error: unknown scenario '$scenario' (good, regressed or rogue)" >&2; exit 64 ;;
  esac
done
case $format in
  native) source_flag=--events; telemetry_file=telemetry.jsonl ;;
  otlp | otlp-http) source_flag=--otlp; telemetry_file=traces.jsonl ;;
  *) echo "error: --format is native, otlp or otlp-http" >&2; exit 64 ;;
esac
if [ "$format" = otlp-http ] && [ -n "$shared_ledger" ] && [ ${#scenarios[@]} -gt 1 ]; then
  # Every scenario's fleet is the same agent: on one ledger their intake would mix.
  echo "error: --format otlp-http with --ledger plays one --scenario at a time" >&2
  exit 64
fi

# An unpacked release archive holds its tools in bin/ beside pipelines/ and no Package.swift.
if [ -z "${tools:-}" ] && [ ! -f Package.swift ] && [ -x bin/monitor ]; then tools=bin; fi
if [ -n "${tools:-}" ]; then
  for tool in benchmark-gate canary-deploy monitor feedback-export agent-sim; do
    [ -x "$tools/$tool" ] || { echo "error: --tools $tools has no executable $tool" >&2; exit 66; }
  done
  bin=$(cd "$tools" && pwd)
else
  # GRDB builds over the system SQLite, monitor serve over the system zlib: install their headers when they
  # are missing and we may.
  headers=()
  [ -f /usr/include/sqlite3.h ] || headers+=(libsqlite3-dev)
  [ -f /usr/include/zlib.h ] || headers+=(zlib1g-dev)
  if [ ${#headers[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq "${headers[@]}" >/dev/null
    elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
      sudo apt-get update -qq && sudo apt-get install -y -qq "${headers[@]}" >/dev/null
    else
      echo "error: headers are missing; install them (Debian: sudo apt-get install ${headers[*]})" >&2
      exit 69
    fi
  fi

  # The same build as pipelines/release/build.sh's, so that the release archive reuses it (product by product:
  # the package's test support is no part of a release).
  echo "==> building the tools (release; the first build takes a few minutes)" >&2
  for product in benchmark-gate canary-deploy monitor feedback-export agent-sim; do
    swift build -c release --static-swift-stdlib --product "$product" >&2
  done
  bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
fi

example=pipelines/local/example
policy=$example/canary.yaml
start_epoch=1795683600        # 2026-11-26T09:00:00Z
look_seconds=900              # one look every 15 simulated minutes
conversations_per_look=4000   # new conversations per 15 minutes (about 10,000 tasks)
max_looks=12

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# A top-level member of an artifact (artifacts are written with sorted keys and two-space indentation).
field() { grep -o "^  \"$1\" : \"[^\"]*\"" "$2" | sed 's/.*: "\(.*\)"/\1/'; }
number() { grep -o "^  \"$1\" : [0-9]*" "$2" | sed 's/.*: //'; }

failed=0
summary=()
serve_pid=
trap '[ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true' EXIT
for scenario in "${scenarios[@]}"; do
  out=$out_root/$scenario
  rm -rf "$out"
  mkdir -p "$out"
  if [ -n "$shared_ledger" ]; then
    ledger=$shared_ledger
    run=run-local-$scenario-$stamp
  else
    ledger=$out/ledger.sqlite
    run=run-local-$scenario
  fi
  now=$start_epoch
  echo >&2
  echo "==> scenario $scenario" >&2
  look_sources=("$source_flag" "$out/$telemetry_file")
  if [ "$format" = otlp-http ]; then
    # The fleet's OTLP/HTTP destination: monitor serve on a free port, into the scenario's ledger.
    "$bin/monitor" serve --listen 127.0.0.1:0 --policy "$policy" --ledger "$ledger" >"$out/serve.out" 2>"$out/serve.log" &
    serve_pid=$!
    for _ in $(seq 1 100); do grep -q 'listening on' "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
    endpoint=http://$(grep -o 'listening on [^,]*' "$out/serve.out" | sed 's/listening on //')
    [ "$endpoint" != http:// ] || { echo "error: monitor serve did not start" >&2; cat "$out/serve.log" >&2; exit 69; }
    echo "monitor serve: $endpoint (log $out/serve.log)" >&2
    look_sources=(--intake)
  fi

  # 1. The gate: the bundled benchmark results of 1.5.0 (candidate) and 1.4.0 (baseline).
  SOURCE_DATE_EPOCH=$now "$bin/benchmark-gate" \
    --candidate "$example/candidate.jsonl" --baseline "$example/baseline.jsonl" --policy "$policy" \
    --run-id "$run" --output "$out/gate-result.json" --junit "$out/gate-junit.xml" \
    --summary "$out/gate-summary.md" --ledger "$ledger" >/dev/null
  echo "gate: pass ($out/gate-result.json)" >&2

  # 2. The canary starts at the policy's first step; nginx configuration in $out/deploy.
  SOURCE_DATE_EPOCH=$now "$bin/canary-deploy" start --gate "$out/gate-result.json" --policy "$policy" \
    --router nginx --out-dir "$out/deploy" --ledger "$ledger" >/dev/null
  echo "canary-deploy: started at $(number weight "$out/deploy/rollout.json") % ($out/deploy/nginx.conf)" >&2

  # 3. Looks: the fleet serves the rollout's current weight for 15 minutes, then the monitor judges and acts.
  look=0
  phase=progressing
  while [ "$phase" = progressing ] && [ $look -lt $max_looks ]; do
    look=$((look + 1))
    weight=$(number weight "$out/deploy/rollout.json")
    sim_format=$format
    [ "$format" = otlp-http ] && sim_format=otlp
    "$bin/agent-sim" telemetry --scenario "$scenario" --seed "$look" --weight "$weight" \
      --conversations "$conversations_per_look" --rate "$(awk "BEGIN { print $conversations_per_look / 600 }")" \
      --format "$sim_format" --start "$(iso "$now")" --id-prefix "look$look" --out "$out/look-$look.telemetry"
    cat "$out/look-$look.telemetry" >>"$out/$telemetry_file"
    if [ "$format" = otlp-http ]; then
      # The look's traces go over OTLP/HTTP (protobuf, batches of 100 traces), committed before each 200.
      "$bin/agent-sim" send --endpoint "$endpoint" "$out/look-$look.telemetry" >/dev/null
    fi
    rm -f "$out/look-$look.telemetry"
    now=$((now + look_seconds))
    set +e
    SOURCE_DATE_EPOCH=$now "$bin/monitor" analyze --run "$run" --policy "$policy" "${look_sources[@]}" \
      --act --out-dir "$out/deploy" --output "$out/analysis.json" --report "$out/report.html" \
      --metrics-file "$out/canary.prom" --junit "$out/analysis-junit.xml" --ledger "$ledger" >"$out/look-$look.md"
    status=$?
    set -e
    [ $status -le 1 ] || { echo "error: monitor failed with exit status $status" >&2; cat "$out/look-$look.md" >&2; exit $status; }
    phase=$(field phase "$out/deploy/rollout.json")
    headline=$(grep -m1 '^\*\*' "$out/look-$look.md" | sed 's/\*\*//g; s/ \(Always-valid intervals\|Group-sequential promotion\).*//')
    acted=$(grep -m1 '^\*\*Acted:\*\*' "$out/look-$look.md" | sed 's/\*\*Acted:\*\* */ → /' || true)
    echo "look $look at $(iso "$now"), weight $weight %: $headline$acted" >&2
  done

  if [ "$format" = otlp-http ]; then
    # SIGTERM: the server finishes what it took and exits 0.
    kill -TERM "$serve_pid"
    wait "$serve_pid" || { echo "error: monitor serve exited with status $?" >&2; exit 70; }
    serve_pid=
  fi

  # 4. The evidence as data: the candidate's failures as regression tasks, everything as a dataset.
  "$bin/feedback-export" --run "$run" --kind failures --kind rogue-actions --kind negative-feedback \
    --arm candidate --format benchmark-tasks --policy "$policy" --out-dir "$out/regression-tasks" \
    --ledger "$ledger" >/dev/null
  "$bin/feedback-export" --run "$run" --kind all --format native --split train=0.8,eval=0.2 --policy "$policy" \
    --out-dir "$out/dataset" --ledger "$ledger" >/dev/null
  tasks=$(number records "$out/regression-tasks/manifest.json")
  records=$(number records "$out/dataset/manifest.json")
  echo "feedback-export: $records record(s) in $out/dataset, $tasks regression task(s) in $out/regression-tasks" >&2

  expected=promoted
  [ "$scenario" = good ] || expected=rolled_back
  verdict="as expected"
  if [ "$phase" != "$expected" ]; then verdict="UNEXPECTED (expected $expected)"; failed=1; fi
  summary+=("$scenario: $phase after $look look(s) — $verdict; report $out/report.html; dataset $out/dataset ($records records); regression tasks $out/regression-tasks/all.jsonl ($tasks)")
done

echo
echo "What happened:"
for line in "${summary[@]}"; do echo "  $line"; done
if [ -n "$shared_ledger" ]; then
  echo "The runs are in the shared ledger under run-local-<scenario>-$stamp (its view rollout_history lists every transition)."
else
  echo "Each scenario's ledger is $out_root/<scenario>/ledger.sqlite (try: sqlite3 $out_root/good/ledger.sqlite 'SELECT * FROM rollout_history')."
fi
echo "The regression tasks are in benchmark-gate's input format: add them to the next release's benchmark suite."
exit $failed

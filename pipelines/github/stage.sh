#!/usr/bin/env bash
# pipelines/github/stage.sh — the action's last step: runs one stage with the action's arguments and writes the
# exit status to $GITHUB_OUTPUT (the tools write their other outputs there themselves).
#
# Environment: STAGE (benchmark-gate, canary-deploy, monitor or feedback-export); ARGS, one argument per line,
# each passed to the tool exactly as written: nothing in it is expanded or run, so `$(…)`, backticks, `;`,
# quotes and spaces reach the tool as they are (blank lines are left out); LEDGER_INPUT (the action's ledger
# input). Exit status: the tool's.
set -euo pipefail
case "${STAGE:-}" in
  benchmark-gate | canary-deploy | monitor | feedback-export) ;;
  *)
    echo "::error title=AgentCanary::stage '${STAGE:-}' is not benchmark-gate, canary-deploy, monitor or feedback-export"
    exit 64
    ;;
esac
export AGENT_CANARY_LEDGER="${LEDGER_INPUT:-${AGENT_CANARY_LEDGER:-.agent-canary/ledger.sqlite}}"
case $AGENT_CANARY_LEDGER in
  postgres://* | postgresql://*) ;;
  *) mkdir -p "$(dirname "$AGENT_CANARY_LEDGER")" ;;
esac
arguments=()
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  [ -z "$line" ] || arguments+=("$line")
done <<<"${ARGS:-}"
set +e
"$STAGE" "${arguments[@]}"
status=$?
set -e
echo "exit_status=$status" >>"${GITHUB_OUTPUT:-/dev/null}"
exit $status

#!/usr/bin/env bash
# Every test level, in order: build, typecheck, lint, unit, integration (code-server), e2e (code-server + Chromium).
# Every level runs even when an earlier one fails; a table at the end sums up; exit status is non-zero if any failed.
# Logs: .test-artifacts/logs/<level>.log. Set CNN_SKIP_INSTALL=1 to skip the install steps.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=.test-artifacts/logs
mkdir -p "$logs"
levels=()
results=()
summaries=()
failed=0

# run_level <name> <summary-extractor> <command...>: runs the command, tees its output to the log.
run_level() {
  local name=$1 extractor=$2
  shift 2
  local log="$logs/$name.log" started=$SECONDS status summary
  echo
  echo "==================== $name: $* ===================="
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  summary=$($extractor "$log")
  levels+=("$name")
  summaries+=("${summary:+$summary }($((SECONDS - started)) s)")
  if [[ $status -eq 0 ]]; then
    results+=(PASS)
  else
    results+=("FAIL($status)")
    failed=1
  fi
}

no_summary() { :; }
# The runners print `N passed, N failed` on a line of their own; mocha's spec reporter prints `N passing`.
passed_failed() { grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1; }
mocha_spec() {
  local passing failing
  passing=$(grep -E '^ +[0-9]+ passing' "$1" | tail -n 1 | grep -oE '[0-9]+' | head -n 1)
  failing=$(grep -E '^ +[0-9]+ failing' "$1" | tail -n 1 | grep -oE '[0-9]+' | head -n 1)
  [[ -n $passing || -n $failing ]] && echo "${passing:-0} passed, ${failing:-0} failed"
}
tsc_errors() { local n; n=$(grep -cE 'error TS[0-9]+' "$1"); [[ $n -gt 0 ]] && echo "$n errors"; }

install_missing() {
  [[ -d node_modules ]] || npm ci || return 1
  bash scripts/install-system-deps.sh || return 1
  # code-server: ~2 minutes the first time, done here so the integration level's timeout does not include it.
  node test/harness/install-code-server.mjs
}

[[ -n ${CNN_SKIP_INSTALL:-} ]] || run_level install no_summary install_missing

run_level build no_summary node scripts/build.mjs
run_level typecheck tsc_errors npx tsc --noEmit -p .
run_level lint no_summary npm run lint
run_level unit mocha_spec timeout 2700 npx mocha
run_level integration passed_failed node test/run-code-server.mjs integration
run_level restricted passed_failed node test/run-code-server.mjs integration-restricted
run_level e2e passed_failed node test/run-code-server.mjs e2e

echo
echo "==================== summary ===================="
printf '%-12s %-9s %s\n' level result summary
for i in "${!levels[@]}"; do
  printf '%-12s %-9s %s\n' "${levels[$i]}" "${results[$i]}" "${summaries[$i]}"
done
if [[ $failed -ne 0 ]]; then
  echo "FAILED: see $logs/ and .test-artifacts/"
  exit 1
fi
echo "all levels passed"

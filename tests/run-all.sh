#!/usr/bin/env bash
# Runs every suite and ends with one line "N passed, M failed" summing them all.
# Suites: type check, vitest (unit + integration), scenario files, browser e2e, benchmark smoke.
set -u
cd "$(dirname "$0")/.."
mkdir -p .tmp
passed=0
failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); printf '== %-28s %s passed, %s failed\n' "$3" "$1" "$2"; }

# 1. Type check (strict) counts as one check.
if npx tsc -p . >.tmp/tsc.log 2>&1; then add 1 0 "typecheck"; else cat .tmp/tsc.log; add 0 1 "typecheck"; fi

# 2. Unit and integration tests (real SQLite, real Oso, real policy; PostgreSQL for the server tests).
#    Without PostgreSQL the tests that need it are left out and counted as ONE failure, with one line
#    saying what to install (tests/prerequisites.mjs): a missing prerequisite never passes silently.
pg_missing=$(node tests/prerequisites.mjs postgres) || true
vitest_filter=()
[ -z "$pg_missing" ] || vitest_filter=(--testNamePattern '^(?!.*[Pp]ostgre)')
rm -f .tmp/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "${vitest_filter[@]}"
if [ -s .tmp/vitest.json ]; then
  read -r vp vf < <(node -e 'const r=require("./.tmp/vitest.json");const bad=r.numFailedTests+(r.numRuntimeErrorTestSuites||0)+r.testResults.filter(t=>t.status==="failed"&&t.assertionResults.length===0).length;console.log(r.numPassedTests, bad)')
  add "$vp" "$vf" "vitest"
else
  add 0 1 "vitest (no report)"
fi
if [ -n "$pg_missing" ]; then echo "$pg_missing"; add 0 1 "postgresql (not installed)"; fi

# 3. Scenario files: the repository's copies of the shared examples (tests/fixtures) and ours
#    (tests/scenarios). Nothing beside the repository is read.
scenario_files=(tests/fixtures/*.scenarios.json tests/scenarios/*.scenarios.json)
out=$(npm run -s scenarios -- "${scenario_files[@]}" 2>&1)
echo "$out" | grep -v '^[0-9]* passed, [0-9]* failed$' | head -50
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
if [ -n "$line" ]; then add "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)" "scenarios"; else add 0 1 "scenarios (crashed)"; fi

# 4. Further suites register themselves here (e2e, bench smoke).
for suite in tests/suites/*.sh; do
  [ -e "$suite" ] || continue
  name=$(basename "$suite" .sh)
  out=$(bash "$suite" 2>&1)
  echo "$out" | tail -40
  line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
  if [ -n "$line" ]; then add "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)" "$name"; else add 0 1 "$name (crashed)"; fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Electron hardening check (security issue, item 4): @doyensec/electronegativity over electron/ and
# renderer/; fails on any finding above LOW not suppressed by a justified `eng-disable` comment, on any
# file it cannot parse, and if the scanner does not run or scans nothing. Offline; no build needed.
# Details, and what counts as a pass, in tests/security/electronegativity.cjs.
set -u
cd "$(dirname "$0")/../.."
mkdir -p .tmp
start=$(date +%s)
out=$(node tests/security/electronegativity.cjs --json .tmp/electronegativity.json 2>&1)
rc=$?
echo "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
echo "electronegativity scan finished in $(( $(date +%s) - start )) s (report: .tmp/electronegativity.json)"
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
if [ -z "$line" ]; then
  echo "electronegativity runner crashed (exit $rc) before reporting"
  echo "0 passed, 1 failed"
  exit 1
fi
if [ "$rc" -ne 0 ] && [ "$(echo "$line" | cut -d' ' -f3)" = "0" ]; then
  # Non-zero exit with no counted failure (e.g. nothing passed): never report that as green.
  echo "$(echo "$line" | cut -d' ' -f1) passed, 1 failed"
  exit 1
fi
echo "$line"
[ "$rc" -eq 0 ]

#!/usr/bin/env bash
# Benchmark smoke test (issue 5): `npm run bench -- --size S` must finish and print its table.
# No timing assertions: CI machines differ; the figures are in docs/performance.md.
set -u
cd "$(dirname "$0")/../.."
start=$(date +%s)
if out=$(npm run -s bench -- --size S 2>&1); then
  echo "$out" | tail -30
  if echo "$out" | grep -q '| ward census: list Patient' && echo "$out" | grep -q '| push of 1,000 offline mutations' && [ -s bench/results.json ]; then
    echo "bench S finished in $(( $(date +%s) - start )) s"
    echo "1 passed, 0 failed"
  else
    echo "bench S printed no complete table"
    echo "0 passed, 1 failed"
  fi
else
  echo "$out" | tail -40
  echo "0 passed, 1 failed"
fi

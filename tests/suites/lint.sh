#!/usr/bin/env bash
# Lint over the whole repository; any error or warning fails:
#   - typescript-eslint + the layering rule of eslint.config.js (that the layering rule fires at all is
#     proven by tests/unit/lint.test.ts), type-only imports written as such;
#   - prettier: the code is formatted (`npm run format` fixes it);
#   - knip: no unused exports or exported types (dead code is deleted, not exported).
set -u
cd "$(dirname "$0")/../.."
start=$(date +%s)
fail=0
out=$(npx eslint --max-warnings 0 . 2>&1) || { echo "$out" | tail -40; fail=1; }
out=$(npx prettier --check . 2>&1) || { echo "$out" | tail -20; echo "Not formatted: run npm run format"; fail=1; }
out=$(npx knip 2>&1) || { echo "$out" | tail -20; echo "Unused exports: delete them or use them"; fail=1; }
if [ "$fail" -eq 0 ]; then
  echo "lint clean in $(( $(date +%s) - start )) s"
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
  exit 1
fi

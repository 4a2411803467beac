#!/usr/bin/env bash
# Lint (typescript-eslint + the layering rule of eslint.config.js) over the whole repository; any
# error or warning fails. That the layering rule fires at all is proven by tests/unit/lint.test.ts.
set -u
cd "$(dirname "$0")/../.."
start=$(date +%s)
if out=$(npx eslint --max-warnings 0 . 2>&1); then
  echo "lint clean in $(( $(date +%s) - start )) s"
  echo "1 passed, 0 failed"
else
  echo "$out" | tail -40
  echo "0 passed, 1 failed"
  exit 1
fi

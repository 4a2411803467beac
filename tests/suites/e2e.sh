#!/usr/bin/env bash
# Browser end-to-end suite: builds the renderer, runs Playwright in the system's Chromium, and prints
# "N passed, M failed" (skipped tests are listed with their reason, not counted as passed).
set -u
cd "$(dirname "$0")/../.."
# No browser: one line saying what to install, counted as one failure (never a silent pass).
if ! missing=$(node tests/prerequisites.mjs chromium); then echo "$missing"; echo "0 passed, 1 failed"; exit 1; fi
if ! npm run -s build >/tmp/cw-build.log 2>&1; then cat /tmp/cw-build.log; echo "0 passed, 1 failed"; exit 1; fi
rm -f .tmp/playwright.json
npx playwright test
node -e '
const r = require("./.tmp/playwright.json");
let passed = 0, failed = 0, skipped = [];
const walk = (s) => { for (const x of s.suites || []) walk(x); for (const sp of s.specs || []) for (const t of sp.tests) {
  const st = t.results.at(-1)?.status ?? "skipped";
  if (t.status === "skipped" || st === "skipped") skipped.push(`${sp.title}: ${(t.annotations.find(a => a.type === "skip") || {}).description || "skipped"}`);
  else if (t.status === "expected") passed++; else failed++;
} };
for (const s of r.suites) walk(s);
for (const s of skipped) console.log(`SKIPPED ${s}`);
console.log(`${passed} passed, ${failed} failed`);
' 2>/dev/null || echo "0 passed, 1 failed"

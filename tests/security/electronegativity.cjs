#!/usr/bin/env node
/**
 * Electron hardening check (security issue, item 4): runs @doyensec/electronegativity over our own
 * `electron/` and `renderer/` sources and fails on any finding above LOW that is not suppressed by a
 * justified `eng-disable` comment on the flagged line.
 *
 *   node tests/security/electronegativity.cjs [--json FILE]
 *
 * Why a runner instead of `npx electronegativity`:
 *  - electronegativity's parser requires the hoisted @typescript-eslint/typescript-estree@4, which does
 *    `require('typescript')` and would get the project's TypeScript 7 (the Go compiler, no JS API) and
 *    crash at load with "Cannot read properties of undefined (reading 'BarBarToken')". Below,
 *    Module._resolveFilename sends `typescript` requests coming from @typescript-eslint/*, tsutils or
 *    electronegativity itself to the TypeScript 4.2 that electronegativity ships in its own
 *    node_modules. Nothing else in the process is affected; the run fails if the project's TypeScript
 *    was loaded anyway.
 *  - electronegativity fetches translations and Electron release notes with `got`. CI is offline, so
 *    `got` is replaced (for electronegativity only) by a stub that never touches the network: the
 *    bundled en-US locale is used, and AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK (which only looks at a
 *    package.json's Electron version against GitHub's release list) is excluded; it could not run
 *    offline and no package.json is in the scanned set anyway.
 *  - The sources are scanned as they are, byte for byte (no transpiling): electronegativity parses
 *    .ts/.tsx with @babel/parser (hoisted 7.x, which knows `satisfies`, const type parameters ...; we
 *    add its "decoratorAutoAccessors" plugin for `accessor` fields) and only falls back to typescript-estree/TS 4.2 if Babel fails. Every file that
 *    neither parser can read is a failure here, never silently skipped. The files are copied to a temp
 *    directory (same relative paths, same contents, so same line numbers) because electronegativity
 *    takes one input directory and we want electron/ and renderer/ in one scan: its global checks (CSP,
 *    navigation limits, permission handler) look across all files together. Our .mjs/.cjs files are
 *    staged with an extra ".js" suffix, since electronegativity would otherwise ignore them; findings
 *    are reported under the original names.
 *  - A canary scan runs first: a tiny file with known-bad webPreferences and modern TS syntax must
 *    produce the expected findings, so a scanner that silently finds nothing cannot pass.
 *
 * Counting (last line "N passed, M failed"):
 *  - pass: one per scanned file with no failing finding, one for the project-wide (global) checks
 *    when none of them fails, one for the canary self-test.
 *  - fail: one per finding with severity MEDIUM or HIGH that is not suppressed; one per file that
 *    could not be parsed; one per `eng-disable` comment without a justification; one if the canary
 *    self-test fails; one if the scan crashed or found no files to scan.
 * LOW and INFORMATIONAL findings are printed but do not fail.
 *
 * What electronegativity can and cannot see: its window checks look only at object literals written
 * inside `new BrowserWindow({...})` / `new BrowserView({...})`, which is why electron/windows.ts writes
 * the webPreferences there. By design it does not report `nodeIntegration: true` next to
 * `sandbox: true` (the sandbox wins in Electron); tests/unit/electron-shell.test.ts asserts every value.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');

const ROOT = path.resolve(__dirname, '..', '..');
const SCAN_DIRS = ['electron', 'renderer'];
const SCANNED_EXT = new Set(['.js', '.jsx', '.ts', '.tsx', '.html', '.htm']);
const RENAMED_EXT = new Set(['.mjs', '.cjs']); // staged as NAME.mjs.js so electronegativity reads them
const SKIP_DIRS = new Set(['node_modules', 'build', 'out', 'release', 'coverage', '.vite']);
const isBuildOutput = (name) => SKIP_DIRS.has(name) || name.startsWith('dist');
const FAILING = new Set(['HIGH', 'MEDIUM']); // "above LOW"
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck']; // needs GitHub; see header
// Babel plugins on top of electronegativity's list, for TS syntax newer than it knows (`accessor` fields).
const PARSER_PLUGINS = ['decoratorAutoAccessors'];
const ENG_DIR = path.join(ROOT, 'node_modules', '@doyensec', 'electronegativity');
const NESTED_TS_DIR = path.join(ENG_DIR, 'node_modules', 'typescript');

const jsonOut = (() => {
  const i = process.argv.indexOf('--json');
  return i > 0 ? process.argv[i + 1] : undefined;
})();
let passed = 0;
let failed = 0;
const fail = (msg) => {
  failed++;
  console.log(`FAIL ${msg}`);
};
const finish = (report) => {
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ passed, failed, ...report }, null, 2));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
};

// ---------------------------------------------------------------------------------------------------
// 1. Module resolution: TypeScript 4.2 for the parser, no network for electronegativity.
const inside = (file, dir) => typeof file === 'string' && (file === dir || file.startsWith(dir + path.sep));
// electronegativity -> @typescript-eslint/typescript-estree@4 -> tsutils: all of them `require('typescript')`
// (wherever npm places them: hoisted as in our lockfile, or nested).
const TS_USER_PACKAGES = ['@typescript-eslint', 'tsutils'];
const isTsUser = (file) =>
  inside(file, ENG_DIR) ||
  (typeof file === 'string' &&
    file.split(path.sep).some((seg, i, segs) => segs[i - 1] === 'node_modules' && TS_USER_PACKAGES.includes(seg)));
const PROJECT_TS_DIR = path.join(ROOT, 'node_modules', 'typescript');
const OFFLINE_GOT_ID = path.join(ENG_DIR, '__offline_got__.js'); // virtual module, never on disk

function installResolutionPatches() {
  if (!fs.existsSync(path.join(ENG_DIR, 'package.json')))
    throw new Error(`electronegativity is not installed at ${ENG_DIR} (run npm ci)`);
  if (!fs.existsSync(path.join(NESTED_TS_DIR, 'package.json')))
    throw new Error(`electronegativity's own TypeScript is missing at ${NESTED_TS_DIR}`);
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    const from = parent && parent.filename;
    if (isTsUser(from) && (request === 'typescript' || request.startsWith('typescript/'))) {
      return original.call(this, request.replace(/^typescript/, NESTED_TS_DIR), parent, ...rest);
    }
    if (inside(from, ENG_DIR) && request === 'got') return OFFLINE_GOT_ID;
    return original.call(this, request, parent, ...rest);
  };
  // The stub answers "not found" to the translation download (electronegativity then keeps its bundled
  // locale, as it does when offline) and refuses everything else.
  const offline = () => Promise.reject(new Error('network access disabled in the electronegativity test'));
  const got = (url) =>
    /\/[a-z]{2}-[A-Z]{2}\.json$/.test(String(url)) ? Promise.resolve({ statusCode: 404, body: '', headers: {} }) : offline();
  for (const m of ['get', 'head', 'post', 'put', 'stream', 'extend']) got[m] = offline;
  const stub = new Module(OFFLINE_GOT_ID);
  stub.filename = OFFLINE_GOT_ID;
  stub.loaded = true;
  stub.exports = got;
  require.cache[OFFLINE_GOT_ID] = stub;
  process.env.LANG = 'en-US'; // electronegativity uses $LANG as its locale name
}

// ---------------------------------------------------------------------------------------------------
// 2. Staging: byte-identical copies of our sources, same relative paths.
function collect(dir, out) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      if (!isBuildOutput(ent.name)) collect(full, out);
      continue;
    }
    if (!ent.isFile()) continue;
    const ext = path.extname(ent.name).toLowerCase();
    if (SCANNED_EXT.has(ext) || RENAMED_EXT.has(ext)) out.push(path.relative(ROOT, full));
  }
  return out;
}

function stage(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-electronegativity-'));
  const toOriginal = new Map();
  for (const rel of files) {
    const stagedRel = RENAMED_EXT.has(path.extname(rel).toLowerCase()) ? `${rel}.js` : rel;
    const dest = path.join(dir, stagedRel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(ROOT, rel), dest);
    toOriginal.set(dest, rel);
  }
  return { dir, toOriginal };
}

// ---------------------------------------------------------------------------------------------------
// 3. Running electronegativity, keeping the findings it would hide (suppressed ones) for the report.
function loadElectronegativity() {
  const run = require(path.join(ENG_DIR, 'dist', 'runner.js'));
  const { Finder } = require(path.join(ENG_DIR, 'dist', 'finder', 'finder.js'));
  const raw = [];
  if (!Finder.prototype.find.__recorded) {
    const find = Finder.prototype.find;
    Finder.prototype.find = async function recordedFind(...args) {
      const issues = await find.apply(this, args);
      raw.push(...issues);
      return issues;
    };
    Finder.prototype.find.__recorded = true;
  }
  const parsedFiles = new Set();
  const { Parser } = require(path.join(ENG_DIR, 'dist', 'parser', 'parser.js'));
  const parse = Parser.prototype.parse;
  Parser.prototype.parse = function recordedParse(file, ...rest) {
    const result = parse.call(this, file, ...rest);
    if (result[1] !== null && result[1] !== undefined) parsedFiles.add(file);
    return result;
  };
  return { run, raw, parsedFiles };
}

function electronVersion() {
  // The version we actually ship with; electronegativity uses it to know each option's default.
  const pkg = path.join(ROOT, 'node_modules', 'electron', 'package.json');
  if (fs.existsSync(pkg)) return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  const range = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies?.electron;
  const v = range && String(range).match(/\d+\.\d+\.\d+/);
  if (!v) throw new Error('cannot tell the Electron version (node_modules/electron missing, no range in package.json)');
  return v[0];
}

async function scan(eng, input, version) {
  eng.raw.length = 0;
  eng.parsedFiles.clear();
  const result = await eng.run(
    {
      input,
      isRelative: false,
      isVerbose: true,
      excludeFromScan: EXCLUDED_CHECKS,
      parserPlugins: PARSER_PLUGINS,
      electronVersionOverride: version,
      severitySet: 'INFORMATIONAL',
      confidenceSet: 'TENTATIVE',
    },
    false,
  );
  if (!result || !Array.isArray(result.issues) || !Array.isArray(result.errors))
    throw new Error('electronegativity returned no result');
  return { ...result, raw: [...eng.raw], parsedFiles: new Set(eng.parsedFiles) };
}

// ---------------------------------------------------------------------------------------------------
// 4. Canary: proves the scanner parses modern TS and reports what it should.
const CANARY = `import { BrowserWindow } from 'electron';
type Opts = { width: number };
const size = { width: 800 } satisfies Opts;
function pick<const T extends readonly string[]>(xs: T): T[number] | undefined { return xs[0]; }
class Holder { accessor name = pick(['canary'] as const); }
export const w = new BrowserWindow({ ...size, webPreferences: { nodeIntegration: true, contextIsolation: false, webSecurity: false } });
export const h = new Holder();
`;
const CANARY_EXPECTED = ['NODE_INTEGRATION_JS_CHECK', 'CONTEXT_ISOLATION_JS_CHECK', 'WEB_SECURITY_JS_CHECK'];

async function canary(eng, version) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-electronegativity-canary-'));
  try {
    fs.writeFileSync(path.join(dir, 'canary.ts'), CANARY);
    const r = await scan(eng, dir, version);
    const ids = new Set(r.issues.filter((i) => i.file.endsWith('canary.ts')).map((i) => i.id));
    const missing = CANARY_EXPECTED.filter((id) => !ids.has(id));
    const hard = r.errors.filter((e) => !e.tolerable);
    if (hard.length > 0 || r.parsedFiles.size !== 1 || missing.length > 0) {
      fail(
        `canary self-test: scanner did not report ${missing.join(', ') || '(all reported)'}; parsed ${r.parsedFiles.size}/1; errors: ${hard.map((e) => e.message).join('; ') || 'none'}`,
      );
      return false;
    }
    passed++;
    console.log(
      `ok   canary self-test: modern-TS file with bad webPreferences was parsed and flagged (${CANARY_EXPECTED.join(', ')})`,
    );
    return true;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// 5. Report.
const ENG_DISABLE = /(?:\/\*|\/\/|<!--)[ \t]*eng-disable[ \t]+([\w \t]+)(.*)$/i;

/** A suppression must say why: some words after the check names (e.g. `-- safe because ...`). */
function justification(line) {
  const m = ENG_DISABLE.exec(line);
  if (!m) return '';
  const ids = m[1].trim().split(/[ \t]+/);
  // Words captured with the ids that are not check names belong to the justification.
  const extra = ids.filter((w) => !/^[A-Z0-9_]+_CHECK$/.test(w) && !/Check$/.test(w)).join(' ');
  return `${extra} ${m[2]}`
    .replace(/\*\/|-->/g, '')
    .replace(/^[\s:,.;-]+/, '')
    .trim();
}

function describe(issue, rel) {
  const loc = issue.file === 'N/A' ? '(project-wide)' : `${rel}:${issue.location?.line ?? 0}:${issue.location?.column ?? 0}`;
  const review = issue.manualReview ? ' [manual review]' : '';
  return `${issue.id} ${issue.severity?.name ?? '?'} / ${issue.confidence?.name ?? '?'}${review} ${loc} - ${String(
    issue.description ?? '',
  )
    .replace(/\s+/g, ' ')
    .trim()}`;
}

/** What csp-evaluator (the library behind CSP_GLOBAL_CHECK) objects to in a policy. */
function cspDetails(policy) {
  try {
    const csp = require(require.resolve('@doyensec/csp-evaluator', { paths: [ENG_DIR] }));
    const names = Object.fromEntries(Object.entries(csp.severities).map(([k, v]) => [v, k]));
    const findings = new csp.CspEvaluator(new csp.CspParser(policy).csp, csp.Version.CSP3).evaluate();
    return findings.map(
      (f) => `csp-evaluator ${names[f.severity] ?? f.severity}: ${f.directive} ${f.value ?? ''} - ${f.description}`,
    );
  } catch (e) {
    return [`(csp-evaluator could not explain: ${e.message})`];
  }
}

async function main() {
  const t0 = Date.now();
  installResolutionPatches();
  const version = electronVersion();
  const eng = loadElectronegativity();

  const files = SCAN_DIRS.flatMap((d) => (fs.existsSync(path.join(ROOT, d)) ? collect(path.join(ROOT, d), []) : []));
  for (const d of SCAN_DIRS) console.log(`scan set: ${d}/ ${files.filter((f) => f.startsWith(d + path.sep)).length} files`);
  const mustHave = files.filter((f) => /^electron[\\/].*\.ts$/.test(f) || /^renderer[\\/].*\.tsx?$/.test(f));
  if (files.length === 0 || mustHave.length === 0) {
    fail('no files to scan under electron/ and renderer/');
    return finish({ files: [] });
  }

  await canary(eng, version);

  const { dir, toOriginal } = stage(files);
  let r;
  try {
    r = await scan(eng, dir, version);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const relOf = (file) => toOriginal.get(file) ?? (file === 'N/A' ? 'N/A' : path.relative(dir, file));

  const tsVersion = require(path.join(NESTED_TS_DIR, 'package.json')).version;
  console.log(
    `electronegativity ${require(path.join(ENG_DIR, 'package.json')).version} (TS fallback parser on TypeScript ${tsVersion}), Electron ${version}: ${r.atomicChecks} atomic + ${r.globalChecks} global checks, ${r.parsedFiles.size}/${files.length} files parsed`,
  );
  const wrongTs = Object.keys(require.cache).filter((k) => inside(k, PROJECT_TS_DIR));
  if (wrongTs.length > 0)
    fail(`the project's own TypeScript was loaded into the scanner (${wrongTs[0]}); the resolution patch missed a caller`);
  if (r.atomicChecks === 0) fail('electronegativity loaded no checks');

  // Files that were not parsed, or raised errors.
  const unreadable = new Set();
  for (const e of r.errors) {
    const rel = relOf(e.file);
    if (e.tolerable) {
      console.log(`warn parser recovered in ${rel}: ${e.message}`);
      continue;
    }
    unreadable.add(rel);
    fail(`${rel}: electronegativity could not parse it: ${e.message}`);
  }
  for (const [staged, rel] of toOriginal) {
    if (!r.parsedFiles.has(staged) && !unreadable.has(rel)) {
      unreadable.add(rel);
      fail(`${rel}: not scanned`);
    }
  }
  if (r.parsedFiles.size === 0) fail('electronegativity scanned zero files');

  // Findings.
  const failingByFile = new Map();
  const reported = [];
  const bySeverity = { HIGH: [], MEDIUM: [], LOW: [], INFORMATIONAL: [] };
  for (const issue of r.issues) {
    const rel = relOf(issue.file);
    const sev = issue.severity?.name ?? 'HIGH';
    (bySeverity[sev] ?? (bySeverity[sev] = [])).push(describe(issue, rel));
    reported.push({
      id: issue.id,
      severity: sev,
      confidence: issue.confidence?.name,
      file: rel,
      line: issue.location?.line,
      column: issue.location?.column,
      description: issue.description,
      sample: issue.sample,
      manualReview: !!issue.manualReview,
      suppressed: false,
    });
    if (FAILING.has(sev)) failingByFile.set(rel, (failingByFile.get(rel) ?? 0) + 1);
  }
  for (const sev of Object.keys(bySeverity)) {
    for (const line of bySeverity[sev]) {
      if (FAILING.has(sev)) fail(line);
      else console.log(`info ${line}`);
    }
  }
  for (const issue of r.issues.filter((i) => i.id === 'CSP_GLOBAL_CHECK' && i.sample)) {
    for (const d of cspDetails(issue.sample)) console.log(`       ${d}`);
  }

  // Raw findings that electronegativity's own global checks settled (e.g. the navigation and
  // permission-handler hints, which are satisfied project-wide): shown for the record, not counted.
  const final = new Set(r.issues);
  for (const issue of r.raw.filter((i) => !final.has(i) && !(i.visibility && i.visibility.inlineDisabled))) {
    console.log(
      `note ${describe(issue, relOf(issue.file))} (settled by ${issue.id.replace(/_JS_CHECK|_HTML_CHECK/, '_GLOBAL_CHECK')})`,
    );
  }

  // Suppressed findings: listed with the justification from their comment; a bare suppression fails.
  const suppressed = r.raw.filter((i) => i.visibility && i.visibility.inlineDisabled);
  for (const issue of suppressed) {
    const rel = relOf(issue.file);
    const why = justification(issue.sample ?? '');
    reported.push({
      id: issue.id,
      severity: issue.severity?.name,
      confidence: issue.confidence?.name,
      file: rel,
      line: issue.location?.line,
      column: issue.location?.column,
      description: issue.description,
      sample: issue.sample,
      manualReview: !!issue.manualReview,
      suppressed: true,
      justification: why,
    });
    if (why.split(/\s+/).filter(Boolean).length < 4) {
      fail(`${describe(issue, rel)} is suppressed without a justification (write why it is safe after the check name)`);
      failingByFile.set(rel, (failingByFile.get(rel) ?? 0) + 1);
    } else {
      console.log(`supp ${describe(issue, rel)}\n       justification: ${why}`);
    }
  }

  for (const rel of files) {
    if (!unreadable.has(rel) && !failingByFile.has(rel)) passed++;
  }
  if (!failingByFile.has('N/A')) passed++; // project-wide checks: CSP present, navigation limited, permission handler set ...
  console.log(
    `scanned ${files.length - unreadable.size} files; findings: ${Object.entries(bySeverity)
      .map(([k, v]) => `${v.length} ${k}`)
      .join(', ')}; ${suppressed.length} suppressed; ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  finish({ electron: version, files, findings: reported });
}

main().catch((e) => {
  fail(`electronegativity did not run: ${e && e.stack ? e.stack : e}`);
  finish({ error: String(e && e.stack ? e.stack : e) });
});

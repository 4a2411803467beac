/** `npm run scenarios -- FILE...`: one line per failed case, then `N passed, M failed` (SPEC §5). */
import { runScenarioFile } from '../scenarios/runner';

async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('usage: npm run scenarios -- FILE.scenarios.json [FILE...]');
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    try {
      const r = await runScenarioFile(file);
      for (const c of r.results) if (!c.ok) console.log(c.line);
      passed += r.passed;
      failed += r.failed;
    } catch (e) {
      console.log(`FAIL ${file}: ${(e as Error).message}`);
      failed += 1;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 2;
  },
);

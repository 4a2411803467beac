/**
 * The layering rule (eslint.config.js, eslint-plugin-boundaries) fires on violating files: canaries
 * linted in memory with the project's own configuration, so a rule that silently stopped matching
 * (a renamed folder, a changed plugin option) fails here rather than letting violations through.
 * The whole repository is linted by tests/suites/lint.sh (`npm run lint`).
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

describe('layering lint (canaries)', () => {
  it('src/ never imports electron: neither the package nor the shell', async () => {
    expect(
      await layeringErrors('src/services/__canary__.ts', "import { app } from 'electron';\nexport const x = app;\n"),
    ).toEqual([expect.stringMatching(/src\/ must not depend on Electron/)]);
    expect(
      await layeringErrors(
        'src/services/__canary__.ts',
        "import { handlers } from '../../electron/handlers';\nexport const x = handlers;\n",
      ),
    ).toEqual([expect.stringMatching(/src\/ must not depend on Electron/)]);
    expect(
      await layeringErrors(
        'src/services/__canary__.ts',
        "import { App } from '../../renderer/src/App';\nexport const x = App;\n",
      ),
    ).toEqual([expect.stringMatching(/src\/ must not depend on Electron or the UI/)]);
  });

  it('the renderer imports only types from src/', async () => {
    expect(
      await layeringErrors(
        'renderer/src/__canary__.ts',
        "import { openChart } from '../../src/services/queries/chart';\nexport const x = openChart;\n",
      ),
    ).toEqual([expect.stringMatching(/only types from src\//)]);
    expect(
      await layeringErrors(
        'renderer/src/views/__canary__.tsx',
        "import { channels } from '../../../src/ipc/contract';\nexport const x = channels;\n",
      ),
    ).toEqual([expect.stringMatching(/only types from src\//)]);
    // The same import as a type is what the renderer does every day.
    expect(
      await layeringErrors(
        'renderer/src/__canary__.ts',
        "import type { Chart } from '../../src/services/queries/chart';\nexport type X = Chart;\n",
      ),
    ).toEqual([]);
  });

  it('the renderer imports nothing of electron/, electron or Node', async () => {
    for (const code of [
      "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n",
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      "import { handlers } from '../../electron/handlers';\nexport const x = handlers;\n",
    ]) {
      expect(await layeringErrors('renderer/src/__canary__.ts', code), code).toEqual([
        expect.stringMatching(/must not import the Electron shell/),
      ]);
    }
  });

  it('in electron/, only main.ts and preload.ts import electron', async () => {
    const code = "import { app } from 'electron';\nexport const x = app;\n";
    expect(await layeringErrors('electron/handlers/__canary__.ts', code)).toEqual([
      expect.stringMatching(/Only electron\/main.ts and electron\/preload.ts/),
    ]);
    expect(await layeringErrors('electron/main.ts', code)).toEqual([]);
    expect(await layeringErrors('electron/preload.ts', code)).toEqual([]);
  });
});

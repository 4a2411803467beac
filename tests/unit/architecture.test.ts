/**
 * Dependencies point inward (DEVELOPERS.md, VS Code-style layering): nothing in src/ imports
 * Electron; the renderer imports only types from src/; the preload exposes one bridge.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(f) ? [p] : [];
  });
}
const imports = (file: string): Array<{ line: string; from: string; typeOnly: boolean }> =>
  readFileSync(file, 'utf8').split('\n')
    .filter((l) => /^\s*(import|export)\b.*\bfrom\s+['"]/.test(l) || /^\s*import\s+['"]/.test(l))
    .map((line) => ({ line, from: /['"]([^'"]+)['"]/.exec(line)![1]!, typeOnly: /^\s*(import|export)\s+type\b/.test(line) }));

describe('architecture boundaries', () => {
  it('src/ never imports electron', () => {
    const offenders = files(path.join(root, 'src')).filter((f) => imports(f).some((i) => i.from === 'electron' || i.from.includes('/electron/')));
    expect(offenders).toEqual([]);
  });

  it('the renderer imports only types from src/ and nothing from electron/ or Node', () => {
    const offenders: string[] = [];
    for (const f of files(path.join(root, 'renderer', 'src'))) {
      for (const i of imports(f)) {
        if (i.from.includes('/src/') && i.from.startsWith('..') && !i.typeOnly && i.from.includes('../../src')) offenders.push(`${path.relative(root, f)}: ${i.line.trim()}`);
        if (i.from === 'electron' || i.from.startsWith('node:') || i.from.includes('/electron/')) offenders.push(`${path.relative(root, f)}: ${i.line.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('only main.ts and preload.ts of electron/ import electron (the rest runs under plain Node)', () => {
    const users = files(path.join(root, 'electron')).filter((f) => imports(f).some((i) => i.from === 'electron')).map((f) => path.basename(f)).sort();
    expect(users).toEqual(['main.ts', 'preload.ts']);
  });
});

/**
 * What blocked the server's event loop: `node --import tsx bench/fleet/stalls.ts <file.cpuprofile> [runs]`.
 * Reads a CPU profile (FLEET_PROFILE_STEADY, bench/fleet/server.ts), finds the longest stretches
 * without an idle sample (the loop was busy all along) and prints, for each, the functions that took
 * its time: by self time, and the project's own frames by inclusive time.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  parent?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const [file, runsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx bench/fleet/stalls.ts <file.cpuprofile> [runs]');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
for (const n of prof.nodes) for (const c of n.children ?? []) byId.get(c)!.parent = n.id;
const idle = (id: number): boolean => byId.get(id)!.callFrame.functionName === '(idle)';
const label = (n: Node): string =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;

// Runs of busy samples: [first, last) sample indices and their duration.
const runs: Array<{ from: number; to: number; ms: number }> = [];
let start = -1;
let ms = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  if (idle(prof.samples[i]!)) {
    if (start >= 0) runs.push({ from: start, to: i, ms });
    start = -1;
    ms = 0;
  } else {
    if (start < 0) start = i;
    ms += dt;
  }
}
runs.sort((a, b) => b.ms - a.ms);
const total = prof.timeDeltas.reduce((s, d) => s + d, 0) / 1e6;
console.log(
  `${file}: ${total.toFixed(1)} s, ${runs.length} busy stretches; longest ${runs
    .slice(0, 10)
    .map((r) => r.ms.toFixed(0))
    .join(', ')} ms`,
);
for (const r of runs.slice(0, Number(runsArg ?? 5))) {
  const self = new Map<string, number>();
  const own = new Map<string, number>();
  for (let i = r.from; i < r.to; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(prof.samples[i]!)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n: Node | undefined = leaf; n; n = n.parent !== undefined ? byId.get(n.parent) : undefined) {
      if (!/\/(src|bench)\//.test(n.callFrame.url)) continue;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      own.set(l, (own.get(l) ?? 0) + dt);
    }
  }
  const top = (m: Map<string, number>, k: number): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([l, t]) => `    ${t.toFixed(1).padStart(6)} ms  ${l}`)
      .join('\n');
  console.log(`\n  ${r.ms.toFixed(1)} ms busy\n  self:\n${top(self, 8)}\n  project frames (inclusive):\n${top(own, 10)}`);
}

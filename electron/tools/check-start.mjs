// Before `npm start` / `npm run dist`: one line saying what is missing, instead of a build followed by
// a wall of errors. Electron 45's own tooling (its binary download, @electron/rebuild, node-abi)
// needs Node >= 22.12; `npm test` needs only Node 20 and no Electron binary.
//   node electron/tools/check-start.mjs          for npm start (Node and the Electron binary)
//   node electron/tools/check-start.mjs --dist   for npm run dist (Node only; electron-builder fetches Electron itself)
import { electronBinary } from './electronBinary.mjs';

export const MIN_NODE = [22, 12];

export function startProblem({ dist = false, nodeVersion = process.versions.node, binary = electronBinary() } = {}) {
  const [major, minor] = nodeVersion.split('.').map(Number);
  const oldNode = major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]);
  const what = dist ? 'npm run dist' : 'npm start';
  if (!dist && !binary.present) {
    return (
      `${what} needs the Electron ${binary.version} binary, which is not installed (${binary.file}): ` +
      `with Node >= ${MIN_NODE.join('.')} and network access run \`node node_modules/electron/install.js\`, ` +
      `or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron ${binary.version}${oldNode ? ` (this is Node ${nodeVersion})` : ''}.`
    );
  }
  if (oldNode) {
    return (
      `${what} needs Node >= ${MIN_NODE.join('.')} (Electron ${binary.version}'s build tools); this is Node ${nodeVersion}. ` +
      '`npm test` runs on Node 20.'
    );
  }
  return null;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop())) {
  const problem = startProblem({ dist: process.argv.includes('--dist') });
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}

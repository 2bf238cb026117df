// Runs one benchmark written in TypeScript: bundles bench/<name>.ts with esbuild (the test support modules
// included, npm packages left external) and runs the bundle with node, passing the remaining arguments.
//
//   node bench/run.mjs add-time [--iterations N] [--json FILE] …   (after `npm run build`)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop as stopEsbuild } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches = fs
  .readdirSync(path.join(root, 'bench'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length));
const [name, ...args] = process.argv.slice(2);
if (!name || !benches.includes(name)) {
  console.error(`usage: node bench/run.mjs <${benches.join('|')}> [options]   (--help for the options)`);
  process.exit(2);
}

/**
 * Bundled code runs from another directory, so each module's own `__dirname` is pinned to where its
 * source is (test/support/hub-process.ts finds the repository from it).
 */
const keepDirname = {
  name: 'keep-dirname',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
      const source = await fs.promises.readFile(file, 'utf8');
      if (!/\b__dirname\b/.test(source)) return undefined;
      return {
        contents: source.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(file))),
        loader: 'ts',
      };
    });
  },
};

const outfile = path.join(root, 'node_modules/.cache/kidtime-bench', `${name}.cjs`);
await build({
  entryPoints: [path.join(root, 'bench', `${name}.ts`)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [keepDirname],
});
await stopEsbuild(); // its service process is not needed while the benchmark runs

const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...args], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the benchmark directly (same process group); other signals are passed on. Either way
// this runner waits for the benchmark to stop what it started, then exits with its status.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
});

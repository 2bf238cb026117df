// Bundles the agent into one CommonJS file that runs with the PC's own Node.js (>= 18) from an empty folder.
import { build } from 'esbuild';
import { copyFileSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
  outfile: new URL('./dist/kidtime-agent.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  define: { AGENT_VERSION: JSON.stringify(version) },
  alias: { '@kidtime/protocol': new URL('../protocol/src/index.ts', import.meta.url).pathname },
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});

// The installer template and the systemd unit go next to the bundle: the hub fills them into /install.sh.
// The SSH guard is for PCs without an agent; the hub serves it at /downloads/kidtime-ssh-guard.
for (const [from, to] of [
  ['./install/install.sh', './dist/install.sh'],
  ['./systemd/kidtime-agent.service', './dist/kidtime-agent.service'],
  ['./ssh/kidtime-ssh-guard', './dist/kidtime-ssh-guard'],
]) {
  copyFileSync(new URL(from, import.meta.url), new URL(to, import.meta.url));
}

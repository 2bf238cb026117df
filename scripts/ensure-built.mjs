// Installs dependencies and builds when something is missing, so `npm start` works on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url);
// sqlite3 compiles from source; point node-gyp at the machine's Node headers instead of downloading them.
const nodedir = existsSync('/usr/include/node/node.h') ? { npm_config_nodedir: '/usr' } : {};
const run = (command) =>
  execSync(command, { stdio: 'inherit', cwd: root, env: { ...nodedir, ...process.env } });

if (!existsSync(new URL('node_modules/.package-lock.json', root))) {
  console.log('Installing dependencies (first start)…');
  run('npm ci --no-audit --no-fund');
}
const needed = ['hub/dist/main.js', 'agent/dist/kidtime-agent.cjs', 'ui/dist/index.html'];
if (needed.some((file) => !existsSync(new URL(file, root)))) {
  console.log('Building Kidtime (first start)…');
  run('npm run build');
}

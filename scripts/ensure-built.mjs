// Builds the project when the hub, the agent bundle or the UI is missing, so `npm start` works on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = ['hub/dist/main.js', 'agent/dist/kidtime-agent.cjs', 'ui/dist/index.html'];
if (needed.some((file) => !existsSync(new URL(`../${file}`, import.meta.url)))) {
  console.log('Building Kidtime (first start)…');
  execSync('npm run build', { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
}

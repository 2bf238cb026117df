// `npm start`: build if needed, then run the hub in the foreground with the environment (and .env) as given.
import { spawn } from 'node:child_process';
import './ensure-built.mjs';

const hub = spawn(process.execPath, ['hub/dist/main.js'], {
  stdio: 'inherit',
  cwd: new URL('..', import.meta.url),
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => hub.kill(signal));
hub.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

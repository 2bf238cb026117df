import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RemoteCommandError, timekpraCommandLine } from './remote-command';

/** What a POSIX shell on the PC makes of the line: the words it would run, via a stand-in `env`. */
function wordsSeenByShell(line: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-words-'));
  fs.writeFileSync(path.join(dir, 'env'), '#!/bin/sh\nfor w in "$@"; do printf "%s\\0" "$w"; done\n', {
    mode: 0o755,
  });
  try {
    const out = execFileSync('/bin/sh', ['-c', line], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      encoding: 'utf8',
      cwd: dir,
    });
    expect(fs.readdirSync(dir)).toEqual(['env']); // nothing else ran or was created
    return out.split('\0').slice(0, -1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('timekpraCommandLine', () => {
  it('quotes every word, so the shell passes exactly these words to timekpra', () => {
    const line = timekpraCommandLine('/usr/bin/timekpra', ['--settimeleft', 'kid', '+', '900']);
    expect(line).toBe(
      `'env' '-u' 'LANGUAGE' 'LANG=C' 'LC_ALL=C' '/usr/bin/timekpra' '--settimeleft' 'kid' '+' '900'`,
    );
    expect(wordsSeenByShell(line)).toEqual([
      '-u',
      'LANGUAGE',
      'LANG=C',
      'LC_ALL=C',
      '/usr/bin/timekpra',
      '--settimeleft',
      'kid',
      '+',
      '900',
    ]);
  });

  it('keeps shell syntax in an argument inert', () => {
    for (const hostile of [
      'x; touch pwned',
      '$(touch pwned)',
      '`touch pwned`',
      "it's",
      'a && touch pwned',
      '*',
      '~',
    ]) {
      const line = timekpraCommandLine('/usr/bin/timekpra', ['--setplaytimeactivities', 'kid', hostile]);
      expect(wordsSeenByShell(line).at(-1)).toBe(hostile);
    }
  });

  it('refuses what the hub never sends: other programs, unknown subcommands, wrong counts, control characters', () => {
    const refuse = (timekpra: string, args: string[]) =>
      expect(() => timekpraCommandLine(timekpra, args)).toThrow(RemoteCommandError);
    refuse('/bin/sh', ['--userlist']);
    refuse('/usr/bin/timekpra; reboot', ['--userlist']);
    refuse('/usr/../bin/timekpra', ['--userlist']);
    refuse('/usr/bin/timekpra', []);
    refuse('/usr/bin/timekpra', ['--help']);
    refuse('/usr/bin/timekpra', ['-c', 'reboot']);
    refuse('/usr/bin/timekpra', ['--userinfo']);
    refuse('/usr/bin/timekpra', ['--userinfo', 'kid', 'extra']);
    refuse('/usr/bin/timekpra', ['--userinfo', 'kid\ntouch pwned']);
    refuse('/usr/bin/timekpra', ['--userinfo', 'kid\u0000']);
    refuse('/usr/bin/timekpra', ['--setplaytimeactivities', 'kid', 'x'.repeat(5000)]);
  });
});

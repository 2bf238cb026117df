import { execFileSync } from 'node:child_process';
import { shellQuote } from './shell-quote';

describe('shellQuote', () => {
  it('quotes any text as one shell word', () => {
    for (const text of [`it's`, '$(reboot)', '`id`', 'a b\nc', "''", '\\', '; touch /tmp/x', '*']) {
      expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' })).toBe(
        text,
      );
    }
  });
});

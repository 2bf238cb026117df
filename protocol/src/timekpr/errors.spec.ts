import fs from 'node:fs';
import path from 'node:path';
import { type TimekprError, expectSilentSuccess, meaningfulLines } from './errors';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8');

function kindOf(stdout: string): string {
  try {
    expectSilentSuccess(stdout);
    return 'success';
  } catch (error) {
    return (error as TimekprError).kind;
  }
}

describe('expectSilentSuccess', () => {
  it('accepts the empty output of a successful setter, even with timing warnings', () => {
    expect(kindOf(fixture('settimeleft-ok.txt'))).toBe('success');
    expect(kindOf('WARNING: PERFORMANCE (DBUS) call took 2.3 s\n\n')).toBe('success');
    expect(kindOf('FYI: PERFORMANCE (DBUS), the call took 1.1 s\n')).toBe('success');
  });

  it.each([
    ['error-user-not-found-setter.txt', 'user-not-found'],
    ['error-parse.txt', 'invalid-parameter'],
    ['error-parse-limits.txt', 'invalid-parameter'],
    ['error-parse-bool.txt', 'invalid-parameter'],
    ['error-parse-lockout.txt', 'invalid-parameter'],
    ['error-parse-operation.txt', 'invalid-parameter'],
    ['error-invalid-days.txt', 'invalid-parameter'],
    ['error-no-connection.txt', 'daemon-unreachable'],
    ['error-already-running.txt', 'busy'],
    ['error-command-incorrect.txt', 'incorrect-command'],
  ])('classifies %s as %s', (file, kind) => {
    expect(kindOf(fixture(file))).toBe(kind);
  });

  it('treats any unknown text as a failure rather than a silent success', () => {
    expect(kindOf('Something new went wrong\n')).toBe('unexpected-output');
  });

  it('keeps only the first lines of a long usage text', () => {
    try {
      expectSilentSuccess(fixture('error-command-incorrect.txt'));
    } catch (error) {
      expect((error as Error).message.length).toBeLessThanOrEqual(500);
      expect((error as Error).message).not.toContain('--setplaytimeleft');
    }
    expect.assertions(2);
  });
});

describe('meaningfulLines', () => {
  it('drops blank lines and timing warnings', () => {
    expect(meaningfulLines('a\n\n  WARNING: PERFORMANCE (DBUS) x\n b \r\n')).toEqual(['a', 'b']);
  });
});

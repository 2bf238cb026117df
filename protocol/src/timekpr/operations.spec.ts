import { commandMessageSchema } from '../messages';
import { operationSchema, timekpraWriteArgs, userinfoArgs } from './operations';

describe('operations allow-list', () => {
  it('maps each time mode to one fixed timekpra option with separate arguments', () => {
    expect(
      timekpraWriteArgs({ op: 'adjustTime', args: { login: 'kid', mode: 'add', seconds: 900 } }),
    ).toEqual(['--settimeleft', 'kid', '+', '900']);
    expect(
      timekpraWriteArgs({ op: 'adjustTime', args: { login: 'kid', mode: 'subtract', seconds: 60 } })?.[2],
    ).toBe('-');
    expect(
      timekpraWriteArgs({ op: 'adjustTime', args: { login: 'kid', mode: 'set', seconds: 0 } })?.[2],
    ).toBe('=');
    expect(timekpraWriteArgs({ op: 'refreshState', args: {} })).toBeNull();
  });

  it.each([
    ['kid; touch /tmp/x'],
    ['$(id)'],
    ['`id`'],
    ['kid\nrm'],
    ['-rf'],
    ['--settimeleft'],
    ['a/timekpra'],
    ['x'.repeat(33)],
    ['Kid'],
    [''],
  ])('refuses the login %j', (login) => {
    const parsed = operationSchema.safeParse({ op: 'adjustTime', args: { login, mode: 'add', seconds: 60 } });
    expect(parsed.success).toBe(false);
    expect(() => userinfoArgs(login)).toThrow();
  });

  it.each([[-1], [86_401], [1.5], [Number.NaN], ['60']])('refuses %j seconds', (seconds) => {
    expect(
      operationSchema.safeParse({ op: 'adjustTime', args: { login: 'kid', mode: 'add', seconds } }).success,
    ).toBe(false);
  });

  it('refuses operations outside the allow-list and extra arguments', () => {
    expect(operationSchema.safeParse({ op: 'shell', args: { cmd: 'id' } }).success).toBe(false);
    expect(
      operationSchema.safeParse({
        op: 'adjustTime',
        args: { login: 'kid', mode: 'add', seconds: 1, extra: '--x' },
      }).success,
    ).toBe(false);
    expect(
      operationSchema.safeParse({ op: 'adjustTime', args: { login: 'kid', mode: 'multiply', seconds: 1 } })
        .success,
    ).toBe(false);
  });

  it('validates a whole command message', () => {
    const ok = commandMessageSchema.safeParse({
      id: '3f0c7a52-8f1e-4d7e-9d3a-2b9f0c1e5a11',
      expiresAt: '2026-11-23T12:00:00.000Z',
      op: 'adjustTime',
      args: { login: 'kid', mode: 'add', seconds: 900 },
    });
    expect(ok.success).toBe(true);
    expect(commandMessageSchema.safeParse({ id: 'nope', op: 'adjustTime', args: {} }).success).toBe(false);
  });
});

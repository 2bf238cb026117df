import fs from 'node:fs';
import path from 'node:path';
import { TimekprClient, type RunTimekpra } from './client';
import { TimekprError } from './errors';

const FIXTURES = path.resolve(__dirname, '__fixtures__');
const idle = fs.readFileSync(path.join(FIXTURES, 'userinfo-idle.txt'), 'utf8').replace(/kidtest1/g, 'kid');

/** Scripted timekpra: answers --userinfo with a balance it keeps, and applies --settimeleft as timekprd does. */
class ScriptedTimekpra implements RunTimekpra {
  calls: string[][] = [];
  balance = 1000;
  limit = 86_400;
  setterOutput = '';
  ignoreWrites = false;

  async run(args: readonly string[]): Promise<string> {
    this.calls.push([...args]);
    const [option, , sign, value] = args;
    if (option === '--userlist') return '1 user in total:\nkid\n';
    if (option === '--userinfo') {
      return idle
        .replace(/^TIME_SPENT_BALANCE: .*$/m, `TIME_SPENT_BALANCE: ${this.balance}`)
        .replace(/^LIMITS_PER_WEEKDAYS: .*$/m, `LIMITS_PER_WEEKDAYS: ${Array(7).fill(this.limit).join(';')}`);
    }
    if (option === '--settimeleft') {
      if (this.setterOutput || this.ignoreWrites) return this.setterOutput;
      const n = Number(value);
      const base = Math.min(this.balance, this.limit);
      this.balance = sign === '+' ? base - n : sign === '-' ? base + n : this.limit - n;
      return '';
    }
    throw new Error(`unexpected call ${args.join(' ')}`);
  }
}

describe('TimekprClient', () => {
  let clock: number;
  let timekpra: ScriptedTimekpra;
  let client: TimekprClient;
  const add = (seconds: number) => ({
    op: 'adjustTime' as const,
    args: { login: 'kid', mode: 'add' as const, seconds },
  });

  beforeEach(() => {
    clock = 1_000_000;
    timekpra = new ScriptedTimekpra();
    client = new TimekprClient(
      timekpra,
      () => clock,
      () => 3,
    );
  });

  it('reads before a relative change when it has no recent state, then writes and reads back', async () => {
    const { state, warning } = await client.apply(add(600));
    expect(warning).toBeNull();
    expect(timekpra.calls.map((c) => c[0])).toEqual(['--userinfo', '--settimeleft', '--userinfo']);
    expect(timekpra.calls[1]).toEqual(['--settimeleft', 'kid', '+', '600']);
    expect(state?.timeSpentBalance).toBe(400);
  });

  it('uses a state read in the last 90 s instead of reading again', async () => {
    await client.readUser('kid');
    clock += 80_000;
    timekpra.calls = [];
    await client.apply(add(60));
    expect(timekpra.calls.map((c) => c[0])).toEqual(['--settimeleft', '--userinfo']);
    clock += 91_000;
    timekpra.calls = [];
    await client.apply(add(60));
    expect(timekpra.calls.map((c) => c[0])).toEqual(['--userinfo', '--settimeleft', '--userinfo']);
  });

  it('needs no read before setting an exact time', async () => {
    timekpra.limit = 7200;
    const { state } = await client.apply({
      op: 'adjustTime',
      args: { login: 'kid', mode: 'set', seconds: 1800 },
    });
    expect(timekpra.calls.map((c) => c[0])).toEqual(['--settimeleft', '--userinfo']);
    expect(state?.timeSpentBalance).toBe(5400);
  });

  it('reports timekpra’s own error text as a typed failure', async () => {
    timekpra.setterOutput = 'User "kid" configuration is not found\n';
    await expect(client.apply(add(60))).rejects.toMatchObject({ kind: 'user-not-found' });
  });

  it('fails when the balance did not move, even against a cached reading', async () => {
    await client.readUser('kid');
    timekpra.ignoreWrites = true;
    await expect(client.apply(add(600))).rejects.toMatchObject({ kind: 'verification-failed' });
  });

  it('fails when timekpr reads back something other than what was asked', async () => {
    timekpra.ignoreWrites = true;
    const error = (await client.apply(add(600)).catch((e: unknown) => e)) as TimekprError;
    expect(error).toBeInstanceOf(TimekprError);
    expect(error.kind).toBe('verification-failed');
    expect(error.message).toContain('expected 400');
  });

  it('reports a change made on the PC since its last read as a warning, not a failure', async () => {
    await client.readUser('kid');
    timekpra.balance -= 300; // a parent at the PC adds 5 minutes with timekpr's own tools
    clock += 5_000;
    const { state, warning } = await client.apply(add(600));
    expect(state?.timeSpentBalance).toBe(1000 - 300 - 600);
    expect(warning).toContain('was the time also changed on the PC?');
    expect(timekpra.calls.filter((c) => c[0] === '--settimeleft')).toHaveLength(1);
  });

  it('lists users and reads them all, reporting unreadable ones instead of dropping them', async () => {
    const snapshot = await client.readAll();
    expect(snapshot.users.map((u) => u.login)).toEqual(['kid']);
    expect(snapshot.errors).toEqual([]);
    jest
      .spyOn(timekpra, 'run')
      .mockImplementation(async (args) =>
        args[0] === '--userlist' ? '1 user in total:\nkid\n' : 'FAILED to obtain connection to timekpr.\n',
      );
    expect(await client.readAll()).toEqual({
      users: [],
      errors: [{ login: 'kid', error: expect.stringContaining('FAILED') }],
    });
  });

  it('leaves out logins it could not safely pass to timekpra, and says which', async () => {
    jest.spyOn(timekpra, 'run').mockResolvedValue('3 users in total:\nkid\nJohn\n-rf\n');
    expect(await client.listLogins()).toEqual(['kid']);
    expect(client.ignoredLogins).toEqual(['John', '-rf']);
  });

  it('applies a schedule step by step and reports a partial change as partial, with the state now', async () => {
    const calls: string[][] = [];
    const partial = new TimekprClient({
      run: async (args) => {
        calls.push([...args]);
        if (args[0] === '--userinfo') return idle;
        if (args[0] === '--setlockouttype')
          return 'PARAMETER PARSE ERROR (please check parameter validity): please specify one of these\n';
        return '';
      },
    });
    const error = (await partial
      .apply({
        op: 'setSchedule',
        args: { login: 'kid', trackInactive: false, lockout: { type: 'terminate' } },
      })
      .catch((e: unknown) => e)) as TimekprError;
    expect(calls.map((c) => c[0])).toEqual(['--setlockouttype', '--settrackinactive', '--userinfo']);
    expect(error.kind).toBe('partial');
    expect(error.message).toContain('applied: trackInactive');
    expect(error.message).toContain('refused by timekpr: lockout (PARAMETER PARSE ERROR');
    expect(error.state?.login).toBe('kid');
  });
});

import type { AuditEntryView } from '@kidtime/protocol';
import { dayRange, describeAudit, type AuditNames } from './audit-text';

const names: AuditNames = {
  device: (id) => (id === 'pc-1' ? 'Kitchen PC' : undefined),
  childOfLogin: (deviceId, login) => (deviceId === 'pc-1' && login === 'ana' ? 'Ana' : undefined),
  child: (id) => (id === 'child-ana' ? 'Ana' : undefined),
};

const entry = (over: Partial<AuditEntryView>): AuditEntryView => ({
  id: 'e1',
  at: '2026-11-03T18:00:00.000Z',
  actor: { type: 'account', id: 'acc-mum', name: 'mum' },
  channel: 'ui',
  action: 'time.add',
  deviceId: 'pc-1',
  login: 'ana',
  commandId: 'cmd-1',
  details: { login: 'ana', mode: 'add', seconds: 900 },
  result: 'ok',
  message: null,
  ...over,
});

describe('audit entries in words', () => {
  it("says what a parent did to a child's time, and how the PC answered", () => {
    expect(describeAudit(entry({}), names)).toEqual({
      sentence: 'mum added 15 min for Ana on Kitchen PC',
      outcome: 'sent to the PC',
      problem: false,
    });
    expect(
      describeAudit(entry({ actor: { type: 'system', id: null, name: 'kidtime' }, result: 'applied' }), names),
    ).toEqual({ sentence: 'Add 15 min for Ana on Kitchen PC', outcome: 'applied', problem: false });
    expect(
      describeAudit(
        entry({
          action: 'time.set',
          details: { login: 'ana', mode: 'set', seconds: 0 },
          result: 'queued',
          message: 'Kitchen PC is offline',
        }),
        names,
      ),
    ).toEqual({ sentence: 'mum locked Ana out for today on Kitchen PC', outcome: 'queued: the PC is offline', problem: false });
  });

  it('highlights refused and failed entries, and names logins and PCs it does not know plainly', () => {
    const failed = describeAudit(
      entry({ action: 'time.subtract', deviceId: 'pc-9', login: 'ben', details: { seconds: 3600 }, result: 'failed' }),
      names,
    );
    expect(failed).toEqual({ sentence: 'mum took 1 h 00 min away from ben on a removed PC', outcome: 'failed', problem: true });
    const login = describeAudit(
      entry({ action: 'auth.login', deviceId: null, login: null, commandId: null, details: null, result: 'refused' }),
      names,
    );
    expect(login).toEqual({ sentence: 'Someone tried to sign in as mum', outcome: 'refused', problem: true });
  });

  it('describes household changes from their details', () => {
    const plain = (over: Partial<AuditEntryView>) =>
      describeAudit(entry({ deviceId: null, login: null, commandId: null, ...over }), names).sentence;
    expect(plain({ action: 'auth.login', details: { method: 'oidc', from: '10.0.0.5' } })).toBe(
      'mum signed in through the identity provider',
    );
    expect(plain({ action: 'api-token.create', details: { name: 'HA', scope: 'control' } })).toBe(
      'mum created the API token HA (control)',
    );
    expect(plain({ action: 'auth.lockout', result: 'refused' })).toBe(
      'Sign-in as mum was locked for a while after repeated wrong passwords',
    );
    expect(plain({ action: 'auth.logout', details: { others: 2 } })).toBe('mum signed out their 2 other device(s)');
    expect(plain({ action: 'account.totp', details: { change: 'enabled', signedOut: 1 } })).toBe(
      'mum turned on two-step sign-in',
    );
    expect(plain({ action: 'account.totp', result: 'refused', details: { change: 'disable' } })).toBe(
      'mum tried to turn off two-step sign-in',
    );
    expect(plain({ action: 'account.totp', details: { change: 'disabled', username: 'dad' } })).toBe(
      'mum turned off two-step sign-in for dad',
    );
    expect(plain({ action: 'account.totp', details: { change: 'recovery-code', left: 9 } })).toBe(
      'mum signed in with a recovery code (9 left)',
    );
    expect(plain({ action: 'settings.second-factor', details: { required: true } })).toBe(
      'mum now requires two-step sign-in for everyone with a password',
    );
    expect(plain({ action: 'auth.logout', details: { current: false } })).toBe('mum signed out one of their devices');
    expect(plain({ action: 'child.create', details: { name: 'Ana', members: [] } })).toBe('mum added the child Ana');
    expect(plain({ action: 'child.update', details: { id: 'child-ana', members: [] } })).toBe(
      'mum changed the logins of Ana',
    );
    expect(plain({ action: 'account.role', details: { username: 'dad', from: 'viewer', to: 'parent' } })).toBe(
      'mum changed the role of dad from viewer to parent',
    );
    expect(
      plain({ action: 'device.enroll', actor: { type: 'device', id: 'pc-1', name: 'kitchen' }, details: { name: 'kitchen' } }),
    ).toBe('kitchen joined as a new PC');
  });

  it("describes changes to Home Assistant's login", () => {
    const plain = (action: string) =>
      describeAudit(entry({ action, deviceId: null, login: null, commandId: null, details: {} }), names).sentence;
    expect(plain('home-assistant.login.create')).toBe("mum created Home Assistant's MQTT login");
    expect(plain('home-assistant.login.replace')).toBe("mum gave Home Assistant's MQTT login a new password");
    expect(plain('home-assistant.login.remove')).toBe("mum removed Home Assistant's MQTT login");
  });

  it('falls back to the action code for actions it does not know', () => {
    const text = describeAudit(entry({ action: 'holiday.plan', details: null, commandId: null }), names);
    expect(text).toEqual({ sentence: 'mum: holiday.plan for Ana on Kitchen PC', outcome: '', problem: false });
  });

  it('turns local days into the instants the hub filters by, the last day included', () => {
    const range = dayRange('2026-11-01', '2026-11-03');
    expect(new Date(range.from!).getTime()).toBe(new Date(2026, 10, 1).getTime());
    expect(new Date(range.to!).getTime()).toBe(new Date(2026, 10, 4).getTime());
    expect(dayRange('', '')).toEqual({});
  });
});

/**
 * PCs without an agent, over SSH, end to end: Debian's sshd started by the harness on a loopback port, the
 * real timekprd, the built hub. Logins with a password, a pasted key with its passphrase, and the hub's own
 * key behind the forced-command guard; refusals that save nothing; a changed host key refused until trusted;
 * unreachable PCs failing fast; injection attempts in every field that reaches a command; polling for state
 * and usage; and the fallback from an offline agent to SSH and back.
 */
import type {
  AuditEntryView,
  CommandView,
  DeviceView,
  HubSshKey,
  ManagedUserView,
  SshCheckResult,
  TimeResponse,
  UsageDayView,
} from '@kidtime/protocol';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from './support/api-client';
import {
  AgentProcess,
  HubProcess,
  ROOT,
  enrollAndStartAgent,
  type EnrolledAgent,
} from './support/hub-process';
import { eventually, sleep } from './support/processes';
import { SshServer, ensureSystemUser, generateClientKey } from './support/sshd';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktssh1';
const SSH_USER = 'kt-sshe2e';
const SSH_PASSWORD = 'attic-ladder-93';
const OWNER = { username: 'mum', password: 'kitchen-phone-42' };
const GUARD = path.join(ROOT, 'agent/ssh/kidtime-ssh-guard');

describe('PCs over SSH', () => {
  let lab: TimekprLabHandle;
  let sshd: SshServer;
  let hub: HubProcess;
  let api: ApiClient;
  let work: string;

  const balance = async () => Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);
  const sshSettings = (extra: Record<string, unknown> = {}) => ({
    host: '127.0.0.1',
    port: sshd.port,
    username: SSH_USER,
    password: SSH_PASSWORD,
    ...extra,
  });
  const addPc = (name: string, ssh: Record<string, unknown>) =>
    api.post<DeviceView & { message: string }>('/api/devices', { name, ssh });
  const addTime = (deviceId: string, seconds: number, login = KID) =>
    api.post<TimeResponse & { message: string }>(`/api/devices/${deviceId}/users/${login}/time`, {
      op: 'add',
      seconds,
    });
  const device = async (id: string) => (await api.get<DeviceView>(`/api/devices/${id}`)).body;
  const remove = (id: string) => api.request('DELETE', `/api/devices/${id}`);
  const devicesNamed = async (name: string) =>
    (await api.get<DeviceView[]>('/api/devices')).body.filter((d) => d.name === name);

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    await ensureSystemUser(SSH_USER, { password: SSH_PASSWORD, groups: ['timekpr'] });
    sshd = await SshServer.start({ users: [SSH_USER] });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-ssh-e2e-'));
    fs.chmodSync(work, 0o755);
    // Quick polling, so the tests need not wait a minute for the hub to notice things.
    hub = await HubProcess.start({ SSH_POLL_SECONDS: '1', SSH_CONNECT_TIMEOUT: '3' });
    api = new ApiClient(hub.url);
    await api.post('/api/setup', OWNER);
    await api.login(OWNER.username, OWNER.password);
  });

  afterAll(async () => {
    await hub?.stop();
    await sshd?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    await lab?.resetUser(KID);
  });

  it('adds a PC with a password, pins its host key, lists its users and changes time there', async () => {
    const created = await addPc('Attic PC', sshSettings());
    expect(created.status).toBe(201);
    const fingerprint = await sshd.hostKeyFingerprint();
    expect(created.body).toMatchObject({
      name: 'Attic PC',
      mode: 'ssh',
      online: true,
      transport: 'ssh',
      ssh: {
        host: '127.0.0.1',
        port: sshd.port,
        username: SSH_USER,
        auth: 'password',
        hostKey: { algorithm: fingerprint.algorithm, fingerprint: fingerprint.fingerprint },
        reachable: true,
      },
    });
    expect(JSON.stringify(created.body)).not.toContain(SSH_PASSWORD);
    const id = created.body.id;
    const users = await eventually('the PC to be read over SSH', async () => {
      const list = (await api.get<ManagedUserView[]>(`/api/devices/${id}/users`)).body;
      return list.find((user) => user.login === KID && user.state) ? list : undefined;
    });
    expect(users.find((user) => user.login === KID)?.state?.limitsPerWeekday).toHaveLength(7);

    const before = await balance();
    const added = await addTime(id, 600);
    expect(added.status).toBe(200);
    expect(added.body.command.status).toBe('applied');
    expect(added.body.state?.timeSpentBalance).toBe(before - 600);
    expect(await balance()).toBe(before - 600);

    // The outcome is the hub's own, applied over SSH: audited with channel "ssh".
    const audit = (await api.get<AuditEntryView[]>(`/api/audit?deviceId=${id}&limit=20`)).body;
    expect(audit.find((e) => e.commandId === added.body.command.id && e.result === 'applied')?.channel).toBe(
      'ssh',
    );
    expect(audit.find((e) => e.action === 'device.create')?.details).not.toHaveProperty('password');
    const secrets = fs.readFileSync(path.join(hub.dataDir, 'kidtime.sqlite'));
    expect(secrets.includes(Buffer.from(SSH_PASSWORD))).toBe(false); // stored encrypted only
    await remove(id);
  });

  it('logs in with a pasted private key and its passphrase, and with the hub’s own key behind the guard', async () => {
    const key = await generateClientKey({ passphrase: 'key-passphrase-1' });
    sshd.authorize(SSH_USER, key.publicKey);
    const withKey = await addPc(
      'Key PC',
      sshSettings({ password: undefined, privateKey: key.privateKey, passphrase: 'key-passphrase-1' }),
    );
    expect(withKey.status).toBe(201);
    expect(withKey.body.ssh?.auth).toBe('key');
    const before = await balance();
    expect((await addTime(withKey.body.id, 60)).status).toBe(200);
    expect(await balance()).toBe(before - 60);
    await remove(withKey.body.id);

    // The recommended set-up: no secret given to the hub at all, its key allowed only the guard script.
    const guard = path.join(work, 'kidtime-ssh-guard');
    fs.copyFileSync(GUARD, guard);
    fs.chmodSync(guard, 0o755);
    const hubKey = (await api.get<HubSshKey>('/api/ssh/public-key')).body;
    expect(hubKey.authorizedKeysLine).toBe(
      `command="/usr/local/bin/kidtime-ssh-guard",restrict ${hubKey.publicKey}`,
    );
    expect((await fetch(hubKey.guardUrl)).status).toBe(200);
    sshd.authorize(SSH_USER, hubKey.publicKey, { forcedCommand: guard });
    const guarded = await addPc('Guarded PC', sshSettings({ password: undefined }));
    expect(guarded.status).toBe(201);
    expect(guarded.body.ssh?.auth).toBe('hub-key');
    const start = await balance();
    expect((await addTime(guarded.body.id, 120)).status).toBe(200);
    expect(await balance()).toBe(start - 120);
    await remove(guarded.body.id);
  });

  it('refuses a wrong password or key with a reason, and saves nothing', async () => {
    const wrong = await addPc('Wrong PC', sshSettings({ password: 'not-the-password' }));
    expect(wrong.status).toBe(422);
    expect(wrong.body.message).toContain(`refused the login as "${SSH_USER}"`);
    const stranger = await generateClientKey();
    const wrongKey = await addPc(
      'Wrong PC',
      sshSettings({ password: undefined, privateKey: stranger.privateKey }),
    );
    expect(wrongKey.status).toBe(422);
    const key = await generateClientKey({ passphrase: 'right-one' });
    sshd.authorize(SSH_USER, key.publicKey);
    const badPassphrase = await addPc(
      'Wrong PC',
      sshSettings({ password: undefined, privateKey: key.privateKey, passphrase: 'wrong-one' }),
    );
    expect(badPassphrase.status).toBe(422);
    expect(badPassphrase.body.message).toMatch(/private key cannot be used/);
    expect(await devicesNamed('Wrong PC')).toEqual([]);
  });

  it('fails fast and clearly when the PC cannot be reached', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    let started = Date.now();
    const refused = await addPc('Away PC', sshSettings({ port: closed }));
    expect(refused.status).toBe(502);
    expect(refused.body.message).toContain('refused the connection');
    expect(Date.now() - started).toBeLessThan(2_000);

    // A port that accepts but never speaks SSH (a PC half asleep): the connect timeout (3 s here) ends it.
    const silent = net.createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    started = Date.now();
    const timedOut = await addPc(
      'Away PC',
      sshSettings({ port: (silent.address() as net.AddressInfo).port }),
    );
    const elapsed = Date.now() - started;
    silent.close();
    expect(timedOut.status).toBe(504);
    expect(timedOut.body.message).toContain('did not answer within 3 s');
    expect(elapsed).toBeGreaterThanOrEqual(2_500);
    expect(elapsed).toBeLessThan(8_000);

    const unknownHost = await addPc('Away PC', sshSettings({ host: 'no-such-pc.invalid' }));
    expect(unknownHost.status).toBe(502);
    expect(unknownHost.body.message).toContain('cannot be reached');
    expect(await devicesNamed('Away PC')).toEqual([]);
  });

  it('refuses a changed host key until a parent trusts it, queueing changes meanwhile', async () => {
    const created = await addPc('Reinstalled PC', sshSettings());
    const id = created.body.id;
    const pinned = created.body.ssh!.hostKey!.fingerprint;
    await sshd.rotateHostKey();
    const offered = (await sshd.hostKeyFingerprint()).fingerprint;
    expect(offered).not.toBe(pinned);
    // The hub's open connection went with the old server; its next login meets the new key and refuses it.
    const refused = await eventually('the new host key to be refused', async () => {
      const view = await device(id);
      return view.ssh?.offeredHostKey ? view : undefined;
    });
    expect(refused).toMatchObject({
      online: false,
      ssh: { reachable: false, hostKey: { fingerprint: pinned }, offeredHostKey: { fingerprint: offered } },
    });
    expect(refused.ssh?.lastError).toContain('not the one Kidtime trusts');
    const check = (await api.post<SshCheckResult>(`/api/devices/${id}/ssh/check`)).body;
    expect(check).toMatchObject({ ok: false, hostKey: { fingerprint: offered } });

    const before = await balance();
    const queued = await addTime(id, 300);
    expect(queued.status).toBe(202);
    await sleep(2_500); // a few polls: still refused, still not applied
    expect(await balance()).toBe(before);

    const wrongFingerprint = await api.post(`/api/devices/${id}/ssh/trust-host-key`, { fingerprint: pinned });
    expect(wrongFingerprint.status).toBe(409);
    const trusted = await api.post<DeviceView>(`/api/devices/${id}/ssh/trust-host-key`, {
      fingerprint: offered,
    });
    expect(trusted.status).toBe(200);
    expect(trusted.body.ssh).toMatchObject({ hostKey: { fingerprint: offered }, offeredHostKey: null });
    await eventually('the queued change to be applied with the trusted key', async () =>
      (await api.get<CommandView>(`/api/commands/${queued.body.command.id}`)).body.status === 'applied'
        ? true
        : undefined,
    );
    expect(await balance()).toBe(before - 300);
    const actions = (await api.get<AuditEntryView[]>(`/api/audit?deviceId=${id}&limit=50`)).body.map(
      (e) => e.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['device.ssh.host-key-changed', 'device.ssh.trust']));
    await remove(id);
  });

  it('keeps injection attempts in every field that reaches a command inert or refused', async () => {
    const marker = path.join(work, 'pwned');
    const touch = `touch ${marker}`;
    const hostile = [
      `kid; ${touch}`,
      `$(${touch})`,
      `\`${touch}\``,
      `kid\n${touch}`,
      `kid' ; ${touch}; echo '`,
      `kid" && ${touch}`,
      'k'.repeat(5000),
    ];
    for (const value of hostile) {
      for (const field of ['host', 'username', 'timekpraPath', 'hostKeyFingerprint', 'timezone']) {
        const reply = await addPc('Hostile PC', sshSettings({ [field]: value }));
        expect([field, reply.status]).toEqual([field, 400]);
      }
    }
    expect((await addPc('Hostile PC', sshSettings({ host: '-oProxyCommand=sh' }))).status).toBe(400);
    expect(await devicesNamed('Hostile PC')).toEqual([]);

    const id = (await addPc('Target PC', sshSettings())).body.id;
    for (const value of hostile) {
      const login = encodeURIComponent(value.slice(0, 200));
      const reply = await api.post(`/api/devices/${id}/users/${login}/time`, { op: 'add', seconds: 60 });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      const patched = await api.request('PATCH', `/api/devices/${id}`, { ssh: { timekpraPath: value } });
      expect(patched.status).toBe(400);
    }
    // A PlayTime program name timekpr accepts is passed as one quoted word: stored as text, never run.
    const mask = `$(${touch})`;
    const playtime = await api.request<{ state: { playtime: { activities: Array<{ mask: string }> } } }>(
      'PATCH',
      `/api/devices/${id}/users/${KID}/playtime`,
      { activities: [{ mask, description: 'x' }] },
    );
    if (playtime.status === 200) {
      expect((await lab.userinfo(KID)).PLAYTIME_ACTIVITIES).toContain(mask);
    } else {
      expect(playtime.status).toBe(400);
    }
    await lab.timekpra(['--setplaytimeactivities', KID, '']);
    expect(fs.existsSync(marker)).toBe(false);
    await remove(id);
  });

  it('polls an agentless PC for its state and books the usage of a child at it', async () => {
    const id = (await addPc('Polled PC', sshSettings())).body.id;
    const session = await lab.login(KID);
    try {
      const used = await eventually(
        'usage over SSH',
        async () => {
          const days = (await api.get<UsageDayView[]>(`/api/usage?deviceId=${id}`)).body;
          const day = days.find((d) => d.login === KID && d.intervals.length > 0 && d.spentSeconds >= 3);
          return day;
        },
        30_000,
      );
      expect(used.intervals[0]!.start <= used.intervals[0]!.end).toBe(true);
      const state = (await api.get<ManagedUserView[]>(`/api/devices/${id}/users`)).body.find(
        (u) => u.login === KID,
      );
      expect(state?.state?.active).toBe(true);
    } finally {
      await lab.logout(session);
      await remove(id);
    }
  });

  describe('an enrolled PC with SSH as its fallback', () => {
    let enrolled: EnrolledAgent;

    afterAll(async () => {
      await enrolled?.agent.stop();
      enrolled?.removeConfig();
    });

    it('goes over SSH while its agent is offline, and back to the agent when it returns', async () => {
      enrolled = await enrollAndStartAgent(api, KID);
      const id = enrolled.device.id;
      const patched = await api.request<DeviceView>('PATCH', `/api/devices/${id}`, { ssh: sshSettings() });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        mode: 'agent-then-ssh',
        transport: 'ws',
        ssh: { reachable: true },
      });

      const viaAgent = await addTime(id, 60);
      expect(viaAgent.status).toBe(200);
      const channelOf = async (commandId: string) =>
        (await api.get<AuditEntryView[]>(`/api/audit?deviceId=${id}&limit=50`)).body.find(
          (e) => e.commandId === commandId && e.result === 'applied',
        )?.channel;
      expect(await channelOf(viaAgent.body.command.id)).toBe('system');

      await enrolled.agent.stop();
      await eventually('SSH to take over', async () => {
        const view = await device(id);
        return view.online && view.transport === 'ssh' ? true : undefined;
      });
      const before = await balance();
      const viaSsh = await addTime(id, 180);
      expect(viaSsh.status).toBe(200);
      expect(await balance()).toBe(before - 180);
      expect(await channelOf(viaSsh.body.command.id)).toBe('ssh');

      enrolled.agent = AgentProcess.start(enrolled.configPath);
      await eventually('the agent to be used again', async () =>
        (await device(id)).transport === 'ws' ? true : undefined,
      );
      const back = await addTime(id, 60);
      expect(back.status).toBe(200);
      expect(await channelOf(back.body.command.id)).toBe('system');
      await eventually('the agent to have applied it', async () =>
        enrolled.agent.log.includes(back.body.command.id) ? true : undefined,
      );

      // Mode "agent" keeps SSH configured but unused: with the agent gone, changes queue.
      expect((await api.request('PATCH', `/api/devices/${id}`, { mode: 'agent' })).status).toBe(200);
      await enrolled.agent.stop();
      await eventually('the PC to be offline', async () => ((await device(id)).online ? undefined : true));
      expect((await addTime(id, 60)).status).toBe(202);
      // Removing SSH from an enrolled PC is allowed; an agentless PC must keep it.
      expect((await api.request('PATCH', `/api/devices/${id}`, { ssh: null })).body).toMatchObject({
        mode: 'agent',
        ssh: null,
      });
    });
  });

  it('lets a viewer see SSH PCs but change nothing, and never shows a secret', async () => {
    const id = (await addPc('Viewer PC', sshSettings())).body.id;
    await api.post('/api/accounts', { username: 'gran', password: 'knitting-club-9', role: 'viewer' });
    const gran = new ApiClient(hub.url);
    await gran.login('gran', 'knitting-club-9');
    const seen = await gran.get<DeviceView>(`/api/devices/${id}`);
    expect(seen.body.ssh?.username).toBe(SSH_USER);
    expect(JSON.stringify(seen.body)).not.toContain(SSH_PASSWORD);
    expect(Object.keys(seen.body.ssh ?? {})).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(password|privateKey|passphrase)$/)]),
    );
    expect((await gran.post('/api/devices', { name: 'x', ssh: sshSettings() })).status).toBe(403);
    expect((await gran.request('PATCH', `/api/devices/${id}`, { mode: 'ssh' })).status).toBe(403);
    expect((await gran.post(`/api/devices/${id}/ssh/check`)).status).toBe(403);
    expect((await gran.get('/api/ssh/public-key')).status).toBe(403);
    // An agentless PC keeps SSH: removing it would leave no way to reach the PC.
    const removeSsh = await api.request<{ message: string }>('PATCH', `/api/devices/${id}`, { ssh: null });
    expect(removeSsh.status).toBe(409);
    expect(removeSsh.body.message).toContain('has no agent');
    await remove(id);
  });
});

/**
 * Changes for a PC that is switched off wait for it, in order, exactly once, and never after they expire.
 */
import type { AuditEntryView, CommandView, DeviceView, TimeResponse } from '@kidtime/protocol';
import { ApiClient } from './support/api-client';
import { AgentProcess, HubProcess, enrollAndStartAgent } from './support/hub-process';
import { eventually, sleep } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid3';
const DAY_LIMIT = 7200;

describe('commands for an offline PC', () => {
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let agent: AgentProcess;
  let api: ApiClient;
  let deviceId: string;
  let configPath: string;
  let removeConfig: () => void = () => undefined;

  const balance = async () => Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);
  const timeCall = (body: unknown) =>
    api.request<TimeResponse & { message: string }>(
      'POST',
      `/api/devices/${deviceId}/users/${KID}/time`,
      body,
    );
  const command = async (id: string) => (await api.get<CommandView>(`/api/commands/${id}`)).body;
  const online = async (want: boolean) =>
    eventually(`the device to be ${want ? 'online' : 'offline'}`, async () =>
      (await api.get<DeviceView>(`/api/devices/${deviceId}`)).body.online === want ? true : undefined,
    );
  const stopAgent = async () => {
    await agent.stop();
    await online(false);
  };
  const startAgent = async () => {
    agent = AgentProcess.start(configPath);
    await online(true);
  };

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    await lab.timekpra(['--settimelimits', KID, Array(7).fill(DAY_LIMIT).join(';')]);
    hub = await HubProcess.start();
    api = new ApiClient(hub.url);
    await api.post('/api/setup', { username: 'dad', password: 'garage-door-77' });
    await api.login('dad', 'garage-door-77');
    const enrolled = await enrollAndStartAgent(api, KID);
    ({ agent, configPath } = enrolled);
    deviceId = enrolled.device.id;
    removeConfig = enrolled.removeConfig;
  });

  afterAll(async () => {
    await agent?.stop();
    await hub?.stop();
    removeConfig();
  });

  it('queues changes with 202 and applies each exactly once, in order, when the PC is back', async () => {
    await stopAgent();
    const before = await balance();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await timeCall({ op: i % 4 === 3 ? 'subtract' : 'add', seconds: 10 });
      expect(response.status).toBe(202);
      expect(response.body.command.status).toBe('queued');
      expect(response.body.state).toBeNull();
      ids.push(response.body.command.id);
    }
    expect(await balance()).toBe(before);

    await startAgent();
    await eventually(
      'every queued command to be applied',
      async () => {
        const statuses = await Promise.all(ids.map(async (id) => (await command(id)).status));
        return statuses.every((status) => status === 'applied') ? true : undefined;
      },
      30_000,
    );
    // 15 adds and 5 subtracts of 10 s: exactly once each.
    expect(await balance()).toBe(before - 150 + 50);
    // The audit log has who asked (queued while offline) and what became of each command.
    const audit = (await api.get<AuditEntryView[]>(`/api/audit?deviceId=${deviceId}&limit=1000`)).body;
    for (const id of ids) {
      const forCommand = audit.filter((entry) => entry.commandId === id);
      expect(forCommand.map((entry) => `${entry.actor.name}:${entry.result}`).sort()).toEqual([
        'dad:queued',
        'kidtime:applied',
      ]);
    }
    const completed = await Promise.all(
      ids.map(async (id) => new Date((await command(id)).completedAt!).getTime()),
    );
    expect([...completed].sort((a, b) => a - b)).toEqual(completed);
  });

  it('sends the same commands again after the agent restarts, and it does not apply them twice', async () => {
    const response = await timeCall({ op: 'add', seconds: 30 });
    expect(response.status).toBe(200);
    const after = await balance();
    // Restart the agent: its memory of applied commands survives on disk.
    await stopAgent();
    await startAgent();
    await sleep(1500);
    expect(await balance()).toBe(after);
    expect((await command(response.body.command.id)).status).toBe('applied');
  });

  it('never applies a change after it expired', async () => {
    await stopAgent();
    const before = await balance();
    const response = await timeCall({ op: 'add', seconds: 600, validForSeconds: 10 });
    expect(response.status).toBe(202);
    expect(new Date(response.body.command.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(10_000);
    await sleep(11_000);
    await startAgent();
    const expired = await eventually('the command to expire', async () => {
      const current = await command(response.body.command.id);
      return current.status === 'expired' ? current : undefined;
    });
    expect(expired.error?.code).toBe('expired');
    // The audit entry follows the status change.
    await eventually('the expiry in the audit log', async () => {
      const audit = (
        await api.get<AuditEntryView[]>(`/api/audit?deviceId=${deviceId}&action=time.add&limit=5`)
      ).body;
      return audit.some(
        (e) => e.commandId === response.body.command.id && e.result === 'expired' && e.login === KID,
      )
        ? true
        : undefined;
    });
    await sleep(1000);
    expect(await balance()).toBe(before);
  });

  it('lets a later "set" replace earlier queued changes of the same child', async () => {
    await stopAgent();
    const add = await timeCall({ op: 'add', seconds: 900 });
    const set = await timeCall({ op: 'set', seconds: 1200 });
    expect([add.status, set.status]).toEqual([202, 202]);
    expect(await command(add.body.command.id)).toMatchObject({
      status: 'expired',
      error: { code: 'superseded' },
    });
    await startAgent();
    await eventually('the set to apply', async () =>
      (await command(set.body.command.id)).status === 'applied' ? true : undefined,
    );
    expect(await balance()).toBe(DAY_LIMIT - 1200);
  });
});

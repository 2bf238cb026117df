/**
 * The UI's live namespace: a signed-in browser is told when a PC goes offline and comes back, when a
 * queued command is sent and applied, and of each fresh state, without asking.
 */
import {
  UI_NAMESPACE,
  type CommandView,
  type DeviceView,
  type HubToUiEvents,
  type TimeResponse,
} from '@kidtime/protocol';
import { io, type Socket } from 'socket.io-client';
import type { ApiClient } from './support/api-client';
import { AgentProcess, type EnrolledAgent, type HubProcess } from './support/hub-process';
import { startHousehold, type Household } from './support/household';
import { eventually } from './support/processes';

const KID = 'ktkid7';

describe('live updates for the UI', () => {
  let home: Household;
  let hub: HubProcess;
  let api: ApiClient;
  let enrolled: EnrolledAgent;
  const sockets: Socket[] = [];

  const connect = (token: unknown): Socket => {
    const socket = io(hub.url + UI_NAMESPACE, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    home = await startHousehold(KID);
    ({ hub, api, enrolled } = home);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await home?.close();
  });

  it("runs one socket.io server with the agents' heartbeat and message limit, whichever gateway made it", async () => {
    const handshake = await (await fetch(`${hub.url}/socket.io/?EIO=4&transport=polling`)).text();
    const open = JSON.parse(handshake.slice(1)) as Record<string, number>;
    expect(open).toMatchObject({ pingInterval: 10_000, pingTimeout: 10_000, maxPayload: 1_000_000 });
  });

  it('refuses a connection without a valid access token', async () => {
    for (const token of [undefined, 'not-a-token', `${api.token}x`]) {
      const socket = connect(token);
      const error = await new Promise<Error>((resolve, reject) => {
        socket.once('connect_error', resolve);
        socket.once('connect', () => reject(new Error(`connected with token ${String(token)}`)));
      });
      expect(error.message).toContain('unauthorized');
    }
  });

  it('pushes a PC going offline, a queued command, and its delivery and result when the PC is back', async () => {
    const socket = connect(api.token);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const devices: Array<Parameters<HubToUiEvents['device']>[0]> = [];
    const commands: CommandView[] = [];
    const states: Array<Parameters<HubToUiEvents['state']>[0]> = [];
    socket.on('device', (event: { device: DeviceView }) => devices.push(event));
    socket.on('command', (event: { command: CommandView }) => commands.push(event.command));
    socket.on('state', (event: Parameters<HubToUiEvents['state']>[0]) => states.push(event));

    await enrolled.agent.stop();
    await eventually('the offline push', async () =>
      devices.some((e) => e.device.id === enrolled.device.id && !e.device.online) ? true : undefined,
    );

    const queued = await api.post<TimeResponse>(`/api/devices/${enrolled.device.id}/users/${KID}/time`, {
      op: 'add',
      seconds: 300,
    });
    expect(queued.status).toBe(202);
    const id = queued.body.command.id;

    enrolled.agent = AgentProcess.start(enrolled.configPath);
    await eventually('the applied push', async () =>
      commands.some((c) => c.id === id && c.status === 'applied') ? true : undefined,
    );
    expect(commands.filter((c) => c.id === id).map((c) => c.status)).toEqual(['queued', 'sent', 'applied']);
    expect(devices.some((e) => e.device.id === enrolled.device.id && e.device.online)).toBe(true);
    await eventually('a state push for the child', async () =>
      states.some((s) => s.login === KID && s.deviceId === enrolled.device.id) ? true : undefined,
    );
  });
});

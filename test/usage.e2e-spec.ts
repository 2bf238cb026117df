/**
 * Usage records from a real logged-in (simulated) child: time really accrues in timekprd, the agent books
 * it, the hub stores it, and when the time runs out timekprd really ends the session and the hub records it.
 */
import type { TimeResponse, UsageDayView } from '@kidtime/protocol';
import type { ApiClient } from './support/api-client';
import type { EnrolledAgent, HubProcess } from './support/hub-process';
import { startHousehold, type Household } from './support/household';
import { eventually, sleep } from './support/processes';
import type { TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid6';

describe('usage records', () => {
  let home: Household;
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let api: ApiClient;
  let enrolled: EnrolledAgent;
  let session: string | null = null;

  const usage = async () =>
    (await api.get<UsageDayView[]>(`/api/usage?deviceId=${enrolled.device.id}&login=${KID}`)).body;

  beforeAll(async () => {
    home = await startHousehold(KID, { stateIntervalSeconds: 10 });
    ({ lab, hub, api, enrolled } = home);
  });

  afterAll(async () => {
    if (session) await lab.logout(session);
    await home?.close();
  });

  it('records the time a logged-in child uses, also while the hub is down, and the moment it runs out', async () => {
    const set = await api.post<TimeResponse>(`/api/devices/${enrolled.device.id}/users/${KID}/time`, {
      op: 'set',
      seconds: 75,
    });
    expect(set.status).toBe(200);
    session = await lab.login(KID);

    const accruing = await eventually(
      'the hub to show time used today',
      async () => {
        const [today] = await usage();
        return today && today.spentSeconds > 0 && today.intervals.length > 0 ? today : undefined;
      },
      40_000,
    );
    expect(accruing.timezone).toBeTruthy();

    // The hub goes away for a while; the agent keeps booking on disk and replays when it is back.
    await hub.stopOnly();
    const downAt = Date.now();
    await sleep(15_000);
    await hub.restart();
    const replayed = await eventually(
      'usage booked while the hub was down',
      async () => {
        const [today] = await usage();
        const end = today ? Math.max(...today.intervals.map((i) => Date.parse(i.end))) : 0;
        return end > downAt + 5_000 ? today : undefined;
      },
      40_000,
    );
    expect(replayed.spentSeconds).toBeGreaterThan(accruing.spentSeconds);

    // 75 s in all: timekprd ends the session (TerminateSession on the logind stand-in), the hub records it.
    await lab.waitForTermination(session, { timeoutMs: 90_000 });
    const ranOut = await eventually(
      'the hub to record that the child ran out',
      async () => {
        const [today] = await usage();
        return today && today.ranOutAt.length > 0 ? today : undefined;
      },
      30_000,
    );
    expect(Date.parse(ranOut.ranOutAt[0]!)).toBeGreaterThan(downAt);
    expect(ranOut.spentSeconds).toBeGreaterThanOrEqual(60);
    expect(hub.process.log).toContain(`"${KID}" on device ${enrolled.device.id} ran out of time`);
  }, 240_000);
});

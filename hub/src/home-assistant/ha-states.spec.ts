import type { ChildView, DeviceView, ManagedUserState } from '@kidtime/protocol';
import { childState, pcState } from './ha-states';

const NOW = new Date('2026-11-23T15:00:00Z');
const LAPTOP = '0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01';
const DESKTOP = '7d1e0f00-1111-4222-8333-444455556666';

function device(id: string, name: string, online: boolean): DeviceView {
  return {
    id,
    name,
    hostname: name.toLowerCase(),
    online,
    transport: online ? 'mqtt' : null,
    lastSeen: '2026-11-23T14:59:00.000Z',
    agentVersion: '0.5.0',
    timekprVersion: '0.5.4',
    timezone: 'UTC',
    createdAt: '2026-11-01T00:00:00.000Z',
    mode: 'agent',
    ssh: null,
  };
}

function reading(left: number, spent: number, active: boolean, continuous: number | null = null) {
  return {
    timeLeftToday: left,
    timeSpentToday: spent,
    active,
    timeLeftContinuous: continuous,
  } as ManagedUserState;
}

function child(
  members: Array<[deviceId: string, name: string, state: ManagedUserState | null, at?: string]>,
): ChildView {
  return {
    id: 'c',
    name: 'Alice',
    createdAt: '2026-11-01T00:00:00.000Z',
    members: members.map(([deviceId, deviceName, state, at]) => ({
      deviceId,
      deviceName,
      login: 'alice',
      state,
      updatedAt: state ? (at ?? '2026-11-23T14:59:30.000Z') : null,
    })),
  };
}

const devices = (laptopOnline: boolean, desktopOnline: boolean) =>
  new Map([
    [LAPTOP, device(LAPTOP, 'Laptop', laptopOnline)],
    [DESKTOP, device(DESKTOP, 'Desktop', desktopOnline)],
  ]);

describe('childState', () => {
  it('shows the PC in use: its time left, when it runs out, and the time used on all PCs', () => {
    const state = childState(
      child([
        [LAPTOP, 'Laptop', reading(3600, 1200, false)],
        [DESKTOP, 'Desktop', reading(1800, 600, true)],
      ]),
      devices(true, true),
      NOW,
    );
    expect(state).toMatchObject({
      time_left: 30,
      time_spent: 30,
      active: true,
      runs_out_at: '2026-11-23T15:29:30.000Z',
      pcs: 'Laptop, Desktop',
    });
    expect(state.logins).toHaveLength(2);
  });

  it('runs out sooner when the allowed hours end before the day’s time does', () => {
    const state = childState(
      child([[LAPTOP, 'Laptop', reading(3600, 0, true, 600)]]),
      devices(true, true),
      NOW,
    );
    expect(state.runs_out_at).toBe('2026-11-23T15:09:30.000Z');
  });

  it('shows the most left of any PC when none is in use, and no run-out time', () => {
    const state = childState(
      child([
        [LAPTOP, 'Laptop', reading(3600, 0, false)],
        [DESKTOP, 'Desktop', reading(1800, 0, false)],
      ]),
      devices(true, true),
      NOW,
    );
    expect(state).toMatchObject({ time_left: 60, active: false, runs_out_at: null });
  });

  it('does not believe an offline PC is still in use', () => {
    const state = childState(child([[LAPTOP, 'Laptop', reading(1800, 0, true)]]), devices(false, true), NOW);
    expect(state).toMatchObject({ active: false, runs_out_at: null, time_left: 30 });
  });

  it('does not take yesterday’s reading for today’s', () => {
    const state = childState(
      child([[LAPTOP, 'Laptop', reading(60, 7000, false), '2026-11-22T23:00:00.000Z']]),
      devices(false, false),
      NOW,
    );
    expect(state).toMatchObject({ time_left: null, time_spent: 0 });
  });

  it('knows nothing without readings, and leaves out revoked PCs', () => {
    const state = childState(
      child([
        [LAPTOP, 'Laptop', null],
        ['99999999-1111-4222-8333-444455556666', 'Old PC', reading(100, 100, true)],
      ]),
      devices(true, true),
      NOW,
    );
    expect(state).toMatchObject({ time_left: null, time_spent: 0, active: false, pcs: 'Laptop' });
  });
});

describe('pcState', () => {
  it('says how the PC is connected', () => {
    expect(pcState(device(LAPTOP, 'Laptop', true))).toEqual({
      online: true,
      last_seen: '2026-11-23T14:59:00.000Z',
      agent_version: '0.5.0',
      connection: 'MQTT',
    });
    expect(pcState(device(LAPTOP, 'Laptop', false)).connection).toBe('offline');
  });
});

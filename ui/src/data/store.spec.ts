import type { ChildView, CommandView, DeviceView, ManagedUserView } from '@kidtime/protocol';
import type { Session } from './api';
import type { LiveConnection, LiveListener } from './live';
import { type CommandFinishedEvent, HubStore } from './store';

const PC = 'pc-1';
const KEY = `${PC}/ana`;

const command = (id: string, op: string, status: CommandView['status'], login = 'ana'): CommandView => ({
  id,
  deviceId: PC,
  op,
  args: { login },
  status,
  error: null,
  requestedBy: 'mum',
  channel: 'socket',
  createdAt: '2026-11-03T18:00:00.000Z',
  expiresAt: '2026-11-04T18:00:00.000Z',
  completedAt: null,
});

/** The hub's answers by path, as the store reads them at start. */
function fakeSession(pending: CommandView[], children: () => ChildView[] = () => []): Session {
  const bodies: Record<string, () => unknown> = {
    '/api/devices': () => [{ id: PC, name: 'Kitchen PC' } as DeviceView],
    '/api/children': children,
    '/api/commands?status=queued,sent&limit=200': () => pending,
    [`/api/devices/${PC}/users`]: () => [{ login: 'ana' } as ManagedUserView],
  };
  return {
    request: (_method: string, path: string) => Promise.resolve({ status: 200, body: bodies[path]?.() }),
  } as unknown as Session;
}

/** A live connection whose updates the spec sends itself. */
class FakeLive extends EventTarget {
  connected = true;
  listener: LiveListener | null = null;
  subscribe(listener: LiveListener): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }
  command(update: CommandView): void {
    this.listener?.('command', { command: update });
  }
}

async function started(pending: CommandView[] = [], children?: () => ChildView[]) {
  const live = new FakeLive();
  const store = new HubStore(fakeSession(pending, children), live as unknown as LiveConnection);
  const finished: Array<{ key: string; id: string; status: string }> = [];
  store.addEventListener('finished', (e) => {
    const { key, command } = e as CommandFinishedEvent;
    finished.push({ key, id: command.id, status: command.status });
  });
  await store.load();
  store.start();
  return { store, live, finished };
}

const ids = (store: HubStore) => (store.pending.get(KEY) ?? []).map((c) => `${c.id}:${c.status}`);

describe("the store's unfinished commands", () => {
  it('keeps every unfinished command of a login, oldest first, from the list the hub gives newest first', async () => {
    const { store } = await started([command('c3', 'addTime', 'queued'), command('c1', 'setSchedule', 'queued')]);
    expect(ids(store)).toEqual(['c1:queued', 'c3:queued']);
    // A time change from the dashboard does not hide the schedule change still waiting.
    expect(store.waiting(KEY, 'setSchedule')?.id).toBe('c1');
    expect(store.waiting(KEY, 'addTime')?.id).toBe('c3');
    expect(store.waiting(KEY, 'setPlaytime')).toBeUndefined();
    expect(store.waiting(`${PC}/ben`, 'setSchedule')).toBeUndefined();
  });

  it('updates a command in place, and finishes only that one, telling who waits for it', async () => {
    const { store, live, finished } = await started();
    store.track(command('s1', 'setSchedule', 'queued'));
    live.command(command('t1', 'addTime', 'queued'));
    live.command(command('s1', 'setSchedule', 'sent'));
    expect(ids(store)).toEqual(['s1:sent', 't1:queued']);
    live.command(command('t1', 'addTime', 'applied'));
    expect(ids(store)).toEqual(['s1:sent']);
    expect(finished).toEqual([{ key: KEY, id: 't1', status: 'applied' }]);
    // The schedule change ending after the time change is still reported (it used to be forgotten).
    live.command(command('s1', 'setSchedule', 'failed'));
    expect(store.pending.has(KEY)).toBe(false);
    expect(finished.at(-1)).toEqual({ key: KEY, id: 's1', status: 'failed' });
  });

  it('ignores the end of a command it never saw unfinished, and commands for no login', async () => {
    const { store, live, finished } = await started([command('c1', 'setSchedule', 'queued')]);
    live.command(command('old', 'setSchedule', 'applied'));
    live.command({ ...command('x', 'lock', 'queued'), args: {} });
    expect(ids(store)).toEqual(['c1:queued']);
    expect([...store.pending.keys()]).toEqual([KEY]);
    expect(finished).toEqual([]);
  });

  it('tells the screens about every change to the list', async () => {
    const { store, live } = await started();
    let changes = 0;
    store.addEventListener('change', () => changes++);
    live.command(command('t1', 'addTime', 'queued'));
    live.command(command('t1', 'addTime', 'applied'));
    live.command(command('t1', 'addTime', 'applied'));
    expect(changes).toBe(2);
  });
});

describe("the store's children", () => {
  it('reads the children again when the hub says one changed elsewhere', async () => {
    let children: ChildView[] = [];
    const { store, live } = await started([], () => children);
    expect(store.children).toEqual([]);
    children = [{ id: 'c1', name: 'Ana', createdAt: '2026-11-03T18:00:00.000Z', members: [] }];
    let changes = 0;
    store.addEventListener('change', () => changes++);
    live.listener?.('child', { id: 'c1', removed: false });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.children.map((c) => c.name)).toEqual(['Ana']);
    expect(changes).toBe(1);
  });
});

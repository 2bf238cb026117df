import type { CommandView } from '@kidtime/protocol';
import { ApiError } from './api';
import { QUEUED, alertText, answered, failure, waitingText } from './save-outcome';

const command = (status: CommandView['status'], error: CommandView['error'] = null): CommandView => ({
  id: 'c1',
  deviceId: 'pc-1',
  op: 'setSchedule',
  args: { login: 'ana' },
  status,
  error,
  requestedBy: 'mum',
  channel: 'socket',
  createdAt: '2026-11-03T18:00:00.000Z',
  expiresAt: '2026-11-04T18:00:00.000Z',
  completedAt: null,
});

describe('what became of a saved change', () => {
  it('tells applied (with any warning) from queued for an offline PC', () => {
    expect(answered(200, { warning: null })).toEqual({ kind: 'saved', warning: null });
    expect(answered(200, { warning: 'limits read 3600' })).toEqual({ kind: 'saved', warning: 'limits read 3600' });
    expect(answered(202, { warning: null })).toEqual({ kind: 'queued' });
    expect(QUEUED).toContain('queued, it will apply when the PC comes back');
  });

  it("shows the hub's own message for a refused change, and a failed or expired command's reason", () => {
    expect(alertText(failure(new ApiError(400, 'limits: seven values, Monday first')))).toBe(
      'limits: seven values, Monday first',
    );
    expect(alertText(failure(new Error('boom')))).toBe('Error: boom');
    expect(alertText({ kind: 'finished', command: command('failed', { code: 'x', message: 'no timekpr' }) })).toBe(
      'Failed: no timekpr',
    );
    expect(alertText({ kind: 'finished', command: command('expired') })).toBe(
      'The PC did not come back in time; that change was not applied.',
    );
    expect(alertText({ kind: 'finished', command: command('applied') })).toBe('');
    expect(alertText({ kind: 'queued' })).toBe('');
  });

  it('says whether a change on its way was sent or is waiting for the PC to come back, and until when', () => {
    expect(waitingText(command('sent'), 'Kitchen PC')).toBe('Sent to Kitchen PC, waiting for it to confirm…');
    expect(waitingText(command('queued'), 'Kitchen PC')).toMatch(
      /^A saved change is waiting for Kitchen PC: it applies when the PC comes back online \(until .+\)\.$/,
    );
  });
});

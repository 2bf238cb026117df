import {
  type PlaytimeDraft,
  addActivity,
  editActivity,
  leftRequest,
  playtimeDraft,
  playtimeRequest,
  removeActivity,
} from './playtime-draft';
import { userState } from './test-state';

const solitaire = { mask: 'solitaire', description: 'Solitaire' };
const kart = { mask: 'supertuxkart', description: 'SuperTuxKart' };
const base = playtimeDraft(
  userState({
    playtime: {
      enabled: false,
      limitOverride: false,
      unaccountedIntervals: true,
      allowedWeekdays: [7, 3],
      limitsPerWeekday: [3600, 1800],
      activities: [solitaire, kart],
      leftToday: 600,
      spentToday: 1200,
    },
  }),
);
const change = (edits: Partial<PlaytimeDraft>) => playtimeRequest(base, { ...base, ...edits });

describe('PlayTime draft', () => {
  it("reads timekpr's PlayTime: limits by weekday from the order of the PlayTime days, 0 for the others", () => {
    expect(base).toEqual({
      enabled: false,
      limitOverride: false,
      unaccountedIntervals: true,
      days: [3, 7],
      limits: [0, 0, 1800, 0, 0, 0, 3600],
      activities: [solitaire, kart],
    });
  });

  it('sends nothing for an unchanged draft', () => {
    expect(playtimeRequest(base, base)).toBeNull();
    expect(change({ activities: [{ ...solitaire }, { ...kart }] })).toBeNull();
    // The limit of a day that is not a PlayTime day is not sent on its own.
    expect(change({ limits: [600, 0, 1800, 0, 0, 0, 3600] })).toBeNull();
  });

  it('sends the switches that changed, and the days with all seven limits', () => {
    expect(change({ enabled: true, unaccountedIntervals: false })).toEqual({
      queue: true,
      enabled: true,
      unaccountedIntervals: false,
    });
    expect(change({ limits: [0, 3600, 1800, 0, 0, 0, 3600] })).toBeNull();
    expect(change({ limits: [0, 0, 900, 0, 0, 0, 3600] })).toEqual({
      queue: true,
      limits: [0, 0, 900, 0, 0, 0, 3600],
    });
    expect(change({ days: [2, 3, 7], limits: [0, 3600, 1800, 0, 0, 0, 3600] })).toEqual({
      queue: true,
      allowedDays: [2, 3, 7],
      limits: [0, 3600, 1800, 0, 0, 0, 3600],
    });
    // No PlayTime day at all is allowed (unlike the schedule's days).
    expect(change({ days: [] })).toEqual({ queue: true, allowedDays: [], limits: [0, 0, 1800, 0, 0, 0, 3600] });
  });

  it('sends the whole list of programs, in order, when one is added, edited, removed or moved', () => {
    const added = addActivity(base.activities);
    expect(added).toEqual([solitaire, kart, { mask: '', description: '' }]);
    const filled = editActivity(added, 2, { mask: 'minecraft' });
    expect(filled[2]).toEqual({ mask: 'minecraft', description: '' });
    expect(change({ activities: filled })).toEqual({
      queue: true,
      activities: [solitaire, kart, { mask: 'minecraft', description: '' }],
    });
    expect(change({ activities: editActivity(base.activities, 0, { description: 'Cards' }) })?.activities).toEqual([
      { mask: 'solitaire', description: 'Cards' },
      kart,
    ]);
    expect(change({ activities: removeActivity(base.activities, 0) })).toEqual({ queue: true, activities: [kart] });
    expect(change({ activities: removeActivity(base.activities, 1) })?.activities).toEqual([solitaire]);
    expect(change({ activities: [] })).toEqual({ queue: true, activities: [] });
    // timekpr keeps the parent's order, so a new order is a change.
    expect(change({ activities: [kart, solitaire] })?.activities).toEqual([kart, solitaire]);
    // The lists given are left as they were.
    expect(base.activities).toEqual([solitaire, kart]);
    expect(added).toHaveLength(3);
  });

  it("changes today's PlayTime left by minutes, at most a day", () => {
    expect(leftRequest('add', 15)).toEqual({ queue: true, left: { mode: 'add', seconds: 900 } });
    expect(leftRequest('set', 0)).toEqual({ queue: true, left: { mode: 'set', seconds: 0 } });
    expect(leftRequest('subtract', 1441)).toEqual({ queue: true, left: { mode: 'subtract', seconds: 86_400 } });
  });
});

import { edit, ended, follow, isDirty, queued, reset, startEditing } from './draft';

interface Form {
  limit: number;
  days: number[];
}
const pc: Form = { limit: 60, days: [1, 2] };

describe('editing a draft while the PC keeps reporting', () => {
  it('starts clean, becomes dirty on an edit, and clean again when edited back', () => {
    const start = startEditing(pc);
    expect(isDirty(start)).toBe(false);
    const edited = edit(start, { limit: 90 });
    expect(edited).toEqual({ seen: pc, base: pc, draft: { limit: 90, days: [1, 2] }, stale: false });
    expect(isDirty(edited)).toBe(true);
    expect(isDirty(edit(edited, { limit: 60 }))).toBe(false);
  });

  it("shows the PC's new settings when there is nothing unsaved and nothing on its way", () => {
    const other = { limit: 30, days: [1] };
    expect(follow(startEditing(pc), other, false)).toEqual(startEditing(other));
    // The same settings again (only counters changed): nothing happens, not even a new object.
    const start = startEditing(pc);
    expect(follow(start, { limit: 60, days: [1, 2] }, false)).toBe(start);
  });

  it("keeps the parent's edits when the PC reports other settings, and says so; Reset shows the PC's", () => {
    const edited = edit(startEditing(pc), { limit: 90 });
    const other = { limit: 60, days: [3] };
    const after = follow(edited, other, false);
    expect(after).toEqual({ seen: other, base: pc, draft: { limit: 90, days: [1, 2] }, stale: true });
    expect(reset(after)).toEqual(startEditing(other));
    // Stale stays until Reset or a save, even when a later state matches what the edit started from.
    expect(follow(after, pc, false).stale).toBe(true);
  });

  it('does not show an old state while a sent change is on its way, and does not call that stale', () => {
    const sent = edit(startEditing(pc), { limit: 90 });
    const waiting = queued(sent, sent.draft);
    expect(isDirty(waiting)).toBe(false);
    const old = { limit: 60, days: [1] };
    expect(follow(waiting, old, true)).toEqual({ ...waiting, seen: old, stale: false });
  });

  it("goes back to the PC's settings when a change fails, unless the parent edited since", () => {
    const sent = queued(edit(startEditing(pc), { limit: 90 }), { limit: 90, days: [1, 2] });
    expect(ended(sent, true)).toBe(sent);
    expect(ended(sent, false)).toEqual(startEditing(pc));
    const editedSince = edit(sent, { days: [1] });
    expect(ended(editedSince, false)).toBe(editedSince);
  });
});

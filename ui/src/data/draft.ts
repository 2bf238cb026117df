/** Deep equality for the plain data of drafts (arrays and objects built in the same key order). */
export const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A settings editor's draft and where it came from. The PC's state keeps arriving (every minute, and after
 * every change anywhere); it must never overwrite what the parent is typing, and Save sends only the
 * difference between `draft` and `base`, so that changes made elsewhere meanwhile are not undone.
 */
export interface Editing<T> {
  /** The settings in the newest state from the PC. */
  seen: T;
  /** What the draft started from, or what was last sent: Save sends the difference. */
  base: T;
  /** What the parent is editing. */
  draft: T;
  /** The PC's settings changed while the parent had unsaved edits. */
  stale: boolean;
}

/** Editing from the PC's settings, with nothing changed. */
export const startEditing = <T>(seen: T): Editing<T> => ({ seen, base: seen, draft: seen, stale: false });

export const isDirty = <T>(editing: Editing<T>): boolean => !sameValue(editing.draft, editing.base);

/** The parent changed some fields. */
export const edit = <T extends object>(editing: Editing<T>, change: Partial<T>): Editing<T> => ({
  ...editing,
  draft: { ...editing.draft, ...change },
});

/**
 * A new state from the PC. It is shown unless the parent has unsaved edits (then the editor says the PC's
 * settings changed) or a sent change is still on its way (its state would show the old settings for a while).
 * New counters alone (the same settings) change nothing.
 */
export function follow<T>(editing: Editing<T>, seen: T, waiting: boolean): Editing<T> {
  if (sameValue(seen, editing.seen)) return editing;
  if (!isDirty(editing) && !waiting) return startEditing(seen);
  return { ...editing, seen, stale: editing.stale || (isDirty(editing) && !sameValue(seen, editing.base)) };
}

/** Reset: the PC's settings, edits dropped. */
export const reset = <T>(editing: Editing<T>): Editing<T> => startEditing(editing.seen);

/** The draft `sent` is queued for the PC: it counts as saved (the PC's state will show it once applied). */
export const queued = <T>(editing: Editing<T>, sent: T): Editing<T> => ({ ...editing, base: sent });

/**
 * A queued or sent change ended. Applied: the draft already shows it and the PC's next state confirms it.
 * Otherwise the editor goes back to the PC's settings, unless the parent has edited since.
 */
export function ended<T>(editing: Editing<T>, applied: boolean): Editing<T> {
  return applied || isDirty(editing) ? editing : startEditing(editing.seen);
}

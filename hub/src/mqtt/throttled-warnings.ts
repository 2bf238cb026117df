/**
 * Says the same kind of warning at most once a minute per key (a device and what it did), with how many were
 * held back meanwhile: a misbehaving agent retrying every second must not flood the hub's log.
 */
export class ThrottledWarnings {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly warn: (message: string) => void,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  say(key: string, message: string): void {
    const now = this.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.held++;
      return;
    }
    if (!seen && this.last.size >= this.maxKeys) this.last.clear();
    const held = seen?.held ?? 0;
    this.last.set(key, { at: now, held: 0 });
    this.warn(held > 0 ? `${message} (and ${held} more like it in the last minute)` : message);
  }
}

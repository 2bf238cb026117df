import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  resultErrorSchema,
  usageBookSnapshotSchema,
  type ResultMessage,
  type UsageBookSnapshot,
} from '@kidtime/protocol';
import type { Logger } from './logger';

/** How many command outcomes are remembered (each a few dozen bytes on disk). */
const REMEMBERED = 500;

const outcomeSchema = z.object({
  id: z.string(),
  status: z.enum(['ok', 'error']),
  error: resultErrorSchema.optional(),
  /** False until the hub has acknowledged the result. */
  delivered: z.boolean(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

/** A relative change being applied: enough to tell after a crash whether it took effect. */
const journalSchema = z.object({
  id: z.string(),
  login: z.string(),
  beforeBalance: z.number().int(),
  expectedBalance: z.number().int(),
  startedAt: z.number(),
});
export type JournalEntry = z.infer<typeof journalSchema>;

const stateSchema = z.object({
  outcomes: z.array(outcomeSchema).max(REMEMBERED * 2),
  inProgress: journalSchema.nullable(),
  /** Usage the hub may not have yet (absent in files written before usage records existed). */
  usage: usageBookSnapshotSchema.nullable().default(null),
});

/**
 * What the agent must not forget across restarts: the outcome of recent commands (so a command
 * delivered again is reported, never applied twice), results the hub has not acknowledged yet, and the
 * change being applied at this moment. Written atomically with mode 0600 after every change.
 */
export class AgentStateStore {
  private outcomes = new Map<string, Outcome>();
  private journal: JournalEntry | null = null;
  private usageBook: UsageBookSnapshot | null = null;

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  load(): void {
    let raw: string;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch {
      return; // first start
    }
    const parsed = stateSchema.safeParse(safeJson(raw));
    if (!parsed.success) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      fs.renameSync(this.file, aside);
      this.logger.error(
        `${this.file} was unreadable; moved it to ${aside} and started with an empty command and usage memory`,
      );
      return;
    }
    this.outcomes = new Map(parsed.data.outcomes.map((outcome) => [outcome.id, outcome]));
    this.journal = parsed.data.inProgress;
    this.usageBook = parsed.data.usage;
  }

  get usage(): UsageBookSnapshot | null {
    return this.usageBook;
  }

  saveUsage(snapshot: UsageBookSnapshot): void {
    this.usageBook = snapshot;
    this.save();
  }

  outcome(id: string): Outcome | undefined {
    return this.outcomes.get(id);
  }

  /** Results the hub has not acknowledged, oldest first. */
  undelivered(): ResultMessage[] {
    return [...this.outcomes.values()].filter((outcome) => !outcome.delivered).map(toResult);
  }

  get inProgress(): JournalEntry | null {
    return this.journal;
  }

  begin(entry: JournalEntry): void {
    this.journal = entry;
    this.save();
  }

  record(result: ResultMessage): void {
    this.outcomes.delete(result.id);
    this.outcomes.set(result.id, {
      id: result.id,
      status: result.status,
      ...(result.status === 'error' ? { error: result.error } : {}),
      delivered: false,
    });
    while (this.outcomes.size > REMEMBERED) this.outcomes.delete(this.outcomes.keys().next().value!);
    if (this.journal?.id === result.id) this.journal = null;
    this.save();
  }

  markDelivered(id: string): void {
    const outcome = this.outcomes.get(id);
    if (!outcome || outcome.delivered) return;
    outcome.delivered = true;
    this.save();
  }

  private save(): void {
    const state = { outcomes: [...this.outcomes.values()], inProgress: this.journal, usage: this.usageBook };
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

/** A remembered outcome as a result message (the state is not kept: the hub gets fresh state anyway). */
export function toResult(outcome: Outcome): ResultMessage {
  return outcome.status === 'ok'
    ? { id: outcome.id, status: 'ok', data: { state: null } }
    : { id: outcome.id, status: 'error', error: outcome.error ?? { code: 'unknown', message: 'failed' } };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

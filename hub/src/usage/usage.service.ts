import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import type { UsageDayView, UsageMessage, UsageQuery } from '@kidtime/protocol';
import { ChildrenService } from '../children/children.service';
import { ManagedUserRepository } from '../devices/managed-user.repository';
import { LiveEvents } from '../live/live-events';
import { UsageRepository, type UsageRow } from './usage.repository';

const DAY_MS = 86_400_000;
/** A PC's calendar may be a day ahead of or behind the hub's; beyond that a report is not believable. */
const FUTURE_DAYS = 2;
const PAST_DAYS = 400;
const MAX_RANGE_DAYS = 366;

/** Usage records: ingested from agents idempotently, listed per child, PC and login, and days. */
@Injectable()
export class UsageService {
  private readonly logger = new Logger(UsageService.name);

  constructor(
    private readonly usage: UsageRepository,
    private readonly users: ManagedUserRepository,
    private readonly children: ChildrenService,
    private readonly live: LiveEvents,
  ) {}

  /**
   * Stores a device's usage records. Records for logins the device never reported, or for days far from
   * today, are refused (named in the returned reason); the others are stored all the same.
   */
  async ingest(deviceId: string, message: UsageMessage, now = new Date()): Promise<string | null> {
    const known = new Set((await this.users.listForDevice(deviceId)).map((user) => user.login));
    const earliest = isoDay(new Date(now.getTime() - PAST_DAYS * DAY_MS));
    const latest = isoDay(new Date(now.getTime() + FUTURE_DAYS * DAY_MS));
    const refused: string[] = [];
    const valid = message.records.filter((record) => {
      const problem = !known.has(record.login)
        ? 'not a login this PC reported'
        : record.day < earliest || record.day > latest
          ? 'day too far from today'
          : null;
      if (problem) refused.push(`${record.login} ${record.day}: ${problem}`);
      return problem === null;
    });
    for (const { record, before } of await this.usage.store(deviceId, valid, now)) {
      const newlyRanOut = record.ranOutAt.filter((at) => !(before?.ranOutAt ?? []).includes(at));
      for (const at of newlyRanOut) {
        this.logger.log(`"${record.login}" on device ${deviceId} ran out of time at ${at}`);
      }
      this.live.publish('usage', {
        deviceId,
        login: record.login,
        day: record.day,
        spentSeconds: record.spentSeconds,
        ranOut: newlyRanOut.length > 0,
      });
    }
    if (refused.length === 0) return null;
    this.logger.warn(`Device ${deviceId} sent usage the hub refused: ${refused.slice(0, 5).join('; ')}`);
    return `usage refused: ${refused.slice(0, 5).join('; ')}`;
  }

  async list(query: UsageQuery, now = new Date()): Promise<UsageDayView[]> {
    const to = query.to ?? isoDay(new Date(now.getTime() + DAY_MS));
    const from = query.from ?? isoDay(new Date(Date.parse(to) - 7 * DAY_MS));
    if ((Date.parse(to) - Date.parse(from)) / DAY_MS > MAX_RANGE_DAYS) {
      throw new BadRequestException(`from/to: at most ${MAX_RANGE_DAYS} days at a time`);
    }
    const members = query.childId ? (await this.children.get(query.childId)).members : undefined;
    const rows = await this.usage.list({
      from,
      to,
      ...(members ? { members } : {}),
      ...(query.deviceId ? { deviceId: query.deviceId } : {}),
      ...(query.login ? { login: query.login } : {}),
    });
    return rows.map(toView);
  }
}

function toView(row: UsageRow): UsageDayView {
  return {
    deviceId: row.deviceId,
    deviceName: row.deviceName ?? '(removed PC)',
    login: row.login,
    childId: row.childId,
    childName: row.childName,
    day: row.day,
    timezone: row.timezone,
    spentSeconds: row.spentSeconds,
    playtimeSeconds: row.playtimeSeconds,
    intervals: row.intervals,
    ranOutAt: row.ranOutAt,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

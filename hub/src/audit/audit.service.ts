import { Injectable, Logger } from '@nestjs/common';
import type { AuditEntryView } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/current-account';
import type { AuditActorType, AuditEntryEntity, AuditResult } from './audit-entry.entity';
import { AuditRepository, type AuditQuery } from './audit.repository';

export interface AuditActor {
  type: AuditActorType;
  id: string | null;
  name: string;
  channel: string;
}

export interface AuditEvent {
  action: string;
  result: AuditResult;
  deviceId?: string | null;
  login?: string | null;
  commandId?: string | null;
  details?: Record<string, unknown> | null;
  message?: string | null;
}

/** The hub itself (expiry, outcomes reported by devices). */
export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null, name: 'kidtime', channel: 'system' };

/** Who did it: a person in the app, or one of their API tokens (named so a parent knows which automation). */
export function accountActor(principal: Principal, channel = 'ui'): AuditActor {
  if (principal.apiToken) {
    return {
      type: 'api-token',
      id: principal.apiToken.id,
      name: `${principal.apiToken.name} (${principal.username})`,
      channel: 'api-token',
    };
  }
  return { type: 'account', id: principal.accountId, name: principal.username, channel };
}

/**
 * Writes the audit log. Recording never makes the change it describes fail: a write error is logged
 * loudly instead, since the change has already happened.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly entries: AuditRepository) {}

  async record(actor: AuditActor, event: AuditEvent): Promise<void> {
    const entry: AuditEntryEntity = {
      id: randomUUID(),
      at: new Date(),
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name.slice(0, 100),
      channel: actor.channel,
      action: event.action,
      deviceId: event.deviceId ?? null,
      login: event.login ?? null,
      commandId: event.commandId ?? null,
      details: event.details ?? null,
      result: event.result,
      message: event.message?.slice(0, 500) ?? null,
    };
    try {
      await this.entries.append(entry);
    } catch (error) {
      this.logger.error(`Could not write the audit log (${event.action} by ${actor.name}): ${String(error)}`);
    }
  }

  async list(query: AuditQuery & { cursor?: string | undefined }): Promise<AuditEntryView[]> {
    const after = query.cursor ? await this.entries.findById(query.cursor) : null;
    const rows = await this.entries.query({
      ...query,
      before: after ? { at: after.at, id: after.id } : undefined,
    });
    return rows.map(toAuditView);
  }
}

export function toAuditView(entry: AuditEntryEntity): AuditEntryView {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    actor: { type: entry.actorType, id: entry.actorId, name: entry.actorName },
    channel: entry.channel,
    action: entry.action,
    deviceId: entry.deviceId,
    login: entry.login,
    commandId: entry.commandId,
    details: entry.details,
    result: entry.result,
    message: entry.message,
  };
}

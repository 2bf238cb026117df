import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { auditQuerySchema, type AuditEntryView, type AuditQueryParams } from '@kidtime/protocol';
import type { Response } from 'express';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditService } from './audit.service';
import { toCsv } from './csv';

const CSV_COLUMNS = [
  'at',
  'actor',
  'actorType',
  'channel',
  'action',
  'deviceId',
  'login',
  'result',
  'message',
  'commandId',
  'details',
];

@ApiTags('records')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary:
      'The audit log, newest first; filter by time, device, login, actor, action, channel; ?format=csv',
  })
  async list(
    @Query(new ZodValidationPipe(auditQuerySchema, 'query')) query: AuditQueryParams,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuditEntryView[] | string> {
    const entries = await this.audit.list({
      ...query,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    });
    if (query.format === 'json') return entries;
    response.type('text/csv').attachment('kidtime-audit.csv');
    return toCsv(
      CSV_COLUMNS,
      entries.map((e) => [
        e.at,
        e.actor.name,
        e.actor.type,
        e.channel,
        e.action,
        e.deviceId,
        e.login,
        e.result,
        e.message,
        e.commandId,
        e.details,
      ]),
    );
  }
}

import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { usageQuerySchema, type UsageDayView, type UsageQuery } from '@kidtime/protocol';
import { toCsv } from '../audit/csv';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { UsageService } from './usage.service';

const CSV_COLUMNS = [
  'day',
  'child',
  'device',
  'login',
  'spent_seconds',
  'playtime_seconds',
  'active_intervals',
  'ran_out_at',
  'timezone',
] as const;

@ApiTags('usage')
@ApiBearerAuth()
@Controller('usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({
    summary:
      "Time used per day (the PC's local days) per child, PC and login; from/to as YYYY-MM-DD (default: the last week); ?format=csv",
  })
  async list(
    @Query(new ZodValidationPipe(usageQuerySchema, 'query')) query: UsageQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UsageDayView[] | string> {
    const days = await this.usage.list(query);
    if (query.format === 'json') return days;
    response.type('text/csv').attachment('kidtime-usage.csv');
    return toCsv(
      CSV_COLUMNS,
      days.map((d) => [
        d.day,
        d.childName,
        d.deviceName,
        d.login,
        d.spentSeconds,
        d.playtimeSeconds,
        d.intervals.map((i) => `${i.start}/${i.end}`).join(' '),
        d.ranOutAt.join(' '),
        d.timezone,
      ]),
    );
  }
}

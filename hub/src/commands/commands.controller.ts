import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  commandQuerySchema,
  type CommandQuery,
  deliverySchema,
  loginSchema,
  scheduleRequestSchema,
  playtimeRequestSchema,
  type PlaytimeRequest,
  type ScheduleRequest,
  timeRequestSchema,
  type CommandView,
  type TimeRequest,
  type TimeResponse,
} from '@kidtime/protocol';
import type { z } from 'zod';
import { accountActor } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/current-account';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CommandsService, type CommandAnswer } from './commands.service';

@ApiTags('commands')
@ApiBearerAuth()
@Controller()
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Post('devices/:id/users/:login/time')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Add, subtract or set today's time left: 200 with the state read back from timekpr, or 202 with the queued command when the PC is offline",
  })
  @ApiZodBody(timeRequestSchema)
  async adjustTime(
    @Param('id', new ParseUUIDPipe()) deviceId: string,
    @Param('login', new ZodValidationPipe(loginSchema, 'login')) login: string,
    @Body(new ZodValidationPipe(timeRequestSchema)) body: TimeRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TimeResponse> {
    return answered(response, await this.commands.adjustTime(accountActor(principal), deviceId, login, body));
  }

  @Post('devices/:id/users/:login/lock')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Lock now: sets today's time left to 0, and Timekpr-nExT applies the user's lockout (lock, suspend, terminate…) within about 15 s; give time to undo",
  })
  @ApiZodBody(deliverySchema)
  async lockNow(
    @Param('id', new ParseUUIDPipe()) deviceId: string,
    @Param('login', new ZodValidationPipe(loginSchema, 'login')) login: string,
    @Body(new ZodValidationPipe(deliverySchema)) body: z.infer<typeof deliverySchema>,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TimeResponse> {
    return answered(
      response,
      await this.commands.adjustTime(accountActor(principal), deviceId, login, {
        ...body,
        op: 'set',
        seconds: 0,
      }),
    );
  }

  @Patch('devices/:id/users/:login/schedule')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Change allowed days, daily limits, allowed hours (minute ranges, free hours), week/month caps, lockout, track-inactive, tray icon: 200 with the state read back, 202 queued for an offline PC',
  })
  @ApiZodBody(scheduleRequestSchema)
  async setSchedule(
    @Param('id', new ParseUUIDPipe()) deviceId: string,
    @Param('login', new ZodValidationPipe(loginSchema, 'login')) login: string,
    @Body(new ZodValidationPipe(scheduleRequestSchema)) body: ScheduleRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TimeResponse> {
    return answered(
      response,
      await this.commands.changeSettings(accountActor(principal), deviceId, login, 'setSchedule', body),
    );
  }

  @Patch('devices/:id/users/:login/playtime')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Change PlayTime: enabled, limit override, free-hours flag, days, limits, activities (process masks with descriptions), PlayTime left today: 200 with the state read back, 202 queued for an offline PC',
  })
  @ApiZodBody(playtimeRequestSchema)
  async setPlaytime(
    @Param('id', new ParseUUIDPipe()) deviceId: string,
    @Param('login', new ZodValidationPipe(loginSchema, 'login')) login: string,
    @Body(new ZodValidationPipe(playtimeRequestSchema)) body: PlaytimeRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TimeResponse> {
    return answered(
      response,
      await this.commands.changeSettings(accountActor(principal), deviceId, login, 'setPlaytime', body),
    );
  }

  @Get('commands')
  @ApiOperation({
    summary: 'Commands, newest first; filter by deviceId and status (e.g. status=queued,sent)',
  })
  list(
    @Query(new ZodValidationPipe(commandQuerySchema, 'query')) query: CommandQuery,
  ): Promise<CommandView[]> {
    return this.commands.list(query);
  }

  @Get('commands/:id')
  @ApiOperation({ summary: 'A command and its status' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<CommandView> {
    return this.commands.get(id);
  }
}

/** 200 with the verified result, or 202 when the change was queued for an offline PC. */
function answered(response: Response, outcome: CommandAnswer): TimeResponse {
  if (outcome.queued) response.status(202);
  return outcome.response;
}

import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  createEnrollmentSchema,
  updateDeviceSchema,
  type DeviceView,
  type EnrollmentCreated,
  type ManagedUserView,
  type UpdateDeviceRequest,
} from '@kidtime/protocol';
import type { Request } from 'express';
import type { z } from 'zod';
import { accountActor } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/current-account';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SshDevicesService } from '../ssh/ssh-devices.service';
import { DevicesService } from './devices.service';
import { EnrollmentsService } from './enrollments.service';
import { hubUrlOf } from './hub-url';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly sshDevices: SshDevicesService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'All enrolled PCs with their live connection state' })
  list(): Promise<DeviceView[]> {
    return this.devices.list();
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<DeviceView> {
    return this.devices.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Rename a PC, choose how it is reached (agent, ssh, agent-then-ssh), set, change or remove (null) its SSH settings',
    description:
      'New SSH settings are checked by connecting first: 422 when the login or host key is refused or timekpra does not work there, 502 when the PC refuses the connection, 504 when it does not answer. Nothing changes then.',
  })
  @ApiZodBody(updateDeviceSchema)
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodValidationPipe(updateDeviceSchema)) body: UpdateDeviceRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView> {
    return this.sshDevices.update(id, body, accountActor(principal));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a PC: its credential stops working and its agent is disconnected' })
  remove(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.devices.revoke(id, accountActor(principal));
  }

  @Get(':id/users')
  @ApiOperation({ summary: 'The Linux users Timekpr-nExT manages on this PC, with their last known state' })
  users(@Param('id', new ParseUUIDPipe()) id: string): Promise<ManagedUserView[]> {
    return this.devices.listUsers(id);
  }
}

@ApiTags('devices')
@ApiBearerAuth()
@Controller('enrollments')
export class EnrollmentsController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Post()
  @ApiOperation({
    summary: 'A one-time code (15 minutes by default) and the command that enrolls a PC with it',
  })
  @ApiZodBody(createEnrollmentSchema)
  create(
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(createEnrollmentSchema)) body: z.infer<typeof createEnrollmentSchema>,
  ): Promise<EnrollmentCreated> {
    return this.enrollments.create(accountActor(principal), hubUrlOf(request), body);
  }
}

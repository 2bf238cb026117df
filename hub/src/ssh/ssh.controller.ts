import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  createSshDeviceSchema,
  trustHostKeySchema,
  type CreateSshDeviceRequest,
  type DeviceView,
  type HubSshKey,
  type SshCheckResult,
} from '@kidtime/protocol';
import type { Request } from 'express';
import type { z } from 'zod';
import { accountActor } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/current-account';
import { Roles } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { hubUrlOf } from '../devices/hub-url';
import { SshDevicesService } from './ssh-devices.service';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('devices')
export class SshDevicesController {
  constructor(private readonly ssh: SshDevicesService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a PC without an agent, reached over SSH',
    description:
      'The hub connects first, pins the host key the PC shows (or checks hostKeyFingerprint) and reads the timekpr users. Nothing is saved when that fails: 422 login or host key refused or timekpra not working, 502 connection refused or host unknown, 504 no answer in time.',
  })
  @ApiZodBody(createSshDeviceSchema)
  create(
    @Body(new ZodValidationPipe(createSshDeviceSchema)) body: CreateSshDeviceRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView> {
    return this.ssh.create(accountActor(principal), body);
  }

  @Post(':id/ssh/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Connect over SSH now and list the timekpr users; changes nothing' })
  check(@Param('id', new ParseUUIDPipe()) id: string): Promise<SshCheckResult> {
    return this.ssh.check(id);
  }

  @Post(':id/ssh/trust-host-key')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trust the different host key the PC now shows (after it was reinstalled)',
    description: 'fingerprint must be the one in ssh.offeredHostKey; 409 otherwise.',
  })
  @ApiZodBody(trustHostKeySchema)
  trust(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodValidationPipe(trustHostKeySchema)) body: z.infer<typeof trustHostKeySchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView> {
    return this.ssh.trustHostKey(id, body.fingerprint, accountActor(principal));
  }
}

@ApiTags('devices')
@ApiBearerAuth()
@Controller('ssh')
export class SshKeyController {
  constructor(private readonly ssh: SshDevicesService) {}

  @Get('public-key')
  @Roles('owner', 'parent')
  @ApiOperation({ summary: "The hub's own SSH public key and the authorized_keys line for a child's PC" })
  publicKey(@Req() request: Request): HubSshKey {
    return this.ssh.hubKey(hubUrlOf(request));
  }
}

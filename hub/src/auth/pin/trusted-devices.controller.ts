import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  pinUnlockSchema,
  trustDeviceSchema,
  type PinUnlockRequest,
  type TokenPair,
  type TrustDeviceRequest,
  type TrustedDeviceCreated,
  type TrustedDeviceView,
} from '@kidtime/protocol';
import type { Request } from 'express';
import { clientOf } from '../../common/client-address';
import { NoApiToken, Public, Roles } from '../../common/decorators';
import { ApiZodBody } from '../../common/openapi';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { CurrentPrincipal, type Principal } from '../current-account';
import { TrustedDevicesService } from './trusted-devices.service';

/** The quick PIN on a parent's trusted phone. Only a person signed in trusts or revokes, never a token. */
@ApiTags('auth')
@Controller('auth')
export class TrustedDevicesController {
  constructor(private readonly devices: TrustedDevicesService) {}

  @Public()
  @Post('pin')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Unlock on a trusted phone with its quick PIN; wrong PINs use up its tries, then it needs the password',
  })
  @ApiZodBody(pinUnlockSchema)
  unlock(
    @Req() request: Request,
    @Body(new ZodValidationPipe(pinUnlockSchema)) body: PinUnlockRequest,
  ): Promise<TokenPair> {
    return this.devices.unlock(clientOf(request), body);
  }

  @Get('trusted-devices')
  @NoApiToken()
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Your phones trusted for the quick PIN (an owner sees everyone’s)' })
  list(@CurrentPrincipal() principal: Principal): Promise<TrustedDeviceView[]> {
    return this.devices.list(principal);
  }

  @Post('trusted-devices')
  @NoApiToken()
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Trust the phone this session is on, with a quick PIN; its secret is in this answer only',
  })
  @ApiZodBody(trustDeviceSchema)
  trust(
    @Req() request: Request,
    @Body(new ZodValidationPipe(trustDeviceSchema)) body: TrustDeviceRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TrustedDeviceCreated> {
    return this.devices.trust(clientOf(request), principal, body);
  }

  @Delete('trusted-devices/:id')
  @NoApiToken()
  @HttpCode(204)
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End a phone’s quick PIN and sign out what it unlocked (an owner: anyone’s)' })
  revoke(
    @Req() request: Request,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.devices.revoke(principal, id, clientOf(request).address);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { createHaLoginSchema, type HaLoginCreated, type HomeAssistantStatus } from '@kidtime/protocol';
import type { Request } from 'express';
import type { z } from 'zod';
import { accountActor } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/current-account';
import { NoApiToken, Roles } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { hubUrlOf } from '../devices/hub-url';
import { HaLoginService } from './ha-login.service';

@ApiTags('home-assistant')
@ApiBearerAuth()
@Controller('home-assistant')
export class HaLoginController {
  constructor(private readonly haLogin: HaLoginService) {}

  @Get()
  @ApiOperation({
    summary:
      'How Home Assistant connects: MQTT and discovery settings, the broker address, its login (no password)',
  })
  status(@Req() request: Request): HomeAssistantStatus {
    return this.haLogin.status(hubUrlOf(request));
  }

  @Post('login')
  @Roles('owner')
  @NoApiToken()
  @ApiOperation({
    summary:
      "Create Home Assistant's MQTT login on the embedded broker, or replace it (owner): the password is shown only in this answer; Home Assistant's connections with the old one are dropped",
  })
  @ApiZodBody(createHaLoginSchema)
  @ApiResponse({ status: 201, description: '{ username, password, broker: { url } }' })
  @ApiResponse({
    status: 409,
    description: 'An external broker (MQTT_URL), MQTT switched off, or the embedded broker not running',
  })
  create(
    @Req() request: Request,
    @Body(new ZodValidationPipe(createHaLoginSchema)) _body: z.infer<typeof createHaLoginSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<HaLoginCreated> {
    return this.haLogin.create(accountActor(principal), hubUrlOf(request));
  }

  @Delete('login')
  @Roles('owner')
  @NoApiToken()
  @HttpCode(204)
  @ApiOperation({ summary: "Remove Home Assistant's MQTT login (owner): its connections are dropped" })
  @ApiResponse({ status: 404, description: 'There is no such login' })
  remove(@CurrentPrincipal() principal: Principal): Promise<void> {
    return this.haLogin.remove(accountActor(principal));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  createApiTokenSchema,
  type ApiTokenCreated,
  type ApiTokenView,
  type CreateApiTokenRequest,
} from '@kidtime/protocol';
import { NoApiToken, Roles } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiTokensService } from './api-tokens.service';
import { CurrentPrincipal, type Principal } from './current-account';

/** Tokens for Home Assistant, scripts and automations. Managed only by a person signed in, never by a token. */
@ApiTags('api tokens')
@ApiBearerAuth()
@NoApiToken()
@Roles('owner', 'parent', 'viewer')
@Controller('tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @ApiOperation({ summary: 'Your API tokens (an owner sees everyone’s), without their secrets' })
  list(@CurrentPrincipal() principal: Principal): Promise<ApiTokenView[]> {
    return this.tokens.list(principal);
  }

  @Post()
  @ApiOperation({ summary: 'Create an API token; its secret is in this answer only' })
  @ApiZodBody(createApiTokenSchema)
  create(
    @Body(new ZodValidationPipe(createApiTokenSchema)) body: CreateApiTokenRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApiTokenCreated> {
    return this.tokens.create(principal, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API token: it stops working at once' })
  revoke(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.tokens.revoke(principal, id);
  }
}

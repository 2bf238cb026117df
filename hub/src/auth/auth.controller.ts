import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  changePasswordSchema,
  loginRequestSchema,
  refreshRequestSchema,
  type AccountView,
  type ChangePasswordRequest,
  type LoginRequest,
  type TokenPair,
} from '@kidtime/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import { AccountsService } from '../accounts/accounts.service';
import { normalizeAddress } from '../common/client-address';
import { Public, Roles } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuthService } from './auth.service';
import { CurrentPrincipal, type Principal } from './current-account';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: an access token and a rotating refresh token' })
  @ApiZodBody(loginRequestSchema)
  login(
    @Req() request: Request,
    @Body(new ZodValidationPipe(loginRequestSchema)) body: LoginRequest,
  ): Promise<TokenPair> {
    return this.auth.login(normalizeAddress(request.socket.remoteAddress), body);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair; a reused token signs the session out' })
  @ApiZodBody(refreshRequestSchema)
  refresh(
    @Req() request: Request,
    @Body(new ZodValidationPipe(refreshRequestSchema)) body: z.infer<typeof refreshRequestSchema>,
  ): Promise<TokenPair> {
    return this.auth.refresh(normalizeAddress(request.socket.remoteAddress), body.refreshToken);
  }

  @Post('password')
  @HttpCode(200)
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change your own password; your other sessions are signed out, you get new tokens',
  })
  @ApiZodBody(changePasswordSchema)
  changePassword(
    @Req() request: Request,
    @Body(new ZodValidationPipe(changePasswordSchema)) body: ChangePasswordRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TokenPair> {
    return this.auth.changePassword(normalizeAddress(request.socket.remoteAddress), principal, body);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in account' })
  me(@CurrentPrincipal() principal: Principal): Promise<AccountView> {
    return this.accounts.get(principal.accountId);
  }
}

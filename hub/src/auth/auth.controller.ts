import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  changePasswordSchema,
  loginRequestSchema,
  refreshRequestSchema,
  type ChangePasswordRequest,
  type LoginRequest,
  type MeView,
  type SessionView,
  type SignInOptions,
  type TokenPair,
} from '@kidtime/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import { AccountsService } from '../accounts/accounts.service';
import { clientOf } from '../common/client-address';
import { NoApiToken, OpenBeforeSecondFactor, Public, Roles } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuthService } from './auth.service';
import { CurrentPrincipal, type Principal } from './current-account';
import { TotpService } from './totp/totp.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
    private readonly totp: TotpService,
  ) {}

  @Public()
  @Get('options')
  @ApiOperation({ summary: 'The sign-in methods this hub offers, for the login page' })
  options(): SignInOptions {
    return this.auth.options();
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: an access token and a rotating refresh token' })
  @ApiZodBody(loginRequestSchema)
  login(
    @Req() request: Request,
    @Body(new ZodValidationPipe(loginRequestSchema)) body: LoginRequest,
  ): Promise<TokenPair> {
    return this.auth.login(clientOf(request), body);
  }

  @Public()
  @Post('proxy')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Sign in as the person a trusted reverse proxy names (AUTH_METHODS=proxy); only from the proxy's addresses",
  })
  proxyLogin(@Req() request: Request): Promise<TokenPair> {
    return this.auth.proxyLogin(clientOf(request));
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
    return this.auth.refresh(clientOf(request), body.refreshToken);
  }

  @Post('password')
  @NoApiToken()
  @OpenBeforeSecondFactor()
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
    return this.auth.changePassword(clientOf(request), principal, body);
  }

  @Get('me')
  @OpenBeforeSecondFactor()
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'The signed-in account, with its two-step sign-in and whether the household requires one',
  })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeView> {
    const account = await this.accounts.get(principal.accountId);
    return { ...account, ...(await this.totp.flags(account)) };
  }

  @Get('sessions')
  @NoApiToken()
  @OpenBeforeSecondFactor()
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Your signed-in devices, most recently used first' })
  sessions(@CurrentPrincipal() principal: Principal): Promise<SessionView[]> {
    return this.auth.listSessions(principal);
  }

  @Delete('sessions/:id')
  @NoApiToken()
  @OpenBeforeSecondFactor()
  @HttpCode(204)
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign one of your devices out (its tokens stop working at once)' })
  signOutSession(
    @Req() request: Request,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.auth.signOut(principal, id, clientOf(request).address);
  }

  @Delete('sessions')
  @NoApiToken()
  @OpenBeforeSecondFactor()
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign out every device of yours but this one' })
  async signOutOthers(
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ signedOut: number }> {
    return { signedOut: await this.auth.signOutOthers(principal, clientOf(request).address) };
  }

  @Post('logout')
  @NoApiToken()
  @OpenBeforeSecondFactor()
  @HttpCode(204)
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign this device out' })
  async logout(@Req() request: Request, @CurrentPrincipal() principal: Principal): Promise<void> {
    if (principal.sessionId)
      await this.auth.signOut(principal, principal.sessionId, clientOf(request).address);
  }
}

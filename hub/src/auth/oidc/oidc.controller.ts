import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TokenPair } from '@kidtime/protocol';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { clientOf } from '../../common/client-address';
import { NoApiToken, Public, Roles } from '../../common/decorators';
import { ApiZodBody } from '../../common/openapi';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { EXCHANGE_BROWSER_COOKIE, OidcService, type CallbackQuery } from './oidc.service';
import { PENDING_LOGIN_COOKIE } from './pending-login';

const exchangeRequestSchema = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'must be the code the sign-in page was sent back with'),
});

/**
 * Sign-in with an OpenID Connect provider. start and callback are browser navigations, so they answer with
 * redirects (a refusal goes back to the web app's sign-in page with the reason); exchange is the app's call.
 */
@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(private readonly oidc: OidcService) {}

  @Public()
  @Get('start')
  @ApiOperation({
    summary: "Go to the identity provider's sign-in page (302); ?then=#/route to come back to",
  })
  async start(@Query('then') then: unknown, @Res() response: Response): Promise<void> {
    try {
      const { location, cookie } = await this.oidc.start(then);
      response.setHeader('Set-Cookie', cookie);
      response.setHeader('Cache-Control', 'no-store');
      response.redirect(302, location);
    } catch (error) {
      response.redirect(302, this.oidc.errorUrl(error));
    }
  }

  @Public()
  @Get('callback')
  @ApiOperation({
    summary:
      'Where the identity provider sends the browser back; redirects to the web app with a one-time code',
  })
  async callback(
    @Query() query: CallbackQuery,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    let location: string;
    const cookies = [this.oidc.clearCookie];
    try {
      const done = await this.oidc.callback(
        query,
        readCookie(request, PENDING_LOGIN_COOKIE),
        clientOf(request),
      );
      location = done.location;
      cookies.push(this.oidc.browserCookie(done.browser));
    } catch (error) {
      location = this.oidc.errorUrl(error);
    }
    response.setHeader('Set-Cookie', cookies);
    response.setHeader('Cache-Control', 'no-store');
    // The code is in the fragment: browsers do not send it on, not even in a Referer.
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.redirect(302, location);
  }

  @Public()
  @Post('exchange')
  @HttpCode(200)
  @ApiOperation({
    summary: "Trade the one-time code from the callback for the session's tokens (once, within a minute)",
  })
  @ApiZodBody(exchangeRequestSchema)
  exchange(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Body(new ZodValidationPipe(exchangeRequestSchema)) body: z.infer<typeof exchangeRequestSchema>,
  ): Promise<TokenPair> {
    response.setHeader('Set-Cookie', this.oidc.browserCookie(''));
    return this.oidc.exchange(body.code, readCookie(request, EXCHANGE_BROWSER_COOKIE), clientOf(request));
  }

  @Get('logout-url')
  @NoApiToken()
  @Roles('owner', 'parent', 'viewer')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      "The identity provider's sign-out page to visit after signing out here (null unless OIDC_PROVIDER_LOGOUT)",
  })
  async logoutUrl(): Promise<{ url: string | null }> {
    return { url: await this.oidc.providerLogoutUrl() };
  }
}

/** One cookie from the Cookie header (the hub has no cookie parser: this is its only cookie). */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || null;
  }
  return null;
}

import { Body, Controller, ForbiddenException, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { credentialsSchema, type AccountView, type Credentials } from '@kidtime/protocol';
import type { Request } from 'express';
import { isLoopback, normalizeAddress } from '../common/client-address';
import { Public } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AccountsService } from './accounts.service';

@ApiTags('setup')
@Controller('setup')
export class SetupController {
  constructor(private readonly accounts: AccountsService) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Whether the hub still needs its first owner, and whether it can be created from where you are',
  })
  async status(@Req() request: Request): Promise<{ setupNeeded: boolean; allowedHere: boolean }> {
    return { setupNeeded: await this.accounts.setupNeeded(), allowedHere: setupRefusal(request) === null };
  }

  @Public()
  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create the first owner (only while no account exists, only from the hub machine)',
  })
  @ApiZodBody(credentialsSchema)
  setup(
    @Req() request: Request,
    @Body(new ZodValidationPipe(credentialsSchema)) body: Credentials,
  ): Promise<AccountView> {
    const refusal = setupRefusal(request);
    if (refusal) throw new ForbiddenException(refusal);
    return this.accounts.setup(body, normalizeAddress(request.socket.remoteAddress));
  }
}

/**
 * Why the first owner cannot be created from this request, or null. The peer address decides. A request that
 * came through a proxy carries forwarding headers: behind a reverse proxy on this machine every peer looks
 * local, so such requests are refused outright.
 */
function setupRefusal(request: Request): string | null {
  const forwarded = ['forwarded', 'x-forwarded-for', 'x-real-ip'].some(
    (header) => request.header(header) !== undefined,
  );
  if (isLoopback(request.socket.remoteAddress) && !forwarded) return null;
  return (
    `Setup is only allowed from the hub machine itself, not through a proxy (request came from ${normalizeAddress(request.socket.remoteAddress)}${forwarded ? ' via a proxy' : ''}); ` +
    'open http://localhost:PORT there, or run: npm run create-account -- -u NAME -p PASSWORD'
  );
}

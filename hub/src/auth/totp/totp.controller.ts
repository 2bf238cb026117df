import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  recoveryCodesRequestSchema,
  totpDisableRequestSchema,
  totpEnableRequestSchema,
  totpRequirementSchema,
  totpSetupRequestSchema,
  type RecoveryCodes,
  type TotpSetup,
  type TotpStatus,
} from '@kidtime/protocol';
import type { Request } from 'express';
import type { z } from 'zod';
import { clientOf } from '../../common/client-address';
import { NoApiToken, OpenBeforeSecondFactor, Roles } from '../../common/decorators';
import { ApiZodBody } from '../../common/openapi';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { CurrentPrincipal, type Principal } from '../current-account';
import { TotpService } from './totp.service';

const addressOf = (request: Request): string => clientOf(request).address;

/** Two-step sign-in of the signed-in person: only they change it, never an API token. */
@ApiTags('auth')
@ApiBearerAuth()
@NoApiToken()
@Roles('owner', 'parent', 'viewer')
@Controller('auth/totp')
export class TotpController {
  constructor(private readonly totp: TotpService) {}

  @Get()
  @OpenBeforeSecondFactor()
  @ApiOperation({
    summary: 'Your two-step sign-in (authenticator app) and whether the household requires it',
  })
  status(@CurrentPrincipal() principal: Principal): Promise<TotpStatus> {
    return this.totp.status(principal);
  }

  @Post('setup')
  @OpenBeforeSecondFactor()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Start setting up an authenticator app (password again): a secret and its QR code, pending until enabled',
  })
  @ApiZodBody(totpSetupRequestSchema)
  setup(
    @Req() request: Request,
    @Body(new ZodValidationPipe(totpSetupRequestSchema)) body: z.infer<typeof totpSetupRequestSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TotpSetup> {
    return this.totp.setup(principal, body.password, addressOf(request));
  }

  @Post('enable')
  @OpenBeforeSecondFactor()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Turn two-step sign-in on with a code from the app: recovery codes (shown once); other sessions are signed out',
  })
  @ApiZodBody(totpEnableRequestSchema)
  enable(
    @Req() request: Request,
    @Body(new ZodValidationPipe(totpEnableRequestSchema)) body: z.infer<typeof totpEnableRequestSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecoveryCodes> {
    return this.totp.enable(principal, body.code, addressOf(request));
  }

  @Post('disable')
  @OpenBeforeSecondFactor()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Turn two-step sign-in off (password and a code or recovery code); other sessions are signed out',
  })
  @ApiZodBody(totpDisableRequestSchema)
  disable(
    @Req() request: Request,
    @Body(new ZodValidationPipe(totpDisableRequestSchema)) body: z.infer<typeof totpDisableRequestSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.totp.disable(principal, body.password, body.code, addressOf(request));
  }

  @Post('recovery-codes')
  @OpenBeforeSecondFactor()
  @HttpCode(200)
  @ApiOperation({ summary: 'New recovery codes for a code from the app; the old ones stop working' })
  @ApiZodBody(recoveryCodesRequestSchema)
  recoveryCodes(
    @Req() request: Request,
    @Body(new ZodValidationPipe(recoveryCodesRequestSchema)) body: z.infer<typeof recoveryCodesRequestSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecoveryCodes> {
    return this.totp.renewRecoveryCodes(principal, body.code, addressOf(request));
  }

  @Put('requirement')
  @Roles('owner')
  @ApiOperation({
    summary: 'Require a second factor of every password account (owner; only with one of your own)',
  })
  @ApiZodBody(totpRequirementSchema)
  requirement(
    @Req() request: Request,
    @Body(new ZodValidationPipe(totpRequirementSchema)) body: z.infer<typeof totpRequirementSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TotpStatus> {
    return this.totp.setRequired(principal, body.required, addressOf(request));
  }
}

/** An owner turns off someone else's two-step sign-in (a lost phone). */
@ApiTags('accounts')
@ApiBearerAuth()
@NoApiToken()
@Roles('owner')
@Controller('accounts')
export class AccountTotpController {
  constructor(private readonly totp: TotpService) {}

  @Delete(':id/totp')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Turn off someone's two-step sign-in, e.g. after a lost phone; they are signed out everywhere (owner)",
  })
  disableFor(
    @Req() request: Request,
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.totp.disableFor(principal, id, addressOf(request));
  }
}

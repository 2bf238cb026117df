import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { credentialsSchema, roleSchema, type AccountView } from '@kidtime/protocol';
import { z } from 'zod';
import { accountActor } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/current-account';
import { TotpService } from '../auth/totp/totp.service';
import { NoApiToken, Roles } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AccountsService } from './accounts.service';

const createAccountSchema = credentialsSchema.extend({ role: roleSchema.default('parent') });
const updateAccountSchema = z.strictObject({ role: roleSchema });

@ApiTags('accounts')
@ApiBearerAuth()
@Roles('owner')
@NoApiToken()
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly totp: TotpService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List accounts, with who has two-step sign-in (owner)' })
  async list(): Promise<AccountView[]> {
    const accounts = await this.accounts.list();
    const withTotp = await this.totp.enabledAmong(accounts.map((account) => account.id));
    return accounts.map((account) => ({ ...account, totp: withTotp.has(account.id) }));
  }

  @Post()
  @ApiOperation({ summary: 'Create a parent, viewer or owner account (owner)' })
  @ApiZodBody(createAccountSchema)
  create(
    @Body(new ZodValidationPipe(createAccountSchema)) body: z.infer<typeof createAccountSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AccountView> {
    return this.accounts.create(body, body.role, accountActor(principal));
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change an account's role (owner)" })
  @ApiZodBody(updateAccountSchema)
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodValidationPipe(updateAccountSchema)) body: z.infer<typeof updateAccountSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AccountView> {
    return this.accounts.changeRole(id, body.role, accountActor(principal));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an account (owner)' })
  remove(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.accounts.remove(id, accountActor(principal));
  }
}

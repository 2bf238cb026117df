import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { credentialsSchema, roleSchema, type AccountView } from '@kidtime/protocol';
import { z } from 'zod';
import { accountActor } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/current-account';
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
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({ summary: 'List accounts (owner)' })
  list(): Promise<AccountView[]> {
    return this.accounts.list();
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

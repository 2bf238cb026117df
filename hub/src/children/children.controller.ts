import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  childTimeRequestSchema,
  createChildSchema,
  updateChildSchema,
  type ChildTimeRequest,
  type ChildTimeResponse,
  type ChildView,
} from '@kidtime/protocol';
import type { z } from 'zod';
import { accountActor } from '../audit/audit.service';
import { CurrentPrincipal, type Principal } from '../auth/current-account';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ChildrenService } from './children.service';

@ApiTags('children')
@ApiBearerAuth()
@Controller('children')
export class ChildrenController {
  constructor(private readonly children: ChildrenService) {}

  @Get()
  @ApiOperation({ summary: 'Children with their logins on each PC and the last known state' })
  list(): Promise<ChildView[]> {
    return this.children.list();
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ChildView> {
    return this.children.get(id);
  }

  @Post()
  @ApiOperation({ summary: 'Add a child, optionally with their logins (device + login)' })
  @ApiZodBody(createChildSchema)
  create(
    @Body(new ZodValidationPipe(createChildSchema)) body: z.infer<typeof createChildSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ChildView> {
    return this.children.create(accountActor(principal), body.name, body.members);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a child or replace their logins' })
  @ApiZodBody(updateChildSchema)
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodValidationPipe(updateChildSchema)) body: z.infer<typeof updateChildSchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ChildView> {
    return this.children.update(accountActor(principal), id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a child (their logins stay, unassigned)' })
  remove(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.children.remove(accountActor(principal), id);
  }

  @Post(':id/time')
  @HttpCode(200)
  @ApiOperation({
    summary: "Add, subtract or set time on the child's logins you name (or all); one result per login",
  })
  @ApiZodBody(childTimeRequestSchema)
  adjustTime(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodValidationPipe(childTimeRequestSchema)) body: ChildTimeRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ChildTimeResponse> {
    return this.children.adjustTime(accountActor(principal), id, body);
  }
}

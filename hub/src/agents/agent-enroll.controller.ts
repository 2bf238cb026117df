import { Body, Controller, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  agentEnrollRequestSchema,
  type AgentEnrollRequest,
  type AgentEnrollResponse,
} from '@kidtime/protocol';
import type { Request } from 'express';
import { normalizeAddress } from '../common/client-address';
import { Public } from '../common/decorators';
import { ApiZodBody } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { EnrollmentsService } from '../devices/enrollments.service';
import { hubUrlOf } from '../devices/hub-url';

@ApiTags('agents')
@Controller('agents')
export class AgentEnrollController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Public()
  @Post('enroll')
  @ApiOperation({ summary: 'Used by kidtime-agent: exchange a one-time code for a device credential' })
  @ApiZodBody(agentEnrollRequestSchema)
  enroll(
    @Req() request: Request,
    @Body(new ZodValidationPipe(agentEnrollRequestSchema)) body: AgentEnrollRequest,
  ): Promise<AgentEnrollResponse> {
    return this.enrollments.enroll(normalizeAddress(request.socket.remoteAddress), body, hubUrlOf(request));
  }
}

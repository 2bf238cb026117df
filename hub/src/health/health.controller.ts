import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgentConnections } from '../agents/agent-connections';
import { Public } from '../common/decorators';
import { HUB_VERSION } from '../version';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly connections: AgentConnections) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness for monitors and container health checks' })
  health(): { status: 'ok'; version: string; agentsConnected: number } {
    return { status: 'ok', version: HUB_VERSION, agentsConnected: this.connections.size };
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { HUB_VERSION } from '../version';

@ApiTags('health')
@Controller('health')
export class HealthController {
  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness for monitors and container health checks' })
  health(): { status: 'ok'; version: string } {
    return { status: 'ok', version: HUB_VERSION };
  }
}

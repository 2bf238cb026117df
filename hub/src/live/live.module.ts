import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LiveEvents } from './live-events';
import { UiGateway } from './ui.gateway';

/** Live updates: services publish what changed, the UI namespace pushes it to signed-in browsers. */
@Global()
@Module({
  imports: [AuthModule],
  providers: [LiveEvents, UiGateway],
  exports: [LiveEvents],
})
export class LiveModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentConnections } from '../agents/agent-connections';
import { AgentEnrollController } from '../agents/agent-enroll.controller';
import { AgentSessionsService } from '../agents/agent-sessions.service';
import { AgentsGateway } from '../agents/agents.gateway';
import { ChildEntity } from '../children/child.entity';
import { ChildRepository } from '../children/child.repository';
import { ChildrenController } from '../children/children.controller';
import { ChildrenService } from '../children/children.service';
import { AuthModule } from '../auth/auth.module';
import { CommandEntity } from '../commands/command.entity';
import { CommandRepository } from '../commands/command.repository';
import { CommandsController } from '../commands/commands.controller';
import { CommandsService } from '../commands/commands.service';
import { DeviceEntity } from './device.entity';
import { DeviceRepository } from './device.repository';
import { DevicesController, EnrollmentsController } from './devices.controller';
import { DevicesService } from './devices.service';
import { EnrollmentEntity } from './enrollment.entity';
import { EnrollmentRepository } from './enrollment.repository';
import { EnrollmentsService } from './enrollments.service';
import { ManagedUserEntity } from './managed-user.entity';
import { ManagedUserRepository } from './managed-user.repository';
import { UsageDayEntity } from '../usage/usage-day.entity';
import { UsageController } from '../usage/usage.controller';
import { UsageRepository } from '../usage/usage.repository';
import { UsageService } from '../usage/usage.service';
import { MqttAgentsBridge } from '../mqtt/mqtt-agents.bridge';
import { MqttLoginsService } from '../mqtt/mqtt-logins.service';
import { MqttService } from '../mqtt/mqtt.service';
import { HomeAssistantBridge } from '../home-assistant/home-assistant.bridge';

/** PCs, their agents (over socket.io and MQTT), the commands sent to them, the children whose logins they are, and what they used. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      DeviceEntity,
      EnrollmentEntity,
      ManagedUserEntity,
      CommandEntity,
      ChildEntity,
      UsageDayEntity,
    ]),
    AuthModule,
  ],
  controllers: [
    DevicesController,
    EnrollmentsController,
    AgentEnrollController,
    CommandsController,
    ChildrenController,
    UsageController,
  ],
  providers: [
    DeviceRepository,
    EnrollmentRepository,
    ManagedUserRepository,
    CommandRepository,
    DevicesService,
    EnrollmentsService,
    CommandsService,
    AgentConnections,
    AgentSessionsService,
    AgentsGateway,
    ChildRepository,
    ChildrenService,
    UsageRepository,
    UsageService,
    MqttLoginsService,
    MqttAgentsBridge,
    MqttService,
    HomeAssistantBridge,
  ],
  exports: [MqttService, MqttLoginsService],
})
export class DevicesModule {}

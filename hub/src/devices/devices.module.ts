import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeviceLinks } from './device-links';
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
import { DeviceSshEntity } from '../ssh/device-ssh.entity';
import { DeviceSshRepository } from '../ssh/device-ssh.repository';
import { SshDevicesController, SshKeyController } from '../ssh/ssh.controller';
import { SshDevicesService } from '../ssh/ssh-devices.service';
import { SshSupervisor } from '../ssh/ssh-supervisor';

/** PCs, their agents (over socket.io and MQTT) or SSH, the commands sent to them, the children whose logins they are, and what they used. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      DeviceEntity,
      EnrollmentEntity,
      ManagedUserEntity,
      CommandEntity,
      ChildEntity,
      UsageDayEntity,
      DeviceSshEntity,
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
    SshDevicesController,
    SshKeyController,
  ],
  providers: [
    DeviceRepository,
    EnrollmentRepository,
    ManagedUserRepository,
    CommandRepository,
    DevicesService,
    EnrollmentsService,
    CommandsService,
    DeviceLinks,
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
    DeviceSshRepository,
    SshSupervisor,
    SshDevicesService,
  ],
  exports: [MqttService, MqttLoginsService],
})
export class DevicesModule {}

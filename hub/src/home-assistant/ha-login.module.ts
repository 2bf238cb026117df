import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DevicesModule } from '../devices/devices.module';
import { HaLoginController } from './ha-login.controller';
import { HaLoginService } from './ha-login.service';
import { MqttLoginEntity } from './mqtt-login.entity';
import { MqttLoginRepository } from './mqtt-login.repository';

/** Home Assistant's own login at the embedded MQTT broker, which an owner makes from the web app or the API. */
@Module({
  imports: [TypeOrmModule.forFeature([MqttLoginEntity]), DevicesModule],
  controllers: [HaLoginController],
  providers: [MqttLoginRepository, HaLoginService],
})
export class HaLoginModule {}

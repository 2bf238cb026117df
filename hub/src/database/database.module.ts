import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import { dataSourceOptions } from './data-source-options';

/** Opens the database and brings its schema up to date before the hub serves anything. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [HUB_CONFIG],
      useFactory: (config: HubConfig) => ({ ...dataSourceOptions(config.databasePath), migrationsRun: true }),
    }),
  ],
})
export class DatabaseModule {}

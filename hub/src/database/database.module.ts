import { Global, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import { dataSourceOptions, tuneSqlite } from './data-source-options';

@Injectable()
class SqliteTuning implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): Promise<void> {
    return tuneSqlite(this.dataSource);
  }
}

/** Opens the database and brings its schema up to date before the hub serves anything. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [HUB_CONFIG],
      useFactory: (config: HubConfig) => ({ ...dataSourceOptions(config.databasePath), migrationsRun: true }),
    }),
  ],
  providers: [SqliteTuning],
})
export class DatabaseModule {}

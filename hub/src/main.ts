import 'reflect-metadata';
import fs from 'node:fs';
import { createHubApp } from './app.factory';
import { ConfigError, loadHubConfig } from './config/hub-config';
import { loadOrCreateSecrets } from './config/secrets';
import { Logger } from '@nestjs/common';

async function main(): Promise<void> {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const config = loadHubConfig(process.env);
  const secrets = loadOrCreateSecrets(config);
  const app = await createHubApp(config, secrets);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const logger = new Logger('Hub');
  logger.log(`Kidtime hub listening on http://${config.host}:${port} (data in ${config.dataDir})`);
  logger.log(
    `Open http://localhost:${port}/ on this machine to set up the first account; API docs at /api/docs`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`kidtime hub: ${error.message}`);
  } else {
    console.error('kidtime hub failed to start:', error);
  }
  process.exit(1);
});

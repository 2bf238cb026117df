import 'reflect-metadata';
import { credentialsSchema, describeZodError, roleSchema } from '@kidtime/protocol';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { HttpException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsService } from '../accounts/accounts.service';
import { ConfigError, loadHubConfig } from '../config/hub-config';
import { CliModule } from './cli.module';

const USAGE = 'usage: npm run create-account -- -u NAME -p PASSWORD [--role owner|parent|viewer]';

/**
 * Creates an account straight in the hub's database (for scripts and first-run without a browser).
 * Works on an empty database (it runs the migrations) and never overwrites an existing account.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string', short: 'u' },
      password: { type: 'string', short: 'p' },
      role: { type: 'string', short: 'r' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const credentials = credentialsSchema.safeParse({ username: values.username, password: values.password });
  if (!credentials.success) {
    console.error(`create-account: ${describeZodError(credentials.error)}\n${USAGE}`);
    return 2;
  }
  const role = roleSchema.safeParse(values.role ?? 'owner');
  if (!role.success) {
    console.error(`create-account: --role must be owner, parent or viewer\n${USAGE}`);
    return 2;
  }

  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const config = loadHubConfig(process.env);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
  try {
    // The same rules as the API: the service refuses an existing name (409) and weak passwords (400).
    const account = await app
      .get(AccountsService)
      .create(credentials.data, role.data, { type: 'cli', id: null, name: 'create-account', channel: 'cli' });
    console.log(`Created ${account.role} account "${account.username}" in ${config.databasePath}`);
    return 0;
  } catch (error) {
    if (error instanceof HttpException) {
      console.error(`create-account: ${error.message}; nothing changed`);
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `create-account: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);

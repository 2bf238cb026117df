import 'reflect-metadata';
import { credentialsSchema, roleSchema } from '@kidtime/protocol';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { PasswordHasher } from '../auth/password-hasher';
import { describeZodError } from '../common/zod-validation.pipe';
import { ConfigError, loadHubConfig } from '../config/hub-config';
import { dataSourceOptions } from '../database/data-source-options';

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
  const db = new DataSource(dataSourceOptions(config.databasePath));
  await db.initialize();
  try {
    await db.runMigrations();
    const accounts = db.getRepository(AccountEntity);
    const { username, password } = credentials.data;
    if (await accounts.existsBy({ username })) {
      console.error(`create-account: an account named "${username}" already exists; nothing changed`);
      return 1;
    }
    const passwordHash = await new PasswordHasher().hash(password);
    await accounts.insert({ id: crypto.randomUUID(), username, passwordHash, role: role.data });
    console.log(`Created ${role.data} account "${username}" in ${config.databasePath}`);
    return 0;
  } finally {
    await db.destroy();
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

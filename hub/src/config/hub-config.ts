import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type HubLogLevel = (typeof LOG_LEVELS)[number];

const port = z.coerce
  .number()
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

/** Every environment variable the hub reads, with its default. Nothing else reads process.env. */
const environmentSchema = z.object({
  PORT: port.default(8080),
  HOST: z
    .string()
    .refine((host) => isIP(host) !== 0 || /^[a-z0-9.-]+$/i.test(host), 'must be an IP address or a host name')
    .default('0.0.0.0'),
  KIDTIME_DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z
    .enum([...LOG_LEVELS, 'info', 'warning'])
    .transform((level): HubLogLevel => (level === 'info' ? 'log' : level === 'warning' ? 'warn' : level))
    .default('log'),
  /** The address parents and agents use to reach the hub, for install commands. Derived from the request if unset. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Optional fixed JWT signing key; otherwise one is generated into the data directory. */
  KIDTIME_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Where the built UI is; defaults to ui/dist next to the hub. */
  KIDTIME_UI_DIR: z.string().min(1).optional(),
  /** How long a sign-in lasts without a refresh, seconds; the web app refreshes silently. */
  ACCESS_TOKEN_TTL: z.coerce
    .number()
    .int('must be a whole number of seconds')
    .min(10, 'must be at least 10 seconds')
    .max(86_400, 'must be at most 86400 seconds (a day)')
    .default(15 * 60),
});

export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  databasePath: string;
  logLevel: HubLogLevel;
  publicUrl: string | null;
  jwtSecret: string | null;
  uiDir: string;
  /** How long an access token lives, seconds. */
  accessTokenTtl: number;
  /** How long a refresh token lives, seconds. */
  refreshTokenTtl: number;
  /** How long an enrollment code stays valid by default, minutes. */
  enrollmentValidMinutes: number;
  /** How long the hub waits for an agent to apply a command, ms. */
  commandTimeoutMs: number;
  loginThrottle: {
    maxFailuresPerUser: number;
    maxFailuresPerUserOverall: number;
    maxFailuresPerIp: number;
    windowSeconds: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the environment once; the message names every bad variable. */
export function loadHubConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): HubConfig {
  const parsed = environmentSchema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.KIDTIME_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databasePath: path.join(dataDir, 'kidtime.sqlite'),
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    jwtSecret: e.KIDTIME_JWT_SECRET ?? null,
    uiDir: e.KIDTIME_UI_DIR
      ? path.resolve(cwd, e.KIDTIME_UI_DIR)
      : path.resolve(__dirname, '../../../ui/dist'),
    accessTokenTtl: e.ACCESS_TOKEN_TTL,
    refreshTokenTtl: 30 * 24 * 3600,
    enrollmentValidMinutes: 15,
    commandTimeoutMs: 30_000,
    loginThrottle: {
      maxFailuresPerUser: 5,
      maxFailuresPerUserOverall: 50,
      maxFailuresPerIp: 30,
      windowSeconds: 15 * 60,
    },
  };
}

/** Only the variables we know, with empty strings treated as unset (as docker-compose passes them). */
function blankToUndefined(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const known: Record<string, string | undefined> = {};
  for (const key of Object.keys(environmentSchema.shape)) {
    const value = env[key];
    known[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  return known;
}

export const logLevelsFrom = (level: HubLogLevel): HubLogLevel[] =>
  LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);

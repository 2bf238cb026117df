import { isIP } from 'node:net';
import path from 'node:path';
import {
  DEFAULT_MQTT_BASE_TOPIC,
  mqttBaseTopicSchema,
  signInMethodSchema,
  type SignInMethod,
} from '@kidtime/protocol';
import { z } from 'zod';
import { DEFAULT_DISCOVERY_PREFIX, topicsOverlap } from '../home-assistant/ha-topics';

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type HubLogLevel = (typeof LOG_LEVELS)[number];

const port = z.coerce
  .number()
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const hostSchema = z
  .string()
  .refine((host) => isIP(host) !== 0 || /^[a-z0-9.-]+$/i.test(host), 'must be an IP address or a host name');

const booleanSchema = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], 'must be true or false')
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const ldapUrlSchema = z.url({ protocol: /^ldaps?$/, error: 'must be an ldap:// or ldaps:// URL' });

const headerNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be an HTTP header name like Remote-User');

/** Group names, comma-separated, compared as written (minus surrounding spaces). */
const groupNameListSchema = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  )
  .pipe(z.array(z.string().max(256)).min(1, 'must name at least one group'));

/**
 * Group DNs separated by `;` — not by commas, which every DN has itself (`cn=parents,ou=groups,dc=home`).
 * Compared lower-case, as directories treat DNs. A list that looks comma-joined (an RDN after `dc=`) is refused
 * with a hint rather than quietly matching nobody.
 */
const dnListSchema = z
  .string()
  .transform((list) =>
    list
      .split(/[;\n]/)
      .map((dn) => dn.trim().toLowerCase())
      .filter((dn) => dn !== ''),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(
            /^[a-z][a-z0-9-]*=[^,]+(,\s*[a-z][a-z0-9-]*=[^,]+)*$/,
            'each entry must be a DN like cn=parents,ou=groups,dc=home',
          )
          .refine(
            (dn) => !/(^|,)\s*dc=[^,]+,\s*(?!dc=)[a-z]/.test(dn),
            'separate group DNs with ";" (a DN has commas of its own)',
          ),
      )
      .min(1, 'must name at least one group DN'),
  );

const emailListSchema = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((address) => address.trim().toLowerCase())
      .filter((address) => address !== ''),
  )
  .pipe(z.array(z.email('each entry must be an e-mail address')).min(1, 'must name at least one address'));
/** The hub's route the identity provider sends the browser back to. */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

const mqttUrlSchema = z.url({ protocol: /^mqtts?$/, error: 'must be an mqtt:// or mqtts:// URL' });

/** Every environment variable the hub reads, with its default. Nothing else reads process.env. */
const environmentSchema = z.object({
  PORT: port.default(8080),
  HOST: hostSchema.default('0.0.0.0'),
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
  /** How people sign in: any of local, ldap, oidc, proxy, comma-separated. */
  AUTH_METHODS: z
    .string()
    .transform((list) => list.split(',').map((method) => method.trim().toLowerCase()))
    .pipe(
      z
        .array(
          z.enum(signInMethodSchema.options, 'must list local, ldap, oidc and/or proxy, comma-separated'),
        )
        .min(1, 'must name at least one method')
        .refine((methods) => new Set(methods).size === methods.length, 'names a method twice'),
    )
    .default(['local']),
  /** Wrong quick PINs a trusted phone may have in a row before it must sign in with the password again. */
  AUTH_PIN_ATTEMPTS: z.coerce.number().int('must be a whole number').min(1).max(20).default(5),
  /** How long a phone stays trusted for the quick PIN, days; then the password is asked again. */
  AUTH_PIN_DAYS: z.coerce.number().int('must be a whole number of days').min(1).max(365).default(30),
  /** The embedded MQTT broker: on unless MQTT_URL names an external one. */
  MQTT_EMBEDDED: booleanSchema.optional(),
  MQTT_PORT: port.default(1883),
  /** The embedded broker's bind address; HOST by default. */
  MQTT_HOST: hostSchema.optional(),
  /** An external broker (e.g. Home Assistant's Mosquitto) instead of the embedded one. */
  MQTT_URL: mqttUrlSchema.optional(),
  MQTT_USERNAME: z.string().min(1).max(200).optional(),
  MQTT_PASSWORD: z.string().min(1).max(500).optional(),
  MQTT_BASE_TOPIC: mqttBaseTopicSchema.default(DEFAULT_MQTT_BASE_TOPIC),
  /** The broker address agents are told at enrollment; derived from the hub's address and port if unset. */
  MQTT_PUBLIC_URL: mqttUrlSchema.optional(),
  /** Home Assistant MQTT discovery: on whenever MQTT is. */
  HA_DISCOVERY: booleanSchema.default(true),
  /** Home Assistant's discovery prefix (its MQTT integration's setting); must stay apart from MQTT_BASE_TOPIC. */
  HA_DISCOVERY_PREFIX: mqttBaseTopicSchema.default(DEFAULT_DISCOVERY_PREFIX),
  /** How often a PC reached over SSH is read for its state and usage, seconds. */
  SSH_POLL_SECONDS: seconds(1, 3600).default(60),
  /** How long logging in over SSH may take, seconds. */
  SSH_CONNECT_TIMEOUT: seconds(1, 120).default(10),
  /** How long one timekpra call over SSH may take, seconds. */
  SSH_COMMAND_TIMEOUT: seconds(1, 300).default(20),
  /** An SSH connection unused this long is closed, seconds. */
  SSH_IDLE_SECONDS: seconds(5, 86_400).default(300),
  /** The directory for AUTH_METHODS=ldap. */
  LDAP_URL: ldapUrlSchema.optional(),
  /** A service account that may search people and groups; both unset: an anonymous search. */
  LDAP_BIND_DN: z.string().min(1).max(1000).optional(),
  LDAP_BIND_PASSWORD: z.string().min(1).max(1000).optional(),
  /** Where people and groups are searched (subtree). */
  LDAP_SEARCH_BASE: z.string().min(1).max(1000).optional(),
  /** Finds the person signing in; `{username}` is replaced by the escaped username. */
  LDAP_USER_FILTER: filterSchema('{username}').default('(uid={username})'),
  /** Finds the groups of a person; `{dn}` is replaced by the person's escaped DN. */
  LDAP_GROUP_FILTER: filterSchema('{dn}').default(
    '(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|(member={dn})(uniqueMember={dn})))',
  ),
  /** A member of one of these groups signs in as owner; parent and viewer likewise. The highest one wins. */
  LDAP_OWNER_GROUPS: dnListSchema.optional(),
  LDAP_PARENT_GROUPS: dnListSchema.optional(),
  LDAP_VIEWER_GROUPS: dnListSchema.optional(),
  /** How long connecting and each directory operation may take, seconds. */
  LDAP_TIMEOUT: seconds(1, 120).default(5),
  /** A CA certificate (PEM) to trust for ldaps:// or StartTLS, besides the system's. */
  LDAP_TLS_CA_FILE: z.string().min(1).optional(),
  /** Upgrade an ldap:// connection with StartTLS before sending any password. */
  LDAP_STARTTLS: booleanSchema.default(false),
  /** For AUTH_METHODS=proxy: the reverse proxy's addresses (IPs or CIDR ranges, comma-separated). */
  AUTH_PROXY_ADDRESSES: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(
      z
        .array(z.string().refine(isAddressOrRange, 'each entry must be an IP address or a CIDR range'))
        .min(1, 'must name at least one address'),
    )
    .optional(),
  /** The header the proxy names the signed-in person in. */
  AUTH_PROXY_USER_HEADER: headerNameSchema.default('remote-user'),
  /** The header the proxy lists their groups in (separated by commas or |). */
  AUTH_PROXY_GROUPS_HEADER: headerNameSchema.default('remote-groups'),
  /** A member of one of these proxy groups signs in as owner; parent and viewer likewise. */
  AUTH_PROXY_OWNER_GROUPS: groupNameListSchema.optional(),
  AUTH_PROXY_PARENT_GROUPS: groupNameListSchema.optional(),
  AUTH_PROXY_VIEWER_GROUPS: groupNameListSchema.optional(),
  /** For AUTH_METHODS=oidc: the identity provider's issuer URL (its discovery document is under it). */
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  /** Unset: a public client, protected by PKCE only. */
  OIDC_CLIENT_SECRET: z.string().min(1).max(1000).optional(),
  /** Where the provider sends the browser back; PUBLIC_URL + /api/auth/oidc/callback by default. */
  OIDC_REDIRECT_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine(
      (url) => new URL(url).pathname.endsWith(OIDC_CALLBACK_PATH),
      `must end with ${OIDC_CALLBACK_PATH} (the hub's route that receives the provider's answer)`,
    )
    .optional(),
  OIDC_SCOPES: z
    .string()
    .transform((list) => list.split(/[\s,]+/).filter((scope) => scope !== ''))
    .pipe(
      z
        .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'each scope must be a plain word'))
        .refine((scopes) => scopes.includes('openid'), 'must include openid'),
    )
    .default(['openid', 'profile', 'email', 'groups']),
  /** The button on the login page. */
  OIDC_LABEL: z
    .string()
    .trim()
    .min(1)
    .max(80, 'must be at most 80 characters')
    .default('Sign in with your identity provider'),
  /** The ID token or userinfo claim that lists a person's groups. */
  OIDC_GROUPS_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'must be a claim name like groups')
    .default('groups'),
  /** A member of one of these provider groups signs in as owner; parent and viewer likewise. */
  OIDC_OWNER_GROUPS: groupNameListSchema.optional(),
  OIDC_PARENT_GROUPS: groupNameListSchema.optional(),
  OIDC_VIEWER_GROUPS: groupNameListSchema.optional(),
  /** Or by e-mail address, believed only when the provider says it is verified. */
  OIDC_OWNER_EMAILS: emailListSchema.optional(),
  OIDC_PARENT_EMAILS: emailListSchema.optional(),
  OIDC_VIEWER_EMAILS: emailListSchema.optional(),
  /** Anyone the provider signs in gets an account (viewer unless a rule gives more); off: only people a rule names. */
  OIDC_SELF_REGISTRATION: booleanSchema.default(false),
  /** Signing out of Kidtime signs out at the provider too (its end_session_endpoint). */
  OIDC_PROVIDER_LOGOUT: booleanSchema.default(false),
  /** How long an identity-provider sign-in is good for before the provider is asked again, days. */
  OIDC_SESSION_DAYS: z.coerce.number().int('must be a whole number of days').min(1).max(90).default(7),
});

/** `10.0.0.5`, `fd00::1`, `172.16.0.0/12`. */
function isAddressOrRange(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d{1,3}$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}

function filterSchema(placeholder: string) {
  return z
    .string()
    .refine(
      (filter) => filter.startsWith('(') && filter.endsWith(')'),
      'must be an LDAP filter in parentheses',
    )
    .refine((filter) => filter.includes(placeholder), `must contain ${placeholder}`);
}

function seconds(min: number, max: number) {
  return z.coerce
    .number()
    .int('must be a whole number of seconds')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  databasePath: string;
  logLevel: HubLogLevel;
  publicUrl: string | null;
  jwtSecret: string | null;
  uiDir: string;
  /** The sign-in methods the hub accepts, in the configured order. */
  authMethods: SignInMethod[];
  /** How long an access token lives, seconds. */
  accessTokenTtl: number;
  /** How long a refresh token lives, seconds. */
  refreshTokenTtl: number;
  /** How long an enrollment code stays valid by default, minutes. */
  enrollmentValidMinutes: number;
  /** How long the hub waits for an agent to apply a command, ms. */
  commandTimeoutMs: number;
  /** null when MQTT is switched off (MQTT_EMBEDDED=false and no MQTT_URL). */
  mqtt: MqttConfig | null;
  ssh: SshConfig;
  /** null unless AUTH_METHODS has ldap. */
  ldap: LdapConfig | null;
  /** null unless AUTH_METHODS has proxy. */
  proxy: ProxyConfig | null;
  /** The quick PIN on trusted phones. */
  pin: { maxAttempts: number; trustDays: number };
  /** null unless AUTH_METHODS has oidc. */
  oidc: OidcConfig | null;
  loginThrottle: {
    maxFailuresPerUser: number;
    maxFailuresPerUserOverall: number;
    maxFailuresPerIp: number;
    windowSeconds: number;
  };
}

export interface MqttConfig {
  /** The embedded broker's listener, null when an external broker is used. */
  embedded: { host: string; port: number } | null;
  /** The external broker the hub connects to, null for the embedded one. */
  url: string | null;
  /** The hub's login at an external broker (the embedded one uses a generated credential). */
  username: string | null;
  password: string | null;
  baseTopic: string;
  /** Home Assistant's discovery prefix; the broker's access rules need it even with discovery off. */
  discoveryPrefix: string;
  /** Publish Home Assistant discovery configs and states, and take Home Assistant's actions. */
  homeAssistant: boolean;
  /** The broker address for agents, when it cannot be derived from the hub's address (see MQTT_PUBLIC_URL). */
  publicUrl: string | null;
}

export interface SshConfig {
  pollIntervalMs: number;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  idleCloseMs: number;
}

export interface ProxyConfig {
  /** The proxy's addresses and ranges: only requests from them may name a person. */
  addresses: string[];
  /** Lower-case header names. */
  userHeader: string;
  groupsHeader: string;
  groups: { owner: string[]; parent: string[]; viewer: string[] };
}

export interface OidcConfig {
  /** As configured (a trailing slash kept: the provider's discovery document must name exactly this). */
  issuer: string;
  clientId: string;
  /** null: a public client (PKCE only). */
  clientSecret: string | null;
  redirectUrl: string;
  scopes: string[];
  label: string;
  groupsClaim: string;
  groups: { owner: string[]; parent: string[]; viewer: string[] };
  /** Lower-case addresses per role; only verified ones count. */
  emails: { owner: string[]; parent: string[]; viewer: string[] };
  selfRegistration: boolean;
  providerLogout: boolean;
  /** Renewals (and quick-PIN unlocks) stop this long after the provider last signed the person in, ms. */
  sessionMaxAgeMs: number;
}

export interface LdapConfig {
  url: string;
  /** null: an anonymous search. */
  bindDn: string | null;
  bindPassword: string | null;
  searchBase: string;
  userFilter: string;
  groupFilter: string;
  /** Group DNs (lower-case) per role. */
  groups: { owner: string[]; parent: string[]; viewer: string[] };
  timeoutMs: number;
  tlsCaFile: string | null;
  startTls: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the environment once; the message names every bad variable. */
export function loadHubConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): HubConfig {
  const parsed = environmentSchema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.MQTT_EMBEDDED === true && e.MQTT_URL) {
    throw new ConfigError(
      'Invalid configuration: MQTT_EMBEDDED=true and MQTT_URL are exclusive: use the embedded broker or an external one',
    );
  }
  if ((e.MQTT_USERNAME || e.MQTT_PASSWORD) && !e.MQTT_URL) {
    throw new ConfigError(
      'Invalid configuration: MQTT_USERNAME and MQTT_PASSWORD are the login at an external broker: they need MQTT_URL',
    );
  }
  if (topicsOverlap(e.MQTT_BASE_TOPIC, e.HA_DISCOVERY_PREFIX)) {
    throw new ConfigError(
      `Invalid configuration: MQTT_BASE_TOPIC=${JSON.stringify(e.MQTT_BASE_TOPIC)} and HA_DISCOVERY_PREFIX=${JSON.stringify(e.HA_DISCOVERY_PREFIX)} must be apart (neither equal nor one under the other), or Home Assistant's topics and the agents' would mix`,
    );
  }
  const ldap = ldapConfig(e);
  const embedded = !e.MQTT_URL && e.MQTT_EMBEDDED !== false;
  const mqtt: MqttConfig | null =
    embedded || e.MQTT_URL
      ? {
          embedded: embedded ? { host: e.MQTT_HOST ?? e.HOST, port: e.MQTT_PORT } : null,
          url: e.MQTT_URL ?? null,
          username: e.MQTT_USERNAME ?? null,
          password: e.MQTT_PASSWORD ?? null,
          baseTopic: e.MQTT_BASE_TOPIC,
          discoveryPrefix: e.HA_DISCOVERY_PREFIX,
          homeAssistant: e.HA_DISCOVERY,
          publicUrl: e.MQTT_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
        }
      : null;
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
    authMethods: e.AUTH_METHODS,
    accessTokenTtl: e.ACCESS_TOKEN_TTL,
    refreshTokenTtl: 30 * 24 * 3600,
    enrollmentValidMinutes: 15,
    commandTimeoutMs: 30_000,
    mqtt,
    ssh: {
      pollIntervalMs: e.SSH_POLL_SECONDS * 1000,
      connectTimeoutMs: e.SSH_CONNECT_TIMEOUT * 1000,
      commandTimeoutMs: e.SSH_COMMAND_TIMEOUT * 1000,
      idleCloseMs: e.SSH_IDLE_SECONDS * 1000,
    },
    ldap,
    proxy: proxyConfig(e),
    pin: { maxAttempts: e.AUTH_PIN_ATTEMPTS, trustDays: e.AUTH_PIN_DAYS },
    oidc: oidcConfig(e),
    loginThrottle: {
      maxFailuresPerUser: 5,
      maxFailuresPerUserOverall: 50,
      maxFailuresPerIp: 30,
      windowSeconds: 15 * 60,
    },
  };
}

function ldapConfig(e: z.infer<typeof environmentSchema>): LdapConfig | null {
  if (!e.AUTH_METHODS.includes('ldap')) return null;
  const missing = (name: string, why: string) =>
    new ConfigError(`Invalid configuration: AUTH_METHODS has ldap, so ${name} is needed: ${why}`);
  if (!e.LDAP_URL) throw missing('LDAP_URL', 'the directory to ask, e.g. ldap://ldap.home:389');
  if (!e.LDAP_SEARCH_BASE)
    throw missing('LDAP_SEARCH_BASE', 'where people and groups are, e.g. dc=home,dc=example');
  if (!e.LDAP_OWNER_GROUPS && !e.LDAP_PARENT_GROUPS && !e.LDAP_VIEWER_GROUPS) {
    throw missing(
      'LDAP_OWNER_GROUPS, LDAP_PARENT_GROUPS or LDAP_VIEWER_GROUPS',
      'the groups whose members may sign in, and with which role',
    );
  }
  if (!e.LDAP_BIND_DN !== !e.LDAP_BIND_PASSWORD) {
    throw new ConfigError(
      `Invalid configuration: ${e.LDAP_BIND_DN ? 'LDAP_BIND_PASSWORD' : 'LDAP_BIND_DN'} is missing: LDAP_BIND_DN and LDAP_BIND_PASSWORD go together (both unset: an anonymous search)`,
    );
  }
  if (e.LDAP_STARTTLS && e.LDAP_URL.startsWith('ldaps:')) {
    throw new ConfigError(
      'Invalid configuration: LDAP_STARTTLS=true is for ldap:// URLs; an ldaps:// connection is encrypted already',
    );
  }
  return {
    url: e.LDAP_URL,
    bindDn: e.LDAP_BIND_DN ?? null,
    bindPassword: e.LDAP_BIND_PASSWORD ?? null,
    searchBase: e.LDAP_SEARCH_BASE,
    userFilter: e.LDAP_USER_FILTER,
    groupFilter: e.LDAP_GROUP_FILTER,
    groups: {
      owner: e.LDAP_OWNER_GROUPS ?? [],
      parent: e.LDAP_PARENT_GROUPS ?? [],
      viewer: e.LDAP_VIEWER_GROUPS ?? [],
    },
    timeoutMs: e.LDAP_TIMEOUT * 1000,
    tlsCaFile: e.LDAP_TLS_CA_FILE ?? null,
    startTls: e.LDAP_STARTTLS,
  };
}

function proxyConfig(e: z.infer<typeof environmentSchema>): ProxyConfig | null {
  if (!e.AUTH_METHODS.includes('proxy')) return null;
  const missing = (name: string, why: string) =>
    new ConfigError(`Invalid configuration: AUTH_METHODS has proxy, so ${name} is needed: ${why}`);
  if (!e.AUTH_PROXY_ADDRESSES) {
    throw missing(
      'AUTH_PROXY_ADDRESSES',
      "the reverse proxy's address(es), e.g. 172.18.0.2 or 172.16.0.0/12; its header is believed from nowhere else",
    );
  }
  if (!e.AUTH_PROXY_OWNER_GROUPS && !e.AUTH_PROXY_PARENT_GROUPS && !e.AUTH_PROXY_VIEWER_GROUPS) {
    throw missing(
      'AUTH_PROXY_OWNER_GROUPS, AUTH_PROXY_PARENT_GROUPS or AUTH_PROXY_VIEWER_GROUPS',
      'the proxy groups whose members may sign in, and with which role',
    );
  }
  if (e.AUTH_PROXY_USER_HEADER === e.AUTH_PROXY_GROUPS_HEADER) {
    throw new ConfigError(
      'Invalid configuration: AUTH_PROXY_USER_HEADER and AUTH_PROXY_GROUPS_HEADER must be different headers',
    );
  }
  return {
    addresses: e.AUTH_PROXY_ADDRESSES,
    userHeader: e.AUTH_PROXY_USER_HEADER,
    groupsHeader: e.AUTH_PROXY_GROUPS_HEADER,
    groups: {
      owner: e.AUTH_PROXY_OWNER_GROUPS ?? [],
      parent: e.AUTH_PROXY_PARENT_GROUPS ?? [],
      viewer: e.AUTH_PROXY_VIEWER_GROUPS ?? [],
    },
  };
}

function oidcConfig(e: z.infer<typeof environmentSchema>): OidcConfig | null {
  if (!e.AUTH_METHODS.includes('oidc')) return null;
  const missing = (name: string, why: string) =>
    new ConfigError(`Invalid configuration: AUTH_METHODS has oidc, so ${name} is needed: ${why}`);
  if (!e.OIDC_ISSUER)
    throw missing('OIDC_ISSUER', "the identity provider's issuer URL, e.g. https://auth.home/realms/family");
  if (!e.OIDC_CLIENT_ID)
    throw missing('OIDC_CLIENT_ID', 'the client id Kidtime is registered under at the provider');
  const redirectUrl =
    e.OIDC_REDIRECT_URL ?? (e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') + OIDC_CALLBACK_PATH : null);
  if (!redirectUrl) {
    throw missing(
      'OIDC_REDIRECT_URL or PUBLIC_URL',
      `the address the provider sends people back to, e.g. PUBLIC_URL=https://kidtime.home (then register https://kidtime.home${OIDC_CALLBACK_PATH} at the provider)`,
    );
  }
  const groups = {
    owner: e.OIDC_OWNER_GROUPS ?? [],
    parent: e.OIDC_PARENT_GROUPS ?? [],
    viewer: e.OIDC_VIEWER_GROUPS ?? [],
  };
  const emails = {
    owner: e.OIDC_OWNER_EMAILS ?? [],
    parent: e.OIDC_PARENT_EMAILS ?? [],
    viewer: e.OIDC_VIEWER_EMAILS ?? [],
  };
  const rules = [...Object.values(groups), ...Object.values(emails)].some((list) => list.length > 0);
  if (!rules && !e.OIDC_SELF_REGISTRATION) {
    throw missing(
      'OIDC_OWNER_GROUPS, OIDC_PARENT_GROUPS, OIDC_VIEWER_GROUPS or OIDC_*_EMAILS',
      'who may sign in, and with which role (or OIDC_SELF_REGISTRATION=true to let anyone the provider knows in as a viewer)',
    );
  }
  return {
    issuer: e.OIDC_ISSUER,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET ?? null,
    redirectUrl,
    scopes: e.OIDC_SCOPES,
    label: e.OIDC_LABEL,
    groupsClaim: e.OIDC_GROUPS_CLAIM,
    groups,
    emails,
    selfRegistration: e.OIDC_SELF_REGISTRATION,
    providerLogout: e.OIDC_PROVIDER_LOGOUT,
    sessionMaxAgeMs: e.OIDC_SESSION_DAYS * 86_400_000,
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

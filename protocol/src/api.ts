import { z } from 'zod';
import { displayNameSchema, loginSchema, secondsSchema, timeAdjustModeSchema, versionSchema } from './common';
import { resultErrorSchema } from './messages';
import { playtimeFields } from './timekpr/playtime';
import { scheduleFields } from './timekpr/schedule';
import { managedUserStateSchema } from './timekpr/user-state';
import { deviceModeSchema, deviceSshSchema } from './ssh';

/** REST bodies shared by the hub, the agent and the UI. */

export const roleSchema = z.enum(['owner', 'parent', 'viewer']);
export type Role = z.infer<typeof roleSchema>;

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_.@-]{0,63}$/, 'must be 1-64 characters: letters, digits, "_", ".", "@" or "-"');

export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

export const credentialsSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
});
export type Credentials = z.infer<typeof credentialsSchema>;

/**
 * A second-factor code: the 6 digits an authenticator app shows (a space in the middle allowed) or a
 * recovery code (`xxxxx-xxxxx`, letters a–z and digits 2–7).
 */
export const secondFactorCodeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(\d{3} ?\d{3}|[a-z2-7]{5}-?[a-z2-7]{5})$/,
    'must be the 6-digit code from your authenticator app, or a recovery code like abcde-fgh23',
  );

/** Login only checks the shape loosely: a wrong password must look like any other failure. */
export const loginRequestSchema = z.strictObject({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(256),
  /** Only for an account with an authenticator app: the hub asks for it (401, `secondFactor: 'totp'`). */
  code: secondFactorCodeSchema.optional(),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** `POST /api/auth/password`: change your own password; every other session of yours is signed out. */
export const changePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: passwordSchema,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordSchema>;

export const refreshRequestSchema = z.strictObject({ refreshToken: z.string().min(1).max(200) });

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Lifetime of the access token in seconds. */
  expiresIn: z.number().int(),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

/**
 * How a person signs in. `local`: a password kept here; `ldap`: a directory checks it; `oidc`: an identity
 * provider (Authelia, Authentik, Keycloak…); `proxy`: a trusted reverse proxy names the user in a header.
 */
export const signInMethodSchema = z.enum(['local', 'ldap', 'oidc', 'proxy']);
export type SignInMethod = z.infer<typeof signInMethodSchema>;

/** `GET /api/auth/options`: what the login page offers. */
export const signInOptionsSchema = z.object({
  /** The methods the hub accepts, in its configured order. */
  methods: z.array(signInMethodSchema),
  /** The username and password form checks these (local and/or LDAP). */
  passwordForm: z.boolean(),
  /** The button for the identity provider, when OIDC is on. */
  oidc: z.object({ label: z.string() }).nullable(),
});
export type SignInOptions = z.infer<typeof signInOptionsSchema>;

export const accountSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  /** Where the account's password lives: only `local` accounts can change it here. */
  source: signInMethodSchema,
  createdAt: z.string(),
  /** In the owner's list: whether the account signs in with an authenticator app too. */
  totp: z.boolean().optional(),
});
export type AccountView = z.infer<typeof accountSchema>;

export const enrollmentCreatedSchema = z.object({
  code: z.string(),
  expiresAt: z.string(),
  installCommand: z.string(),
});
export type EnrollmentCreated = z.infer<typeof enrollmentCreatedSchema>;

export const createEnrollmentSchema = z.strictObject({
  /** Minutes the code stays valid; 15 by default. */
  validMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  /** Name for the device; defaults to its hostname. */
  deviceName: displayNameSchema.optional(),
});

/** Agent → hub: exchange a one-time enrollment code for a device credential. */
export const agentEnrollRequestSchema = z.strictObject({
  code: z.string().trim().min(1).max(64),
  hostname: displayNameSchema,
  agentVersion: versionSchema,
  /** How the agent will talk to the hub; the hub refuses `mqtt` (before using up the code) when it has no broker. */
  transport: z.enum(['ws', 'mqtt']).optional(),
});
export type AgentEnrollRequest = z.infer<typeof agentEnrollRequestSchema>;

export const agentEnrollResponseSchema = z.object({
  deviceId: z.string(),
  /** The device credential: shown once, stored hashed by the hub. */
  secret: z.string(),
  /**
   * The MQTT broker agents of this hub use (`mqtt://host:port`) and the base of their topics; null when the hub
   * has MQTT switched off. The device logs in there with clientId = username = deviceId and its secret.
   */
  mqtt: z.object({ url: z.string(), baseTopic: z.string() }).nullable().optional(),
});
export type AgentEnrollResponse = z.infer<typeof agentEnrollResponseSchema>;

export const transportSchema = z.enum(['ws', 'mqtt', 'ssh']);

export const deviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  hostname: z.string(),
  online: z.boolean(),
  transport: transportSchema.nullable(),
  lastSeen: z.string().nullable(),
  agentVersion: z.string().nullable(),
  timekprVersion: z.string().nullable(),
  timezone: z.string().nullable(),
  createdAt: z.string(),
  /** How the hub reaches the PC: see deviceModeSchema. */
  mode: deviceModeSchema,
  /** null for a PC reached only through its agent. */
  ssh: deviceSshSchema.nullable(),
});
export type DeviceView = z.infer<typeof deviceSchema>;

export const managedUserSchema = z.object({
  login: loginSchema,
  /** When the agent last read this user's state from timekpr. */
  updatedAt: z.string().nullable(),
  state: managedUserStateSchema.nullable(),
  error: z.string().nullable(),
});
export type ManagedUserView = z.infer<typeof managedUserSchema>;

/** How a change reaches a PC that is offline right now. */
export const deliverySchema = z.strictObject({
  /** Queue the change until the PC comes back (default), or refuse with 409 when it is offline. */
  queue: z.boolean().default(true),
  /**
   * How long the change may wait, in seconds. By default a change waits until the end of the PC's day
   * (timekpr's time is "today only") and at most 24 hours.
   */
  validForSeconds: z.number().int().min(10).max(86_400).optional(),
});

export const timeRequestSchema = deliverySchema.extend({
  op: timeAdjustModeSchema,
  seconds: secondsSchema,
});
export type TimeRequest = z.infer<typeof timeRequestSchema>;

export const commandStatusSchema = z.enum(['queued', 'sent', 'applied', 'failed', 'expired']);
export type CommandStatus = z.infer<typeof commandStatusSchema>;

/** `GET /api/commands`: newest first. */
export const commandQuerySchema = z.strictObject({
  deviceId: z.uuid().optional(),
  status: z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(commandStatusSchema).min(1))
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type CommandQuery = z.infer<typeof commandQuerySchema>;

export const commandSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  op: z.string(),
  args: z.record(z.string(), z.unknown()),
  status: commandStatusSchema,
  error: resultErrorSchema.nullable(),
  requestedBy: z.string().nullable(),
  channel: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  completedAt: z.string().nullable(),
});
export type CommandView = z.infer<typeof commandSchema>;

export const timeResponseSchema = z.object({
  command: commandSchema,
  state: managedUserStateSchema.nullable(),
  /** Applied, but not confirmed exactly: the agent's explanation. */
  warning: z.string().nullable(),
});
export type TimeResponse = z.infer<typeof timeResponseSchema>;

export const errorBodySchema = z.object({
  statusCode: z.number(),
  message: z.string(),
  error: z.string(),
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string() }),
  channel: z.string(),
  action: z.string(),
  deviceId: z.string().nullable(),
  login: z.string().nullable(),
  commandId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  result: z.string(),
  message: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

/** `GET /api/audit` filters; newest first, `cursor` = the last id of the previous page. */
export const auditQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  deviceId: z.uuid().optional(),
  login: z.string().max(32).optional(),
  actorId: z.string().max(36).optional(),
  action: z.string().max(40).optional(),
  channel: z.string().max(16).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.uuid().optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type AuditQueryParams = z.infer<typeof auditQuerySchema>;

/** A managed user: one login on one PC. */
export const memberSchema = z.strictObject({ deviceId: z.uuid(), login: loginSchema });
export type Member = z.infer<typeof memberSchema>;

const membersSchema = z
  .array(memberSchema)
  .max(50, 'at most 50 logins per child')
  .refine(
    (members) => new Set(members.map((m) => `${m.deviceId}/${m.login}`)).size === members.length,
    'lists the same login twice',
  );

export const createChildSchema = z.strictObject({
  name: displayNameSchema,
  members: membersSchema.default([]),
});

export const updateChildSchema = z.strictObject({
  name: displayNameSchema.optional(),
  /** Replaces the child's logins. */
  members: membersSchema.optional(),
});

export const childSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  members: z.array(
    z.object({
      deviceId: z.string(),
      deviceName: z.string(),
      login: z.string(),
      updatedAt: z.string().nullable(),
      state: managedUserStateSchema.nullable(),
    }),
  ),
});
export type ChildView = z.infer<typeof childSchema>;

/** A time change for some of a child's logins (`members`), or all of them. */
export const childTimeRequestSchema = timeRequestSchema.extend({ members: membersSchema.optional() });
export type ChildTimeRequest = z.infer<typeof childTimeRequestSchema>;

export const childTimeResponseSchema = z.object({
  results: z.array(
    z.object({
      deviceId: z.string(),
      login: z.string(),
      /** The HTTP status this change alone would have had: 200 applied, 202 queued, 4xx/5xx failed. */
      status: z.number().int(),
      command: commandSchema.nullable(),
      state: managedUserStateSchema.nullable(),
      warning: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
});
export type ChildTimeResponse = z.infer<typeof childTimeResponseSchema>;

/** A settings change plus how to deliver it to a PC that is offline. */
function settingsRequestSchema<T extends z.ZodRawShape>(fields: T) {
  return z
    .strictObject({
      ...fields,
      queue: z.boolean().default(true),
      /** How long the change may wait for an offline PC, in seconds; 7 days by default. */
      validForSeconds: z
        .number()
        .int()
        .min(10)
        .max(30 * 86_400)
        .optional(),
    })
    .refine(
      (request: Record<string, unknown>) => Object.keys(fields).some((field) => request[field] !== undefined),
      'nothing to change',
    );
}

/** `PATCH …/schedule`: any of the schedule fields. */
export const scheduleRequestSchema = settingsRequestSchema(scheduleFields);
export type ScheduleRequest = z.infer<typeof scheduleRequestSchema>;

/** `PATCH …/playtime`: any of the PlayTime fields. */
export const playtimeRequestSchema = settingsRequestSchema(playtimeFields);
export type PlaytimeRequest = z.infer<typeof playtimeRequestSchema>;

// Home Assistant

/**
 * Which broker Home Assistant would use: the hub's embedded one, an external one (MQTT_URL), or none (MQTT
 * switched off, or the embedded broker could not start).
 */
export const haMqttModeSchema = z.enum(['embedded', 'external', 'off']);
export type HaMqttMode = z.infer<typeof haMqttModeSchema>;

/** A broker address, e.g. `mqtt://192.168.1.10:1883`. */
export const brokerAddressSchema = z.object({ url: z.string() });

/** Home Assistant's login at the embedded broker, without its password (only its hash is kept). */
export const haLoginSchema = z.object({
  username: z.string(),
  createdAt: z.string(),
  /** The last time Home Assistant logged in with it (to the minute); null if it never has. */
  lastLoginAt: z.string().nullable(),
});
export type HaLoginView = z.infer<typeof haLoginSchema>;

/** `GET /api/home-assistant`: how Home Assistant connects to this hub. */
export const homeAssistantStatusSchema = z.object({
  mqtt: haMqttModeSchema,
  /** Why an owner cannot create Home Assistant's login here (and what to do instead); null when they can. */
  loginUnavailable: z.string().nullable(),
  /** The hub publishes discovery, so children and PCs appear in Home Assistant by themselves. */
  discovery: z.boolean(),
  /** null when MQTT is switched off. */
  discoveryPrefix: z.string().nullable(),
  baseTopic: z.string().nullable(),
  /** The broker address Home Assistant should use, as seen from where this request came from. */
  broker: brokerAddressSchema.nullable(),
  login: haLoginSchema.nullable(),
});
export type HomeAssistantStatus = z.infer<typeof homeAssistantStatusSchema>;

/** `POST /api/home-assistant/login` takes no options (an empty body, or none). */
export const createHaLoginSchema = z.strictObject({});

/** The new login: the password is shown this once. */
export const haLoginCreatedSchema = z.object({
  username: z.string(),
  password: z.string(),
  broker: brokerAddressSchema,
});
export type HaLoginCreated = z.infer<typeof haLoginCreatedSchema>;

/** One signed-in device (a sign-in and its refresh tokens): `GET /api/auth/sessions`. */
/** How a session began: a sign-in method, or `pin` — the quick PIN on a phone trusted after one. */
export const sessionMethodSchema = z.enum([...signInMethodSchema.options, 'pin']);
export type SessionMethod = z.infer<typeof sessionMethodSchema>;

export const sessionViewSchema = z.object({
  id: z.string(),
  method: sessionMethodSchema,
  /** The browser or client, from its User-Agent, shortened. */
  client: z.string().nullable(),
  /** Where it last renewed from. */
  address: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  /** The session this request comes from. */
  current: z.boolean(),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

/**
 * What an API token may do, at most what its account may: `read` looks (as a viewer), `control` also changes
 * time, schedules, children and PCs (as a parent), `admin` also does what only owners do. No token can create
 * tokens, change a password or manage accounts and sign-ins.
 */
export const apiTokenScopeSchema = z.enum(['read', 'control', 'admin']);
export type ApiTokenScope = z.infer<typeof apiTokenScopeSchema>;

/** `POST /api/tokens`. */
export const createApiTokenSchema = z.strictObject({
  name: displayNameSchema,
  scope: apiTokenScopeSchema,
  /** Days until it stops working; none: until revoked. */
  expiresInDays: z.number().int('must be a whole number of days').min(1).max(3650).nullable().optional(),
});
export type CreateApiTokenRequest = z.infer<typeof createApiTokenSchema>;

export const apiTokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: apiTokenScopeSchema,
  /** The account it acts as. */
  username: z.string(),
  /** Its first characters, to tell tokens apart (`kt_AbCd…`). */
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  lastUsedFrom: z.string().nullable(),
});
export type ApiTokenView = z.infer<typeof apiTokenViewSchema>;

/** The new token: the secret is shown this once; only its hash is kept. */
export const apiTokenCreatedSchema = apiTokenViewSchema.extend({ token: z.string() });
export type ApiTokenCreated = z.infer<typeof apiTokenCreatedSchema>;

/** A quick PIN: 4 to 8 digits, not one a child guesses first (all the same digit, or a run like 1234). */
export const pinSchema = z
  .string()
  .regex(/^[0-9]{4,8}$/, 'must be 4 to 8 digits')
  .refine((pin) => !isObviousPin(pin), 'is too easy to guess: avoid one digit repeated and runs like 1234');

function isObviousPin(pin: string): boolean {
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((d, i) => (d - digits[i]! + 10) % 10));
  return steps.size === 1 && [0, 1, 9].includes([...steps][0]!);
}

/** `POST /api/auth/trusted-devices`: trust the phone this session is on, unlocked from now on with a PIN. */
export const trustDeviceSchema = z.strictObject({
  pin: pinSchema,
  /** How the parent calls it; the browser and system when left out. */
  name: displayNameSchema.optional(),
});
export type TrustDeviceRequest = z.infer<typeof trustDeviceSchema>;

/** `POST /api/auth/pin`: unlock on a trusted phone. Shapes are checked loosely, like a password sign-in. */
export const pinUnlockSchema = z.strictObject({
  deviceId: z.string().uuid(),
  secret: z.string().min(1).max(200),
  pin: z.string().min(1).max(16),
});
export type PinUnlockRequest = z.infer<typeof pinUnlockSchema>;

export const trustedDeviceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Whose phone it is (an owner sees everyone's). */
  username: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** After this, the phone signs in with the password again. */
  expiresAt: z.string(),
  /** Wrong PINs since the last right one. */
  failedAttempts: z.number().int(),
  /** The device this request comes from. */
  current: z.boolean(),
});
export type TrustedDeviceView = z.infer<typeof trustedDeviceViewSchema>;

/** The new trust: the secret stays on the phone; the hub keeps only its hash. */
export const trustedDeviceCreatedSchema = trustedDeviceViewSchema.extend({ secret: z.string() });
export type TrustedDeviceCreated = z.infer<typeof trustedDeviceCreatedSchema>;

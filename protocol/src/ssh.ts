import { z } from 'zod';
import { displayNameSchema, loginSchema } from './common';

/**
 * How the hub reaches a PC: through its agent only, over SSH only (a PC with nothing installed but
 * Timekpr-nExT and an SSH account), or through its agent and over SSH while the agent is offline.
 */
export const deviceModeSchema = z.enum(['agent', 'ssh', 'agent-then-ssh']);
export type DeviceMode = z.infer<typeof deviceModeSchema>;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*\.?$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]{2,39}(%[a-z0-9]{1,15})?$/i;

/** A host name or an IP address; never anything ssh could read as an option. */
export const sshHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (host) => HOSTNAME.test(host) || IPV4.test(host) || (host.includes(':') && IPV6.test(host)),
    'must be a host name (e.g. study-pc.local) or an IP address',
  );

export const sshPortSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

/** The SSH account on the PC: a Linux login, like the children's. */
export const sshUsernameSchema = loginSchema;

/** An absolute path made of plain characters, without `..`; the hub passes it to the PC as one quoted word. */
export const timekpraPathSchema = z
  .string()
  .regex(
    /^\/[A-Za-z0-9._+/-]{0,200}$/,
    'must be an absolute path of letters, digits, ".", "_", "+", "-" and "/"',
  )
  .refine((path) => !path.split('/').includes('..'), 'must not contain ".."')
  .refine((path) => /\/timekpra$/.test(path), 'must be the path of timekpra (ending in /timekpra)');

export const DEFAULT_TIMEKPRA_PATH = '/usr/bin/timekpra';

/** OpenSSH's form of a host key fingerprint, as `ssh-keygen -lf` prints it. */
export const hostKeyFingerprintSchema = z
  .string()
  .trim()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256:…)');

/** An IANA time zone this machine knows (e.g. Europe/Paris). */
export const timezoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be a time zone such as Europe/London');

// eslint-disable-next-line no-control-regex
const noNul = (text: string) => !/\u0000/.test(text);
const passwordField = z.string().min(1).max(1024).refine(noNul, 'must not contain NUL characters');
const privateKeyField = z
  .string()
  .max(16_384, 'must be at most 16 KiB')
  .refine(
    (key) => /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(key.trim()),
    'must be a private key file (-----BEGIN … PRIVATE KEY-----)',
  );

/** How the hub logs in: a password, a private key given to it, or the hub's own key (see GET /api/ssh/public-key). */
export const sshAuthSchema = z.enum(['password', 'key', 'hub-key']);
export type SshAuth = z.infer<typeof sshAuthSchema>;

const sshFields = {
  host: sshHostSchema,
  port: sshPortSchema,
  username: sshUsernameSchema,
  /** Left out, it follows from what is given: a password, a private key, or neither (the hub's own key). */
  auth: sshAuthSchema,
  password: passwordField,
  /** A private key (OpenSSH or PEM), with its passphrase when it has one. */
  privateKey: privateKeyField,
  passphrase: passwordField,
  timekpraPath: timekpraPathSchema,
  /**
   * The host key the PC must show (from `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on it). Without it
   * the hub trusts the key the PC shows the first time and refuses any other after that.
   */
  hostKeyFingerprint: hostKeyFingerprintSchema,
  /** The PC's time zone, for its days (usage, when "today" ends); the hub's own by default. */
  timezone: timezoneSchema,
};

interface LoginFields {
  auth?: SshAuth | undefined;
  password?: unknown;
  privateKey?: unknown;
  passphrase?: unknown;
}

function consistentLogin(ssh: LoginFields, ctx: z.RefinementCtx): void {
  const issue = (message: string, field: string) => ctx.addIssue({ code: 'custom', message, path: [field] });
  if (ssh.password !== undefined && ssh.privateKey !== undefined)
    issue('give a password or a private key, not both', 'password');
  if (ssh.passphrase !== undefined && ssh.privateKey === undefined)
    issue('a passphrase goes with a private key', 'passphrase');
  if (ssh.auth === 'hub-key' && (ssh.password !== undefined || ssh.privateKey !== undefined))
    issue("the hub's own key needs no password or private key", 'auth');
  if (ssh.auth === 'password' && ssh.privateKey !== undefined)
    issue('password login takes a password', 'auth');
  if (ssh.auth === 'key' && ssh.password !== undefined) issue('key login takes a private key', 'auth');
}

/** What a login method comes to when `auth` is left out. */
export function sshAuthOf(ssh: LoginFields): SshAuth | undefined {
  return (
    ssh.auth ?? (ssh.password !== undefined ? 'password' : ssh.privateKey !== undefined ? 'key' : undefined)
  );
}

/** SSH settings for a new agentless PC, or the first SSH settings of an enrolled one. */
export const sshSettingsSchema = z
  .strictObject({
    ...sshFields,
    port: sshFields.port.default(22),
    auth: sshFields.auth.optional(),
    password: sshFields.password.optional(),
    privateKey: sshFields.privateKey.optional(),
    passphrase: sshFields.passphrase.optional(),
    timekpraPath: sshFields.timekpraPath.default(DEFAULT_TIMEKPRA_PATH),
    hostKeyFingerprint: sshFields.hostKeyFingerprint.optional(),
    timezone: sshFields.timezone.optional(),
  })
  .superRefine((ssh, ctx) => {
    consistentLogin(ssh, ctx);
    if (ssh.auth === 'password' && ssh.password === undefined)
      ctx.addIssue({ code: 'custom', message: 'password login needs the password', path: ['password'] });
    if (ssh.auth === 'key' && ssh.privateKey === undefined)
      ctx.addIssue({ code: 'custom', message: 'key login needs the private key', path: ['privateKey'] });
  });
export type SshSettings = z.infer<typeof sshSettingsSchema>;

/**
 * A change to a PC's SSH settings: what is left out stays. A new password, key or `auth: "hub-key"` replaces
 * the login method; a new host or port forgets the pinned host key (another machine answers there).
 */
export const sshSettingsPatchSchema = z
  .strictObject({
    host: sshFields.host.optional(),
    port: sshFields.port.optional(),
    username: sshFields.username.optional(),
    auth: sshFields.auth.optional(),
    password: sshFields.password.optional(),
    privateKey: sshFields.privateKey.optional(),
    passphrase: sshFields.passphrase.optional(),
    timekpraPath: sshFields.timekpraPath.optional(),
    hostKeyFingerprint: sshFields.hostKeyFingerprint.optional(),
    timezone: sshFields.timezone.nullable().optional(),
  })
  .superRefine(consistentLogin);
export type SshSettingsPatch = z.infer<typeof sshSettingsPatchSchema>;

/** `POST /api/devices`: a PC without an agent, reached over SSH. */
export const createSshDeviceSchema = z.strictObject({
  name: displayNameSchema,
  ssh: sshSettingsSchema,
});
export type CreateSshDeviceRequest = z.infer<typeof createSshDeviceSchema>;

/** `PATCH /api/devices/:id`: rename, change how it is reached, set or change (or, with null, remove) SSH. */
export const updateDeviceSchema = z
  .strictObject({
    name: displayNameSchema.optional(),
    mode: deviceModeSchema.optional(),
    ssh: sshSettingsPatchSchema.nullable().optional(),
  })
  .refine(
    (patch) => patch.name !== undefined || patch.mode !== undefined || patch.ssh !== undefined,
    'nothing to change: give name, mode or ssh',
  );
export type UpdateDeviceRequest = z.infer<typeof updateDeviceSchema>;

/** `POST /api/devices/:id/ssh/trust-host-key`: accept the new host key a PC now shows (it was reinstalled). */
export const trustHostKeySchema = z.strictObject({ fingerprint: hostKeyFingerprintSchema });

export const hostKeySchema = z.object({
  /** e.g. ssh-ed25519 */
  algorithm: z.string(),
  fingerprint: z.string(),
});

/** A PC's SSH settings as the API shows them: never a password, key or passphrase. */
export const deviceSshSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  auth: sshAuthSchema,
  timekpraPath: z.string(),
  /** null: the hub's time zone is used. */
  timezone: z.string().nullable(),
  /** The pinned host key; null until the first successful connection. */
  hostKey: hostKeySchema.extend({ pinnedAt: z.string() }).nullable(),
  /** A different key the PC showed and the hub refused; trust it only if the PC was reinstalled. */
  offeredHostKey: hostKeySchema.extend({ seenAt: z.string() }).nullable(),
  /** The last connection attempt worked. */
  reachable: z.boolean(),
  lastContactAt: z.string().nullable(),
  /** Why the last attempt failed, in words for a parent. */
  lastError: z.string().nullable(),
});
export type DeviceSshView = z.infer<typeof deviceSshSchema>;

/** `POST /api/devices/:id/ssh/check`: connects now and reads the users, without changing anything. */
export const sshCheckResultSchema = z.object({
  ok: z.boolean(),
  hostKey: hostKeySchema.nullable(),
  users: z.array(z.string()),
  /** How long connecting (or reusing the connection) and one timekpra call took. */
  elapsedMs: z.number(),
  error: z.string().nullable(),
});
export type SshCheckResult = z.infer<typeof sshCheckResultSchema>;

/** `GET /api/ssh/public-key`: the hub's own key, for the PC's authorized_keys. */
export const hubSshKeySchema = z.object({
  publicKey: z.string(),
  /** The whole line for authorized_keys, restricted to the guard script. */
  authorizedKeysLine: z.string(),
  /** Where the hub serves the guard script. */
  guardUrl: z.string(),
});
export type HubSshKey = z.infer<typeof hubSshKeySchema>;

/** Where the guard script goes on the PC; the authorized_keys line names it. */
export const SSH_GUARD_PATH = '/usr/local/bin/kidtime-ssh-guard';

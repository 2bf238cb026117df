import type {
  CreateSshDeviceRequest,
  HubSshKey,
  SshAuth,
  DeviceMode,
  DeviceSshView,
  DeviceView,
  SshCheckResult,
  SshSettings,
  SshSettingsPatch,
  UpdateDeviceRequest,
} from '@kidtime/protocol';
import { ApiError, type Session } from './api';

/**
 * PCs the hub reaches over SSH, without an agent or while their agent is offline: the form's values and the
 * requests built from them, what the PC page says about such a PC, and the requests themselves. The hub
 * validates everything again (and connects before it saves anything); what is checked here is only what lets
 * the form point at the field to fix before a round trip.
 */

/**
 * Where the guard goes on the PC; the authorized_keys line names it. The protocol's SSH_GUARD_PATH, repeated
 * here because the UI imports only types from the protocol (its index would bring zod into the bundle).
 */
export const GUARD_PATH = '/usr/local/bin/kidtime-ssh-guard';
export const DEFAULT_PORT = 22;
/** Prints the PC's host key fingerprint, as the hub shows it. */
export const HOST_KEY_COMMAND = 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub';
/** timekpra's path on Debian and Ubuntu (the protocol's default, repeated here to keep zod out of the bundle). */
export const DEFAULT_TIMEKPRA = '/usr/bin/timekpra';

/**
 * How the hub logs in to the PC: a password, a private key pasted here, or the hub's own key (nothing to
 * paste: the PC lets in the line GET /api/ssh/public-key gives).
 */
export type SshLoginMethod = SshAuth;

export const LOGIN_METHODS: ReadonlyArray<{ method: SshLoginMethod; label: string }> = [
  { method: 'password', label: 'Password' },
  { method: 'key', label: 'Private key' },
  { method: 'hub-key', label: "This hub's key" },
];

/** How the PC card names the saved login method. */
export const AUTH_LABELS: Record<SshAuth, string> = {
  password: 'password',
  key: 'private key',
  'hub-key': "this hub's key",
};

export const MODE_LABELS: Record<DeviceMode, string> = {
  agent: 'Through its agent',
  ssh: 'Over SSH',
  'agent-then-ssh': 'Through its agent; over SSH while the agent is offline',
};

/** What the SSH form holds, as typed. Secrets live only here, in memory: never in storage. */
export interface SshForm {
  /** Only when adding a PC. */
  name: string;
  host: string;
  port: string;
  username: string;
  login: SshLoginMethod;
  password: string;
  privateKey: string;
  passphrase: string;
  timekpraPath: string;
  /** Blank: the hub trusts the key the PC shows the first time (or, editing, keeps the pinned one). */
  hostKeyFingerprint: string;
  /** Blank: the hub's own time zone. */
  timezone: string;
}

export type SshFormProblems = Partial<Record<keyof SshForm, string>>;

/** The browser's IANA time zone: the parent's PCs are most likely in the same one. */
export function browserTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return '';
  }
}

/** A new PC's form: port 22, password login, Debian's timekpra, the browser's time zone. */
export function newSshForm(timezone = browserTimezone()): SshForm {
  return {
    name: '',
    host: '',
    port: String(DEFAULT_PORT),
    username: '',
    login: 'password',
    password: '',
    privateKey: '',
    passphrase: '',
    timekpraPath: DEFAULT_TIMEKPRA,
    hostKeyFingerprint: '',
    timezone,
  };
}

/** The form for changing saved settings: secrets (and the expected host key) blank, which keeps them. */
export function sshFormOf(saved: DeviceSshView): SshForm {
  return {
    ...newSshForm(saved.timezone ?? ''),
    host: saved.host,
    port: String(saved.port),
    username: saved.username,
    login: saved.auth,
    timekpraPath: saved.timekpraPath,
  };
}

/** `SHA256:…` out of whatever was pasted: the fingerprint alone, or a whole line of `ssh-keygen -lf`. */
export function fingerprintIn(text: string): string {
  return /SHA256:[A-Za-z0-9+/]{43}/.exec(text)?.[0] ?? text.trim();
}

const LOGIN = /^[a-z_][a-z0-9_.-]{0,31}$/;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const TIMEKPRA_PATH = /^\/(?:[A-Za-z0-9._+/-]{0,190}\/)?timekpra$/;

function knownTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * What to fix before sending, by field. `saved`: the settings being changed (then a blank secret keeps the
 * saved one, unless the login method changes); null for new settings. `named`: the form asks for a PC name.
 */
export function sshFormProblems(form: SshForm, saved: DeviceSshView | null, named: boolean): SshFormProblems {
  const problems: SshFormProblems = {};
  if (named && !form.name.trim()) problems.name = 'Give the PC a name.';
  const host = form.host.trim();
  if (!host) problems.host = "Type the PC's address: a host name (study-pc.local) or an IP address.";
  else if (/\s/.test(host) || host.startsWith('-'))
    problems.host = 'An address has no spaces and does not start with "-".';
  const port = Number(form.port);
  if (!/^\d+$/.test(form.port.trim()) || port < 1 || port > 65_535)
    problems.port = 'A port is a whole number from 1 to 65535 (SSH uses 22).';
  if (!LOGIN.test(form.username.trim()))
    problems.username =
      'Type the Linux login Kidtime uses on the PC: lowercase letters, digits, "_", "." or "-".';
  const keepsSecret = saved !== null && saved.auth === form.login;
  if (form.login === 'password' && !form.password && !keepsSecret)
    problems.password = saved ? 'Type the password to log in with from now on.' : 'Type the SSH password.';
  if (form.login === 'key') {
    const key = form.privateKey.trim();
    if (!key && !keepsSecret)
      problems.privateKey = saved
        ? 'Paste the private key to log in with from now on.'
        : 'Paste the private key (the whole file, from -----BEGIN to -----END).';
    else if (key && /^(ssh-|ecdsa-)/.test(key))
      problems.privateKey = 'That is a public key (the .pub file): paste the private key, the file without .pub.';
    else if (key && !/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(key))
      problems.privateKey = 'A private key starts with -----BEGIN … PRIVATE KEY-----.';
    if (form.passphrase && !key)
      problems.passphrase = 'Paste the key again with its passphrase: the passphrase goes with a key.';
  }
  const path = form.timekpraPath.trim();
  if (path && (!TIMEKPRA_PATH.test(path) || path.split('/').includes('..')))
    problems.timekpraPath = "timekpra's full path, ending in /timekpra (usually /usr/bin/timekpra).";
  const fingerprint = fingerprintIn(form.hostKeyFingerprint);
  if (fingerprint && !FINGERPRINT.test(fingerprint))
    problems.hostKeyFingerprint = 'A fingerprint as ssh-keygen -lf prints it: SHA256: and 43 characters.';
  const zone = form.timezone.trim();
  if (zone && !knownTimezone(zone)) problems.timezone = 'A time zone such as Europe/London.';
  return problems;
}

/** The secret the form carries for its login method, if one was typed (the hub's own key needs none). */
function secret(form: SshForm): Pick<SshSettings, 'password' | 'privateKey' | 'passphrase'> {
  if (form.login === 'hub-key') return {};
  if (form.login === 'password') return form.password ? { password: form.password } : {};
  const privateKey = form.privateKey.trim();
  if (!privateKey) return {};
  // ssh2 wants the key file as it was, with the newline after its END line.
  return { privateKey: `${privateKey}\n`, ...(form.passphrase ? { passphrase: form.passphrase } : {}) };
}

/** New SSH settings (a new PC, or the SSH fallback of an enrolled one) from a form without problems. */
export function sshSettings(form: SshForm): SshSettings {
  const fingerprint = fingerprintIn(form.hostKeyFingerprint);
  const timezone = form.timezone.trim();
  return {
    host: form.host.trim().toLowerCase(),
    port: Number(form.port),
    username: form.username.trim(),
    auth: form.login,
    ...secret(form),
    timekpraPath: form.timekpraPath.trim() || DEFAULT_TIMEKPRA,
    ...(fingerprint ? { hostKeyFingerprint: fingerprint } : {}),
    ...(timezone ? { timezone } : {}),
  };
}

/** `POST /api/devices`: a PC without an agent. */
export function createSshDeviceRequest(form: SshForm): CreateSshDeviceRequest {
  return { name: form.name.trim(), ssh: sshSettings(form) };
}

/** SSH for an enrolled PC: it is reached through its agent, and over SSH while the agent is offline. */
export function addSshFallbackRequest(form: SshForm): UpdateDeviceRequest {
  return { mode: 'agent-then-ssh', ssh: sshSettings(form) };
}

/**
 * Only what the parent changed in saved settings, so that a change made elsewhere meanwhile stays and the
 * saved secret is kept unless a new one was typed; null when nothing changed.
 */
export function sshPatch(saved: DeviceSshView, form: SshForm): SshSettingsPatch | null {
  const patch: SshSettingsPatch = {};
  const host = form.host.trim().toLowerCase();
  if (host !== saved.host) patch.host = host;
  const port = Number(form.port);
  if (port !== saved.port) patch.port = port;
  const username = form.username.trim();
  if (username !== saved.username) patch.username = username;
  // A new secret, or another method, replaces the saved login; the same method without a secret keeps it.
  if (form.login !== saved.auth) patch.auth = form.login;
  Object.assign(patch, secret(form));
  const timekpraPath = form.timekpraPath.trim() || DEFAULT_TIMEKPRA;
  if (timekpraPath !== saved.timekpraPath) patch.timekpraPath = timekpraPath;
  const fingerprint = fingerprintIn(form.hostKeyFingerprint);
  if (fingerprint && fingerprint !== saved.hostKey?.fingerprint) patch.hostKeyFingerprint = fingerprint;
  const timezone = form.timezone.trim() || null;
  if (timezone !== saved.timezone) patch.timezone = timezone;
  return Object.keys(patch).length > 0 ? patch : null;
}

/** The agent has shown itself at least once, so the PC can be reached without SSH. */
const hasAgent = (device: DeviceView): boolean => device.agentVersion !== null || device.mode !== 'ssh';

/** The ways this PC can be reached: with SSH settings all three, unless it has no agent to fall back from. */
export function modeChoices(device: DeviceView): DeviceMode[] {
  if (!device.ssh) return ['agent'];
  return hasAgent(device) ? ['agent', 'agent-then-ssh', 'ssh'] : ['ssh'];
}

/** A PC with no agent is only reached over SSH: removing SSH would leave nothing (revoke it instead). */
export const canRemoveSsh = (device: DeviceView): boolean => device.ssh !== null && hasAgent(device);

/** Removing SSH: the PC goes back to its agent alone. */
export function removeSshRequest(device: DeviceView): UpdateDeviceRequest {
  return device.mode === 'agent' ? { ssh: null } : { ssh: null, mode: 'agent' };
}

/** "online via SSH", "online", "offline": how a PC reads on the dashboard and the child's page. */
export function onlineText(device: DeviceView | undefined): string {
  if (!device?.online) return 'offline';
  return device.transport === 'ssh' ? 'online via SSH' : 'online';
}

/** Whether the last SSH connection worked, in words (never a colour alone). */
export function sshStatus(ssh: DeviceSshView): { ok: boolean; text: string } {
  if (ssh.reachable) return { ok: true, text: 'Reachable' };
  if (ssh.lastError) return { ok: false, text: `Not reachable: ${ssh.lastError}` };
  return { ok: false, text: 'Not connected yet' };
}

/** "85 ms", "1.4 s". */
export function elapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The outcome of "Check connection", in one sentence. */
export function checkText(result: SshCheckResult): string {
  if (!result.ok) return result.error ?? 'The PC did not answer.';
  const users =
    result.users.length === 0
      ? 'Timekpr-nExT manages no login on this PC yet.'
      : `Timekpr-nExT manages ${result.users.join(', ')}.`;
  return `Connected in ${elapsed(result.elapsedMs)}. ${users}`;
}

/** Where this hub serves the guard, when it has not said (its key's answer does). */
export const guardUrlOf = (hubOrigin: string): string => `${hubOrigin}/downloads/kidtime-ssh-guard`;

/** The command that installs the guard on the PC, from this hub. */
export function guardInstallCommand(guardUrl: string): string {
  return `curl -fsSL ${guardUrl} -o ${GUARD_PATH} && chmod 0755 ${GUARD_PATH}`;
}

/**
 * The commands for the PC, as root, for the SSH user the form names (a name that is not a login: `kidtime`),
 * and with the hub's own key line when the hub gave it.
 */
export function setupCommands(guardUrl: string, username: string, hubKeyLine?: string) {
  const user = LOGIN.test(username.trim()) ? username.trim() : 'kidtime';
  const home = `/home/${user}`;
  const authorizedKeys = `${home}/.ssh/authorized_keys`;
  /** The key's folder and file belong to root: not even this user can change what its key may run. */
  const rootOwnedSsh = `install -d -m 0755 -o root -g root ${home}/.ssh`;
  return {
    user,
    /**
     * A system account (timekpr does not manage it) with a home of its own; timekpra lets members of group
     * timekpr change the users' settings.
     */
    createUser: `useradd --system --create-home --shell /bin/bash --groups timekpr ${user} && chmod 0700 ${home}`,
    setPassword: `passwd ${user}`,
    installGuard: guardInstallCommand(guardUrl),
    /** With a password there is no key line to name the guard in: sshd forces it on the user instead. */
    forceCommand:
      `printf '\\nMatch User ${user}\\n    ForceCommand ${GUARD_PATH}\\n    DisableForwarding yes\\n    PermitTTY no\\n'` +
      ' >> /etc/ssh/sshd_config && systemctl reload ssh',
    /**
     * Key login with a key made on the PC: the public half goes into the user's authorized_keys behind the
     * guard, the private half is printed once (to paste into the form) and removed.
     */
    keyLogin:
      `ssh-keygen -q -t ed25519 -N '' -C kidtime-hub -f /root/kidtime-key && ${rootOwnedSsh}` +
      ` && echo "command=\\"${GUARD_PATH}\\",restrict $(cat /root/kidtime-key.pub)" >> ${authorizedKeys}` +
      ` && cat /root/kidtime-key && rm /root/kidtime-key /root/kidtime-key.pub`,
    /** The hub's line, single-quoted as one word (only a line without a quote of its own is offered). */
    hubKeyLogin:
      hubKeyLine && !hubKeyLine.includes("'")
        ? `${rootOwnedSsh} && echo '${hubKeyLine.trim()}' >> ${authorizedKeys}`
        : null,
    authorizedKeys,
    hostKey: HOST_KEY_COMMAND,
  };
}

// Requests

export async function createSshDevice(session: Session, request: CreateSshDeviceRequest): Promise<DeviceView> {
  return (await session.request<DeviceView>('POST', '/api/devices', request)).body;
}

/** Renames, changes how the PC is reached, or sets, changes or removes its SSH settings (the hub connects first). */
export async function updateDevice(
  session: Session,
  deviceId: string,
  change: UpdateDeviceRequest,
): Promise<DeviceView> {
  return (await session.request<DeviceView>('PATCH', `/api/devices/${encodeURIComponent(deviceId)}`, change)).body;
}

/** Connects now and reads timekpr's users; changes nothing. */
export async function checkSsh(session: Session, deviceId: string): Promise<SshCheckResult> {
  const path = `/api/devices/${encodeURIComponent(deviceId)}/ssh/check`;
  return (await session.request<SshCheckResult>('POST', path, {})).body;
}

/** Accepts the host key the PC now shows (it was reinstalled): only the one the parent saw. */
export async function trustHostKey(session: Session, deviceId: string, fingerprint: string): Promise<DeviceView> {
  const path = `/api/devices/${encodeURIComponent(deviceId)}/ssh/trust-host-key`;
  return (await session.request<DeviceView>('POST', path, { fingerprint })).body;
}

/** The hub's own SSH key for key login, or null when it is not shown to this account (viewers) or this hub. */
export async function hubPublicKey(session: Session): Promise<HubSshKey | null> {
  try {
    return (await session.request<HubSshKey>('GET', '/api/ssh/public-key')).body;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return null;
    throw error;
  }
}

import type { DeviceSshView, DeviceView } from '@kidtime/protocol';
import { createSshDeviceSchema, sshSettingsPatchSchema, updateDeviceSchema } from '@kidtime/protocol';
import {
  type SshForm,
  addSshFallbackRequest,
  canRemoveSsh,
  checkText,
  createSshDeviceRequest,
  fingerprintIn,
  guardInstallCommand,
  guardUrlOf,
  modeChoices,
  newSshForm,
  onlineText,
  removeSshRequest,
  sshFormOf,
  sshFormProblems,
  sshPatch,
  setupCommands,
  sshStatus,
} from './ssh';

const FINGERPRINT = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';
const OTHER = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';

const saved: DeviceSshView = {
  host: 'study-pc.local',
  port: 22,
  username: 'kidtime',
  auth: 'password',
  timekpraPath: '/usr/bin/timekpra',
  timezone: null,
  hostKey: { algorithm: 'ssh-ed25519', fingerprint: FINGERPRINT, pinnedAt: '2026-12-01T10:00:00.000Z' },
  offeredHostKey: null,
  reachable: true,
  lastContactAt: '2026-12-07T10:00:00.000Z',
  lastError: null,
};

const device = (change: Partial<DeviceView> = {}): DeviceView => ({
  id: 'pc-1',
  name: 'Study PC',
  hostname: 'study-pc',
  online: false,
  transport: null,
  lastSeen: null,
  agentVersion: null,
  timekprVersion: null,
  timezone: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  mode: 'agent',
  ssh: null,
  ...change,
});

const filled = (change: Partial<SshForm> = {}): SshForm => ({
  ...newSshForm('Europe/Paris'),
  name: 'Study PC',
  host: ' Study-PC.local ',
  username: 'kidtime',
  password: ' pass phrase ',
  ...change,
});

describe('SSH form', () => {
  it("starts with port 22, password login, Debian's timekpra and the given time zone", () => {
    expect(newSshForm('Europe/Paris')).toMatchObject({
      port: '22',
      login: 'password',
      timekpraPath: '/usr/bin/timekpra',
      timezone: 'Europe/Paris',
      password: '',
    });
  });

  it('builds the request the hub accepts: trimmed, lower-case host, the password exactly as typed', () => {
    const request = createSshDeviceRequest(filled());
    expect(request).toEqual({
      name: 'Study PC',
      ssh: {
        host: 'study-pc.local',
        port: 22,
        username: 'kidtime',
        auth: 'password',
        password: ' pass phrase ',
        timekpraPath: '/usr/bin/timekpra',
        timezone: 'Europe/Paris',
      },
    });
    expect(createSshDeviceSchema.safeParse(request).success).toBe(true);
  });

  it('sends a key with its passphrase, never a password typed before switching to the key', () => {
    const request = createSshDeviceRequest(
      filled({ login: 'key', privateKey: `\n${KEY}\n\n`, passphrase: 'open sesame', timezone: '' }),
    );
    expect(request.ssh).toEqual({
      host: 'study-pc.local',
      port: 22,
      username: 'kidtime',
      auth: 'key',
      privateKey: `${KEY}\n`,
      passphrase: 'open sesame',
      timekpraPath: '/usr/bin/timekpra',
    });
    expect(createSshDeviceSchema.safeParse(request).success).toBe(true);
  });

  it("logs in with the hub's own key without any secret, whatever was typed before", () => {
    const form = filled({ login: 'hub-key', privateKey: KEY, passphrase: 'x' });
    expect(sshFormProblems(form, null, true)).toEqual({});
    const request = createSshDeviceRequest(form);
    expect(request.ssh).toMatchObject({ auth: 'hub-key' });
    expect(['password', 'privateKey', 'passphrase'].filter((field) => field in request.ssh)).toEqual([]);
    expect(createSshDeviceSchema.safeParse(request).success).toBe(true);
  });

  it("takes the fingerprint out of a pasted line of ssh-keygen -lf", () => {
    expect(fingerprintIn(`256 ${FINGERPRINT} root@study-pc (ED25519)`)).toBe(FINGERPRINT);
    expect(fingerprintIn(` ${FINGERPRINT} `)).toBe(FINGERPRINT);
    expect(fingerprintIn('MD5:aa:bb')).toBe('MD5:aa:bb');
    const request = createSshDeviceRequest(filled({ hostKeyFingerprint: `256 ${FINGERPRINT} root@pc (ED25519)` }));
    expect(request.ssh.hostKeyFingerprint).toBe(FINGERPRINT);
  });

  it('points at the fields to fix before sending anything', () => {
    expect(sshFormProblems(filled(), null, true)).toEqual({});
    const problems = sshFormProblems(
      filled({
        name: ' ',
        host: 'study pc',
        port: '70000',
        username: 'Kid Time',
        password: '',
        timekpraPath: '/usr/bin/timekpr',
        hostKeyFingerprint: 'MD5:aa:bb',
        timezone: 'Mars/Olympus',
      }),
      null,
      true,
    );
    expect(Object.keys(problems).sort()).toEqual(
      ['name', 'host', 'port', 'username', 'password', 'timekpraPath', 'hostKeyFingerprint', 'timezone'].sort(),
    );
    // Adding SSH to an enrolled PC asks for no name.
    expect(sshFormProblems(filled({ name: '' }), null, false)).toEqual({});
  });

  it('tells a public key from the private key it should be', () => {
    const key = (privateKey: string) => sshFormProblems(filled({ login: 'key', privateKey }), null, true);
    expect(key(KEY)).toEqual({});
    expect(key('').privateKey).toMatch(/Paste the private key/);
    expect(key('ssh-ed25519 AAAAC3Nza kidtime-hub').privateKey).toMatch(/public key/);
    expect(key('hello').privateKey).toMatch(/BEGIN/);
    expect(sshFormProblems(filled({ login: 'key', passphrase: 'x' }), saved, false).passphrase).toMatch(
      /with its passphrase/,
    );
  });
});

describe('changing saved SSH settings', () => {
  it('starts from the saved settings with every secret blank', () => {
    expect(sshFormOf(saved)).toMatchObject({
      host: 'study-pc.local',
      port: '22',
      username: 'kidtime',
      login: 'password',
      password: '',
      privateKey: '',
      hostKeyFingerprint: '',
      timezone: '',
    });
  });

  it('sends nothing when nothing changed: blank secrets keep the saved ones', () => {
    expect(sshPatch(saved, sshFormOf(saved))).toBeNull();
    expect(sshFormProblems(sshFormOf(saved), saved, false)).toEqual({});
    // The pinned key typed again is no change either.
    expect(sshPatch(saved, { ...sshFormOf(saved), hostKeyFingerprint: FINGERPRINT })).toBeNull();
  });

  it('sends only what changed, which the hub accepts', () => {
    const patch = sshPatch(saved, {
      ...sshFormOf(saved),
      port: '2222',
      password: 'new one',
      timezone: 'Europe/Lisbon',
      hostKeyFingerprint: OTHER,
    });
    expect(patch).toEqual({ port: 2222, password: 'new one', timezone: 'Europe/Lisbon', hostKeyFingerprint: OTHER });
    expect(sshSettingsPatchSchema.safeParse(patch).success).toBe(true);
    expect(updateDeviceSchema.safeParse({ ssh: patch }).success).toBe(true);
  });

  it("clears the PC's own time zone (back to the hub's) with null", () => {
    const zoned = { ...saved, timezone: 'Europe/Paris' };
    expect(sshPatch(zoned, { ...sshFormOf(zoned), timezone: ' ' })).toEqual({ timezone: null });
  });

  it('needs the new secret when the login method changes, and then sends it alone', () => {
    const toKey = { ...sshFormOf(saved), login: 'key' as const };
    expect(sshFormProblems(toKey, saved, false).privateKey).toMatch(/log in with from now on/);
    expect(sshPatch(saved, { ...toKey, privateKey: KEY })).toEqual({ auth: 'key', privateKey: `${KEY}\n` });
    // The same method with a new secret needs no auth: the secret says it.
    expect(sshPatch(saved, { ...sshFormOf(saved), password: 'new' })).toEqual({ password: 'new' });
    const keyed = { ...saved, auth: 'key' as const };
    expect(sshFormProblems({ ...sshFormOf(keyed), login: 'password' }, keyed, false).password).toMatch(
      /log in with from now on/,
    );
  });

  it("switches to the hub's own key with auth alone, and back to a password only with one", () => {
    const toHubKey = sshPatch(saved, { ...sshFormOf(saved), login: 'hub-key', password: 'typed before' });
    expect(toHubKey).toEqual({ auth: 'hub-key' });
    expect(sshSettingsPatchSchema.safeParse(toHubKey).success).toBe(true);
    const hubKeyed = { ...saved, auth: 'hub-key' as const };
    expect(sshPatch(hubKeyed, sshFormOf(hubKeyed))).toBeNull();
    expect(sshFormProblems({ ...sshFormOf(hubKeyed), login: 'password' }, hubKeyed, false).password).toBeDefined();
  });

  it('gives an enrolled PC SSH as its fallback', () => {
    const request = addSshFallbackRequest(filled({ name: '' }));
    expect(request.mode).toBe('agent-then-ssh');
    expect(updateDeviceSchema.safeParse(request).success).toBe(true);
  });
});

describe('how a PC is reached', () => {
  const enrolled = { agentVersion: '0.1.0', ssh: saved };

  it('offers the three ways only to a PC with an agent and SSH settings', () => {
    expect(modeChoices(device())).toEqual(['agent']);
    expect(modeChoices(device({ ...enrolled, mode: 'agent-then-ssh' }))).toEqual(['agent', 'agent-then-ssh', 'ssh']);
    // A PC added over SSH has no agent to be reached through.
    expect(modeChoices(device({ mode: 'ssh', ssh: saved }))).toEqual(['ssh']);
  });

  it('removes SSH only where an agent is left, and goes back to the agent with it', () => {
    expect(canRemoveSsh(device({ mode: 'ssh', ssh: saved }))).toBe(false);
    expect(canRemoveSsh(device())).toBe(false);
    expect(canRemoveSsh(device({ ...enrolled, mode: 'agent-then-ssh' }))).toBe(true);
    expect(removeSshRequest(device({ ...enrolled, mode: 'agent-then-ssh' }))).toEqual({ ssh: null, mode: 'agent' });
    expect(removeSshRequest(device({ ...enrolled, mode: 'agent' }))).toEqual({ ssh: null });
    expect(updateDeviceSchema.safeParse({ ssh: null, mode: 'agent' }).success).toBe(true);
  });

  it('reads "online via SSH" when the hub reaches the PC over SSH', () => {
    expect(onlineText(device({ online: true, transport: 'ssh' }))).toBe('online via SSH');
    expect(onlineText(device({ online: true, transport: 'ws' }))).toBe('online');
    expect(onlineText(device({ online: false, transport: 'ssh' }))).toBe('offline');
    expect(onlineText(undefined)).toBe('offline');
  });

  it('says whether the last connection worked, and why not', () => {
    expect(sshStatus(saved)).toEqual({ ok: true, text: 'Reachable' });
    expect(sshStatus({ ...saved, reachable: false, lastError: 'The PC refused the password.' })).toEqual({
      ok: false,
      text: 'Not reachable: The PC refused the password.',
    });
    expect(sshStatus({ ...saved, reachable: false, lastContactAt: null }).text).toBe('Not connected yet');
  });

  it('sums up a connection check: the time and the users found, or the reason', () => {
    const result = { ok: true, hostKey: null, users: ['ana', 'ben'], elapsedMs: 84.4, error: null };
    expect(checkText(result)).toBe('Connected in 84 ms. Timekpr-nExT manages ana, ben.');
    expect(checkText({ ...result, users: [], elapsedMs: 1420 })).toBe(
      'Connected in 1.4 s. Timekpr-nExT manages no login on this PC yet.',
    );
    expect(checkText({ ...result, ok: false, users: [], error: 'No answer from 10.0.0.9 in 10 s.' })).toBe(
      'No answer from 10.0.0.9 in 10 s.',
    );
  });
});

describe('PC-side setup', () => {
  const HUB_LINE = 'command="/usr/local/bin/kidtime-ssh-guard",restrict ssh-ed25519 AAAAC3Nza kidtime-hub';

  it('installs the guard from this hub', () => {
    expect(guardInstallCommand(guardUrlOf('http://192.168.1.5:8080'))).toBe(
      'curl -fsSL http://192.168.1.5:8080/downloads/kidtime-ssh-guard -o /usr/local/bin/kidtime-ssh-guard' +
        ' && chmod 0755 /usr/local/bin/kidtime-ssh-guard',
    );
  });

  it('names the SSH user the form has, and nothing else that could run as a command', () => {
    const steps = setupCommands('http://hub.lan:8080/downloads/kidtime-ssh-guard', 'kids-pc', HUB_LINE);
    expect(steps.createUser).toBe(
      'useradd --system --create-home --shell /bin/bash --groups timekpr kids-pc && chmod 0700 /home/kids-pc',
    );
    expect(steps.forceCommand).toContain('Match User kids-pc\\n    ForceCommand /usr/local/bin/kidtime-ssh-guard');
    expect(steps.keyLogin).toContain('restrict $(cat /root/kidtime-key.pub)" >> /home/kids-pc/.ssh/authorized_keys');
    expect(steps.keyLogin).toMatch(/&& rm \/root\/kidtime-key \/root\/kidtime-key\.pub$/);
    expect(steps.installGuard).toContain('curl -fsSL http://hub.lan:8080/downloads/kidtime-ssh-guard -o');
    // Not a login (yet, or ever): the commands show the usual one rather than what was typed.
    expect(setupCommands('', 'x; rm -rf /').createUser).toMatch(/--groups timekpr kidtime && chmod 0700 \/home\/kidtime$/);
    expect(setupCommands('', '').user).toBe('kidtime');
  });

  it("lets the hub's own key in as one quoted word, and offers no command for a line it cannot quote", () => {
    expect(setupCommands('', 'kidtime', HUB_LINE).hubKeyLogin).toBe(
      `install -d -m 0755 -o root -g root /home/kidtime/.ssh && echo '${HUB_LINE}' >> /home/kidtime/.ssh/authorized_keys`,
    );
    expect(setupCommands('', 'kidtime', "ssh-ed25519 AAAA it's-mine").hubKeyLogin).toBeNull();
    expect(setupCommands('', 'kidtime').hubKeyLogin).toBeNull();
  });
});

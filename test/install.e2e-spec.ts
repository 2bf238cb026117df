/**
 * The one-line install on a kid's PC, as far as it can be proven without systemd as PID 1: the hub's
 * /install.sh runs end to end into a scratch root (KIDTIME_ROOT), the unit it wrote passes
 * `systemd-analyze verify`, the installed agent starts from the installed files inside a sandbox that
 * imitates its unit and connects, and `kidtime-agent uninstall` takes it all away again.
 */
import type { DeviceView, EnrollmentCreated, ManagedUserView, TimeResponse } from '@kidtime/protocol';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from './support/api-client';
import { AGENT_BUNDLE, HubProcess, ROOT } from './support/hub-process';
import { TestProcess, eventually } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktinst1';
const UNIT_SOURCE = path.join(ROOT, 'agent/systemd/kidtime-agent.service');
const INSTALLED = {
  bundle: '/usr/local/lib/kidtime/kidtime-agent.cjs',
  wrapper: '/usr/local/bin/kidtime-agent',
  unit: '/etc/systemd/system/kidtime-agent.service',
  configDir: '/etc/kidtime',
  config: '/etc/kidtime/agent.json',
  stateDir: '/var/lib/kidtime',
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with a script on its stdin, as `curl … | sudo sh` does. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The mode and owner of every file under `dir`, keyed by its path inside `dir`. */
function listTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (inside: string) => {
    for (const name of fs.readdirSync(path.join(dir, inside))) {
      const file = path.join(inside, name);
      const stat = fs.lstatSync(path.join(dir, file));
      tree[file] = `${(stat.mode & 0o7777).toString(8)} uid ${stat.uid}`;
      if (stat.isDirectory()) walk(file);
    }
  };
  walk('/');
  return tree;
}

describe('install on a kid’s PC: curl -fsSL HUB/install.sh?code=CODE | sudo sh', () => {
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let api: ApiClient;
  let root: string;
  let agent: TestProcess | undefined;
  const scratch: string[] = [];

  const newCode = async () => {
    const enrollment = await api.post<EnrollmentCreated>('/api/enrollments', { deviceName: 'Install PC' });
    expect(enrollment.status).toBe(201);
    return enrollment.body;
  };
  const installer = async (code: string) => {
    const response = await fetch(`${hub.url}/install.sh?code=${code}`);
    expect(response.status).toBe(200);
    return response.text();
  };
  const tempDir = (prefix: string, parent = os.tmpdir()) => {
    const dir = fs.mkdtempSync(path.join(parent, prefix));
    scratch.push(dir);
    return dir;
  };
  const sh = (script: string, env: NodeJS.ProcessEnv) =>
    run('/bin/sh', [], { PATH: process.env.PATH, LANG: 'C', ...env }, script);

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    hub = await HubProcess.start();
    api = new ApiClient(hub.url);
    expect((await api.post('/api/setup', { username: 'mum', password: 'kitchen-phone-42' })).status).toBe(
      201,
    );
    await api.login('mum', 'kitchen-phone-42');
    // Not under /tmp: the sandbox below gives the agent a private /tmp, as PrivateTmp=yes does. Readable
    // by everyone, like a real /, so that what a non-root user may do is tested for real.
    root = tempDir('kidtime-install-', '/var/tmp');
    fs.chmodSync(root, 0o755);
  });

  afterAll(async () => {
    await agent?.stop();
    await hub?.stop();
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the installer with the hub and the code filled in, and refuses malformed codes', async () => {
    const { code, installCommand } = await newCode();
    expect(installCommand).toBe(`curl -fsSL '${hub.url}/install.sh?code=${code}' | sudo sh`);

    const response = await fetch(`${hub.url}/install.sh?code=${code}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/x-shellscript/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const script = await response.text();
    expect(script).toContain(`  HUB='${hub.url}'\n  CODE='${code}'\n`);
    expect(script).toContain(fs.readFileSync(UNIT_SOURCE, 'utf8').trimEnd());
    expect(script).not.toContain('__KIDTIME_');

    // Unknown codes are for the enrollment to refuse; only the shape is checked at download time.
    expect((await fetch(`${hub.url}/install.sh?code=AAAA-BBBB-CCCC-DDDD`)).status).toBe(200);
    for (const bad of ["AB'CD", '%24(reboot)', 'AB%20CD', 'AB%0ACD', '']) {
      const refused = await fetch(`${hub.url}/install.sh?code=${bad}`);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      // The refusal is itself a script that prints why, for a pipe without curl -f.
      const said = await sh(await refused.text(), {});
      expect(said.status).toBe(1);
      expect(said.stderr).toMatch(/^kidtime: (This is not an enrollment code|install.sh needs \?code=CODE)/);
    }
    expect((await fetch(`${hub.url}/install.sh`)).status).toBe(400);
  });

  it('stops before changing anything when timekpra is missing, and says how to install it', async () => {
    const empty = tempDir('kidtime-install-refused-');
    const { code } = await newCode();
    const result = await sh(await installer(code), {
      KIDTIME_ROOT: empty,
      KIDTIME_TIMEKPRA: '/nonexistent/timekpra',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Timekpr-nExT is not installed (/nonexistent/timekpra is missing)');
    expect(result.stderr).toContain('Install it with:  sudo apt-get install -y timekpr-next');
    expect(fs.readdirSync(empty)).toEqual([]);
    // The code was not used: it still enrolls.
    expect(
      (await api.post('/api/agents/enroll', { code, hostname: 'other', agentVersion: 'x' })).status,
    ).toBe(201);
  });

  it('stops when Node.js is missing or too old, with the exact command to fix it', async () => {
    const bin = tempDir('kidtime-install-bin-');
    for (const tool of ['uname', 'id']) fs.symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
    fs.symlinkSync('/bin/false', path.join(bin, 'apt-get'));
    const { code } = await newCode();
    const script = await installer(code);
    const missing = await sh(script, { PATH: bin, KIDTIME_ROOT: tempDir('kidtime-install-refused-') });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Node.js 18 or newer is needed (found: none)');
    expect(missing.stderr).toContain('Install it with:  sudo apt-get install -y nodejs');
    expect(missing.stderr).toContain(`| sudo KIDTIME_INSTALL_NODE=1 sh`);

    fs.writeFileSync(
      path.join(bin, 'node'),
      '#!/bin/sh\ncase "$1" in -p) echo 16 ;; --version) echo v16.20.2 ;; esac\n',
      { mode: 0o755 },
    );
    const old = await sh(script, { PATH: bin, KIDTIME_ROOT: tempDir('kidtime-install-refused-') });
    expect(old.status).toBe(1);
    expect(old.stderr).toContain(`found: ${bin}/node, version v16.20.2`);
  });

  it('installs into a scratch root end to end: agent, wrapper, private configuration, unit', async () => {
    const { code } = await newCode();
    const result = await sh(await installer(code), { KIDTIME_ROOT: root });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const step of [
      '==> checking this PC',
      `==> installing the agent to ${root}${INSTALLED.bundle}`,
      '==> enrolling this PC with the hub',
      `==> writing the systemd unit ${root}${INSTALLED.unit}`,
      `==> not starting anything (KIDTIME_ROOT=${root})`,
      '==> checking the agent',
      'hub reachable:   yes',
      '==> done',
    ])
      expect(result.stdout).toContain(step);

    const tree = listTree(root);
    expect(tree).toMatchObject({
      [INSTALLED.bundle]: '644 uid 0',
      [INSTALLED.wrapper]: '755 uid 0',
      [INSTALLED.unit]: '644 uid 0',
      [INSTALLED.configDir]: '700 uid 0',
      [INSTALLED.config]: '600 uid 0',
      [INSTALLED.stateDir]: '700 uid 0',
    });
    // Nothing a child could change: no file or directory writable by group or others, all root's.
    for (const [file, mode] of Object.entries(tree)) {
      expect(`${file} ${mode}`).toMatch(/ [0-7]?[0-7][0145][0145] uid 0$/);
    }
    // Buffer.equals, not toEqual: Jest compares a megabyte byte by byte for seconds, long enough for the hub to
    // close the API client's idle keep-alive connection under the next request.
    expect(fs.readFileSync(path.join(root, INSTALLED.bundle)).equals(fs.readFileSync(AGENT_BUNDLE))).toBe(
      true,
    );
    expect(fs.readFileSync(path.join(root, INSTALLED.unit), 'utf8')).toBe(
      fs.readFileSync(UNIT_SOURCE, 'utf8'),
    );
    // The files name the real paths, not the scratch root.
    expect(fs.readFileSync(path.join(root, INSTALLED.wrapper), 'utf8')).toMatch(
      /\nexec \/\S*node \/usr\/local\/lib\/kidtime\/kidtime-agent\.cjs "\$@"\n$/,
    );
    const config = JSON.parse(fs.readFileSync(path.join(root, INSTALLED.config), 'utf8')) as {
      hubUrl: string;
      deviceId: string;
    };
    expect(config.hubUrl).toBe(hub.url);
    const device = (await api.get<DeviceView>(`/api/devices/${config.deviceId}`)).body;
    expect(device).toMatchObject({ name: 'Install PC', online: false });
  });

  it('runs again as an upgrade, keeping the enrollment unless KIDTIME_REENROLL=1', async () => {
    const configFile = path.join(root, INSTALLED.config);
    const before = fs.readFileSync(configFile, 'utf8');
    const { code } = await newCode();
    const again = await sh(await installer(code), { KIDTIME_ROOT: root });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('this PC is already enrolled');
    expect(again.stdout).toContain(`| sudo KIDTIME_REENROLL=1 sh`);
    expect(fs.readFileSync(configFile, 'utf8')).toBe(before);

    const reenrolled = await sh(await installer(code), { KIDTIME_ROOT: root, KIDTIME_REENROLL: '1' });
    expect(reenrolled.status).toBe(0);
    expect(reenrolled.stdout).toContain('--force');
    expect(fs.readFileSync(configFile, 'utf8')).not.toBe(before);
    expect(fs.statSync(configFile).mode & 0o777).toBe(0o600);
  });

  it('wrote a unit that passes systemd-analyze verify', async () => {
    // Verify the installed unit inside the scratch root, where its ExecStart (the installed wrapper) exists.
    // --root also looks for the units it depends on there, so lend it this machine's own.
    fs.mkdirSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
    fs.cpSync('/usr/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    fs.symlinkSync('usr/lib', path.join(root, 'lib'));
    try {
      const verify = (unit: string) =>
        run('systemd-analyze', ['verify', `--root=${root}`, unit], { PATH: process.env.PATH, LANG: 'C' });
      const result = await verify('kidtime-agent.service');
      const aboutOurs = `${result.stdout}${result.stderr}`
        .split('\n')
        .filter((line) => line.includes('kidtime-agent'));
      expect(aboutOurs).toEqual([]);
      expect(result.status).toBe(0);

      // The check bites: a mistyped directive or a missing ExecStart would have been reported.
      const unitFile = path.join(root, INSTALLED.unit);
      const good = fs.readFileSync(unitFile, 'utf8');
      fs.writeFileSync(unitFile, good.replace(/^ProtectSystem=strict$/m, 'ProtectSystem=strictly'));
      expect((await verify('kidtime-agent.service')).stderr).toContain('kidtime-agent.service:');
      fs.writeFileSync(unitFile, good);
      fs.renameSync(path.join(root, INSTALLED.wrapper), `${path.join(root, INSTALLED.wrapper)}.away`);
      expect((await verify('kidtime-agent.service')).stderr).toContain(
        'Command /usr/local/bin/kidtime-agent is not executable',
      );
      fs.renameSync(`${path.join(root, INSTALLED.wrapper)}.away`, path.join(root, INSTALLED.wrapper));
    } finally {
      fs.rmSync(path.join(root, 'lib'));
      fs.rmSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
    }
  });

  it('starts from the installed files, sandboxed like its unit, connects and runs timekpra', async () => {
    const { deviceId } = JSON.parse(fs.readFileSync(path.join(root, INSTALLED.config), 'utf8')) as {
      deviceId: string;
    };
    // What the unit asks of systemd, done by hand in a private mount namespace: everything read-only but
    // /etc/kidtime (ProtectSystem=strict, ReadWritePaths=), a private /tmp (PrivateTmp=yes), no /home or
    // /root (ProtectHome=yes), then no capabilities at all and no_new_privs (CapabilityBoundingSet=,
    // NoNewPrivileges=yes). Each program execs the next, so the agent keeps the pid started here.
    const sandbox = [
      'set -e',
      'mount --bind "$KT_ROOT/etc/kidtime" "$KT_ROOT/etc/kidtime"',
      'mount -o remount,bind,ro /',
      'mount -t tmpfs -o mode=1777 tmpfs /tmp',
      'for home in /home /root; do mount -t tmpfs -o ro,mode=755 tmpfs "$home"; done',
      'exec setpriv --no-new-privs --bounding-set=-all --inh-caps=-all "$@"',
    ].join('\n');
    agent = TestProcess.start(
      'installed agent',
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '/bin/sh',
        '-c',
        sandbox,
        'sandbox',
        ...[process.execPath, `${root}${INSTALLED.bundle}`, 'run', '--config', `${root}${INSTALLED.config}`],
      ],
      { PATH: process.env.PATH, KT_ROOT: root },
    );
    const users = await eventually('the installed agent to connect and report its users', async () => {
      const device = (await api.get<DeviceView>(`/api/devices/${deviceId}`)).body;
      if (!device.online) return undefined;
      const list = (await api.get<ManagedUserView[]>(`/api/devices/${deviceId}/users`)).body;
      return list.some((u) => u.login === KID && u.state) ? list : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\nagent output:\n${agent?.log ?? ''}`);
    });
    expect(users.map((u) => u.login)).toContain(KID);
    const status = fs.readFileSync(`/proc/${agent.child.pid}/status`, 'utf8');
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);

    const before = Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);
    const response = await api.request<TimeResponse>('POST', `/api/devices/${deviceId}/users/${KID}/time`, {
      op: 'add',
      seconds: 600,
    });
    expect(response.status).toBe(200);
    expect(response.body.command.status).toBe('applied');
    expect(Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE)).toBe(before - 600);
  });

  it('offers no local way in: no listening socket, and nothing for a non-root user to use', async () => {
    const pid = agent!.child.pid!;
    const socketInodes = new Set(
      fs
        .readdirSync(`/proc/${pid}/fd`)
        .map((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1])
        .filter((inode): inode is string => inode !== undefined),
    );
    expect(socketInodes.size).toBeGreaterThan(0); // its connection to the hub
    const listening: string[] = [];
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
      for (const line of fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        const [state, inode] = [fields[3], fields[9]];
        if (inode && socketInodes.has(inode) && (table.startsWith('udp') || state === '0A'))
          listening.push(`${table} ${line.trim()}`);
      }
    }
    for (const line of fs.readFileSync(`/proc/${pid}/net/unix`, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [flags, inode] = [fields[3], fields[6]];
      if (inode && socketInodes.has(inode) && flags === '00010000') listening.push(`unix ${line.trim()}`);
    }
    expect(listening).toEqual([]);

    // A non-root user can run the program but not read the credential, so it gets nowhere.
    const asNobody = await run(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        `${root}${INSTALLED.bundle}`,
        'status',
        '--config',
        `${root}${INSTALLED.config}`,
      ],
      { PATH: process.env.PATH },
    );
    expect(asNobody.status).toBe(1);
    expect(asNobody.stderr).toContain('is readable by root only: run this as root');
  });

  it('refuses to run with a configuration other users could read', async () => {
    await agent!.stop();
    const configFile = path.join(root, INSTALLED.config);
    fs.chmodSync(configFile, 0o644);
    const refused = await run(
      process.execPath,
      [path.join(root, INSTALLED.bundle), 'run', '--config', configFile],
      { PATH: process.env.PATH },
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`Fix it with: sudo chmod 600 ${configFile}`);
    fs.chmodSync(configFile, 0o600);
  });

  it('is removed by kidtime-agent uninstall, the credential only with --purge, and twice is harmless', async () => {
    const uninstall = (bundle: string, ...args: string[]) =>
      run(process.execPath, [bundle, 'uninstall', '--root', root, ...args], { PATH: process.env.PATH });

    const first = await uninstall(path.join(root, INSTALLED.bundle)); // the installed agent removes itself
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    for (const file of [INSTALLED.unit, INSTALLED.wrapper, INSTALLED.bundle, '/usr/local/lib/kidtime'])
      expect(first.stdout).toContain(`removed ${path.join(root, file)}`);
    expect(fs.existsSync(path.join(root, INSTALLED.config))).toBe(true);

    const purge = await uninstall(AGENT_BUNDLE, '--purge');
    expect(purge.status).toBe(0);
    expect(purge.stdout).toContain(`removed ${path.join(root, INSTALLED.configDir)}`);
    const again = await uninstall(AGENT_BUNDLE, '--purge');
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain('removed');

    const left = Object.entries(listTree(root))
      .filter(([, mode]) => !mode.startsWith('755 '))
      .map(([file]) => file);
    expect(left).toEqual([]); // only empty directories such as /usr/local/bin remain
  });
});

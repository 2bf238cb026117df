import fs from 'node:fs';
import path from 'node:path';
import { AgentConfigError } from './config';
import { Systemctl, type ServiceManager } from './systemctl';

/** Where install.sh puts things (paths on the PC; a scratch root is prefixed to all of them). */
export const INSTALLED = {
  unitName: 'kidtime-agent.service',
  unit: '/etc/systemd/system/kidtime-agent.service',
  wantsLink: '/etc/systemd/system/multi-user.target.wants/kidtime-agent.service',
  wrapper: '/usr/local/bin/kidtime-agent',
  libDir: '/usr/local/lib/kidtime',
  bundle: '/usr/local/lib/kidtime/kidtime-agent.cjs',
  configDir: '/etc/kidtime',
  stateDir: '/var/lib/kidtime',
} as const;
/** The first lines of the wrapper install.sh writes: any other /usr/local/bin/kidtime-agent is left alone. */
const WRAPPER_MARK = '# Installed by the Kidtime installer';

export interface UninstallOptions {
  /** `/` for this PC, or the scratch root install.sh was given as KIDTIME_ROOT. */
  root: string;
  /** The configuration's path on the PC (inside `root`). */
  configPath: string;
  /** Also remove the configuration (the device credential) and the state directory. */
  purge: boolean;
  /** systemd when it runs the PC; null otherwise (then only files are removed). */
  services: ServiceManager | null;
  print: (line: string) => void;
}

/** `kidtime-agent uninstall`: undoes install.sh step by step, printing each; running it twice is harmless. */
export async function uninstall(options: UninstallOptions): Promise<void> {
  const { services, print } = options;
  const at = (file: string) => path.join(options.root, file);
  const systemctl = async (...args: string[]) => {
    print(`$ systemctl ${args.join(' ')}`);
    try {
      await services?.systemctl(args);
    } catch (error) {
      print(`  systemctl said: ${(error as Error).message} (carrying on)`);
    }
  };
  const remove = (file: string, how: { recursive?: boolean } = {}) => {
    // lstat, not exists: a dangling symlink (e.g. the enable link) is still something to remove.
    if (!fs.lstatSync(file, { throwIfNoEntry: false })) return print(`not there: ${file}`);
    fs.rmSync(file, { force: true, recursive: how.recursive ?? false });
    print(`removed ${file}`);
  };
  const removeIfEmpty = (dir: string) => {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) remove(dir, { recursive: true });
  };

  if (services) await systemctl('disable', '--now', INSTALLED.unitName);
  else print('not asking systemd to stop the agent (systemd is not running, or --root was given)');
  remove(at(INSTALLED.unit));
  remove(at(INSTALLED.wantsLink));
  if (services) await systemctl('daemon-reload');

  const wrapper = at(INSTALLED.wrapper);
  if (fs.existsSync(wrapper) && !fs.readFileSync(wrapper, 'utf8').includes(WRAPPER_MARK))
    print(`left ${wrapper} alone: the Kidtime installer did not write it`);
  else remove(wrapper);
  remove(at(INSTALLED.bundle));
  removeIfEmpty(at(INSTALLED.libDir));

  const config = at(options.configPath);
  if (options.purge) {
    remove(config);
    // install.sh's own directory goes with everything in it (the agent keeps its state there too).
    if (path.dirname(options.configPath) === INSTALLED.configDir)
      remove(at(INSTALLED.configDir), { recursive: true });
    else removeIfEmpty(path.dirname(config));
    remove(at(INSTALLED.stateDir), { recursive: true });
  } else {
    print(`kept ${config} (this PC's credential) and ${at(INSTALLED.stateDir)}: --purge removes them`);
  }
  print(
    'The Kidtime agent is uninstalled. Also delete this PC in Kidtime, so that its credential stops working.',
  );
}

/** The command line's entry: checks who runs it and where, then uninstalls. */
export async function uninstallCommand(options: {
  root: string;
  configPath: string;
  purge: boolean;
}): Promise<number> {
  if (!path.isAbsolute(options.root))
    throw new AgentConfigError(`--root must be an absolute path, got "${options.root}"`);
  const root = path.resolve(options.root);
  if (root === '/' && process.getuid?.() !== 0)
    throw new AgentConfigError('uninstall must run as root: sudo kidtime-agent uninstall');
  await uninstall({
    root,
    configPath: options.configPath,
    purge: options.purge,
    services: root === '/' ? Systemctl.ifRunning() : null,
    print: (line) => console.log(line),
  });
  return 0;
}

/**
 * Fills the agent's installer template (agent/install/install.sh) with the hub's address, a one-time enrollment
 * code and the systemd unit (agent/systemd/kidtime-agent.service). The result is piped into `sudo sh` on a
 * child's PC, so every value is checked against a narrow alphabet first and then single-quoted.
 */

import { shellQuote } from '../common/shell-quote';

/** What an enrollment code may look like (the code itself is checked when the agent enrolls, not here). */
const CODE = /^[0-9A-Za-z-]{4,64}$/;
/** What a hub address may look like once normalised by URL: no quotes, spaces, `$`, backslashes or newlines. */
const HUB_URL = /^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~%/-]*)?$/;
const UNIT_END = 'KIDTIME_UNIT_END';
const PLACEHOLDERS = {
  hub: '__KIDTIME_HUB__',
  code: '__KIDTIME_CODE__',
  unit: '__KIDTIME_UNIT__',
} as const;

export class InstallScriptError extends Error {
  override readonly name = 'InstallScriptError';
}

/** The code from `?code=`, or an error saying what is wrong with it. */
export function parseInstallCode(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new InstallScriptError(
      'install.sh needs ?code=CODE: create an enrollment code in Kidtime (Devices, Add a PC)',
    );
  if (!CODE.test(value))
    throw new InstallScriptError('This is not an enrollment code: use the install command Kidtime shows');
  return value;
}

/** The hub's address as the script will use it (no trailing slash), refusing anything unusual. */
export function parseHubUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InstallScriptError(`The hub address "${value}" is not a URL; set PUBLIC_URL`);
  }
  const normalised = `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  if (url.username || url.password || url.search || url.hash || !HUB_URL.test(normalised))
    throw new InstallScriptError(
      `The hub address "${value}" cannot be used in an install script; set PUBLIC_URL to a plain http(s) address`,
    );
  return normalised;
}

/** The one-line install command a parent pastes on the child's PC. */
export function installCommand(hubUrl: string, code: string): string {
  return `curl -fsSL ${shellQuote(`${parseHubUrl(hubUrl)}/install.sh?code=${parseInstallCode(code)}`)} | sudo sh`;
}

export interface InstallScriptSources {
  /** agent/install/install.sh */
  template: string;
  /** agent/systemd/kidtime-agent.service */
  unit: string;
}

/** The installer for one hub and one code. Throws InstallScriptError for a bad value or a broken template. */
export function renderInstallScript(sources: InstallScriptSources, hubUrl: string, code: string): string {
  const values: Record<keyof typeof PLACEHOLDERS, string> = {
    hub: shellQuote(parseHubUrl(hubUrl)),
    code: shellQuote(parseInstallCode(code)),
    unit: sources.unit.replace(/\n+$/, ''),
  };
  // The unit goes into a quoted here-document: nothing in it is expanded, it only must not end it early.
  if (values.unit.split('\n').includes(UNIT_END) || values.unit.includes('__KIDTIME_'))
    throw new InstallScriptError('The systemd unit cannot be embedded in the install script');
  let script = sources.template;
  for (const [key, placeholder] of Object.entries(PLACEHOLDERS) as [keyof typeof PLACEHOLDERS, string][]) {
    const parts = script.split(placeholder);
    if (parts.length !== 2)
      throw new InstallScriptError(`The install script template must hold ${placeholder} exactly once`);
    script = parts.join(values[key]);
  }
  return script;
}

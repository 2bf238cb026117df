import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  InstallScriptError,
  installCommand,
  parseHubUrl,
  parseInstallCode,
  renderInstallScript,
} from './install-script';

const AGENT = path.resolve(__dirname, '../../../agent');
const sources = {
  template: fs.readFileSync(path.join(AGENT, 'install/install.sh'), 'utf8'),
  unit: fs.readFileSync(path.join(AGENT, 'systemd/kidtime-agent.service'), 'utf8'),
};
const CODE = 'ABCD-EFGH-JKMN-PQRS';

/** Runs the rendered script with its last line (the call that installs) replaced by `instead`. */
function runInstead(script: string, instead: string): string {
  const lines = script.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toBe('kidtime_install "$@"');
  lines[lines.length - 1] = instead;
  return execFileSync('/bin/sh', ['-c', lines.join('\n')], { encoding: 'utf8' });
}

describe('install script', () => {
  it('fills in the hub, the code and the unit, and stays valid POSIX sh', () => {
    const script = renderInstallScript(sources, 'http://hub.home:8080/', CODE);
    expect(script).not.toContain('__KIDTIME_');
    expect(script).toContain(`  HUB='http://hub.home:8080'\n  CODE='${CODE}'\n`);
    execFileSync('/bin/sh', ['-n', '-c', script]); // dash: no bash-isms get through
    expect(runInstead(script, 'write_unit')).toBe(sources.unit);
  });

  it('accepts only codes from the enrollment-code alphabet', () => {
    expect(parseInstallCode(CODE.toLowerCase())).toBe(CODE.toLowerCase());
    expect(parseInstallCode('ABCDEFGHJKMNPQRS')).toBe('ABCDEFGHJKMNPQRS');
    for (const bad of ["AB'CD", '$(reboot)', 'ABCD EFGH', 'ABCD;id', 'AB\nCD', 'x'.repeat(65), 'AB']) {
      expect(() => parseInstallCode(bad)).toThrow('not an enrollment code');
    }
    for (const missing of [undefined, '', ['ABCD-EFGH', 'X'], { a: 1 }]) {
      expect(() => parseInstallCode(missing)).toThrow('install.sh needs ?code=CODE');
    }
  });

  it('accepts plain http(s) hub addresses only, without a trailing slash', () => {
    expect(parseHubUrl('http://192.168.1.5:8080')).toBe('http://192.168.1.5:8080');
    expect(parseHubUrl('https://kids.example.org/kidtime/')).toBe('https://kids.example.org/kidtime');
    expect(parseHubUrl('http://[::1]:8080/')).toBe('http://[::1]:8080');
    expect(parseHubUrl('http://hub/a"b c')).toBe('http://hub/a%22b%20c'); // URL encodes these itself
    for (const bad of [
      "http://hub/x'$(id)'",
      'http://hub/$HOME',
      'ftp://hub',
      'http://mum:secret@hub',
      'http://hub/?x=1',
      'http://hub/#x',
      'hub:8080',
    ]) {
      expect(() => parseHubUrl(bad)).toThrow(InstallScriptError);
    }
  });

  it('refuses a template without each placeholder exactly once, or a unit that would end the here-document', () => {
    expect(() =>
      renderInstallScript(
        { ...sources, template: sources.template.replace('__KIDTIME_CODE__', 'x') },
        'http://h',
        CODE,
      ),
    ).toThrow('__KIDTIME_CODE__ exactly once');
    expect(() =>
      renderInstallScript(
        { ...sources, unit: `${sources.unit}KIDTIME_UNIT_END\nrm -rf /\n` },
        'http://h',
        CODE,
      ),
    ).toThrow('cannot be embedded');
  });

  it('gives the one-line install command, quoted', () => {
    expect(installCommand('http://hub.home:8080/', CODE)).toBe(
      `curl -fsSL 'http://hub.home:8080/install.sh?code=${CODE}' | sudo sh`,
    );
    expect(() => installCommand("http://hub/'", CODE)).toThrow(InstallScriptError);
  });

  it('stops before doing anything when it is the unfilled template', () => {
    const lines = sources.template.trimEnd().split('\n');
    const run = spawnSync('/bin/sh', ['-c', lines.join('\n')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('This is the installer template');
    expect(run.stdout).toBe('');
  });
});

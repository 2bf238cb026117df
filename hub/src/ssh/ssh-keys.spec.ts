import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeHostKey, generateHubSshKey } from './ssh-keys';

describe('describeHostKey', () => {
  it('gives the algorithm and the fingerprint exactly as ssh-keygen -lf prints them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-hostkey-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'key')]);
      const [algorithm, base64] = fs.readFileSync(path.join(dir, 'key.pub'), 'utf8').split(' ');
      const printed = execFileSync('ssh-keygen', ['-lf', path.join(dir, 'key.pub')], { encoding: 'utf8' });
      const info = describeHostKey(Buffer.from(base64!, 'base64'));
      expect(info.algorithm).toBe(algorithm);
      expect(printed.split(' ')[1]).toBe(info.fingerprint);
      expect(info.key).toBe(base64);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not trust a malformed key blob for its name', () => {
    expect(describeHostKey(Buffer.from([0xff, 0xff, 0xff, 0xff, 1])).algorithm).toBe('unknown');
  });

  it('makes a key pair whose public half is one authorized_keys entry', () => {
    const pair = generateHubSshKey('kidtime-hub@test');
    expect(pair.publicKey).toMatch(/^ssh-ed25519 \S+ kidtime-hub@test$/);
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installedTimekprVersion } from './timekpr-version';

describe('installedTimekprVersion', () => {
  it('reads the installed Timekpr-nExT version (the test machine has it installed)', () => {
    expect(installedTimekprVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('is null when the file is missing or holds no version', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-version-'));
    const file = path.join(dir, 'constants.py');
    expect(installedTimekprVersion(file)).toBeNull();
    fs.writeFileSync(file, 'TK_DEV_ACTIVE = False\n');
    expect(installedTimekprVersion(file)).toBeNull();
    fs.writeFileSync(file, 'TK_VERSION = "0.5.4"\n');
    expect(installedTimekprVersion(file)).toBe('0.5.4');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

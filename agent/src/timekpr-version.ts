import fs from 'node:fs';

const VERSION_FILE = '/usr/lib/python3/dist-packages/timekpr/common/constants/constants.py';

/** The installed Timekpr-nExT version (timekpra has no --version), or null when it cannot be found. */
export function installedTimekprVersion(file = VERSION_FILE): string | null {
  try {
    const match = fs.readFileSync(file, 'utf8').match(/^TK_VERSION\s*=\s*["']([^"']+)["']/m);
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}

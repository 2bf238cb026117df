import type { ManagedUserState } from './user-state';

/** Why a timekpra call did not do what was asked. `timekpra` always exits 0, so this comes from its text. */
export type TimekprErrorKind =
  | 'user-not-found'
  | 'invalid-parameter'
  | 'daemon-unreachable'
  | 'busy'
  | 'incorrect-command'
  | 'unexpected-output'
  | 'verification-failed'
  | 'partial'
  | 'exec-failed';

export class TimekprError extends Error {
  override readonly name = 'TimekprError';
  constructor(
    readonly kind: TimekprErrorKind,
    message: string,
    /** What timekpr shows after the failed attempt, when it could still be read. */
    readonly state: ManagedUserState | null = null,
  ) {
    super(message);
  }
}

/** Lines timekpra prints that never mean anything to us (timing warnings from its D-Bus client). */
const NOISE = /^(WARNING|FYI): PERFORMANCE \(DBUS\)/;

/** The lines of timekpra's stdout that carry meaning: trimmed, no blanks, no timing warnings. */
export function meaningfulLines(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !NOISE.test(line));
}

const KNOWN_ERRORS: ReadonlyArray<[RegExp, TimekprErrorKind]> = [
  [/configuration is not found|user .* not found|does not exist/i, 'user-not-found'],
  [/PARAMETER PARSE ERROR|is not correct|can be one of these/, 'invalid-parameter'],
  [
    /FAILED to obtain connection|Failed to connect|connection to timekpr|UNEXPECTED ERROR: .*DBus/i,
    'daemon-unreachable',
  ],
  [/is already running for user/, 'busy'],
  [/The command is incorrect/, 'incorrect-command'],
];

/** Turns whatever timekpra printed instead of the expected answer into a typed error carrying its text. */
export function timekpraError(lines: readonly string[]): TimekprError {
  // The first lines say what went wrong; "command is incorrect" is followed by the whole usage text.
  const text = lines.slice(0, 2).join(' ').slice(0, 500) || 'timekpra printed nothing';
  for (const [pattern, kind] of KNOWN_ERRORS) {
    if (pattern.test(text)) return new TimekprError(kind, text);
  }
  return new TimekprError('unexpected-output', `timekpra answered unexpectedly: ${text}`);
}

/** A setter succeeds silently; anything it prints is its error message. */
export function expectSilentSuccess(stdout: string): void {
  const lines = meaningfulLines(stdout);
  if (lines.length > 0) throw timekpraError(lines);
}

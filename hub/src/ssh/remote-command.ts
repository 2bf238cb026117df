import { timekpraPathSchema } from '@kidtime/protocol';
import { shellQuote } from '../common/shell-quote';

/**
 * Untranslated output whatever the SSH user's locale (Python's gettext reads LANGUAGE first). `env` is a
 * program, so this works under any login shell; the guard script on the PC accepts exactly this prefix.
 */
export const LOCALE_PREFIX = ['env', '-u', 'LANGUAGE', 'LANG=C', 'LC_ALL=C'] as const;

/** timekpra's subcommands the hub uses, with their number of arguments (as the guard on the PC checks them). */
const SUBCOMMANDS: Readonly<Record<string, number>> = {
  '--userlist': 0,
  '--userinfo': 1,
  '--setalloweddays': 2,
  '--setallowedhours': 3,
  '--settimelimits': 2,
  '--settimelimitweek': 2,
  '--settimelimitmonth': 2,
  '--settrackinactive': 2,
  '--sethidetrayicon': 2,
  '--setlockouttype': 2,
  '--settimeleft': 3,
  '--setplaytimeenabled': 2,
  '--setplaytimelimitoverride': 2,
  '--setplaytimeunaccountedintervalsflag': 2,
  '--setplaytimealloweddays': 2,
  '--setplaytimelimits': 2,
  '--setplaytimeactivities': 2,
  '--setplaytimeleft': 3,
};

const MAX_WORD = 4096;

export class RemoteCommandError extends Error {
  override readonly name = 'RemoteCommandError';
}

/**
 * The command line the hub sends over SSH for one timekpra call. The words come from the allow-listed
 * operations (validated logins, numbers, fixed option names); they are checked once more here and each one is
 * single-quoted, so the PC's shell sees exactly these words and nothing it could expand or run.
 */
export function timekpraCommandLine(timekpraPath: string, args: readonly string[]): string {
  const path = timekpraPathSchema.safeParse(timekpraPath);
  if (!path.success) throw new RemoteCommandError(`not a timekpra path: ${JSON.stringify(timekpraPath)}`);
  const [subcommand, ...rest] = args;
  const arity = subcommand === undefined ? undefined : SUBCOMMANDS[subcommand];
  if (arity === undefined)
    throw new RemoteCommandError(`not a timekpra subcommand Kidtime sends: ${JSON.stringify(subcommand)}`);
  if (rest.length !== arity)
    throw new RemoteCommandError(`${subcommand} takes ${arity} argument(s), not ${rest.length}`);
  for (const word of rest) {
    // eslint-disable-next-line no-control-regex
    if (typeof word !== 'string' || word.length > MAX_WORD || /[\u0000-\u001f\u007f]/.test(word))
      throw new RemoteCommandError(
        `refusing an argument with control characters or over ${MAX_WORD} characters`,
      );
  }
  return [...LOCALE_PREFIX, path.data, subcommand!, ...rest].map(shellQuote).join(' ');
}

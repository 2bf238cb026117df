import type { AuditEntryView } from '@kidtime/protocol';
import { duration } from './format';

/**
 * The audit log in a parent's words: "mum added 15 min for Ana on Kitchen PC". The hub records actions as
 * codes (`time.add`) with their arguments; this maps the ones it writes today to sentences and falls back to
 * the code for anything newer, so a new action is still listed, just less nicely.
 */

/** Names the hub's ids stand for, as the app knows them now. */
export interface AuditNames {
  device(deviceId: string): string | undefined;
  /** The child a login on a PC belongs to. */
  childOfLogin(deviceId: string | null, login: string): string | undefined;
  child(childId: string): string | undefined;
}

export interface AuditText {
  sentence: string;
  /** The result in words: "applied", "refused", …; empty when there is nothing to add. */
  outcome: string;
  /** Refused, failed or not applied: shown highlighted with the hub's message. */
  problem: boolean;
}

/** Channels the hub records, for the filter and each entry's line. */
export const CHANNELS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'ui', label: 'Web app or API' },
  { value: 'system', label: 'Kidtime itself' },
  { value: 'agent', label: "A PC's agent" },
  { value: 'cli', label: "The hub's command line" },
  { value: 'home-assistant', label: 'Home Assistant' },
  { value: 'api-token', label: 'API token' },
  { value: 'ssh', label: 'SSH' },
];

/** Action filters; the hub matches an action by its beginning, so `time.` is every time change. */
export const ACTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'time.', label: 'Time changes (all)' },
  { value: 'time.add', label: 'Time added' },
  { value: 'time.subtract', label: 'Time taken away' },
  { value: 'time.set', label: 'Time set or locked' },
  { value: 'schedule.set', label: 'Schedule changes' },
  { value: 'playtime.set', label: 'PlayTime changes' },
  { value: 'auth.', label: 'Sign-ins, sign-outs, lockouts' },
  { value: 'account.', label: 'Accounts and passwords' },
  { value: 'api-token.', label: 'API tokens' },
  { value: 'child.', label: 'Children' },
  { value: 'device.', label: 'PCs added, renamed, removed' },
  { value: 'enrollment.', label: 'Codes to add a PC' },
  { value: 'home-assistant.login.', label: "Home Assistant's MQTT login" },
];

export function channelLabel(channel: string): string {
  return CHANNELS.find((c) => c.value === channel)?.label ?? channel;
}

const METHODS: Record<string, string> = {
  local: 'with a password',
  ldap: 'through the directory (LDAP)',
  oidc: 'through the identity provider',
  proxy: 'through the reverse proxy',
};

const OUTCOMES: Record<string, string> = {
  queued: 'queued: the PC is offline',
  applied: 'applied',
  failed: 'failed',
  expired: 'not applied',
  refused: 'refused',
};
const PROBLEMS = new Set(['failed', 'expired', 'refused']);

export function describeAudit(entry: AuditEntryView, names: AuditNames): AuditText {
  const details = entry.details ?? {};
  const text = (name: string): string | undefined =>
    typeof details[name] === 'string' ? (details[name] as string) : undefined;
  const number = (name: string): number | undefined =>
    typeof details[name] === 'number' ? (details[name] as number) : undefined;
  const who = entry.actor.type === 'system' ? 'Kidtime' : entry.actor.name;
  const pc = entry.deviceId ? (names.device(entry.deviceId) ?? 'a removed PC') : undefined;
  const kid = entry.login ? (names.childOfLogin(entry.deviceId, entry.login) ?? entry.login) : undefined;
  const onPc = pc ? ` on ${pc}` : '';

  // A command: the parent's request ("mum added …"), and later the PC's outcome, written by the hub itself.
  const command = commandPhrase(entry.action, kid ?? 'a child', number('seconds'));
  if (command) {
    const outcome =
      entry.result === 'ok' ? (entry.commandId ? 'sent to the PC' : '') : (OUTCOMES[entry.result] ?? entry.result);
    const sentence =
      entry.actor.type === 'system'
        ? `${capitalise(command.request)}${onPc}`
        : `${who} ${command.done}${onPc}`;
    return { sentence, outcome, problem: PROBLEMS.has(entry.result) };
  }

  const outcome = entry.result === 'ok' ? '' : (OUTCOMES[entry.result] ?? entry.result);
  const problem = PROBLEMS.has(entry.result);
  const tried = (done: string, attempted: string) => (problem ? attempted : done);
  const sentence = ((): string => {
    switch (entry.action) {
      case 'auth.login': {
        const method = METHODS[text('method') ?? ''];
        const via = method ? ` ${method}` : '';
        return tried(`${who} signed in${via}`, `Someone tried to sign in as ${who}${via}`);
      }
      case 'auth.lockout':
        return `Sign-in as ${who} was locked for a while after repeated wrong passwords`;
      case 'auth.logout': {
        const others = entry.details?.others;
        if (typeof others === 'number') return `${who} signed out their ${others} other device(s)`;
        return entry.details?.current === false ? `${who} signed out one of their devices` : `${who} signed out`;
      }
      case 'api-token.create':
        return `${who} created the API token ${text('name') ?? ''} (${text('scope') ?? '?'})`;
      case 'api-token.revoke':
        return `${who} revoked the API token ${text('name') ?? ''}`;
      case 'account.password':
        return tried(`${who} changed their password`, `${who} tried to change their password`);
      case 'account.setup':
        return `${who} set up Kidtime (owner account)`;
      case 'account.create':
        return `${who} created the account ${text('username') ?? ''} (${text('role') ?? 'role unknown'})`;
      case 'account.role':
        return `${who} changed the role of ${text('username') ?? 'an account'} from ${text('from') ?? '?'} to ${text('to') ?? '?'}`;
      case 'account.remove':
        return `${who} removed the account ${text('username') ?? ''}`;
      case 'account.totp': {
        const change = text('change');
        const other = text('username');
        if (change === 'recovery-code') return `${who} signed in with a recovery code (${entry.details?.left ?? '?'} left)`;
        if (change === 'recovery-codes') return tried(`${who} made new recovery codes`, `${who} tried to make new recovery codes`);
        if (change === 'disabled' && other) return `${who} turned off two-step sign-in for ${other}`;
        if (change === 'enabled' || change === 'enable') return tried(`${who} turned on two-step sign-in`, `${who} tried to turn on two-step sign-in`);
        if (change === 'disabled' || change === 'disable') return tried(`${who} turned off two-step sign-in`, `${who} tried to turn off two-step sign-in`);
        return tried(`${who} started setting up two-step sign-in`, `${who} tried to set up two-step sign-in`);
      }
      case 'settings.second-factor':
        return entry.details?.required
          ? `${who} now requires two-step sign-in for everyone with a password`
          : `${who} no longer requires two-step sign-in`;
      case 'child.create':
        return `${who} added the child ${text('name') ?? ''}`;
      case 'child.update': {
        const id = text('id');
        const known = id ? names.child(id) : undefined;
        const renamed = text('name');
        const members = 'members' in details;
        if (renamed && members) return `${who} renamed a child to ${renamed} and changed their logins`;
        if (renamed) return `${who} renamed a child to ${renamed}`;
        return `${who} changed the logins of ${known ?? 'a child'}`;
      }
      case 'child.remove':
        return `${who} removed the child ${text('name') ?? ''}`;
      case 'enrollment.create': {
        const name = text('deviceName');
        return `${who} made a code to add a PC${name ? ` (${name})` : ''}`;
      }
      case 'device.enroll':
        return `${text('name') ?? who} joined as a new PC`;
      case 'device.rename':
        return `${who} renamed the PC ${text('from') ?? ''} to ${text('to') ?? ''}`;
      case 'device.revoke':
        return `${who} removed the PC ${text('name') ?? pc ?? ''}`;
      case 'home-assistant.login.create':
        return `${who} created Home Assistant's MQTT login`;
      case 'home-assistant.login.replace':
        return `${who} gave Home Assistant's MQTT login a new password`;
      case 'home-assistant.login.remove':
        return `${who} removed Home Assistant's MQTT login`;
      default:
        return `${who}: ${entry.action}${kid ? ` for ${kid}` : ''}${onPc}`;
    }
  })();
  return { sentence: sentence.replace(/\s+/g, ' ').trim(), outcome, problem };
}

/** "added 15 min for Ana" (what a parent did) and "add 15 min for Ana" (what the PC was asked to do). */
function commandPhrase(
  action: string,
  kid: string,
  seconds: number | undefined,
): { done: string; request: string } | null {
  const amount = seconds === undefined ? 'time' : duration(seconds);
  switch (action) {
    case 'time.add':
      return { done: `added ${amount} for ${kid}`, request: `add ${amount} for ${kid}` };
    case 'time.subtract':
      return { done: `took ${amount} away from ${kid}`, request: `take ${amount} away from ${kid}` };
    case 'time.set':
      return seconds === 0
        ? { done: `locked ${kid} out for today`, request: `lock ${kid} out for today` }
        : {
            done: `set ${kid}'s time left today to ${amount}`,
            request: `set ${kid}'s time left today to ${amount}`,
          };
    case 'schedule.set':
      return { done: `changed ${kid}'s schedule`, request: `change ${kid}'s schedule` };
    case 'playtime.set':
      return { done: `changed ${kid}'s PlayTime`, request: `change ${kid}'s PlayTime` };
    case 'refreshState':
      return { done: `asked for ${kid}'s state`, request: `read ${kid}'s state` };
    default:
      return null;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The hub's `from`/`to` filter (an instant, `to` excluded) for whole local days, either end optional. */
export function dayRange(from: string, to: string): { from?: string; to?: string } {
  const start = (day: string) => {
    const [year, month, date] = day.split('-').map(Number);
    return new Date(year ?? 1970, (month ?? 1) - 1, date ?? 1);
  };
  const range: { from?: string; to?: string } = {};
  if (from) range.from = start(from).toISOString();
  if (to) {
    const end = start(to);
    end.setDate(end.getDate() + 1);
    range.to = end.toISOString();
  }
  return range;
}

import { z } from 'zod';
import { loginSchema, secondsSchema, timeAdjustModeSchema, type TimeAdjustMode } from '../common';
import { playtimeMismatches, playtimeSteps, setPlaytimeOpSchema } from './playtime';
import { scheduleMismatches, scheduleSteps, setScheduleOpSchema } from './schedule';
import type { SettingsPlan } from './settings';

/**
 * The allow-list of operations a hub may ask for. Each one maps to exactly one fixed timekpra option;
 * arguments are validated here and passed as separate argv entries, never through a shell.
 */
export const adjustTimeOpSchema = z.object({
  op: z.literal('adjustTime'),
  args: z.strictObject({
    login: loginSchema,
    mode: timeAdjustModeSchema,
    seconds: secondsSchema,
  }),
});

export const refreshStateOpSchema = z.object({
  op: z.literal('refreshState'),
  args: z.strictObject({}),
});

export const operationSchema = z.discriminatedUnion('op', [
  adjustTimeOpSchema,
  setScheduleOpSchema,
  setPlaytimeOpSchema,
  refreshStateOpSchema,
]);
export type Operation = z.infer<typeof operationSchema>;
export type OperationName = Operation['op'];

const SET_TIME_LEFT_SIGN: Record<TimeAdjustMode, string> = { add: '+', subtract: '-', set: '=' };

/** The timekpra argv for a write operation, or null for operations that only read. */
export function timekpraWriteArgs(operation: Operation): string[] | null {
  switch (operation.op) {
    case 'adjustTime': {
      const { login, mode, seconds } = operation.args;
      return ['--settimeleft', login, SET_TIME_LEFT_SIGN[mode], String(seconds)];
    }
    case 'setSchedule':
    case 'setPlaytime':
      return null; // several timekpra calls: see settingsPlan()
    case 'refreshState':
      return null;
  }
}

/** How to apply and check a settings change (several timekpra calls), or null for other operations. */
export function settingsPlan(operation: Operation): SettingsPlan | null {
  if (operation.op === 'setSchedule') {
    const { login, ...change } = operation.args;
    return {
      login,
      needsCurrentState: change.limits !== undefined && change.allowedDays === undefined,
      steps: (current) => scheduleSteps(login, change, current?.allowedWeekdays ?? []),
      mismatches: (after) => scheduleMismatches(change, after),
    };
  }
  if (operation.op === 'setPlaytime') {
    const { login, ...change } = operation.args;
    return {
      login,
      needsCurrentState: change.limits !== undefined && change.allowedDays === undefined,
      steps: (current) => playtimeSteps(login, change, current?.playtime.allowedWeekdays ?? []),
      mismatches: (after) => playtimeMismatches(change, after),
    };
  }
  return null;
}

/** The login an operation is about, when it is about one user. */
export function operationLogin(operation: Operation): string | null {
  return operation.op === 'refreshState' ? null : operation.args.login;
}

export function userinfoArgs(login: string): string[] {
  return ['--userinfo', loginSchema.parse(login)];
}

export const USERLIST_ARGS: readonly string[] = ['--userlist'];

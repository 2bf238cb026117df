import { z } from 'zod';
import { isoDateTimeSchema, loginSchema } from './common';

/**
 * Usage records: what a child actually used, per login, per day of the PC's local calendar. A record is
 * the agent's whole picture of one login-day (totals, active intervals, when time ran out), not an increment,
 * so delivering it twice changes nothing; `seq` orders the pictures of one agent, `epoch` names that agent's
 * memory (a reinstalled agent starts a new epoch and its seq numbers start again).
 */

/** `YYYY-MM-DD`. */
export const daySchema = z.iso.date();

/** Two days of seconds: timekpr's live counters are not clamped, and a day with a clock change is longer. */
const daySecondsSchema = z
  .number()
  .int()
  .min(0)
  .max(2 * 86_400);

export const usageIntervalSchema = z
  .object({ start: isoDateTimeSchema, end: isoDateTimeSchema })
  .refine((i) => Date.parse(i.start) <= Date.parse(i.end), 'start must not be after end');
export type UsageInterval = z.infer<typeof usageIntervalSchema>;

/** One active stretch every five minutes of a day, and then some. */
export const MAX_INTERVALS_PER_DAY = 300;
export const MAX_RAN_OUT_PER_DAY = 50;

export const usageRecordSchema = z.object({
  epoch: z.uuid(),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  login: loginSchema,
  day: daySchema,
  /** The PC's IANA time zone that day. */
  timezone: z.string().min(1).max(64),
  /** Seconds used that day, as timekpr counts them (its live value while the child is logged in). */
  spentSeconds: daySecondsSchema,
  /** PlayTime seconds used that day, null when timekpr does not report PlayTime. */
  playtimeSeconds: daySecondsSchema.nullable(),
  /** When the child was seen logged in, sampled: each interval runs from the first to the last sample. */
  intervals: z.array(usageIntervalSchema).max(MAX_INTERVALS_PER_DAY),
  /** Each moment the day's time left was seen reaching zero. */
  ranOutAt: z.array(isoDateTimeSchema).max(MAX_RAN_OUT_PER_DAY),
});
export type UsageRecord = z.infer<typeof usageRecordSchema>;

/** Agent → hub, event `usage`. */
export const usageMessageSchema = z.object({ records: z.array(usageRecordSchema).min(1).max(100) });
export type UsageMessage = z.infer<typeof usageMessageSchema>;

/** `GET /api/usage`. */
export const usageQuerySchema = z
  .strictObject({
    childId: z.uuid().optional(),
    deviceId: z.uuid().optional(),
    login: loginSchema.optional(),
    from: daySchema.optional(),
    to: daySchema.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => !q.login || q.deviceId, { message: 'login needs deviceId', path: ['login'] })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usageDaySchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  login: z.string(),
  childId: z.string().nullable(),
  childName: z.string().nullable(),
  day: daySchema,
  timezone: z.string(),
  spentSeconds: z.number().int(),
  playtimeSeconds: z.number().int().nullable(),
  intervals: z.array(usageIntervalSchema),
  ranOutAt: z.array(z.string()),
  updatedAt: z.string(),
});
export type UsageDayView = z.infer<typeof usageDaySchema>;

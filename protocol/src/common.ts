import { z } from 'zod';

/**
 * A Linux login name as timekpr manages it. Deliberately narrower than what some distributions allow:
 * it must not start with "-" (it becomes a timekpra argument) and may not contain "/" (timekpra treats an
 * argument containing "/timekpra" as its own script path and shifts every parameter).
 */
export const loginSchema = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_.-]{0,31}$/,
    'must be a Linux login name: lowercase letters, digits, "_", "." or "-", starting with a letter or "_", at most 32 characters',
  );

/** Seconds in one day: timekpr clamps every time adjustment to this. */
export const SECONDS_PER_DAY = 86_400;

export const secondsSchema = z
  .number()
  .int('must be a whole number of seconds')
  .min(0, 'must not be negative')
  .max(SECONDS_PER_DAY, `must be at most ${SECONDS_PER_DAY} (one day)`);

/** How a time value changes: `+`, `-` or `=` in timekpra's notation. */
export const timeAdjustModeSchema = z.enum(['add', 'subtract', 'set']);
export type TimeAdjustMode = z.infer<typeof timeAdjustModeSchema>;

export const uuidSchema = z.uuid();

export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/** Human-facing names (device names, hostnames): printable, trimmed, bounded. */
export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const versionSchema = z.string().trim().min(1).max(64);

import type { z } from 'zod';

/**
 * A validation failure as one line a person can act on: each problem with the field it concerns
 * (`what` when it concerns the whole input), at most five.
 */
export function describeZodError(error: z.ZodError, what = 'input'): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : what;
      if (issue.code === 'unrecognized_keys') return `${where}: unknown field(s) ${issue.keys.join(', ')}`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

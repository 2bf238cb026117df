import { meaningfulLines } from './errors';

const BUSY = /is already running for user/;

/**
 * timekpra allows one call per OS user at a time: a second prints "already running" and does nothing. Runs
 * `call` again (with a growing pause) while that is all it printed, up to `retries` more times, then returns
 * the last output for the caller to judge.
 */
export async function retryWhileBusy(
  call: () => Promise<string>,
  retries: number,
  onRetry: (attempt: number) => void = () => undefined,
  pauseMs = 150,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const stdout = await call();
    const busy = meaningfulLines(stdout).some((line) => BUSY.test(line));
    if (!busy || attempt > retries) return stdout;
    onRetry(attempt);
    await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
  }
}

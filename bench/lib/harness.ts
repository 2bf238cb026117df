/**
 * What every benchmark needs: a clean-up registry that runs once (last started, first stopped) on success,
 * failure and Ctrl-C; interruptible waits; timeouts; percentiles.
 */
import { sleep } from '../../test/support/processes';

const cleanups: Array<{ what: string; run: () => Promise<unknown> }> = [];
let cleanupPromise: Promise<void> | null = null;
let interrupted: string | null = null;

export function onCleanup(what: string, run: () => Promise<unknown>): void {
  cleanups.push({ what, run });
}

export function cleanUp(): Promise<void> {
  cleanupPromise ??= (async () => {
    for (let step = cleanups.pop(); step; step = cleanups.pop()) {
      try {
        await step.run();
      } catch (error) {
        console.error(`clean-up: stopping ${step.what} failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleanupPromise;
}

/** The signal that interrupted the run, if one did. */
export function interruptedBy(): string | null {
  return interrupted;
}

/** On SIGINT, SIGTERM or SIGHUP: say what is being stopped, clean up once, exit 130. */
export function stopOnSignals(what: string): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = signal;
      console.error(`\n${signal}: stopping ${what}…`);
      void cleanUp().then(() => process.exit(130));
    });
  }
}

/** A bad command line: its message (empty for --help) is printed with the usage text, exit code 2 (0). */
export class UsageError extends Error {}

/** A command-line option's whole number within [min, max], or a UsageError naming the flag and the value. */
export function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} needs a whole number ${min}-${max}, got ${JSON.stringify(value ?? '')}`);
  return n;
}

/**
 * A benchmark's entry point: parses the options (printing the usage on a UsageError), cleans up on signals,
 * runs `main`, reports a failure (with `explain` for more context) and always cleans up.
 */
export function runBenchmark<O>(opts: {
  name: string;
  usage: string;
  stopping: string;
  parse: (argv: string[]) => O;
  main: (options: O) => Promise<void>;
  explain?: () => void;
}): void {
  let options: O;
  try {
    options = opts.parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(error.message);
    console.error(opts.usage);
    process.exit(error.message ? 2 : 0);
  }
  stopOnSignals(opts.stopping);
  opts
    .main(options)
    .catch((error: Error) => {
      if (!interrupted) {
        console.error(`${opts.name} benchmark failed: ${error.stack ?? error.message}`);
        opts.explain?.();
      }
      process.exitCode = interrupted ? 130 : 1;
    })
    .finally(async () => {
      await cleanUp();
      process.exit(); // with process.exitCode; nothing of ours is left running
    });
}

export function checkInterrupted(): void {
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
}

export async function sleepInterruptibly(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    checkInterrupted();
    await sleep(Math.min(250, end - Date.now()));
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function stats(values: number[]): Stats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return {
    n: sorted.length,
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

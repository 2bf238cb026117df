/** Minimal leveled logger to stderr. Under systemd journald adds timestamps, so the caller turns ours off there. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
  timestamps = true,
): Logger {
  const emit = (at: LogLevel, message: string) => {
    if (ORDER[at] > ORDER[level]) return;
    write(`${timestamps ? new Date().toISOString() + ' ' : ''}${at.toUpperCase()} ${message}\n`);
  };
  return {
    error: (message) => emit('error', message),
    warn: (message) => emit('warn', message),
    info: (message) => emit('info', message),
    debug: (message) => emit('debug', message),
  };
}

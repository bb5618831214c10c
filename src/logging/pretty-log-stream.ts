const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields every line has, or that the formatter writes in its own place. */
const OWN_PLACE = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'context', 'trace_id', 'req', 'res']);

/**
 * One pino JSON line as a line a person reads on a terminal:
 * `15:30:00.123 INFO  [Context] message GET /path 200 (1.2 ms) key=value trace_id`.
 * The JSON line has been redacted already; this only rearranges it.
 */
export function formatLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const parts = [time, LEVELS[entry.level as number] ?? String(entry.level)];
  if (typeof entry.context === 'string') parts.push(`[${entry.context}]`);
  if (entry.msg !== undefined) parts.push(typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry.msg));
  const req = entry.req as { method?: string; path?: string } | undefined;
  if (req?.method) parts.push(`${req.method} ${req.path ?? ''}`);
  const res = entry.res as { statusCode?: number } | undefined;
  if (res?.statusCode) parts.push(String(res.statusCode));
  for (const [key, value] of Object.entries(entry)) {
    if (OWN_PLACE.has(key) || value === undefined) continue;
    if (key === 'responseTime' && typeof value === 'number') {
      parts.push(`(${value.toFixed(1)} ms)`);
      continue;
    }
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as { type?: string; message?: string; stack?: string };
      parts.push(`\n${err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`}`);
      continue;
    }
    parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  if (typeof entry.trace_id === 'string') parts.push(entry.trace_id);
  return `${parts.join(' ')}\n`;
}

/** A pino destination that writes each line, made readable, to standard output. */
export const prettyLogStream = {
  write(line: string): void {
    process.stdout.write(formatLogLine(line));
  },
};

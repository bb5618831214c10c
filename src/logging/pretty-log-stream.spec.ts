import { describe, expect, it } from '@jest/globals';
import { formatLogLine } from './pretty-log-stream.js';

const time = Date.UTC(2026, 0, 2, 15, 30, 0, 123);

describe('formatLogLine', () => {
  it('writes time, level, context and message, then the other fields', () => {
    expect(
      formatLogLine(
        JSON.stringify({
          level: 30,
          time,
          pid: 1,
          hostname: 'h',
          context: 'NestApplication',
          msg: 'Nest application successfully started',
        }),
      ),
    ).toBe('15:30:00.123 INFO  [NestApplication] Nest application successfully started\n');
    expect(
      formatLogLine(
        JSON.stringify({
          level: 40,
          time,
          msg: 'authentication failed',
          event: 'authentication_failed',
          ip: '127.0.0.1',
          trace_id: 'req_1',
        }),
      ),
    ).toBe('15:30:00.123 WARN  authentication failed event=authentication_failed ip=127.0.0.1 req_1\n');
  });

  it('writes request lines as method, path, status and time', () => {
    expect(
      formatLogLine(
        JSON.stringify({
          level: 30,
          time,
          trace_id: 'req_2',
          req: { method: 'GET', path: '/health/live' },
          msg: 'incoming request',
        }),
      ),
    ).toBe('15:30:00.123 INFO  incoming request GET /health/live req_2\n');
    expect(
      formatLogLine(
        JSON.stringify({
          level: 30,
          time,
          trace_id: 'req_2',
          res: { statusCode: 200 },
          responseTime: 1.234,
          msg: 'request completed',
        }),
      ),
    ).toBe('15:30:00.123 INFO  request completed 200 (1.2 ms) req_2\n');
  });

  it('passes a line that is not JSON through', () => {
    expect(formatLogLine('plain text')).toBe('plain text\n');
  });
});

import { Controller, Get } from '@nestjs/common';
import { HealthCheckService } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ServiceUnavailableError } from '@users-service/common';
import { OutboxRelay, Public } from '@users-service/users';
import { DatabaseHealthIndicator } from './database.health.js';
import {
  HealthResponseDto,
  LivenessResponseDto,
  type OutboxStatusDto,
  ReadinessResponseDto,
} from './health-response.dto.js';
import { ShutdownState } from './shutdown-state.js';

/** How long readiness waits for `SELECT 1` before calling the database down. */
const DATABASE_PING_TIMEOUT_MS = 1500;

/**
 * Readiness answers from a check at most this old (checks in flight are shared), so a flood of
 * probes costs one `SELECT 1` and one outbox count a second, not one each.
 */
export const READINESS_CACHE_MS = 1000;

interface Check {
  startedAt: number;
  databaseUp: Promise<boolean>;
  outbox: Promise<OutboxStatusDto | null>;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private lastCheck?: Check;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly shutdown: ShutdownState,
    private readonly outbox: OutboxRelay,
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'Liveness',
    description:
      'Whether the process can serve at all. Touches no dependency: it answers 200 even while the database is down, ' +
      'so that an orchestrator does not restart a process that only waits for its database. No API key needed.',
  })
  @ApiOkResponse({ type: LivenessResponseDto, description: 'The process can serve.', example: { status: 'ok' } })
  getLiveness(): LivenessResponseDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness',
    description:
      'Whether the service can serve requests now: the database answers `SELECT 1` within 1.5 s (checked at most ' +
      'once a second), and the service is not shutting down. Otherwise 503 SERVICE_UNAVAILABLE in the error ' +
      'envelope. Also reports the outbox of user events (relay on or off, outage, events waiting), which never ' +
      'makes it fail: requests do not need NATS. No API key needed.',
  })
  @ApiOkResponse({
    type: ReadinessResponseDto,
    description: 'The service runs and its database answers.',
    example: {
      status: 'ok',
      database: 'up',
      outbox: { relay_enabled: true, outage_since: null, pending: 0, oldest_pending_at: null },
    },
  })
  @ApiErrorResponse(
    'The database does not answer, or the service is shutting down.',
    new ServiceUnavailableError('The database does not answer.'),
  )
  async getReadiness(): Promise<ReadinessResponseDto> {
    if (this.shutdown.draining) throw new ServiceUnavailableError('The service is shutting down.');
    const check = this.check();
    if (!(await check.databaseUp)) throw new ServiceUnavailableError('The database does not answer.');
    return { status: 'ok', database: 'up', outbox: await check.outbox };
  }

  @Get()
  @ApiOperation({
    summary: 'Health',
    description: 'The database part of /health/ready, without the outbox (kept for existing clients).',
  })
  @ApiOkResponse({
    type: HealthResponseDto,
    description: 'The service runs and its database answers.',
    example: { status: 'ok', database: 'up' },
  })
  @ApiErrorResponse(
    'The database does not answer, or the service is shutting down.',
    new ServiceUnavailableError('The database does not answer.'),
  )
  async getHealth(): Promise<HealthResponseDto> {
    const { status, database } = await this.getReadiness();
    return { status, database };
  }

  /** The current check, or a new one when the last is older than READINESS_CACHE_MS. */
  private check(): Check {
    const now = Date.now();
    if (this.lastCheck && now - this.lastCheck.startedAt < READINESS_CACHE_MS) return this.lastCheck;
    const databaseUp = this.health.check([() => this.database.pingCheck('database', DATABASE_PING_TIMEOUT_MS)]).then(
      () => true,
      () => false,
    );
    this.lastCheck = { startedAt: now, databaseUp, outbox: this.outboxStatus() };
    return this.lastCheck;
  }

  /** The outbox's state, or null when it cannot be read within the ping's time (readiness still answers 200). */
  private async outboxStatus(): Promise<OutboxStatusDto | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), DATABASE_PING_TIMEOUT_MS);
    });
    try {
      const status = await Promise.race([this.outbox.status(), timeout]);
      if (!status) return null;
      return {
        relay_enabled: status.enabled,
        outage_since: status.outageSince?.toISOString() ?? null,
        pending: status.pending,
        oldest_pending_at: status.oldestPendingAt?.toISOString() ?? null,
      };
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}

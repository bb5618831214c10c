import { Controller, Get } from '@nestjs/common';
import { HealthCheckService } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ServiceUnavailableError } from '@users-service/common';
import { Public } from '@users-service/users';
import { DatabaseHealthIndicator } from './database.health.js';
import { HealthResponseDto, LivenessResponseDto } from './health-response.dto.js';
import { ShutdownState } from './shutdown-state.js';

/** How long readiness waits for `SELECT 1` before calling the database down. */
const DATABASE_PING_TIMEOUT_MS = 1500;

/**
 * Readiness answers from a database check at most this old (checks in flight are shared), so a
 * flood of probes costs one `SELECT 1` a second, not one each.
 */
export const READINESS_CACHE_MS = 1000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly shutdown: ShutdownState,
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
      'envelope. No API key needed.',
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
  async getReadiness(): Promise<HealthResponseDto> {
    if (this.shutdown.draining) throw new ServiceUnavailableError('The service is shutting down.');
    if (!(await this.databaseUp())) throw new ServiceUnavailableError('The database does not answer.');
    return { status: 'ok', database: 'up' };
  }

  @Get()
  @ApiOperation({ summary: 'Health', description: 'The same as /health/ready (kept for existing clients).' })
  @ApiOkResponse({
    type: HealthResponseDto,
    description: 'The service runs and its database answers.',
    example: { status: 'ok', database: 'up' },
  })
  @ApiErrorResponse('The database does not answer.', new ServiceUnavailableError('The database does not answer.'))
  getHealth(): Promise<HealthResponseDto> {
    return this.getReadiness();
  }

  private lastCheck?: { startedAt: number; up: Promise<boolean> };

  private databaseUp(): Promise<boolean> {
    const now = Date.now();
    if (this.lastCheck && now - this.lastCheck.startedAt < READINESS_CACHE_MS) return this.lastCheck.up;
    const up = this.health.check([() => this.database.pingCheck('database', DATABASE_PING_TIMEOUT_MS)]).then(
      () => true,
      () => false,
    );
    this.lastCheck = { startedAt: now, up };
    return up;
  }
}

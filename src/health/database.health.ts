import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Terminus health indicator for the database: up when `SELECT 1` answers within the time given.
 * Terminus's own TypeOrmHealthIndicator does the same, but its attempt machinery (an abort signal,
 * a cache entry and a timeout race per call) cost about 70 µs of CPU per check on top of the query
 * itself (measured): more than the query. This costs a timer.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async pingCheck<const Key extends string>(key: Key, timeoutMs: number): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.db.query('SELECT 1'), timeout]);
      return indicator.up();
    } catch (error) {
      return indicator.down(error instanceof Error ? error.message : 'unavailable');
    } finally {
      clearTimeout(timer);
    }
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiErrorResponse, ServiceUnavailableError } from '@app/common';
import { Public } from '@app/users';
import { HealthResponseDto } from './health-response.dto.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Health', description: 'Whether the service and its database answer. No API key needed.' })
  @ApiOkResponse({
    type: HealthResponseDto,
    description: 'The service runs and its database answers.',
    example: { status: 'ok', database: 'up' },
  })
  @ApiErrorResponse('The database does not answer.', new ServiceUnavailableError())
  async getHealth(): Promise<HealthResponseDto> {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableError('The database does not answer.');
    }
    return { status: 'ok', database: 'up' };
  }
}

import { Module } from '@nestjs/common';
import { AuditEventsController } from './audit-events.controller.js';
import { AuditEventsRepository } from './audit-events.repository.js';
import { AuditEventsService } from './audit-events.service.js';

/**
 * Reading the audit log: `GET /v1/audit-events` for admins. The events themselves are written by
 * the statements that make each change (UsersModule). Import it next to UsersModule, whose global
 * ApiKeyGuard protects its route; needs the TypeORM DataSource of the users library.
 */
@Module({
  controllers: [AuditEventsController],
  providers: [AuditEventsRepository, AuditEventsService],
  exports: [AuditEventsService],
})
export class AuditModule {}

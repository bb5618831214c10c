/** The injection token of RetentionOptions. */
export const RETENTION_OPTIONS = Symbol('RETENTION_OPTIONS');

export interface RetentionOptions {
  /** Anonymize users deleted longer ago than this many days; null keeps deleted users forever. */
  retentionDays: number | null;
  /** Users anonymized per statement (and per transaction). */
  batchSize: number;
  /** Cron expression of the in-process job; null: no job (e.g. the command-line run). */
  schedule: string | null;
  /** The TypeORM connection name that holds the users tables; the default connection when absent. */
  dataSource?: string;
}

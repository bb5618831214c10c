import type { ThrottlerStorage } from '@nestjs/throttler';

/** What a @nestjs/throttler storage answers for one hit (the package does not export the type by name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

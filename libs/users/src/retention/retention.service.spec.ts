import { describe, expect, it, jest } from '@jest/globals';
import type { RetentionOptions } from './retention.options.js';
import type { RetentionRepository } from './retention.repository.js';
import { type RetentionProgress, RetentionService } from './retention.service.js';

function createSut(options: Partial<RetentionOptions> = {}) {
  const repository = {
    countDue: jest.fn<RetentionRepository['countDue']>(),
    anonymizeBatch: jest.fn<RetentionRepository['anonymizeBatch']>(),
  };
  const sut = new RetentionService(repository as unknown as RetentionRepository, {
    retentionDays: 30,
    batchSize: 2,
    schedule: null,
    ...options,
  });
  return { sut, repository };
}

describe('RetentionService', () => {
  it('does nothing at all when no retention period is set', async () => {
    const { sut, repository } = createSut({ retentionDays: null });
    await expect(sut.run()).resolves.toEqual({ retentionDays: null, due: 0, anonymized: 0, batches: 0, traceId: null });
    expect(repository.countDue).not.toHaveBeenCalled();
    expect(repository.anonymizeBatch).not.toHaveBeenCalled();
  });

  it('runs batches until one comes back short, reporting progress, as the system caller', async () => {
    const { sut, repository } = createSut();
    repository.countDue.mockResolvedValue(5);
    repository.anonymizeBatch
      .mockResolvedValueOnce(['usr_a', 'usr_b'])
      .mockResolvedValueOnce(['usr_c', 'usr_d'])
      .mockResolvedValueOnce(['usr_e']);
    const progress: RetentionProgress[] = [];
    const result = await sut.run((p) => progress.push(p));
    expect(result).toEqual({
      retentionDays: 30,
      due: 5,
      anonymized: 5,
      batches: 3,
      traceId: expect.stringMatching(/^retention_/),
    });
    expect(progress.map((p) => p.total)).toEqual([2, 4, 5]);
    expect(repository.anonymizeBatch).toHaveBeenCalledTimes(3);
    const [days, limit, caller] = repository.anonymizeBatch.mock.calls[0]!;
    expect([days, limit]).toEqual([30, 2]);
    expect(caller).toMatchObject({ userId: 'system', traceId: result.traceId });
  });

  it('stops on an empty batch (another replica took the rest)', async () => {
    const { sut, repository } = createSut();
    repository.countDue.mockResolvedValue(4);
    repository.anonymizeBatch.mockResolvedValueOnce(['usr_a', 'usr_b']).mockResolvedValueOnce([]);
    await expect(sut.run()).resolves.toMatchObject({ anonymized: 2, batches: 1 });
  });

  it('lets a database error through to the caller', async () => {
    const { sut, repository } = createSut();
    repository.countDue.mockResolvedValue(1);
    repository.anonymizeBatch.mockRejectedValue(new Error('connection lost'));
    await expect(sut.run()).rejects.toThrow('connection lost');
  });
});

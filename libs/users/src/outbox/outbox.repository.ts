import { type DataSource, In, IsNull, LessThan } from 'typeorm';
import { OutboxEventEntity } from './outbox-event.entity.js';

/**
 * How many pending rows readiness counts at most: a count of every pending row scans them all, once
 * a second per replica, and a backlog grows without bound while NATS is down. 10001 reads "more
 * than 10000". Measured on PostgreSQL 15 with 1,000,000 pending rows (docs/events.md): counting all
 * took 227-240 ms (a parallel sequential scan, 16,394 buffers), counting at most 10001 took 8.5-12 ms
 * (the pending index, 194 buffers).
 */
export const PENDING_COUNT_LIMIT = 10_001;

/** A row that is pending and not leased by a relay (SQL over the alias `o`). */
const FREE = `o.published_at IS NULL AND (o.claimed_until IS NULL OR o.claimed_until < now())`;

/**
 * The relay's queries on `outbox_events`. Claims are short transactions that lease rows
 * (`claimed_until`), so no transaction stays open while NATS is asked: on PGlite, with its one
 * connection, that would stall every request for as long as NATS takes to answer.
 */
export class OutboxRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Leases up to `limit` publishable rows for `leaseMs`, oldest first. A row is publishable when it
   * is free and no earlier row of its user is still pending (free, leased or locked), so one user's
   * events are published in `seq` order even with several relays. `FOR UPDATE SKIP LOCKED` lets
   * concurrent relays claim different rows instead of waiting for, or double-claiming, each other's:
   * the head row of a user that another relay is claiming is skipped, and its later rows are held
   * back by the NOT EXISTS because the head is still pending. Having claimed a user's head, this
   * relay also takes that user's next pending rows, which no other relay can claim meanwhile.
   */
  async claimBatch(limit: number, leaseMs: number): Promise<OutboxEventEntity[]> {
    return this.db.transaction(async (manager) => {
      const heads = await manager
        .createQueryBuilder(OutboxEventEntity, 'o')
        .where(FREE)
        .andWhere((qb) => {
          const earlier = qb
            .subQuery()
            .select('1')
            .from(OutboxEventEntity, 'e')
            .where('e.user_id = o.user_id AND e.published_at IS NULL AND e.seq < o.seq')
            .getQuery();
          return `NOT EXISTS ${earlier}`;
        })
        .orderBy('o.seq', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (heads.length === 0) return [];
      const followers =
        heads.length < limit
          ? await manager
              .createQueryBuilder(OutboxEventEntity, 'o')
              .where(FREE)
              .andWhere('o.user_id IN (:...users)', { users: heads.map((h) => h.userId) })
              .andWhere('o.seq NOT IN (:...heads)', { heads: heads.map((h) => h.seq) })
              .orderBy('o.seq', 'ASC')
              .limit(limit - heads.length)
              .setLock('pessimistic_write')
              .setOnLocked('skip_locked')
              .getMany()
          : [];
      const rows = [...heads, ...followers].sort((a, b) => compareSeq(a.seq, b.seq));
      await manager
        .createQueryBuilder()
        .update(OutboxEventEntity)
        .set({ claimedUntil: () => `now() + make_interval(secs => ${Math.ceil(leaseMs / 1000)})` })
        .where({ seq: In(rows.map((r) => r.seq)) })
        .execute();
      return rows;
    });
  }

  /** Marks rows published (JetStream acknowledged them) and drops their lease. */
  async markPublished(seqs: string[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.db
      .createQueryBuilder()
      .update(OutboxEventEntity)
      .set({ publishedAt: () => 'now()', claimedUntil: null })
      .where({ seq: In(seqs) })
      .execute();
  }

  /** Gives rows back unpublished (their publication failed), for the next claim. */
  async release(seqs: string[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.db
      .createQueryBuilder()
      .update(OutboxEventEntity)
      .set({ claimedUntil: null })
      .where({ seq: In(seqs), publishedAt: IsNull() })
      .execute();
  }

  /** Deletes rows published before `cutoff`; returns how many. */
  async deletePublishedBefore(cutoff: Date): Promise<number> {
    const result = await this.db
      .createQueryBuilder()
      .delete()
      .from(OutboxEventEntity)
      .where({ publishedAt: LessThan(cutoff) })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * How many rows are not yet published, counted up to PENDING_COUNT_LIMIT (that many reads "more
   * than PENDING_COUNT_LIMIT - 1"), and when the oldest of them happened. Both are read from the
   * first pending rows in `seq` (insertion) order, through the pending index: the oldest event is
   * among the first written, unless a transaction stayed open while more than 10000 later ones
   * committed.
   */
  async pendingSummary(): Promise<{ pending: number; oldest: Date | null }> {
    const row = await this.db
      .createQueryBuilder()
      .select('count(*)::int', 'pending')
      .addSelect('min(p.occurred_at)', 'oldest')
      .from(
        (first) =>
          first
            .select('o.occurred_at', 'occurred_at')
            .from(OutboxEventEntity, 'o')
            .where('o.published_at IS NULL')
            .orderBy('o.seq', 'ASC')
            .limit(PENDING_COUNT_LIMIT),
        'p',
      )
      .getRawOne<{ pending: number; oldest: Date | string | null }>();
    const oldest = row?.oldest ?? null;
    return { pending: row?.pending ?? 0, oldest: oldest === null ? null : new Date(oldest) };
  }
}

function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

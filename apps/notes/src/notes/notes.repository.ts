import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, IsNull } from 'typeorm';
import { HandledEventEntity } from './handled-event.entity.js';
import { NoteEntity } from './note.entity.js';

@Injectable()
export class NotesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(userId: string, text: string): Promise<NoteEntity> {
    const result = await this.db
      .createQueryBuilder()
      .insert()
      .into(NoteEntity)
      .values({ id: `note_${randomBytes(16).toString('hex')}`, userId, text })
      .returning('*')
      .execute();
    const row = (result.raw as Array<Record<string, unknown>>)[0]!;
    return this.db.getRepository(NoteEntity).create({
      id: row.id as string,
      userId: row.user_id as string,
      text: row.text as string,
      createdAt: new Date(row.created_at as string | Date),
      hiddenAt: null,
    });
  }

  /** A user's visible notes, oldest first. */
  listVisibleForUser(userId: string): Promise<NoteEntity[]> {
    return this.db.getRepository(NoteEntity).find({
      where: { userId, hiddenAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /**
   * Hides every note of `userId` and records `eventId` as handled, in one transaction; does
   * nothing when that event was handled before. Returns whether it acted.
   */
  hideAllOfUserOnce(eventId: string, type: string, userId: string): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const recorded = await manager
        .createQueryBuilder()
        .insert()
        .into(HandledEventEntity)
        .values({ eventId, type })
        .orIgnore()
        .returning(['event_id'])
        .execute();
      if ((recorded.raw as unknown[]).length === 0) return false;
      await manager
        .createQueryBuilder()
        .update(NoteEntity)
        .set({ hiddenAt: () => 'now()' })
        .where('user_id = :userId AND hidden_at IS NULL', { userId })
        .execute();
      return true;
    });
  }
}

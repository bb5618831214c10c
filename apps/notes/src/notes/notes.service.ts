import { Injectable, Logger } from '@nestjs/common';
import type { Caller } from '@users-service/users';
import { OnUserEvent, type UserEvent } from '@users-service/users/events';
import { type CreateNoteDto, type NoteResponseDto, toNoteResponse } from './dto/note.dto.js';
import { NotesRepository } from './notes.repository.js';

@Injectable()
export class NotesService {
  private readonly logger = new Logger(NotesService.name);

  constructor(private readonly notes: NotesRepository) {}

  async create(dto: CreateNoteDto, caller: Caller): Promise<NoteResponseDto> {
    return toNoteResponse(await this.notes.insert(caller.userId, dto.text));
  }

  async listOwn(caller: Caller): Promise<{ items: NoteResponseDto[] }> {
    return { items: (await this.notes.listVisibleForUser(caller.userId)).map(toNoteResponse) };
  }

  /**
   * `users.user.deleted`: hides the user's notes. Idempotent on `event_id` (the id is recorded in
   * the same transaction), so a redelivered or re-published event is acknowledged without acting.
   */
  @OnUserEvent('user.deleted')
  async hideNotesOfDeletedUser(event: UserEvent): Promise<void> {
    const acted = await this.notes.hideAllOfUserOnce(event.event_id, event.type, event.user_id);
    this.logger.log(
      acted
        ? `hid the notes of deleted user ${event.user_id} (event ${event.event_id}, trace ${event.trace_id ?? '-'})`
        : `event ${event.event_id} was handled before; nothing to do`,
    );
  }
}

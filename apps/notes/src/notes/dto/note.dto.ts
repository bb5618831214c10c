import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { NoteEntity } from '../note.entity.js';

export class CreateNoteDto {
  @ApiProperty({ minLength: 1, maxLength: 10_000, example: 'Buy milk' })
  @IsString()
  @MinLength(1)
  @MaxLength(10_000)
  text: string;
}

export class NoteResponseDto {
  @ApiProperty({ example: 'note_0192f0c1a7b47c3e9a4f1b2c3d4e5f60' })
  id: string;

  @ApiProperty({ example: 'usr_0192f0c1a7b47c3e9a4f1b2c3d4e5f60' })
  user_id: string;

  @ApiProperty({ example: 'Buy milk' })
  text: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export function toNoteResponse(note: NoteEntity): NoteResponseDto {
  return { id: note.id, user_id: note.userId, text: note.text, created_at: note.createdAt.toISOString() };
}

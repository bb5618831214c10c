import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A note of a user; hidden (not deleted) when the users service says the user was deleted. */
@Entity({ name: 'notes' })
@Index('IDX_notes_user_id', ['userId', 'createdAt'])
export class NoteEntity {
  /** `note_` + 32 hex. */
  @PrimaryColumn({ name: 'id', type: 'text', primaryKeyConstraintName: 'PK_notes' })
  id: string;

  @Column({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ name: 'text', type: 'text' })
  text: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** When the note was hidden because its user was deleted; null: visible. */
  @Column({ name: 'hidden_at', type: 'timestamptz', nullable: true })
  hiddenAt: Date | null;
}

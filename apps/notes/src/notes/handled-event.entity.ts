import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The users events this app has acted on: written in the transaction of the work, so an event
 * delivered again (JetStream delivers at least once) finds its id here and is not acted on twice.
 */
@Entity({ name: 'handled_user_events' })
export class HandledEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'PK_handled_user_events' })
  eventId: string;

  @Column({ name: 'type', type: 'text' })
  type: string;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt: Date;
}

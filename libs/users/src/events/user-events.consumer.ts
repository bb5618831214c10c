import {
  Inject,
  Injectable,
  Logger,
  type LoggerService,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ON_USER_EVENT, type UserEventHandler } from './on-user-event.decorator.js';
import {
  isUserEventType,
  USERS_STREAM,
  USERS_SUBJECT_PREFIX,
  type UserEvent,
  type UserEventType,
} from './user-event.js';
import { USERS_EVENTS_OPTIONS, type UsersEventsOptions } from './users-events.options.js';
import { ensureUsersStream } from './users-stream.js';

const MS_NS = 1_000_000;
const MAX_REDELIVERY_DELAY_MS = 60_000;

/**
 * A durable JetStream pull consumer of the users events that calls the `@OnUserEvent` handlers
 * of the app's providers, one message at a time in stream order; acks on success, and on a throw
 * asks for redelivery after a growing delay (so a failing event may then come after later ones).
 * Events of a type without a handler are acknowledged and skipped.
 * NATS down: it logs once, retries with backoff and resumes where the durable consumer stopped.
 */
@Injectable()
export class UserEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: LoggerService;
  private readonly handlers = new Map<UserEventType, UserEventHandler[]>();
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private outage = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    @Inject(USERS_EVENTS_OPTIONS) private readonly options: UsersEventsOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    this.logger = options.logger ?? new Logger('UserEventsConsumer');
  }

  onApplicationBootstrap(): void {
    this.collectHandlers();
    if (this.handlers.size === 0) {
      this.logger.warn('no @OnUserEvent handlers: the users events consumer does not start');
      return;
    }
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    await this.nc?.drain().catch(() => undefined);
    this.nc = null;
  }

  /** The event types this app handles. */
  handledTypes(): UserEventType[] {
    return [...this.handlers.keys()].sort();
  }

  private collectHandlers(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || wrapper.isNotMetatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const types = this.reflector.get<UserEventType[] | undefined>(ON_USER_EVENT, method as () => unknown);
        for (const type of types ?? []) {
          const handler = (method as UserEventHandler).bind(instance);
          this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
        }
      }
    }
  }

  private async run(): Promise<void> {
    let delay = 500;
    while (!this.stopping) {
      try {
        const messages = await this.subscribe();
        if (this.outage) this.logger.log('connected to NATS again; consuming the users events');
        this.outage = false;
        delay = 500;
        for await (const message of messages) {
          await this.handle(message);
          if (this.stopping) break;
        }
        if (!this.stopping) throw new Error('the consumer stopped delivering (deleted?)');
      } catch (error) {
        if (this.stopping) break;
        if (!this.outage) {
          this.outage = true;
          const reason = error instanceof Error ? error.message : String(error);
          this.logger.warn(`cannot consume the users events (${reason}); retrying with backoff`);
        }
        await this.sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** Connects (once; the client then reconnects by itself), makes sure of stream and consumer, starts pulling. */
  private async subscribe(): Promise<ConsumerMessages> {
    if (!this.nc || this.nc.isClosed()) {
      this.nc = await connect({
        servers: this.options.natsUrl.split(','),
        name: `users-events-${this.options.durableName}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
      });
    }
    const jsm = await jetstreamManager(this.nc);
    await ensureUsersStream(jsm, this.options);
    await this.ensureConsumer(jsm);
    const consumer = await jetstream(this.nc).consumers.get(this.stream(), this.options.durableName);
    this.messages = await consumer.consume({ max_messages: this.options.prefetch ?? 64 });
    return this.messages;
  }

  private stream(): string {
    return this.options.stream ?? USERS_STREAM;
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.consumers.info(this.stream(), this.options.durableName);
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
    }
    await jsm.consumers.add(this.stream(), {
      durable_name: this.options.durableName,
      ack_policy: AckPolicy.Explicit,
      ack_wait: (this.options.ackWaitMs ?? 30_000) * MS_NS,
      deliver_policy: DeliverPolicy.All,
      // Never give up on an event: a failing handler is retried (with backoff) until it succeeds.
      max_deliver: -1,
      // Every event type, filtered here rather than by the server: several filter subjects need
      // nats-server 2.10, and a filter fixed at creation would miss a handler added later.
      filter_subject: `${this.options.subjectPrefix ?? USERS_SUBJECT_PREFIX}.>`,
    });
  }

  private async handle(message: JsMsg): Promise<void> {
    let event: UserEvent;
    try {
      event = message.json<UserEvent>();
      if (!isUserEventType(event.type) || typeof event.event_id !== 'string') throw new Error('not a user event');
    } catch {
      // Retrying cannot make it readable: terminate it instead of blocking the consumer forever.
      this.logger.error(`dropping unreadable message ${message.seq} on ${message.subject}`);
      message.term('unreadable');
      return;
    }
    const delivery = {
      deliveryCount: message.info.deliveryCount,
      subject: message.subject,
      streamSequence: message.seq,
    };
    try {
      for (const handler of this.handlers.get(event.type) ?? []) await handler(event, delivery);
      message.ack();
    } catch (error) {
      const delay = Math.min(
        (this.options.redeliveryDelayMs ?? 1000) * 2 ** (delivery.deliveryCount - 1),
        MAX_REDELIVERY_DELAY_MS,
      );
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(
        `handler of ${event.type} failed for event ${event.event_id} (delivery ${delivery.deliveryCount}): ${reason}; redelivery in ${delay} ms`,
      );
      message.nak(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

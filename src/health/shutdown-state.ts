import { Injectable } from '@nestjs/common';

/**
 * Whether the process is draining before it stops (SIGTERM was received): readiness then answers
 * 503 at once, so that load balancers send new requests elsewhere, while the service keeps
 * accepting and answering those that still arrive.
 */
@Injectable()
export class ShutdownState {
  draining = false;
}

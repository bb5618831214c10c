import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/** The shared NATS JetStream of the machine (CI runs one on 127.0.0.1:4222). */
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** A stream and subject prefix of this test run alone, so specs never see each other's events. */
export function uniqueStream(): { stream: string; subjectPrefix: string } {
  const id = randomBytes(5).toString('hex');
  return { stream: `USERS_T${id}`, subjectPrefix: `t${id}.users` };
}

/** A message as it sits on the stream. */
export interface StoredMessage {
  subject: string;
  msgId: string | undefined;
  payload: Record<string, unknown>;
  seq: number;
}

/** Every message of a stream, in stream order; none while the stream does not exist yet (no relay connected). */
export async function readStream(url: string, stream: string): Promise<StoredMessage[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return null;
      throw error;
    });
    if (!info) return [];
    const { state } = info;
    if (state.messages === 0) return [];
    const consumer = await jetstream(nc).consumers.get(stream);
    const out: StoredMessage[] = [];
    const batch = await consumer.fetch({ max_messages: state.messages, expires: 5000 });
    for await (const m of batch) {
      out.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), payload: m.json(), seq: m.seq });
      if (out.length === state.messages) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** Messages on a stream, or null when it does not exist. */
export async function streamMessageCount(url: string, stream: string): Promise<number | null> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(stream)).state.messages;
  } catch {
    return null;
  } finally {
    await nc.close();
  }
}

export async function deleteStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/**
 * Every message published to `<prefix>.>`, duplicates included, by a plain (core NATS)
 * subscription: JetStream drops a re-published message id, a core subscriber still sees it, so
 * this counts what relays actually sent.
 */
export async function tapSubjects(
  url: string,
  prefix: string,
): Promise<{ seen: string[]; close: () => Promise<void>; nc: NatsConnection }> {
  const nc = await connect({ servers: url });
  const seen: string[] = [];
  const sub = nc.subscribe(`${prefix}.>`, {
    callback: (_err, msg) => {
      seen.push(msg.headers?.get('Nats-Msg-Id') ?? '');
    },
  });
  await nc.flush();
  return {
    seen,
    nc,
    close: async () => {
      sub.unsubscribe();
      await nc.close();
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address !== 'string' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A nats-server of the test's own (`-js`, a free port, a temporary store), for tests that stop
 * NATS: `stop()` kills it, `start()` brings it back on the same port with the same store.
 */
export class OwnNatsServer {
  private process: ChildProcess | null = null;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'nats-test-'));
  port = 0;

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], {
      stdio: 'ignore',
    });
    this.process = child;
    await waitForPort(this.port, 10_000);
    return this;
  }

  /** Kills the server at once (as a crash or a network cut would look to clients). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

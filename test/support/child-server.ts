import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { newLogFile } from './logs.mjs';

export interface ChildServer {
  proc: ChildProcess;
  baseUrl: string;
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
}

/** A bootstrap admin key of the test's own (a server given one prints no key at start). */
export function randomApiKey(): string {
  let body = '';
  while (body.length < 40)
    body += randomBytes(40)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '');
  return `ak_${body.slice(0, 40)}`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Runs the built service (`node dist/src/main.js`, as in production) with the given variables, its
 * standard output and error in a log file of the suite, and waits until /health/live answers
 * (at most `startTimeoutMs`: a first start on an empty PGlite directory runs initdb, and takes longer).
 */
export async function startChildServer(
  env: Record<string, string>,
  label = 'server',
  startTimeoutMs = 30_000,
): Promise<ChildServer> {
  const port = await freePort();
  const logFile = newLogFile(label);
  const fd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: ChildServer = {
    proc,
    baseUrl,
    logFile,
    exited,
    request: (path, init) => fetch(`${baseUrl}${path}`, init),
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode} at start; see ${logFile}`);
    try {
      if ((await fetch(`${baseUrl}/health/live`)).status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      server.kill();
      throw new Error(`server did not start in ${startTimeoutMs / 1000} s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

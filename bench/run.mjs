// `npm run bench`: the users service against a hand-written Fastify + pg server doing the same SQL
// and the same required work, on the same PostgreSQL, on the hot paths; and the service on its
// embedded engine (PGlite). Prints requests/s, latency, CPU and memory, then a table of every target
// with ✓ or ✗, and exits with 1 when one is missed. Traffic goes to 127.0.0.1 only; every run is
// bounded in time. See docs/benchmark.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import autocannon from 'autocannon';
import pg from 'pg';

/** The targets of issue 12, checked in the final table. */
const TARGETS = {
  throughput: 0.85, // service req/s >= 85% of the strict (named-statement) baseline's
  p99: 1.5, // service p99 <= 1.5 x the strict baseline's
  rssPostgres: 200, // MiB, the service after the runs on PostgreSQL
  rssEmbedded: 300, // MiB, the service after start-up and after the runs on PGlite
};

const SCENARIOS = ['forbidden', 'profile', 'delete', 'failed-auth', 'embedded', 'floor'];

const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '20' },
    users: { type: 'string' },
    'embedded-users': { type: 'string', default: '30000' },
    'log-level': { type: 'string', default: 'warn' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(
    `npm run bench -- [--scenario NAME[,NAME...]]... [--duration S] [--rounds N] [--connections N] [--users N] [--embedded-users N]\n` +
      `scenarios: ${SCENARIOS.join(', ')} (default: all)`,
  );
  process.exit(0);
}
const selected = (opts.scenario ?? SCENARIOS).flatMap((s) => s.split(',')).map((s) => s.trim());
const unknown = selected.filter((s) => !SCENARIOS.includes(s));
if (unknown.length) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const duration = Number(opts.duration);
/** The embedded scenarios have no baseline and no rounds: one run each, of at least 8 s. */
const embeddedSeconds = Math.max(duration, 8);
const rounds = Math.max(1, Number(opts.rounds));
const connections = Number(opts.connections);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `users_bench_${randomBytes(4).toString('hex')}`;
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
const BOOTSTRAP_ADMIN_KEY = `ak_${'B'.repeat(40)}`;

/** The service as `npm start` runs it (package.json; the flag is explained in src/database/pglite-pool.ts). */
const SERVICE_ARGS = ['--liftoff-only', 'dist/src/main.js'];
/**
 * Node flags for every server the bench starts, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
 * them side by side (Node refuses --cpu-prof in NODE_OPTIONS).
 */
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];

const log = (...a) => console.log(...a);
const children = new Set();

async function admin(sql) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function start(name, args, env) {
  const child = spawn(process.execPath, [...NODE_FLAGS, ...args], {
    // BENCH_SERVICE_DIR: another checkout's built service (e.g. an earlier commit, for a before/after).
    cwd:
      args === SERVICE_ARGS ? (env.BENCH_SERVICE_DIR ?? process.env.BENCH_SERVICE_DIR ?? process.cwd()) : process.cwd(),
    env: { ...process.env, ...env },
    // Standard output is where both servers write their logs: it goes to /dev/null, as it would
    // to a log collector's pipe, and costs each server the same write.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.name = name;
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The service's production settings, but for the log level and a per-user limit one key cannot hit. */
const serviceEnv = (port) => ({
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: opts['log-level'],
  BOOTSTRAP_ADMIN_KEY,
  NODE_ENV: 'production',
  // One key sends thousands of requests a second here, and one address thousands of bad keys; the
  // defaults (600 per key, 30 failures per address, a minute) would turn the measurement into a
  // measurement of 429s. The limiter still counts, in memory.
  RATE_LIMIT_PER_USER_PER_MINUTE: '1000000000',
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '1000000000',
});

async function waitHealthy(port, child, path = '/health') {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${child.name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${child.name} on ${port} did not become healthy`);
}

/** CPU time (user + system, ms) a process has used: less sensitive to a busy machine than req/s. */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
}

/** Resident memory in MiB, from /proc: the cheapest honest reading of a child's memory. */
function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

const userId = (i) => `usr_${i.toString(16).padStart(32, '0')}`;
const keyOf = (i) => `ak_${i.toString().padStart(40, '0')}`;

/** Users 1..count, each with the key keyOf(i); the first 1000 keys "used just now". */
const SEED = [
  `INSERT INTO users (id, email) SELECT 'usr_' || lpad(to_hex(i), 32, '0'), 'bench' || i || '@example.com' FROM generate_series(1, $1::int) AS i`,
  `INSERT INTO api_keys (id, user_id, key_hash, prefix, name)
   SELECT 'key_' || lpad(to_hex(i), 32, '0'), 'usr_' || lpad(to_hex(i), 32, '0'),
          encode(sha256(convert_to('ak_' || lpad(i::text, 40, '0'), 'UTF8')), 'hex'), 'ak_0000000', 'bench'
     FROM generate_series(1, $1::int) AS i`,
  // So that the read scenarios measure reads, not last_used_at writes.
  `UPDATE api_keys SET last_used_at = now() WHERE id <= 'key_' || lpad(to_hex(1000), 32, '0')`,
];

async function seedPostgres(count) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    for (const sql of SEED) await c.query(sql, sql.includes('$1') ? [count] : []);
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

/** PGlite is one process at a time: seeds the directory while the service is stopped. */
async function seedEmbedded(dataDir, count) {
  const db = await PGlite.create({ dataDir });
  try {
    for (const sql of SEED) await db.query(sql, sql.includes('$1') ? [count] : []);
    await db.exec('ANALYZE');
  } finally {
    await db.close();
  }
}

async function measure(port, pid, scenario, cursor, seconds) {
  const cpuBefore = cpuMsOf(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [scenario.request(cursor)],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
  );
  const cpuMs = cpuMsOf(pid) - cpuBefore;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    cpuMs,
    cpuMsPer1k: cpuMs / (result.requests.total / 1000),
    errors: result.errors + result.timeouts,
    statuses,
  };
}

/**
 * Warm-up (1 s on a server's first run of a scenario, then 0.5 s to open the connections again),
 * then the measured run. `cursor.next` is the next seeded user the server may delete; each server
 * has its own range, up to `cursor.last`.
 */
async function runScenario(port, pid, scenario, cursor, { first = true, seconds = duration } = {}) {
  await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: first ? 1 : 0.5,
    requests: [scenario.request(cursor)],
  });
  const run = await measure(port, pid, scenario, cursor, seconds);
  if (cursor.next > cursor.last) throw new Error(`${scenario.name}: ran out of seeded users: raise --users`);
  run.unexpected = Object.entries(run.statuses)
    .filter(([code]) => code !== scenario.expect)
    .map(([code, n]) => `${n} x ${code}`);
  if (run.errors) run.unexpected.push(`${run.errors} errors`);
  return run;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** One server's rounds as one row: the median req/s and latencies, the CPU over all its requests. */
function combine(runs) {
  const cpuMs = runs.reduce((sum, r) => sum + r.cpuMs, 0);
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMsPer1k: cpuMs / (requests / 1000),
    unexpected: runs.flatMap((r) => r.unexpected),
    runs,
  };
}

/**
 * Runs `scenario` on every server in `rounds` rounds, each round in a rotated order, so that a change
 * in the machine's load touches every server alike. `servers` are `{ name, port, pid, cursor }`.
 * Returns each server's rounds combined (by name).
 */
async function runRounds(servers, scenario) {
  const perServer = servers.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < servers.length; k++) {
      const index = (k + round) % servers.length;
      const { name, port, pid, cursor } = servers[index];
      const run = await runScenario(port, pid, scenario, cursor, { first: round === 0 });
      if (run.unexpected.length) log(`  ! ${name}, ${scenario.name}: ${run.unexpected.join(', ')}`);
      perServer[index].push(run);
    }
  }
  return Object.fromEntries(servers.map(({ name }, index) => [name, combine(perServer[index])]));
}

/** The median over the rounds of `a`'s req/s over `b`'s: each ratio compares runs taken seconds apart. */
const roundRatio = (a, b) => median(a.runs.map((run, round) => run.rps / b.runs[round].rps));

const forbidden = {
  name: 'forbidden',
  title: 'authenticate, then deny (DELETE of someone else -> 403)',
  request: () => ({ method: 'DELETE', path: `/v1/user/${userId(999_999_999)}`, headers: { 'x-api-key': keyOf(1) } }),
  expect: '403',
};
const profile = {
  name: 'profile',
  title: 'read own profile (GET /v1/user/me -> 200)',
  request: () => ({ method: 'GET', path: '/v1/user/me', headers: { 'x-api-key': keyOf(2) } }),
  expect: '200',
};
const softDelete = {
  name: 'delete',
  title: 'soft delete own account (DELETE -> 200, a new user each request)',
  // Each server gets its own share of the seeded users; each request deletes the next one.
  request(cursor) {
    return {
      method: 'DELETE',
      setupRequest: (req) => {
        const i = cursor.next++;
        return { ...req, path: `/v1/user/${userId(i)}`, headers: { 'x-api-key': keyOf(i) } };
      },
    };
  },
  expect: '200',
};
const failedAuth = {
  name: 'failed-auth',
  title: 'failed authentication (unknown key -> 401)',
  // Well-formed, so that it is looked up; no seeded key has this shape.
  request: () => ({ method: 'GET', path: '/v1/user/me', headers: { 'x-api-key': `ak_${'Z'.repeat(40)}` } }),
  expect: '401',
};
const POSTGRES_SCENARIOS = [forbidden, profile, softDelete, failedAuth];

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** One check of the final table. */
const checks = [];
function check(what, measured, target, ok) {
  checks.push({ what, measured, target, ok });
}

async function benchPostgres(scenarios) {
  log(
    `PostgreSQL: ${rounds} rounds of ${duration}s per scenario and server (medians), ${connections} connections, ` +
      `database ${dbName}`,
  );
  await admin(`CREATE DATABASE ${dbName}`);
  try {
    const service = start('users-service', SERVICE_ARGS, {
      ...serviceEnv(3101),
      DATABASE_URL: dbUrl,
      DB_POOL_SIZE: '10',
    });
    await waitHealthy(3101, service); // migrations have run
    // Two yardsticks: the baseline with unnamed statements (what most hand-written servers send) and
    // with named ones, as the service sends them (the strict comparison of everything but the SQL).
    const baselineEnv = (port) => ({
      DATABASE_URL: dbUrl,
      DB_POOL_SIZE: '10',
      PORT: String(port),
      LOG_LEVEL: opts['log-level'],
      RATE_LIMIT_PER_USER_PER_MINUTE: '1000000000',
      RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '1000000000',
    });
    const baseline = start('baseline', ['bench/baseline-server.mjs'], baselineEnv(3102));
    const prepared = start('baseline-prepared', ['bench/baseline-server.mjs'], {
      ...baselineEnv(3103),
      BASELINE_PREPARED: '1',
    });
    await Promise.all([waitHealthy(3102, baseline), waitHealthy(3103, prepared)]);
    const servers = [
      ['baseline', 3102, baseline.pid],
      ['prepared', 3103, prepared.pid],
      ['service', 3101, service.pid],
    ];
    // BENCH_BEFORE_DIR: another checkout's built service (an earlier commit) joins the rounds, on the
    // same database, for a before/after of the service itself under the same conditions.
    if (process.env.BENCH_BEFORE_DIR) {
      const before = start('users-service (before)', SERVICE_ARGS, {
        ...serviceEnv(3104),
        DATABASE_URL: dbUrl,
        DB_POOL_SIZE: '10',
        BENCH_SERVICE_DIR: process.env.BENCH_BEFORE_DIR,
        // The setting's name before RATE_LIMIT_PER_USER_PER_MINUTE, for builds that predate it.
        RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000000',
      });
      await waitHealthy(3104, before);
      servers.push(['before', 3104, before.pid]);
    }

    // 50,000 users per server unless --users says otherwise: enough for 8 rounds of 3 s of deletes.
    const users = Number(opts.users ?? 50_000 * servers.length);
    await seedPostgres(users);
    const rows = [];
    for (const scenario of scenarios) {
      // Each server deletes from its own share of the users.
      const share = Math.floor(users / servers.length);
      const runs = await runRounds(
        servers.map(([name, port, pid], index) => ({
          name,
          port,
          pid,
          cursor: { next: index * share + 1001, last: (index + 1) * share },
        })),
        scenario,
      );
      rows.push({
        scenario,
        ratio: roundRatio(runs.service, runs.prepared),
        ratioUnnamed: roundRatio(runs.service, runs.baseline),
        ...runs,
      });
      if (runs.before) rows.at(-1).ratioBefore = roundRatio(runs.service, runs.before);
    }
    const memory = Object.fromEntries(servers.map(([name, , pid]) => [name, rssOf(pid)]));

    log('');
    log(
      '| scenario | baseline req/s (unnamed / named statements) | service req/s | service vs baseline (unnamed / named) ' +
        '| CPU µs per request (unnamed, named, service) | p50 / p99 ms (named, service) |',
    );
    log('|---|---:|---:|---:|---:|---:|');
    const pct = (ratio) => `${(ratio * 100).toFixed(1)}%`;
    for (const r of rows) {
      log(
        `| ${r.scenario.title} | ${fmt(r.baseline.rps)} / ${fmt(r.prepared.rps)} | ${fmt(r.service.rps)} ` +
          `| ${pct(r.ratioUnnamed)} / ${pct(r.ratio)} ` +
          `| ${fmt(r.baseline.cpuMsPer1k)}, ${fmt(r.prepared.cpuMsPer1k)}, ${fmt(r.service.cpuMsPer1k)} ` +
          `| ${r.prepared.p50} / ${r.prepared.p99}, ${r.service.p50} / ${r.service.p99} |`,
      );
    }
    log('');
    log(
      `RSS after the runs (MiB): service ${fmt(memory.service)}, baselines ${fmt(memory.baseline)} (unnamed) ` +
        `and ${fmt(memory.prepared)} (named)`,
    );
    log('');
    log('Each round, service req/s vs the named baseline (the medians above come from these):');
    for (const r of rows) {
      const perRound = r.service.runs.map((run, round) => pct(run.rps / r.prepared.runs[round].rps));
      log(`- ${r.scenario.name}: ${perRound.join(', ')}`);
    }
    if (memory.before !== undefined) {
      log('');
      log(`The service against its earlier build (BENCH_BEFORE_DIR=${process.env.BENCH_BEFORE_DIR}), same rounds:`);
      log('');
      log('| scenario | before req/s | service req/s | service vs before | CPU µs per request (before, service) |');
      log('|---|---:|---:|---:|---:|');
      for (const r of rows) {
        log(
          `| ${r.scenario.title} | ${fmt(r.before.rps)} | ${fmt(r.service.rps)} | ${pct(r.ratioBefore)} ` +
            `| ${fmt(r.before.cpuMsPer1k)}, ${fmt(r.service.cpuMsPer1k)} |`,
        );
      }
      log(`RSS after the runs (MiB): before ${fmt(memory.before)}, service ${fmt(memory.service)}`);
    }

    for (const r of rows) {
      const ratio = r.ratio;
      check(
        `PostgreSQL ${r.scenario.name}: throughput vs the strict baseline`,
        `${(ratio * 100).toFixed(1)}%`,
        `>= ${TARGETS.throughput * 100}%`,
        ratio >= TARGETS.throughput,
      );
      // autocannon's latencies are whole milliseconds; a p99 of 0 ms counts as 1 ms.
      const p99 = Math.max(r.service.p99, 1) / Math.max(r.prepared.p99, 1);
      check(
        `PostgreSQL ${r.scenario.name}: p99 vs the strict baseline`,
        `${r.service.p99} / ${r.prepared.p99} ms = ${p99.toFixed(2)}x`,
        `<= ${TARGETS.p99}x`,
        p99 <= TARGETS.p99,
      );
      const unexpected = [...r.service.unexpected, ...r.prepared.unexpected, ...r.baseline.unexpected];
      check(
        `PostgreSQL ${r.scenario.name}: every answer ${r.scenario.expect}`,
        unexpected.length ? unexpected.join(', ') : 'yes',
        'yes',
        unexpected.length === 0,
      );
    }
    check(
      'PostgreSQL: service RSS after the runs',
      `${fmt(memory.service)} MiB`,
      `<= ${TARGETS.rssPostgres} MiB`,
      memory.service <= TARGETS.rssPostgres,
    );
  } finally {
    await Promise.all([...children].map(stop));
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

async function benchEmbedded() {
  const users = Number(opts['embedded-users']);
  const root = mkdtempSync(join(tmpdir(), 'users-bench-'));
  const dataDir = join(root, 'pglite');
  log(`Embedded (PGlite in ${dataDir}): ${embeddedSeconds}s per scenario, ${connections} connections`);
  try {
    // As a newcomer's first `npm start`: an empty directory, initdb, migrations, the first admin.
    let service = start('users-service (embedded)', SERVICE_ARGS, { ...serviceEnv(3111), PGLITE_DIR: dataDir });
    await waitHealthy(3111, service);
    await sleep(1000); // what start-up left behind, not start-up itself
    const afterFirstStart = rssOf(service.pid);
    await stop(service);

    await seedEmbedded(dataDir, users);
    service = start('users-service (embedded)', SERVICE_ARGS, { ...serviceEnv(3111), PGLITE_DIR: dataDir });
    await waitHealthy(3111, service);
    await sleep(1000);
    const afterRestart = rssOf(service.pid);

    const runs = [];
    for (const scenario of [profile, softDelete]) {
      const run = await runScenario(
        3111,
        service.pid,
        scenario,
        { next: 1001, last: users },
        { seconds: embeddedSeconds },
      );
      if (run.unexpected.length) log(`  ! embedded, ${scenario.name}: ${run.unexpected.join(', ')}`);
      runs.push({ scenario, run });
    }
    const afterRuns = rssOf(service.pid);
    await stop(service);

    log('');
    log('| scenario (embedded) | service req/s | p50 / p99 ms | CPU µs per request |');
    log('|---|---:|---:|---:|');
    for (const { scenario, run } of runs) {
      log(`| ${scenario.title} | ${fmt(run.rps)} | ${run.p50} / ${run.p99} | ${fmt(run.cpuMsPer1k)} |`);
    }
    log('');
    log(
      `RSS of the embedded service (MiB): ${fmt(afterFirstStart)} after its first start (empty directory), ` +
        `${fmt(afterRestart)} after a restart (seeded), ${fmt(afterRuns)} after the runs`,
    );

    for (const [what, rss] of [
      ['after the first start', afterFirstStart],
      ['after the runs', afterRuns],
    ]) {
      check(
        `embedded: service RSS ${what}`,
        `${fmt(rss)} MiB`,
        `<= ${TARGETS.rssEmbedded} MiB`,
        rss <= TARGETS.rssEmbedded,
      );
    }
    for (const { scenario, run } of runs) {
      check(
        `embedded ${scenario.name}: every answer ${scenario.expect}`,
        run.unexpected.length ? run.unexpected.join(', ') : 'yes',
        'yes',
        run.unexpected.length === 0,
      );
    }
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Nest's own floor (bench/framework-floor.mjs): the smallest Nest app with the service's shape on
 * the short paths against the same two routes on bare Fastify, with no database, no logging and the
 * same bytes out. No target: it shows how much of a short path's gap no service on Nest can close.
 */
async function benchFloor() {
  log(
    `Framework floor (no database): ${rounds} rounds of ${duration}s per path and server, ${connections} connections`,
  );
  try {
    const servers = [
      ['fastify', 3122, start('floor (Fastify)', ['bench/framework-floor.mjs', 'fastify', '3122'], {})],
      ['nest', 3121, start('floor (Nest)', ['bench/framework-floor.mjs', 'nest', '3121'], {})],
    ];
    await Promise.all(servers.map(([, port, child]) => waitHealthy(port, child, '/v1/user/me')));
    const rows = [];
    for (const scenario of [forbidden, profile]) {
      const runs = await runRounds(
        servers.map(([name, port, child]) => ({ name: `floor ${name}`, port, pid: child.pid, cursor: {} })),
        scenario,
      );
      const [fastify, nest] = [runs['floor fastify'], runs['floor nest']];
      rows.push({ scenario, fastify, nest, ratio: roundRatio(nest, fastify) });
    }
    log('');
    log('| path (floor) | Fastify req/s | Nest req/s | Nest vs Fastify | CPU µs per request (Fastify, Nest) |');
    log('|---|---:|---:|---:|---:|');
    for (const r of rows) {
      log(
        `| ${r.scenario.title} | ${fmt(r.fastify.rps)} | ${fmt(r.nest.rps)} | ${(r.ratio * 100).toFixed(1)}% ` +
          `| ${fmt(r.fastify.cpuMsPer1k, 1)}, ${fmt(r.nest.cpuMsPer1k, 1)} |`,
      );
    }
  } finally {
    await Promise.all([...children].map(stop));
  }
}

async function main() {
  const postgres = POSTGRES_SCENARIOS.filter((s) => selected.includes(s.name));
  if (postgres.length) await benchPostgres(postgres);
  if (selected.includes('embedded')) {
    if (postgres.length) log('');
    await benchEmbedded();
  }
  if (selected.includes('floor')) {
    if (postgres.length || selected.includes('embedded')) log('');
    await benchFloor();
  }

  log('');
  log('| target | measured | aim | |');
  log('|---|---:|---:|:-:|');
  for (const c of checks) log(`| ${c.what} | ${c.measured} | ${c.target} | ${c.ok ? '✓' : '✗'} |`);
  const missed = checks.filter((c) => !c.ok).length;
  log('');
  log(missed ? `${missed} of ${checks.length} targets missed.` : `All ${checks.length} targets met.`);
  process.exitCode = missed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(2);
});

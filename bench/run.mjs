// `npm run bench`: the users service against a hand-written Fastify + pg server doing the same SQL,
// on the same PostgreSQL, on the hot paths. Prints requests/s, latency and memory for each, and
// the ratio. Traffic goes to 127.0.0.1 only; every run is bounded in time. See docs/benchmark.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    users: { type: 'string', default: '90000' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const duration = Number(opts.duration);
const connections = Number(opts.connections);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `users_bench_${randomBytes(4).toString('hex')}`;
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
const TARGET = 0.85;

const log = (...a) => console.log(...a);
const children = [];

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
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, DATABASE_URL: dbUrl, DB_POOL_SIZE: '10' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.name = name;
  children.push(child);
  return child;
}

async function waitHealthy(port) {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`server on ${port} did not become healthy`);
}

/** CPU time (user + system, ms) a process has used: less sensitive to a busy machine than req/s. */
async function cpuMsOf(pid) {
  const fs = await import('node:fs');
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
}

function rssOf(pid) {
  // /proc is the cheapest honest reading of a child's resident memory.
  return import('node:fs').then((fs) => {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  });
}

const userId = (i) => `usr_${i.toString(16).padStart(32, '0')}`;
const keyOf = (i) => `ak_${i.toString().padStart(40, '0')}`;

async function seed(count) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO users (id, email) SELECT 'usr_' || lpad(to_hex(i), 32, '0'), 'bench' || i || '@example.com' FROM generate_series(1, $1) AS i`,
      [count],
    );
    await c.query(
      `INSERT INTO api_keys (id, user_id, key_hash, prefix, name)
       SELECT 'key_' || lpad(to_hex(i), 32, '0'), 'usr_' || lpad(to_hex(i), 32, '0'),
              encode(sha256(convert_to('ak_' || lpad(i::text, 40, '0'), 'UTF8')), 'hex'), 'ak_0000000', 'bench'
         FROM generate_series(1, $1) AS i`,
      [count],
    );
    // Keys used "just now", so that the read scenarios measure reads, not last_used_at writes.
    await c.query(`UPDATE api_keys SET last_used_at = now() WHERE id <= 'key_' || lpad(to_hex(1000), 32, '0')`);
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

async function measure(port, pid, scenario) {
  const cpuBefore = await cpuMsOf(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [scenario.request()],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
  );
  const cpuMsPer1k = ((await cpuMsOf(pid)) - cpuBefore) / (result.requests.total / 1000);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPer1k,
    errors: result.errors + result.timeouts,
    statuses,
  };
}

const scenarios = [
  {
    name: 'authenticate (DELETE of someone else -> 403)',
    request: () => ({ method: 'DELETE', path: `/v1/user/${userId(999_999_999)}`, headers: { 'x-api-key': keyOf(1) } }),
    expect: '403',
  },
  {
    name: 'read own profile (GET /v1/user/me -> 200)',
    request: () => ({ method: 'GET', path: '/v1/user/me', headers: { 'x-api-key': keyOf(2) } }),
    expect: '200',
  },
  {
    name: 'soft delete own account (DELETE -> 200, a new user each request)',
    // Each server gets its own half of the seeded users; each request deletes the next one.
    request() {
      return {
        method: 'DELETE',
        setupRequest: (req) => {
          const i = this.next++;
          return { ...req, path: `/v1/user/${userId(i)}`, headers: { 'x-api-key': keyOf(i) } };
        },
      };
    },
    expect: '200',
  },
];

async function main() {
  const users = Number(opts.users);
  log(`Benchmark: ${duration}s per scenario, ${connections} connections, PostgreSQL database ${dbName}`);
  await admin(`CREATE DATABASE ${dbName}`);
  try {
    const service = start('users-service', ['dist/src/main.js'], {
      PORT: '3101',
      HOST: '127.0.0.1',
      LOG_LEVEL: opts['log-level'],
      BOOTSTRAP_ADMIN_KEY: `ak_${'B'.repeat(40)}`,
      NODE_ENV: 'production',
      // One key sends thousands of requests a second here; the default limit (600/min) would turn
      // the measurement into a measurement of 429s. The limiter still runs, in memory.
      RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000000',
    });
    await waitHealthy(3101); // migrations have run
    await seed(users);
    // Two yardsticks: the baseline with unnamed statements (what most hand-written servers send) and
    // with named ones, as the service sends them (the strict comparison of everything but the SQL).
    const baseline = start('baseline', ['bench/baseline-server.mjs'], { PORT: '3102' });
    const prepared = start('baseline-prepared', ['bench/baseline-server.mjs'], {
      PORT: '3103',
      BASELINE_PREPARED: '1',
    });
    await Promise.all([waitHealthy(3102), waitHealthy(3103)]);
    const servers = [
      ['baseline', 3102, baseline.pid],
      ['prepared', 3103, prepared.pid],
      ['service', 3101, service.pid],
    ];

    const rows = [];
    for (const scenario of scenarios) {
      // Warm-up, then the servers one after the other on identical work; each server deletes its
      // own third of the seeded users.
      const third = Math.floor(users / 3);
      const runs = {};
      for (const [index, [name, port, pid]] of servers.entries()) {
        scenario.next = index * third + 1001;
        await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: 2, requests: [scenario.request()] });
        runs[name] = await measure(port, pid, scenario);
        if (scenario.next > (index + 1) * third) throw new Error('ran out of seeded users: raise --users');
        const bad = Object.keys(runs[name].statuses).filter((code) => code !== scenario.expect);
        if (bad.length || runs[name].errors) {
          log(`  ! ${name} answered ${JSON.stringify(runs[name].statuses)}, ${runs[name].errors} errors`);
        }
      }
      rows.push({ scenario: scenario.name, ...runs });
    }

    const memory = Object.fromEntries(
      await Promise.all(servers.map(async ([name, , pid]) => [name, (await rssOf(pid)).toFixed(0)])),
    );
    const pct = (a, b) => `${((a.rps / b.rps) * 100).toFixed(1)}% ${a.rps / b.rps >= TARGET ? '✓' : '✗'}`;
    log('');
    log(
      '| scenario | baseline req/s (unnamed / named statements) | service req/s | service vs baseline (unnamed / named) ' +
        '| CPU µs per request (unnamed, named, service) | p50 / p99 ms (named, service) |',
    );
    log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      log(
        `| ${r.scenario} | ${r.baseline.rps.toFixed(0)} / ${r.prepared.rps.toFixed(0)} | ${r.service.rps.toFixed(0)} ` +
          `| ${pct(r.service, r.baseline)} / ${pct(r.service, r.prepared)} ` +
          `| ${r.baseline.cpuMsPer1k.toFixed(0)}, ${r.prepared.cpuMsPer1k.toFixed(0)}, ${r.service.cpuMsPer1k.toFixed(0)} ` +
          `| ${r.prepared.p50} / ${r.prepared.p99}, ${r.service.p50} / ${r.service.p99} |`,
      );
    }
    log('');
    log(`RSS after the runs (MiB): ${JSON.stringify(memory)}`);
    log(`Target: service >= ${TARGET * 100}% of the baseline's throughput on every scenario.`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await sleep(500);
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});

// The yardstick for `npm run bench`: a hand-written Fastify + pg server that runs the same SQL as
// the users service on its hot paths (authenticate, read a profile, soft delete), with none of
// Nest's machinery, and does the same required work around it: the security headers, the trace id,
// `Cache-Control: no-store`, the rate-limit counting (per user, and per IP for failed
// authentications) with its headers, and one warning log line (pino, JSON, to standard output, as
// the service logs) per failed authentication and per denial. Not part of the service; see
// docs/benchmark.md. Run after `npm run build` (it takes the service's header set from dist/).
import { createHash, randomUUID } from 'node:crypto';
import Fastify, { LogController } from 'fastify';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { SECURITY_HEADERS } from '../dist/src/security-headers.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
// The service's logger: pino through Fastify, at the bench's level (warn: request logs off, the
// warnings on), to standard output.
const app = Fastify({
  logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  logController: new LogController({ requestIdLogLabel: 'trace_id' }),
});
const KEY = /^ak_[A-Za-z0-9]{32,64}$/;
const touching = new Set();
// With BASELINE_PREPARED=1 the baseline names its statements as the service does (parsed and
// planned once per connection); without, it sends them unnamed, as most hand-written servers do.
const PREPARED = process.env.BASELINE_PREPARED === '1';
const q = (name, text, values) => pool.query(PREPARED ? { name, text, values } : { text, values });

// Fixed one-minute windows in memory, as the service's in-memory limiter counts.
const PER_USER = Number(process.env.RATE_LIMIT_PER_USER_PER_MINUTE ?? 600);
const FAILED_PER_IP = Number(process.env.RATE_LIMIT_FAILED_AUTH_PER_MINUTE ?? 30);
const windows = new Map();
function count(id, limit) {
  const now = Date.now();
  let w = windows.get(id);
  if (!w || w.endsAt <= now) windows.set(id, (w = { hits: 0, endsAt: now + 60_000 }));
  w.hits++;
  const resetSeconds = Math.ceil((w.endsAt - now) / 1000);
  return { limit, remaining: Math.max(0, limit - w.hits), resetSeconds, exceeded: w.hits > limit };
}

// The service's envelope, byte for byte the same messages.
const envelope = (request, status, code, type, message, systemMessage = message) => ({
  success: false,
  error: {
    code,
    message,
    system_message: systemMessage,
    type,
    status,
    details: {},
    trace_id: request.id,
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  },
});

app.addHook('onRequest', (request, reply, done) => {
  reply.header('x-request-id', request.id).headers(SECURITY_HEADERS).header('cache-control', 'no-store');
  done();
});

function tooMany(request, reply, state, systemMessage) {
  return reply
    .code(429)
    .header('retry-after', String(state.resetSeconds))
    .send(
      envelope(
        request,
        429,
        'RATE_LIMIT_EXCEEDED',
        'rate_limit_error',
        'Too many requests. Please try again later.',
        systemMessage,
      ),
    );
}

function rejectKey(request, reply, secret) {
  request.log.warn(
    {
      event: 'authentication_failed',
      key_hash_prefix: createHash('sha256').update(secret).digest('hex').slice(0, 12),
      ip: request.ip,
    },
    'invalid API key',
  );
  const failed = count(`failed-auth:${request.ip}`, FAILED_PER_IP);
  if (failed.exceeded) return tooMany(request, reply, failed, 'Too many failed authentications from this address.');
  return unauthorized(
    request,
    reply,
    'INVALID_API_KEY',
    'Your API key is invalid.',
    'The API key is malformed, unknown, revoked or expired, or its user is not active.',
  );
}

function unauthorized(request, reply, code, message, systemMessage) {
  return reply.code(401).send(envelope(request, 401, code, 'authentication_error', message, systemMessage));
}

async function authenticate(request, reply) {
  const secret = request.headers['x-api-key'];
  if (!secret)
    return unauthorized(
      request,
      reply,
      'AUTHENTICATION_REQUIRED',
      'Please sign in to continue.',
      'No API key was sent. Send it in the X-API-Key header.',
    );
  if (typeof secret !== 'string' || !KEY.test(secret)) return rejectKey(request, reply, String(secret));
  const hash = createHash('sha256').update(secret).digest('hex');
  const { rows } = await q(
    'auth',
    `SELECT k.id AS key_id, k.last_used_at AS key_last_used_at, u.*
       FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
        AND u.is_active AND NOT u.is_deleted`,
    [hash],
  );
  const row = rows[0];
  if (!row) return rejectKey(request, reply, secret);
  if ((!row.key_last_used_at || Date.now() - row.key_last_used_at.getTime() >= 300_000) && !touching.has(row.key_id)) {
    touching.add(row.key_id);
    q(
      'touch',
      `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [row.key_id, 300],
    )
      .catch(() => {})
      .finally(() => touching.delete(row.key_id));
  }
  const limit = count(`user:${row.id}`, PER_USER);
  if (limit.exceeded)
    return tooMany(
      request,
      reply,
      limit,
      "Too many requests for this user (all of the user's API keys share one budget).",
    );
  reply.headers({
    'x-ratelimit-limit': String(limit.limit),
    'x-ratelimit-remaining': String(limit.remaining),
    'x-ratelimit-reset': String(limit.resetSeconds),
  });
  request.caller = { userId: row.id, role: row.global_role_id, apiKeyId: row.key_id, user: row };
}

const iso = (d) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);

app.get('/health', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok', database: 'up' };
});

// Like the service: the row the authentication query read is the profile (one round trip).
app.get('/v1/user/me', { preHandler: authenticate }, async (request) => {
  const u = request.caller.user;
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    full_name: u.full_name ?? ([u.first_name, u.last_name].filter(Boolean).join(' ') || null),
    first_name: u.first_name,
    last_name: u.last_name,
    birthday: u.birthday,
    profile_image: u.profile_image,
    timezone: u.timezone,
    country_id: u.country_id,
    post_code: u.post_code,
    gender: u.gender,
    global_role_id: u.global_role_id,
    is_active: u.is_active,
    last_verified: iso(u.last_verified),
    last_login: iso(u.last_login),
    created_at: iso(u.created_at),
    updated_at: iso(u.updated_at),
  };
});

app.delete('/v1/user/:user_id', { preHandler: authenticate }, async (request, reply) => {
  const userId = request.params.user_id;
  if (userId !== request.caller.userId) {
    request.log.warn(
      { event: 'authorization_denied', user_id: request.caller.userId, api_key_id: request.caller.apiKeyId },
      'permission denied',
    );
    return reply
      .code(403)
      .send(
        envelope(
          request,
          403,
          'INSUFFICIENT_PERMISSIONS',
          'authorization_error',
          'You can only delete your own account.',
        ),
      );
  }
  // The service's soft delete: one READ COMMITTED transaction of four statements (the revocation
  // is a later statement, so it sees keys committed while the UPDATE waited on the user's row).
  const client = await pool.connect();
  const cq = (name, text, values) => client.query(PREPARED ? { name, text, values } : { text, values });
  let deleted;
  try {
    await client.query('BEGIN');
    deleted = await cq(
      'delete_user',
      `UPDATE users SET is_deleted = true, is_active = false, deleted_at = now(), deleted_by = $2, updated_at = now()
        WHERE id = $1 AND is_deleted = false`,
      [userId, request.caller.userId],
    );
    if (deleted.rowCount === 1) {
      const revoked = await cq(
        'delete_keys',
        `UPDATE api_keys SET revoked_at = now(), revoked_reason = 'user_deleted' WHERE user_id = $1 AND revoked_at IS NULL`,
        [userId],
      );
      await cq(
        'delete_audit',
        `INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
         VALUES ('user.deleted', $1, $2, $3, $4, $5, $6)`,
        [
          request.caller.userId,
          userId,
          request.id,
          request.ip,
          request.headers['user-agent'] ?? null,
          JSON.stringify({ revoked_api_keys: revoked.rowCount }),
        ],
      );
      // The service's outbox rows (issue 10): user.deleted and one api_key.revoked per revoked key,
      // in the same transaction, one INSERT.
      const types = ['user.deleted', ...Array(revoked.rowCount).fill('api_key.revoked')];
      await cq(
        'delete_outbox',
        `INSERT INTO outbox_events (event_id, type, user_id, actor_user_id, trace_id, occurred_at, version)
         SELECT unnest($1::uuid[]), unnest($2::text[]), $3::text, $4::text, $5::text, now(), 1`,
        [types.map(() => uuidv7()), types, userId, request.caller.userId, request.id],
      );
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(error);
    throw error;
  }
  const rows = deleted.rowCount === 1 ? [userId] : [];
  if (rows.length !== 1)
    return reply.code(404).send(envelope(request, 404, 'USER_NOT_FOUND', 'client_error', 'User not found.'));
  return { success: true, message: 'User account deleted successfully', user_id: userId };
});

const SAFE_TRACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
app.setGenReqId((request) => {
  const inbound = request.headers['x-request-id'];
  if (typeof inbound === 'string' && SAFE_TRACE_ID.test(inbound)) return inbound;
  return `req_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
});
await app.listen({ port: Number(process.env.PORT ?? 3102), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);

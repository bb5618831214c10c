// The yardstick for `npm run bench`: a hand-written Fastify + pg server that runs the same SQL as
// the users service on its hot paths (authenticate, read a profile, soft delete), with none of
// Nest's machinery. Not part of the service; see docs/benchmark.md.
import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const app = Fastify({ logger: false });
const KEY = /^ak_[A-Za-z0-9]{32,64}$/;
const touching = new Set();
// With BASELINE_PREPARED=1 the baseline names its statements as the service does (parsed and
// planned once per connection); without, it sends them unnamed, as most hand-written servers do.
const PREPARED = process.env.BASELINE_PREPARED === '1';
const q = (name, text, values) => pool.query(PREPARED ? { name, text, values } : { text, values });

const envelope = (request, status, code, type, message) => ({
  success: false,
  error: {
    code,
    message,
    system_message: message,
    type,
    status,
    details: {},
    trace_id: request.id,
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  },
});

app.addHook('onRequest', async (request, reply) => {
  reply.header('x-request-id', request.id);
});

async function authenticate(request, reply) {
  const secret = request.headers['x-api-key'];
  if (!secret)
    return reply
      .code(401)
      .send(envelope(request, 401, 'AUTHENTICATION_REQUIRED', 'authentication_error', 'Please sign in to continue.'));
  if (typeof secret !== 'string' || !KEY.test(secret))
    return reply
      .code(401)
      .send(envelope(request, 401, 'INVALID_API_KEY', 'authentication_error', 'Your API key is invalid.'));
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
  if (!row)
    return reply
      .code(401)
      .send(envelope(request, 401, 'INVALID_API_KEY', 'authentication_error', 'Your API key is invalid.'));
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
  // The service's soft delete: one READ COMMITTED transaction of three statements (the revocation
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

app.setGenReqId(() => `req_${randomBytes(12).toString('hex')}`);
await app.listen({ port: Number(process.env.PORT ?? 3102), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import type { MadeUser } from '@users-service/users/testing';
import { startTestApp, type TestApp } from './support/test-app.js';

// ajv-formats is CommonJS; its default export is the function under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: string }>;
  hasBody: boolean;
  secured: boolean;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/**
 * Time budgets: each test's properties stop at their budget (the runs done so far count), so a busy
 * machine fuzzes less rather than timing out. The documented routes share one budget; each test's
 * timeout is three times its budget. On an idle two-core machine every property finishes its runs
 * well before its budget.
 */
const ROUTES_BUDGET_MS = 20_000;
const ROUTE_RUNS = 150;
const OTHER_PATHS_BUDGET_MS = 7000;
const OTHER_PATHS_RUNS = 500;

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
const anyText = fc.oneof(printable, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-composite' }));

describe('fuzzing every route of the OpenAPI document', () => {
  let t: TestApp;
  let operations: Operation[];
  let admin: MadeUser;
  const members: MadeUser[] = [];
  let ajv: Ajv;
  const validators = new Map<string, ValidateFunction>();
  const seen = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
    admin = await t.users.admin();
    for (let i = 0; i < 60; i++) members.push(await t.users.create());
    const document = (await (await t.request('/docs-json')).json()) as {
      paths: Record<
        string,
        Record<string, Omit<Operation, 'method' | 'path' | 'hasBody' | 'secured'> & Record<string, unknown>>
      >;
    };
    ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    ajv.addSchema(document, 'openapi');
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        hasBody: op.requestBody !== undefined,
        secured: Array.isArray(op.security) && op.security.length > 0,
        responses: op.responses,
      })),
    );
  });
  afterAll(async () => {
    await t?.close();
    const summary = [...seen.entries()]
      .sort()
      .map(([k, n]) => `${k}=${n}`)
      .join(' ');
    console.info(`fuzz (${t?.engine}): ${[...seen.values()].reduce((a, b) => a + b, 0)} requests; ${summary}`);
  });

  const validatorFor = (ref: string): ValidateFunction => {
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi${ref}` });
      validators.set(ref, validate);
    }
    return validate;
  };

  /** The checks every answer must pass, whatever was sent. */
  const checkAnswer = async (response: Response, documented: Operation['responses'] | null, what: string) => {
    const status = response.status;
    seen.set(String(status), (seen.get(String(status)) ?? 0) + 1);
    const text = await response.text();
    expectWithMessage(status, `${what} -> ${status} ${text}`).toBeLessThan(500);
    const traceId = response.headers.get('x-request-id');
    expectWithMessage(traceId, what).toBeTruthy();
    if (status >= 400) {
      const body = JSON.parse(text) as { success: boolean; error: Record<string, unknown> };
      expectWithMessage(body.success, what).toBe(false);
      expectWithMessage(body.error.status, what).toBe(status);
      expectWithMessage(body.error.trace_id, what).toBe(traceId);
      expectWithMessage(validatorFor('#/components/schemas/ErrorEnvelopeDto')(body), `${what}: ${text}`).toBe(true);
      expectWithMessage(text, what).not.toMatch(/ at .*\.(js|ts):\d+|SELECT |INSERT |UPDATE |QueryFailedError/);
    }
    if (documented) {
      const entry = documented[String(status)];
      expectWithMessage(entry, `${what} -> undocumented status ${status}: ${text}`).toBeDefined();
      const schema = entry?.content?.['application/json']?.schema as { $ref?: string } | undefined;
      if (schema?.$ref) {
        const validate = validatorFor(schema.$ref);
        const ok = validate(JSON.parse(text));
        expectWithMessage(
          ok,
          `${what} -> ${status} body does not match ${schema.$ref}: ${ajv.errorsText(validate.errors)} ${text}`,
        ).toBe(true);
      }
    }
  };

  const keyArb = () =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant<string | undefined>(undefined) },
      { weight: 1, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: printable },
      { weight: 1, arbitrary: fc.stringMatching(/^ak_[A-Za-z0-9]{20,70}$/) },
      { weight: 3, arbitrary: fc.constant('member') },
      { weight: 3, arbitrary: fc.constant('admin') },
    );

  const headersArb = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'accept',
        'x-request-id',
        'x-forwarded-for',
        'authorization',
        'user-agent',
        'origin',
        'cookie',
        'accept-language',
      ),
      fc.stringMatching(/^x-fuzz-[a-z0-9-]{1,20}$/),
    ),
    printable.map((v) => v.trim()),
    { maxKeys: 4 },
  );

  const queryArb = fc.oneof(
    fc.constant(''),
    fc.array(fc.tuple(anyText, anyText), { maxLength: 4 }).map((pairs) => `?${new URLSearchParams(pairs).toString()}`),
    fc.stringMatching(/^\?[a-zA-Z0-9%&=[\]._~+-]{0,40}$/),
  );

  const bodyArb = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          email: fc.oneof(fc.emailAddress(), anyText, fc.constant(null), fc.integer()),
          global_role_id: fc.oneof(fc.constantFrom('role_member', 'role_admin'), anyText),
        },
        { requiredKeys: [] },
      )
      .chain((base) =>
        fc
          .dictionary(
            fc.oneof(printable, fc.constantFrom('__proto__', 'constructor', 'is_deleted', 'id')),
            fc.jsonValue(),
            { maxKeys: 2 },
          )
          .map((extra) => JSON.stringify({ ...base, ...extra })),
      ),
    anyText,
    fc.constant('{"email": "a@b.c", "__proto__": {"global_role_id": "role_admin"}}'),
    fc.nat({ max: 3 }).map((n) => `{"email":"${'x'.repeat(2000 * (n + 1))}@example.test"}`),
  );
  const contentTypeArb = fc.oneof(
    { weight: 5, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

  /** A path parameter; `null` stands for the caller's own id. */
  const paramArb = fc.oneof(
    anyText.filter((s) => s.length > 0),
    fc.stringMatching(/^usr_[0-9a-f]{32}$/),
    fc.constant('../../etc/passwd'),
    fc.constant(null),
  );

  it(
    'documented routes: never a 5xx, errors always in the envelope, every answer documented and matching its schema',
    async () => {
      expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
        expect.arrayContaining([
          'DELETE /v1/user/{user_id}',
          'GET /health',
          'GET /health/live',
          'GET /health/ready',
          'POST /v1/user',
        ]),
      );
      let memberIndex = 0;
      const budgetPerRoute = Math.floor(ROUTES_BUDGET_MS / operations.length);
      for (const op of operations) {
        await fc.assert(
          fc.asyncProperty(
            keyArb(),
            headersArb,
            queryArb,
            op.hasBody ? fc.option(fc.tuple(bodyArb, contentTypeArb), { nil: undefined }) : fc.constant(undefined),
            fc.array(paramArb, { minLength: 2, maxLength: 2 }),
            async (key, headers, query, body, params) => {
              // Every run that may delete its caller gets a member of its own, so runs stay independent.
              const member = members[memberIndex++ % members.length]!;
              const secret = key === 'member' ? member.apiKey : key === 'admin' ? admin.apiKey : key;
              let path = op.path;
              for (const [i, p] of op.parameters.filter((x) => x.in === 'path').entries()) {
                path = path.replace(`{${p.name}}`, encodeURIComponent(params[i] ?? member.id));
              }
              const init: RequestInit = { method: op.method, headers: { ...headers } };
              const h = init.headers as Record<string, string>;
              if (secret !== undefined) h['x-api-key'] = secret;
              if (body) {
                init.body = body[0];
                if (body[1]) h['content-type'] = body[1];
              }
              const what = `${op.method} ${path}${query} key=${key} body=${body?.[0].slice(0, 80)} ct=${body?.[1]}`;
              await checkAnswer(await t.request(path + query, init), op.responses, what);
            },
          ),
          { numRuns: ROUTE_RUNS, interruptAfterTimeLimit: budgetPerRoute, markInterruptAsFailure: false },
        );
        // A deleted member's keys stop working: swap in fresh members for the next route.
        const { rows } = { rows: await t.db.query('SELECT id FROM users WHERE is_deleted') };
        const deleted = new Set((rows as Array<{ id: string }>).map((r) => r.id));
        for (let i = 0; i < members.length; i++) if (deleted.has(members[i]!.id)) members[i] = await t.users.create();
      }
    },
    3 * ROUTES_BUDGET_MS,
  );

  it(
    'any other path or method: never a 5xx, always the envelope',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
          fc.oneof(
            fc
              .array(anyText, { minLength: 1, maxLength: 4 })
              .map((parts) => `/${parts.map(encodeURIComponent).join('/')}`),
            fc.stringMatching(/^\/[a-zA-Z0-9%._~/-]{0,60}$/),
            fc.constantFrom('/v1/user/', '/v1//user', '/V1/USER', '/health/', '/docs-json/x', '/%', '/v1/user/%ZZ'),
          ),
          queryArb,
          keyArb(),
          async (method, path, query, key) => {
            const headers: Record<string, string> = {};
            if (key === 'admin' || key === 'member') headers['x-api-key'] = admin.apiKey;
            else if (key !== undefined) headers['x-api-key'] = key;
            const response = await t.request(path + query, { method, headers });
            await checkAnswer(response, null, `${method} ${path}${query}`);
          },
        ),
        { numRuns: OTHER_PATHS_RUNS, interruptAfterTimeLimit: OTHER_PATHS_BUDGET_MS, markInterruptAsFailure: false },
      );
    },
    3 * OTHER_PATHS_BUDGET_MS,
  );
});

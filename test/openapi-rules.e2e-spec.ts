import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { getMetadataStorage } from 'class-validator';
import type { MadeUser } from '@users-service/users/testing';
import { expectWithMessage } from './support/expect-with-message.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// ajv-formats is CommonJS; its default export is the function under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Schema = Record<string, any>;
type Dto = new () => object;
type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/** A route that takes a body DTO or a query DTO, as Nest registered it; keyed by operationId. */
interface DtoRoute {
  operationId: string;
  body?: Dto;
  query?: Dto;
}

/** Every controller method of the running app that has a @Body() or @Query() DTO (operationId = method name). */
function dtoRoutes(t: TestApp): DtoRoute[] {
  const routes: DtoRoute[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (!metatype) continue;
      const prototype = (metatype as { prototype: object }).prototype;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, method) ?? {}) as Record<
          string,
          { index: number }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', prototype, method) ?? []) as Dto[];
        const route: DtoRoute = { operationId: method };
        for (const [key, { index }] of Object.entries(args)) {
          // Keys are `<RouteParamtypes>:<index>`.
          const kind = key.split(':')[0];
          if (kind === String(RouteParamtypes.BODY)) route.body = types[index];
          if (kind === String(RouteParamtypes.QUERY)) route.query = types[index];
        }
        if (route.body || route.query) routes.push(route);
      }
    }
  }
  return routes;
}

/**
 * Rules a JSON schema cannot state (a real time zone, a date relative to today, the finer points of an
 * e-mail address): the document says them in the field's description, which must match this. The
 * comparison below tolerates a 422 for a value the schema accepts only when every rule it names is one
 * of these.
 */
const DESCRIBED_RULES: Record<string, Record<string, Record<string, RegExp>>> = {
  createUser: { email: { isEmail: /e-mail address/ } },
  updateProfile: {
    birthday: { isPastDate: /in the past/ },
    timezone: { isTimeZone: /IANA time zone/ },
    profile_image: { isUrl: /http or https URL/ },
  },
  createApiKey: { expires_at: { isFuture: /in the future/ } },
};

/** Each class-validator rule and what the field's schema must say for it (`s`: the schema, `c`: its constraints). */
const COUNTERPARTS: Record<string, (s: Schema, c: any[]) => boolean> = {
  isString: (s) => s.type === 'string',
  isInt: (s) => s.type === 'integer',
  isBoolean: (s) => s.type === 'boolean',
  minLength: (s, c) => s.minLength === c[0],
  maxLength: (s, c) => s.maxLength === c[0],
  matches: (s, c) => s.pattern === (c[0] as RegExp).source,
  isIn: (s, c) => JSON.stringify((s.enum as unknown[] | undefined)?.filter((v) => v !== null)) === JSON.stringify(c[0]),
  min: (s, c) => s.minimum === c[0],
  max: (s, c) => s.maximum === c[0],
  isEmail: (s) => s.format === 'email',
  isUrl: (s) => s.format === 'uri' && typeof s.pattern === 'string',
  isIso8601: (s) => (s.format === 'date' || s.format === 'date-time') && typeof s.pattern === 'string',
  isPastDate: (s) => s.format === 'date' && typeof s.pattern === 'string',
  isFuture: (s) => s.format === 'date-time',
  isTimeZone: (s) => typeof s.pattern === 'string',
};

/** Strings worth trying on any text field: shapes of dates, times, ids, URLs, zones, actions and junk. */
const SOME_TEXT = [
  '',
  ' ',
  'x',
  'Not valid!',
  'UPPER',
  'a.b',
  'user.deleted',
  'user.unknown',
  'DROP TABLE',
  '1899-12-31',
  '1900-01-01',
  '2030-01-01',
  '2030-02-30',
  '2030-01-01T00:00:00',
  '2030-01-01T00:00:00Z',
  '2030-01-01T00:00:00+01:00',
  '2030-01-01 00:00:00Z',
  '2020-01-01T00:00:00Z',
  '2030-W01',
  'Europe/London',
  'Mars/Olympus',
  'https://example.com/a.png',
  'HTTPS://example.com/a.png',
  'ftp://example.com/a.png',
  'a@example.com',
  'role_admin',
  'role_member',
  'usr_4ab3bd9533df40318468ed9cc0d8c391',
];
const SOME_INTEGERS = ['1.5', 'abc', '', '007', '+1', '-0', '999999999', '1000000000', '99999999999'];
const SOME_BOOLEANS = ['true', 'false', 'TRUE', '1', '0', 'yes', ''];
const NOT_TEXT = [null, 42, true, {}, ['a']];

/** `example` cut or padded to `n` characters; padded after its first character, or at its end. */
function fit(example: string, n: number, where: 'start' | 'end'): string {
  if (example.length >= n) return example.slice(0, n);
  const pad = 'a'.repeat(n - example.length);
  return where === 'end' ? example + pad : example.slice(0, 1) + pad + example.slice(1);
}

/** Values to try for a field of schema `s`, each boundary of its lengths and ranges on either side. */
function valuesFor(s: Schema, inQuery: boolean): unknown[] {
  const values: unknown[] = [];
  if (s.type === 'integer') {
    for (const bound of [s.minimum, s.maximum] as Array<number | undefined>) {
      if (bound !== undefined) values.push(String(bound - 1), String(bound), String(bound + 1));
    }
    values.push(...SOME_INTEGERS);
  } else if (s.type === 'boolean') {
    values.push(...SOME_BOOLEANS);
  } else {
    const example = typeof s.example === 'string' ? s.example : 'a';
    for (const n of [s.minLength - 1, s.minLength, s.maxLength, s.maxLength + 1] as number[]) {
      if (Number.isInteger(n) && n >= 0) values.push(fit(example, n, 'start'), fit(example, n, 'end'));
    }
    values.push(example, ...((s.enum as unknown[] | undefined) ?? []), ...SOME_TEXT);
  }
  if (!inQuery) values.push(...NOT_TEXT);
  const seen = new Set<string>();
  return values.filter((v) => !seen.has(JSON.stringify(v)) && seen.add(JSON.stringify(v)));
}

/** A query value as an OpenAPI validator reads it for a parameter of schema `s` (form style, one value). */
function deserialize(value: string, s: Schema): unknown {
  if (s.type === 'integer' && /^-?\d+$/.test(value)) return Number(value);
  if (s.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** The fields an ajv error is about. */
function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String(error.params.missingProperty);
  if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty);
  return error.instancePath.split('/')[1] ?? '';
}

interface Verdict {
  status: number;
  /** `field rule` of each violation of a 422. */
  violations: string[];
}

/**
 * The OpenAPI document and the validators say the same (issue 11, item 5): every class-validator
 * rule of every body and query DTO has its counterpart in the schema (or, where JSON Schema cannot
 * say it, in the field's description), and for values on and past every stated boundary, the
 * service answers 422 exactly when the document (validated with ajv) rejects the value.
 */
describe('the OpenAPI document and the validators agree', () => {
  let t: TestApp;
  let document: { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } };
  let routes: DtoRoute[];
  let admin: MadeUser;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  let probes = 0;

  beforeAll(async () => {
    // Many keys get created on purpose: the per-user limit is not what this spec is about.
    t = await startTestApp({ MAX_API_KEYS_PER_USER: '10000' });
    admin = await t.users.admin();
    document = (await (await t.request('/docs-json')).json()) as typeof document;
    ajv.addSchema(document, 'openapi');
    routes = dtoRoutes(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const operation = (operationId: string): { method: string; path: string; op: Record<string, any> } => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item)) if (op.operationId === operationId) return { method, path, op };
    }
    throw new Error(`no operation ${operationId} in the document`);
  };
  const bodySchemaRef = (op: Record<string, any>): string =>
    op.requestBody?.content?.['application/json']?.schema?.$ref as string;
  const resolve = (ref: string): Schema => document.components.schemas[ref.split('/').pop()!]!;

  /** Sends one request as an admin, who may call every route; a user id in the path is the admin's own. */
  const send = async (operationId: string, query: Record<string, string>, body?: unknown): Promise<Verdict> => {
    const { method, path } = operation(operationId);
    const caller = admin;
    const search = new URLSearchParams(query).toString();
    const response = await t.request(`${path.replace('{user_id}', caller.id)}${search ? `?${search}` : ''}`, {
      method: method.toUpperCase(),
      headers: { 'X-API-Key': caller.apiKey, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    probes++;
    const answer = (await response.json()) as {
      error?: { details?: { fields?: Array<{ field: string; rule: string }> } };
    };
    const violations = (answer.error?.details?.fields ?? []).map(({ field, rule }) => `${field} ${rule}`);
    return { status: response.status, violations };
  };

  it('knows every route that takes a body or a query, and finds each in the document', () => {
    expect(routes.map((r) => r.operationId).sort()).toEqual([
      'createApiKey',
      'createUser',
      'getUser',
      'listApiKeys',
      'listAuditEvents',
      'listUsers',
      'updateProfile',
    ]);
    for (const route of routes) {
      const { op } = operation(route.operationId);
      if (route.body)
        expectWithMessage(bodySchemaRef(op), route.operationId).toBe(`#/components/schemas/${route.body.name}`);
    }
  });

  it('states each validator rule in the schema (or the description), and unknown body fields as additionalProperties: false', () => {
    const missing: string[] = [];
    for (const route of routes) {
      const { op } = operation(route.operationId);
      for (const [where, dto] of [
        ['body', route.body],
        ['query', route.query],
      ] as const) {
        if (!dto) continue;
        const body = where === 'body' ? resolve(bodySchemaRef(op)) : undefined;
        // The global ValidationPipe forbids fields the DTO does not declare.
        if (body && body.additionalProperties !== false)
          missing.push(`${route.operationId} body: additionalProperties: false`);
        const byField = new Map<string, ValidationMetadata[]>();
        for (const meta of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
          byField.set(meta.propertyName, [...(byField.get(meta.propertyName) ?? []), meta]);
        }
        for (const [field, metas] of byField) {
          const names = metas.map((m) => m.name ?? m.type);
          const at = `${route.operationId} ${where} ${field}`;
          const param = (op.parameters as Array<Record<string, any>> | undefined)?.find(
            (p) => p.in === 'query' && p.name === field,
          );
          const s: Schema | undefined = body ? body.properties?.[field] : param?.schema;
          if (names.includes('read_only')) {
            // Declared only to name the rule in the 422: absent from the schema, refused as an unknown field.
            if (s) missing.push(`${at}: read-only, so not in the schema`);
            continue;
          }
          if (!s) {
            missing.push(`${at}: not in the document`);
            continue;
          }
          const optional = names.includes('isOptional');
          const required = body
            ? ((body.required as string[] | undefined) ?? []).includes(field)
            : param?.required === true;
          if (required === optional) missing.push(`${at}: required: ${!optional}`);
          // @IsOptional lets null through as well as absence.
          if (body && optional && s.nullable !== true) missing.push(`${at}: nullable (@IsOptional accepts null)`);
          const described = DESCRIBED_RULES[route.operationId]?.[field] ?? {};
          const description = String((body ? s.description : param?.description) ?? '');
          for (const meta of metas) {
            const name = meta.name ?? meta.type;
            if (name === 'isOptional' || meta.type === 'conditionalValidation') continue;
            const check = COUNTERPARTS[name];
            if (!check) missing.push(`${at}: no known counterpart for rule ${name}`);
            else if (!check(s, meta.constraints ?? []))
              missing.push(`${at}: ${name}(${String(meta.constraints ?? '')})`);
            if (described[name] && !described[name].test(description)) {
              missing.push(`${at}: ${name} in the description (${String(described[name])})`);
            }
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('rejects with 422 exactly what the document rejects, for values on and past every boundary', async () => {
    const disagreements: string[] = [];
    let unique = 0;
    const compare = (
      at: string,
      verdict: Verdict,
      errors: ErrorObject[] | null | undefined,
      described: Record<string, RegExp>,
    ) => {
      const rejected = [...new Set((errors ?? []).map(fieldOf))].sort();
      if (rejected.length > 0) {
        const named = [...new Set(verdict.violations.map((v) => v.split(' ')[0]!))].sort();
        if (verdict.status !== 422 || JSON.stringify(named) !== JSON.stringify(rejected)) {
          disagreements.push(
            `${at}: the document rejects (${rejected.join(', ')}), the service answers ${verdict.status} ${verdict.violations.join(', ')}`,
          );
        }
      } else if (verdict.status === 422) {
        const undescribed = verdict.violations.filter((v) => !described[v.split(' ')[1]!]);
        if (undescribed.length > 0)
          disagreements.push(`${at}: the document accepts, the service answers 422 ${undescribed.join(', ')}`);
      } else if (verdict.status < 200 || verdict.status >= 300) {
        disagreements.push(`${at}: the document accepts, the service answers ${verdict.status}`);
      }
    };

    for (const route of routes) {
      const { op } = operation(route.operationId);
      const described = DESCRIBED_RULES[route.operationId] ?? {};
      if (route.body) {
        const ref = bodySchemaRef(op);
        const schema = resolve(ref);
        const validate = ajv.compile({ $ref: `openapi${ref}` });
        // The smallest valid body: the required fields, with a fresh e-mail each time.
        const base = (): Record<string, unknown> => {
          const body: Record<string, unknown> = {};
          for (const field of (schema.required as string[] | undefined) ?? []) {
            body[field] = field === 'email' ? `probe${++unique}@example.com` : schema.properties[field].example;
          }
          return body;
        };
        const bodies: Array<[string, string, Record<string, unknown>]> = [
          ['an unknown field', 'unexpected', { ...base(), unexpected: 1 }],
        ];
        for (const field of (schema.required as string[] | undefined) ?? []) {
          const body = base();
          delete body[field];
          bodies.push([`${field} absent`, field, body]);
        }
        for (const [field, s] of Object.entries(schema.properties as Record<string, Schema>)) {
          for (const value of valuesFor(s, false)) {
            bodies.push([`${field}=${JSON.stringify(value)}`, field, { ...base(), [field]: value }]);
          }
        }
        for (const [what, field, body] of bodies) {
          const valid = validate(body);
          const verdict = await send(route.operationId, {}, body);
          compare(`${route.operationId} ${what}`, verdict, valid ? null : validate.errors, described[field] ?? {});
        }
      }
      if (route.query) {
        for (const param of (op.parameters as Array<Record<string, any>>).filter((p) => p.in === 'query')) {
          const s = param.schema as Schema;
          const validate = ajv.compile({ type: 'object', properties: { [param.name]: s } });
          for (const value of valuesFor(s, true) as string[]) {
            const valid = validate({ [param.name]: deserialize(value, s) });
            const verdict = await send(route.operationId, { [param.name]: value });
            compare(
              `${route.operationId} ?${param.name}=${JSON.stringify(value)}`,
              verdict,
              valid ? null : validate.errors,
              described[param.name] ?? {},
            );
          }
        }
      }
    }
    console.info(`openapi-rules (${t.engine}): ${probes} requests`);
    expect(disagreements).toEqual([]);
    // Several hundred requests, some creating a user or a key: on two busy cores this takes a while.
  }, 300_000);
});

import { readFileSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type RequestBodyObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { API_KEY_SECURITY } from '@users-service/users';
import { addCommonErrorResponses } from './common-error-responses.js';

/**
 * The package's version, for the document's `info.version`: read from the nearest package.json
 * above this file (`src/` when run from source, `dist/src/` when built).
 */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      return (JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { version: string }).version;
    } catch {
      if (dir.pathname === '/') throw new Error('package.json not found');
    }
  }
}

/** The top-level keys of the document, in the order a reader expects them. */
const TOP_LEVEL_ORDER = ['openapi', 'info', 'servers', 'tags', 'security', 'paths', 'components', 'externalDocs'];
const METHOD_ORDER = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head', 'trace'];

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const inOrder =
  (order: string[]) =>
  (a: string, b: string): number =>
    (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1) || byName(a, b);

function sortKeys<T extends object>(object: T, compare: (a: string, b: string) => number = byName): T {
  const keys = Object.keys(object).sort(compare);
  return Object.fromEntries(keys.map((key) => [key, (object as Record<string, unknown>)[key]])) as T;
}

/**
 * The document in a stable order, whatever order modules and controllers are registered in: top-level
 * keys in the usual order, paths, methods, tags and components sorted; inside an operation or a schema
 * everything stays in the order the code declares it (a DTO's fields read in their own order).
 */
export function canonicalOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  const paths = Object.fromEntries(
    Object.entries(sortKeys(document.paths)).map(([path, item]) => [path, sortKeys(item, inOrder(METHOD_ORDER))]),
  );
  const components = document.components
    ? Object.fromEntries(
        Object.entries(sortKeys(document.components)).map(([section, entries]) => [
          section,
          sortKeys(entries as object),
        ]),
      )
    : undefined;
  const tags = document.tags ? [...document.tags].sort((a, b) => byName(a.name, b.name)) : undefined;
  // DocumentBuilder always adds an empty `contact`; an empty object says nothing.
  const { contact, ...info } = document.info;
  if (contact && Object.keys(contact).length > 0) Object.assign(info, { contact });
  return sortKeys({ ...document, info, paths, components, tags }, inOrder(TOP_LEVEL_ORDER));
}

/**
 * The global ValidationPipe (`createValidationPipe`: `whitelist` and `forbidNonWhitelisted`) answers
 * 422 `unknown_field` for any field a body DTO does not declare: every request body's schema says so.
 */
function closeRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const item of Object.values(document.paths)) {
    for (const method of METHOD_ORDER) {
      const operation = item[method as keyof typeof item] as OperationObject | undefined;
      const body = operation?.requestBody as RequestBodyObject | undefined;
      const ref = (body?.content['application/json']?.schema as ReferenceObject | undefined)?.$ref;
      const schema = ref ? schemas[ref.slice(ref.lastIndexOf('/') + 1)] : undefined;
      if (schema && !('$ref' in schema)) schema.additionalProperties = false;
    }
  }
  return document;
}

/** The OpenAPI document of the running application (also what `npm run openapi` writes). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Users service')
    .setDescription(
      'User accounts, their API keys and the audit-safe soft delete. Every route but /health needs an ' +
        '`X-API-Key` header. Every error answers in one envelope with a `trace_id`, also sent as `X-Request-Id`. ' +
        'A body field or query parameter that an operation does not list is refused (422 `unknown_field`).',
    )
    .setVersion(packageVersion())
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Relative: Swagger UI calls the service that serves it, wherever that is.
    .addServer('/', 'This service (paths are relative to where the document is served)')
    .addTag('users', 'User accounts: create (admins) and the soft delete of your own account.')
    .addTag('health', 'Liveness and database reachability, for load balancers and orchestrators.')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'An API key: ak_ followed by letters and digits.',
      },
      API_KEY_SECURITY,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  return canonicalOpenApiDocument(closeRequestBodies(addCommonErrorResponses(document)));
}

/** The document as `openapi.json` holds it: two-space JSON and a final newline. */
export function renderOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function setupSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'Users service API',
    // validatorUrl null: no badge fetched from validator.swagger.io (the CSP allows no other origin).
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, validatorUrl: null },
  });
}

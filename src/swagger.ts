import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY } from '@app/users';
import { addCommonErrorResponses } from './common-error-responses.js';

/** The OpenAPI document of the running application (also what `npm run openapi` writes). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Users service')
    .setDescription(
      'User accounts, their API keys and the audit-safe soft delete. Every route but /health needs an ' +
        '`X-API-Key` header. Every error answers in one envelope with a `trace_id`, also sent as `X-Request-Id`.',
    )
    .setVersion('1.0.0')
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
  return addCommonErrorResponses(
    SwaggerModule.createDocument(app, config, {
      operationIdFactory: (_controllerKey, methodKey) => methodKey,
    }),
  );
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function setupSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'Users service API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}

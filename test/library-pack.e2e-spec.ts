import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AUTHENTICATION_REQUIRED, INVALID_API_KEY } from './support/envelope.js';
import { createPostgresDatabase, engine, startTestApp, type TestApp } from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The version of a package installed in this repository, so that the scratch install hits npm's cache. */
const installed = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** What the scratch app installs besides the two tarballs: the library's peers and Express. */
const PEERS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/swagger',
  '@nestjs/typeorm',
  '@types/node',
  'class-transformer',
  'class-validator',
  'pg',
  'reflect-metadata',
  'rxjs',
  'typeorm',
];

/** Another team's Nest service on Express: its own default connection, the users tables on `users`. */
const SCRATCH_MAIN = `import 'reflect-metadata';
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyGuard, type Caller, CurrentUser, USERS_ENTITIES, UsersModule } from '@users-service/users';

@Controller('notes')
class NotesController {
  @Get()
  @UseGuards(ApiKeyGuard)
  list(@CurrentUser() caller: Caller): { userId: string } {
    return { userId: caller.userId };
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({ type: 'postgres', url: process.env.APP_DATABASE_URL, entities: [] }),
    TypeOrmModule.forRoot({ name: 'users', type: 'postgres', url: process.env.USERS_DATABASE_URL, entities: USERS_ENTITIES }),
    UsersModule.forRoot({ dataSource: 'users' }),
  ],
  controllers: [NotesController],
})
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
const address = app.getHttpServer().address();
console.log('LISTENING ' + (typeof address === 'object' && address ? address.port : ''));
`;

const SCRATCH_TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2023',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
  },
  include: ['src'],
};

/**
 * The library as another team gets it: `npm pack` of both packages, installed from the tarballs
 * into a scratch Express app outside the repository, type-checked by tsc, then run against the
 * users API's database. PostgreSQL only: the scratch app connects with its own `pg` pools, as
 * a real neighbour service would.
 */
(engine() !== 'postgres' ? describe.skip : describe)('@users-service/users installed from its tarball', () => {
  let t: TestApp;
  let scratchDir: string;
  let appDatabase: { url: string; drop: () => Promise<void> };
  let server: ChildProcess | undefined;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    appDatabase = await createPostgresDatabase();
    scratchDir = mkdtempSync(join(tmpdir(), 'users-lib-consumer-'));
    const packs = join(scratchDir, 'packs');
    mkdirSync(packs);
    try {
      for (const lib of ['common', 'users']) {
        execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], {
          cwd: join(ROOT, 'libs', lib),
          stdio: ['ignore', 'ignore', 'inherit'],
        });
      }
    } finally {
      // Packing builds libs/*/dist. Left there, it would be what `@users-service/*` resolves to: the
      // next `nest build` keeps the package imports instead of rewriting them to the sources, and the
      // service would run this build of the libraries, stale as soon as their sources change.
      for (const lib of ['common', 'users']) rmSync(join(ROOT, 'libs', lib, 'dist'), { recursive: true, force: true });
    }
    writeFileSync(
      join(scratchDir, 'package.json'),
      JSON.stringify({ name: 'scratch-consumer', private: true, type: 'module' }),
    );
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        join(packs, 'users-service-common-0.1.0.tgz'),
        join(packs, 'users-service-users-0.1.0.tgz'),
        ...PEERS.map((name) => `${name}@${installed(name)}`),
      ],
      { cwd: scratchDir, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    mkdirSync(join(scratchDir, 'src'));
    writeFileSync(join(scratchDir, 'src', 'main.ts'), SCRATCH_MAIN);
    writeFileSync(join(scratchDir, 'tsconfig.json'), JSON.stringify(SCRATCH_TSCONFIG));
    // Type-checks the app against the packed .d.ts files and compiles it.
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', scratchDir], {
      stdio: 'inherit',
    });
    server = spawn(process.execPath, [join(scratchDir, 'dist', 'main.js')], {
      cwd: scratchDir,
      env: {
        PATH: process.env.PATH ?? '',
        APP_DATABASE_URL: appDatabase.url,
        USERS_DATABASE_URL: t.databaseUrl!,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<string>((ok, fail) => {
      let out = '';
      server!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /LISTENING (\d+)/.exec(out);
        if (match) ok(match[1]!);
      });
      server!.once('exit', (code) => fail(new Error(`the scratch app exited (${code})`)));
    });
    baseUrl = `http://127.0.0.1:${port}`;
  }, 300_000);

  afterAll(async () => {
    server?.kill();
    await t?.close();
    await appDatabase?.drop();
    if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  });

  const notes = (headers: Record<string, string> = {}) => fetch(`${baseUrl}/notes`, { headers });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string } }).error;

  it('no key: 401 AUTHENTICATION_REQUIRED', async () => {
    const response = await notes();
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ code: AUTHENTICATION_REQUIRED.code, status: 401 });
  });

  it('a bad key: 401 INVALID_API_KEY', async () => {
    const response = await notes({ 'X-API-Key': `ak_${'x'.repeat(40)}` });
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ code: INVALID_API_KEY.code, status: 401 });
  });

  it("a valid key: 200 with @CurrentUser()'s userId; after a delete through the users API, 401", async () => {
    const user = await t.users.create();
    const ok = await notes({ 'X-API-Key': user.apiKey });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ userId: user.id });

    const deleted = await t.request(`/v1/user/${user.id}`, { method: 'DELETE', headers: { 'X-API-Key': user.apiKey } });
    expect(deleted.status).toBe(200);
    const after = await notes({ 'X-API-Key': user.apiKey });
    expect(after.status).toBe(401);
    expect(await errorOf(after)).toMatchObject({ code: INVALID_API_KEY.code });
  });

  it('mounts no users route', async () => {
    const user = await t.users.create();
    for (const [method, path] of [
      ['DELETE', `/v1/user/${user.id}`],
      ['GET', '/v1/user/me'],
      ['POST', '/v1/user/api-keys'],
      ['GET', '/v1/audit-events'],
    ] as const) {
      const response = await fetch(`${baseUrl}${path}`, { method, headers: { 'X-API-Key': user.apiKey } });
      expect([method, path, response.status]).toEqual([method, path, 404]);
    }
  });
});

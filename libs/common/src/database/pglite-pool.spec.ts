import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { freshClusterTarball } from './pglite-pool.js';

describe('the fresh cluster behind every memory:// database', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'pglite-cache-spec-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('is made once by initdb, kept in the cache directory whole, and loads as a database', async () => {
    const tarball = await freshClusterTarball(cacheDir);
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^fresh-cluster-[0-9a-f]{16}\.tar$/);

    const db = await PGlite.create({ loadDataDir: new Blob([new Uint8Array(tarball)]) });
    try {
      const { rows } = await db.query<{ tables: number }>(
        "SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'",
      );
      expect(rows).toEqual([{ tables: 0 }]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('is read from the cache the next time, not made again', async () => {
    const [file] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, file!), 'what the cache holds');
    expect((await freshClusterTarball(cacheDir)).toString()).toBe('what the cache holds');
  });
});

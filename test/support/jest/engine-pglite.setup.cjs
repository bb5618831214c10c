// The e2e-pglite project: test/support/test-app.ts boots every app on in-memory PGlite.
process.env.E2E_ENGINE = 'pglite';

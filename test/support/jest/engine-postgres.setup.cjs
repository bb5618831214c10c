// The e2e-postgres project: test/support/test-app.ts boots every app on a database of its own in
// the PostgreSQL of TEST_DATABASE_URL.
process.env.E2E_ENGINE = 'postgres';

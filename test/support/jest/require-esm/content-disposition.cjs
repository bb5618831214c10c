// See `requireEsm` in jest.config.mjs: `content-disposition` 2 is an ES module that @fastify/static
// (which serves Swagger UI's files) loads with require(). Node's own require loads it (Node >= 20.19).
module.exports = require('node:module').createRequire(__filename)('content-disposition');

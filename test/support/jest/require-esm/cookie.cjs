// See `requireEsm` in jest.config.mjs: `cookie` 2 is an ES module that light-my-request (behind
// Fastify's inject()) loads with require(). Node's own require loads it (Node >= 20.19).
module.exports = require('node:module').createRequire(__filename)('cookie');

export { type MadeUser, type MakeUserOptions, UserFactory } from './user.factory.js';

export { type MadeKey, type MadeUser, type MakeUserOptions, UserFactory } from './user.factory.js';

import { expect } from '@jest/globals';

type Matchers = ReturnType<typeof expect>;

/** Wraps every matcher (and `.not`, `.resolves`, `.rejects`) so that a failure starts with `message`. */
function withMessage<T extends object>(target: T, message: string): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          try {
            const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
            if (result instanceof Promise) {
              return result.catch((error: unknown) => {
                throw prefixed(error, message);
              });
            }
            return result;
          } catch (error) {
            throw prefixed(error, message);
          }
        };
      }
      return typeof value === 'object' && value !== null ? withMessage(value, message) : value;
    },
  });
}

function prefixed(error: unknown, message: string): unknown {
  if (error instanceof Error) error.message = `${message}\n\n${error.message}`;
  return error;
}

/**
 * `expect(value)` whose failure message starts with `message`: a spec that checks many cases in one
 * test (every route, every status) says which case failed. (Jest's `expect` takes one argument.)
 */
export function expectWithMessage(value: unknown, message: string): Matchers {
  return withMessage(expect(value), message);
}

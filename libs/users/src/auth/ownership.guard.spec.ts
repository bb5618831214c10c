import { describe, expect, it, jest } from '@jest/globals';
import { type ExecutionContext, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InsufficientPermissionsError } from '@users-service/common';
import type { Caller } from './caller.js';
import { OwnershipGuard } from './ownership.guard.js';

function createSut(caller: Partial<Caller> | undefined, params: Record<string, string>) {
  const reflector = {
    get: jest.fn().mockReturnValue({ param: 'user_id', message: 'You can only delete your own account.' }),
  };
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const request = { id: 'req_1', params, caller };
  const handler = (): void => undefined;
  const context = {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { sut: new OwnershipGuard(reflector as unknown as Reflector), context };
}

describe('OwnershipGuard', () => {
  it("allows the caller's own id", () => {
    const { sut, context } = createSut({ userId: 'usr_1' }, { user_id: 'usr_1' });
    expect(sut.canActivate(context)).toBe(true);
  });

  it("refuses any other id with the route's message, whether or not it exists", () => {
    for (const target of ['usr_2', 'usr_does_not_exist', '', 'USR_1']) {
      const { sut, context } = createSut({ userId: 'usr_1' }, { user_id: target });
      let thrown: unknown;
      try {
        sut.canActivate(context);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InsufficientPermissionsError);
      expect((thrown as Error).message).toBe('You can only delete your own account.');
    }
  });

  it('refuses when there is no caller', () => {
    const { sut, context } = createSut(undefined, { user_id: 'usr_1' });
    expect(() => sut.canActivate(context)).toThrow(InsufficientPermissionsError);
  });
});

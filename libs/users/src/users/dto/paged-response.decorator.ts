import { applyDecorators, type Type, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { TotalCountInterceptor } from '@users-service/common';

/**
 * A paged list route: the handler returns a `Page`, the client gets a bare JSON array and the total
 * in `X-Total-Count`; documents both, with an example item.
 */
export function PagedResponse(item: Type<unknown>, what: string, example: object): MethodDecorator {
  return applyDecorators(
    UseInterceptors(TotalCountInterceptor),
    ApiOkResponse({
      type: [item],
      description: `One page of ${what}, as a bare JSON array.`,
      headers: {
        'X-Total-Count': {
          description: `How many ${what} match the filters, across all pages.`,
          schema: { type: 'integer', example: 1 },
        },
      },
      example: [example],
    }),
  );
}

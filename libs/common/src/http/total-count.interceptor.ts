import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { map, type Observable } from 'rxjs';

/** The response header that carries the total of a paged list. */
export const TOTAL_COUNT_HEADER = 'x-total-count';

/** One page of a list and the number of items across all pages. */
export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * Turns a `Page` returned by a handler into the family's list answer: a bare JSON array, with the
 * total in the `X-Total-Count` header. Keeps controllers one statement and services free of HTTP.
 */
@Injectable()
export class TotalCountInterceptor implements NestInterceptor<Page<unknown>, unknown[]> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler<Page<unknown>>): Observable<unknown[]> {
    const reply: unknown = context.switchToHttp().getResponse();
    return next.handle().pipe(
      map((page) => {
        this.adapterHost.httpAdapter.setHeader(reply, TOTAL_COUNT_HEADER, String(page.total));
        return page.items;
      }),
    );
  }
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { toBooleanParam, toIntParam } from './query-params.js';

/** The largest page a list answers. */
export const MAX_PAGE_SIZE = 100;
/** The most items a list skips: more than any list holds, and within what `toIntParam` reads. */
export const MAX_SKIP = 999_999_999;

export class PageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'How many items to skip.',
    minimum: 0,
    maximum: MAX_SKIP,
    default: 0,
    example: 0,
  })
  @Transform(toIntParam)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SKIP)
  skip: number = 0;

  @ApiPropertyOptional({
    type: 'integer',
    description: `How many items to return, at most ${MAX_PAGE_SIZE}.`,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: MAX_PAGE_SIZE,
    example: 20,
  })
  @Transform(toIntParam)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = MAX_PAGE_SIZE;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    type: 'boolean',
    description: 'Only users whose `is_active` is true (deleted users are never active).',
    default: false,
    example: false,
  })
  @Transform(toBooleanParam)
  @IsOptional()
  @IsBoolean()
  active_only: boolean = false;

  @ApiPropertyOptional({
    type: 'boolean',
    description:
      'Also list soft-deleted users. Every item then carries `is_deleted`, `deleted_at`, `deleted_by` and `anonymized_at`.',
    default: false,
    example: false,
  })
  @Transform(toBooleanParam)
  @IsOptional()
  @IsBoolean()
  include_deleted: boolean = false;
}

export class GetUserQueryDto {
  @ApiPropertyOptional({
    type: 'boolean',
    description:
      'Admins only (ignored for anyone else): answer for a soft-deleted user too, with `is_deleted`, `deleted_at`, ' +
      '`deleted_by` and `anonymized_at`.',
    default: false,
    example: true,
  })
  @Transform(toBooleanParam)
  @IsOptional()
  @IsBoolean()
  include_deleted: boolean = false;
}

import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@clinic/contracts';

/**
 * The `limit` query parameter of a list route: a whole number from 1 to MAX_PAGE_SIZE; the route
 * uses DEFAULT_PAGE_SIZE when it is absent.
 */
export function PageLimit(): PropertyDecorator {
  // Listed in the order stacked decorators are applied (the bottom one first), so the messages
  // of a refused limit keep their order.
  return applyDecorators(
    Max(MAX_PAGE_SIZE),
    Min(1),
    IsInt({ message: 'limit must be a whole number' }),
    Type(() => Number),
    IsOptional(),
    ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
  );
}

/** The query of a list paged by row id: `cursor` is the previous page's `nextCursor`. */
export class IdCursorPageQuery {
  @ApiPropertyOptional({ description: "The previous page's nextCursor" })
  @IsOptional()
  @IsUUID('all', { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @PageLimit()
  limit?: number;
}

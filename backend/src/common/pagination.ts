import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
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
    ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
  );
}

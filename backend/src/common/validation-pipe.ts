import { ArgumentMetadata, Type, ValidationPipe } from '@nestjs/common';

/**
 * Nest's ValidationPipe, but a query string without any parameter is not taken through
 * class-transformer and class-validator again once its DTO has accepted one: the answer for `{}`
 * is always the same, an instance with nothing set. The inbox asks its first page so on every
 * open and refresh, and the two libraries were a few per cent of that request's CPU. A DTO that
 * refuses an empty query (a required parameter) is validated every time, and refused every time.
 */
export class EmptyQueryValidationPipe extends ValidationPipe {
  /** DTO classes seen to accept an empty query and to come out of it with no property set. */
  private readonly acceptEmpty = new WeakSet<Type>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (metadata.type !== 'query' || metadata.data !== undefined || !metatype || !isEmptyObject(value)) return super.transform(value, metadata);
    if (this.acceptEmpty.has(metatype)) return new metatype();
    const transformed = await super.transform(value, metadata);
    if (transformed instanceof metatype && isEmptyObject(transformed)) this.acceptEmpty.add(metatype);
    return transformed;
  }
}

/** An object without own enumerable keys (Express's parsed query string has a null prototype). */
function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { EmptyQueryValidationPipe } from './validation-pipe';

class OptionalQuery {
  @IsOptional()
  @IsString()
  q?: string;
}

class RequiredQuery {
  @IsString()
  q: string;
}

describe('EmptyQueryValidationPipe', () => {
  const pipe = () => new EmptyQueryValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  const query = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: undefined });

  it('answers an empty query as validation does, with a new instance each time', async () => {
    const validation = pipe();
    const first = await validation.transform(Object.create(null), query(OptionalQuery));
    const second = await validation.transform({}, query(OptionalQuery));
    expect(first).toBeInstanceOf(OptionalQuery);
    expect(second).toBeInstanceOf(OptionalQuery);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });

  it('still validates queries with parameters, and refuses an empty one where a parameter is required', async () => {
    const validation = pipe();
    await validation.transform({}, query(OptionalQuery));
    await expect(validation.transform({ q: 1 }, query(OptionalQuery))).rejects.toBeInstanceOf(BadRequestException);
    await expect(validation.transform({ other: 'x' }, query(OptionalQuery))).rejects.toBeInstanceOf(BadRequestException);
    expect(await validation.transform({ q: 'x' }, query(OptionalQuery))).toEqual(Object.assign(new OptionalQuery(), { q: 'x' }));
    for (let i = 0; i < 2; i++) await expect(validation.transform({}, query(RequiredQuery))).rejects.toBeInstanceOf(BadRequestException);
  });

  it('leaves bodies alone: an empty body of a DTO that accepted an empty query is still validated', async () => {
    const validation = pipe();
    await expect(validation.transform({}, { type: 'body', metatype: RequiredQuery, data: undefined })).rejects.toBeInstanceOf(BadRequestException);
  });
});

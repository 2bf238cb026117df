import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { describeZodError } from '@kidtime/protocol';
import type { z } from 'zod';

/** Validates a request part with a protocol schema; the 400 names the field and the reason. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(
    private readonly schema: T,
    private readonly what = 'body',
  ) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw new BadRequestException(describeZodError(result.error, this.what));
  }
}

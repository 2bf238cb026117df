import { applyDecorators } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** Documents a body in OpenAPI straight from its protocol schema, so docs and validation cannot drift apart. */
export function ApiZodBody(schema: z.ZodType) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as any;
  delete jsonSchema.$schema;
  return applyDecorators(ApiBody({ schema: jsonSchema }));
}

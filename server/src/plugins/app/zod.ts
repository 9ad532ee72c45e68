// Route schemas are zod schemas: one source for validation, types and the OpenAPI document.
// (fastify-type-provider-zod does the same; these few lines avoid a dependency on zod 4 support there.)
import type {
  FastifyPluginAsync,
  FastifySchema,
  FastifySchemaCompiler,
  FastifySerializerCompiler,
  FastifyTypeProvider,
} from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { formatZodIssues } from '../../validation.ts';

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

const isZod = (schema: unknown): schema is z.ZodType => schema instanceof z.ZodType;

/** `querystring.limit: Too small: expected number to be >=1`, in the project's one format (validation.ts). */
export function describeZodError(error: z.ZodError, context?: string): string {
  return formatZodIssues(context ? error.issues.map((i) => ({ ...i, path: [context, ...i.path] })) : error.issues);
}

/** A request that failed its route schema: the error handler answers 400 with `message`. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  constructor(
    readonly zodError: z.ZodError,
    readonly context: string,
  ) {
    super(describeZodError(zodError, context));
    this.name = 'RequestValidationError';
  }
}

const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!isZod(schema)) throw new Error(`route schema for ${httpPart ?? 'a request part'} is not a zod schema`);
  return (data: unknown) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: new RequestValidationError(result.error, httpPart ?? 'request') };
  };
};

// Responses go through their schema too: a reply that drifts from the documented shape is a bug we want to see.
const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  if (!isZod(schema)) return (data) => JSON.stringify(data);
  return (data) => JSON.stringify(schema.parse(data));
};

/** For @fastify/swagger's `transform`: zod route schemas to OpenAPI 3.0 JSON schema. */
export function zodToOpenApi({ schema, url }: { schema: FastifySchema; url: string }): { schema: FastifySchema; url: string } {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = {};
  for (const [part, value] of Object.entries(schema)) {
    if (part === 'response' && value && typeof value === 'object') {
      out.response = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([code, s]) => [code, toJson(s, 'output')]),
      );
    } else {
      out[part] = toJson(value, 'input');
    }
  }
  return { schema: out as FastifySchema, url };
}

function toJson(value: unknown, io: 'input' | 'output'): unknown {
  if (!isZod(value)) return value;
  const json = z.toJSONSchema(value, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  // A description set with zod's .describe()/.meta() on a response is what OpenAPI shows for it.
  return json;
}

const zodPlugin: FastifyPluginAsync = async (fastify) => {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
};

export default fp(zodPlugin, { name: 'zod', fastify: '5.x' });

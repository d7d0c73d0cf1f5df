/** The parts of OpenAPI 3.1 and JSON Schema 2020-12 that Causeway's document uses. */
import type { ValueJsonSchema } from '@causeway/core';

/** A field value's schema (the core's, from its type's descriptor) and the rest a document needs around it. */
export interface JsonSchema extends Omit<ValueJsonSchema, 'items'> {
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  default?: unknown;
  readOnly?: boolean;
  examples?: unknown[];
  contentMediaType?: string;
}

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaContent {
  [mediaType: string]: { schema: JsonSchema; encoding?: Record<string, { contentType: string }> };
}

export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: MediaContent;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required: boolean; content: MediaContent };
  responses: Record<string, Response | { $ref: string }>;
}

export type PathItem = Partial<Record<'get' | 'post' | 'patch' | 'put' | 'delete', Operation>>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: { url: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, Parameter>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; bearerFormat: string; description: string }>;
  };
  /** Each entry is an alternative: `{}` anonymous, `{ bearer: [] }` signed in. */
  security: Record<string, string[]>[];
}

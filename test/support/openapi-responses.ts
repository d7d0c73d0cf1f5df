import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';

// ajv-formats is CommonJS with an `exports.default`: depending on the loader, the default import is the plugin
// or the module object holding it.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin;

interface ResponseObject {
  description: string;
  content?: Record<string, { schema: unknown }>;
}
type Responses = Record<string, ResponseObject | { $ref: string }>;

/** The parts of an OpenAPI 3.1 document the check reads; the rest is the validator's business. */
export interface OpenApiDocumentShape {
  paths: Record<string, Record<string, { responses: Responses }>>;
  components: { responses?: Record<string, ResponseObject> };
}

/** One request and the server's answer, as the check needs them. */
export interface Exchange {
  method: string;
  /** The request target: path and, optionally, query string. */
  url: string;
  status: number;
  contentType: string | null;
  /** The parsed JSON body, or the text when not JSON, or undefined when empty. */
  body: unknown;
}

const documentId = 'https://causeway.invalid/openapi.json';
const pointer = (...segments: string[]) => segments.map((s) => '/' + s.replaceAll('~', '~0').replaceAll('/', '~1')).join('');

/**
 * Checks real responses against an OpenAPI 3.1 document the way a validating proxy does: the path and method must
 * be in the document, the status declared (no `default` fallback), the media type declared for that status, and
 * the body valid against its schema. Schemas are validated by Ajv's JSON Schema 2020-12 implementation (the
 * dialect of OpenAPI 3.1) with ajv-formats, resolving `$ref`s inside the document itself.
 */
export class OpenApiResponseCheck {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp; parameters: number }[];

  constructor(private readonly document: OpenApiDocumentShape) {
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, documentId);
    // Concrete paths win over templated ones (OpenAPI 3.1 §4.8.8), so the fewest parameters are tried first.
    this.templates = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.split('/').map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`),
        parameters: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.parameters - b.parameters);
  }

  /** The document's path template for a request path, if any. */
  pathOf(url: string): string | undefined {
    const path = url.split('?')[0]!;
    return this.templates.find((t) => t.pattern.test(path))?.template;
  }

  /** What is wrong with one response ([] when it conforms). */
  check(exchange: Exchange): string[] {
    const where = `${exchange.method} ${exchange.url} → ${exchange.status}`;
    const template = this.pathOf(exchange.url);
    if (!template) return [`${where}: the path is not in the document`];
    const method = exchange.method.toLowerCase();
    const operation = this.document.paths[template]![method];
    if (!operation) return [`${where}: ${template} has no ${method} operation`];
    const declared = operation.responses[String(exchange.status)];
    if (!declared) return [`${where}: status not declared (declared: ${Object.keys(operation.responses).join(', ')})`];
    const [response, responsePointer] = this.resolve(declared, pointer('paths', template, method, 'responses', String(exchange.status)));
    const mediaType = exchange.contentType?.split(';')[0]!.trim().toLowerCase();
    const media = response.content ?? {};
    if (exchange.body === undefined) {
      return Object.keys(media).length === 0 || exchange.method === 'HEAD' ? [] : [`${where}: no body, but the document declares ${Object.keys(media).join(', ')}`];
    }
    if (!mediaType || !(mediaType in media)) return [`${where}: content type ${mediaType ?? 'none'} not declared (declared: ${Object.keys(media).join(', ') || 'no body'})`];
    const validate = this.validator(`${responsePointer}${pointer('content', mediaType, 'schema')}`);
    if (validate(exchange.body)) return [];
    return [`${where}: body does not match the schema: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}\n  body: ${JSON.stringify(exchange.body).slice(0, 600)}`];
  }

  /** A response object and its JSON pointer in the document, following a `$ref` to components. */
  private resolve(declared: ResponseObject | { $ref: string }, at: string): [ResponseObject, string] {
    if (!('$ref' in declared)) return [declared, at];
    const name = /^#\/components\/responses\/(.+)$/.exec(declared.$ref)?.[1];
    const response = name === undefined ? undefined : this.document.components.responses?.[name];
    if (!response) throw new Error(`unresolvable response reference ${declared.$ref}`);
    return [response, pointer('components', 'responses', name!)];
  }

  private validator(schemaPointer: string): ValidateFunction {
    let validate = this.validators.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${documentId}#${schemaPointer}` });
      this.validators.set(schemaPointer, validate);
    }
    return validate;
  }
}

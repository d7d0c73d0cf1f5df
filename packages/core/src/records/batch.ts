import { z } from 'zod';
import { fromZodError } from '../errors/zod-issues.js';

export const maxBatchOperations = 1000;

const target = { collection: z.string().min(1), };
const batchOperation = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('create'), ...target, data: z.record(z.string(), z.unknown()) }),
  z.strictObject({ action: z.literal('update'), ...target, id: z.string().min(1), data: z.record(z.string(), z.unknown()), ifMatch: z.string().optional() }),
  z.strictObject({ action: z.literal('delete'), ...target, id: z.string().min(1), ifMatch: z.string().optional() }),
]);

const batchRequest = z.strictObject({ operations: z.array(batchOperation).min(1).max(maxBatchOperations) });

export type BatchOperation = z.infer<typeof batchOperation>;

export function parseBatch(body: unknown): BatchOperation[] {
  const parsed = batchRequest.safeParse(body);
  if (!parsed.success) throw fromZodError('VALIDATION_FAILED', 'The batch request is invalid.', parsed.error);
  return parsed.data.operations;
}

import { GraphQLError } from 'graphql';
import { asCausewayError } from '../rest/problem.js';

/**
 * A Causeway error as GraphQL reports it: the same code as REST in `extensions.code`, with the status and the
 * per-field messages. Unexpected errors say nothing internal.
 */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError && error.extensions.code) return error;
  const causeway = asCausewayError(error);
  return new GraphQLError(causeway.message, {
    originalError: causeway,
    extensions: {
      code: causeway.code,
      status: causeway.status,
      ...(causeway.fields ? { errors: causeway.fields } : {}),
      ...(causeway.position === undefined ? {} : { position: causeway.position }),
      ...causeway.extra,
    },
  });
}

/** Runs a resolver, turning whatever it throws into a GraphQL error with a code. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGraphQLError(error);
  }
}

import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { CausewayError, jsonDeeperThan } from '@causeway/core';

/**
 * The deepest stored json value GraphQL returns. New values are held to a far lower limit when written; this
 * guards responses against values stored before that limit, which would overflow the stack when serialised.
 */
export const maxServedJsonDepth = 1000;

function literalToJson(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literalToJson(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literalToJson(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

/** Any JSON value (a `json` field). */
export const jsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => {
    if (jsonDeeperThan(value, maxServedJsonDepth)) {
      throw new CausewayError('VALIDATION_FAILED', `This stored value nests deeper than ${maxServedJsonDepth} levels; read it over REST.`);
    }
    return value;
  },
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});

/** A string scalar whose format the core validates (and normalises) like every other write. */
function formattedString(name: string, description: string): GraphQLScalarType {
  const check = (value: unknown): string => {
    if (typeof value !== 'string') throw new GraphQLError(`${name} must be a string (${description})`);
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: check,
    parseValue: check,
    parseLiteral: (node) => {
      if (node.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string (${description})`, { nodes: node });
      return node.value;
    },
  });
}

export const dateScalar = formattedString('Date', 'a calendar date, YYYY-MM-DD');
export const dateTimeScalar = formattedString('DateTime', 'an ISO 8601 date-time; returned in UTC as YYYY-MM-DDTHH:mm:ss.sssZ');

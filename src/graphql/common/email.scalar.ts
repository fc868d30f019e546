import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { EmailAddressResolver } from 'graphql-scalars';

function badEmail(err: unknown, node?: ValueNode): GraphQLError {
  return new GraphQLError((err as Error).message, { nodes: node, extensions: { code: 'BAD_USER_INPUT', field: 'email' } });
}

/**
 * graphql-scalars' EmailAddress, but its rejections carry BAD_USER_INPUT and
 * the field, whether the value came as a variable or inline in the query.
 */
export const EmailAddress = new GraphQLScalarType({
  ...EmailAddressResolver.toConfig(),
  parseValue(value: unknown) {
    try {
      // Trimmed first, as every other identifier is: a stray space is not a different address.
      return EmailAddressResolver.parseValue(typeof value === 'string' ? value.trim() : value);
    } catch (err) {
      throw badEmail(err);
    }
  },
  parseLiteral(ast: ValueNode, variables?: Record<string, unknown> | null) {
    try {
      return EmailAddressResolver.parseLiteral(ast, variables);
    } catch (err) {
      // With its node: the error then has the literal's location in the query.
      throw badEmail(err, ast);
    }
  },
});

import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
/** The `server.limits` section of the configuration (config/security.schema.ts). */
interface Limits {
  readonly depth: number;
  readonly aliases: number;
  readonly tokens: number;
  readonly directives: number;
  readonly cost: number;
}

/**
 * graphql-armor throws its rejection as a "Syntax Error" without a code;
 * reported instead as a validation error with a stable code and the limit,
 * every rule still runs its own count once.
 */
function reporting(name: string, limit: number) {
  return {
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(
          new GraphQLError(`${error.message.replace(/^Syntax Error: /, '')} (server.limits.${name})`, {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit },
          }),
        );
      },
    ],
  };
}

export function queryLimitRules(limits: Limits): ValidationRule[] {
  return [
    // Introspection fields count: the standard introspection query is 13 deep, a crafted `ofType` chain is not.
    maxDepthRule({ n: limits.depth, ignoreIntrospection: false, flattenFragments: true, ...reporting('depth', limits.depth) }),
    maxAliasesRule({ n: limits.aliases, ...reporting('aliases', limits.aliases) }),
    maxDirectivesRule({ n: limits.directives, ...reporting('directives', limits.directives) }),
    costLimitRule({ maxCost: limits.cost, ...reporting('cost', limits.cost) }),
  ] as unknown as ValidationRule[];
}

/** Counted by graphql's lexer while parsing: a flood stops at the limit, before any validation rule runs. */
export function parseLimits(limits: Limits): ParseOptions {
  return { maxTokens: limits.tokens };
}

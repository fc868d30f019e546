import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import type { GatewayContext } from '../../context';

/**
 * Per field of a parsed (and cached) document: the walk runs once per distinct operation, not per request,
 * unless it meets @skip or @include, whose answer depends on each request's variables.
 */
const SELECTS_SECRET = new WeakMap<FieldNode, boolean>();

/**
 * A create whose operation leaves out `credentials { secret }` throws away one-time secrets the providers
 * issued: they exist only in this answer (docs/idempotency.md), and a retry is a CONFLICT. The create
 * stands (refusing it afterwards would lose them all the same); the answer carries a warning in
 * `extensions.warnings`, and the log a line, so the mistake is seen while it can still be fixed.
 */
export function warnOfUnselectedSecrets(issued: readonly string[], info: GraphQLResolveInfo, ctx: GatewayContext): void {
  if (selectsSecret(info)) return;
  const field = info.path.key as string;
  ctx.warn({
    code: 'CREDENTIALS_NOT_SELECTED',
    message: `${info.fieldName} received one-time credentials from ${issued.join(', ')}, but the operation did not select credentials { secret }: they are not stored anywhere and cannot be shown again.`,
    path: [field],
    providers: [...issued],
  });
  ctx.logger.warn({ operation: info.fieldName, providers: issued }, 'one-time credentials issued, but the operation did not select them');
}

function selectsSecret(info: GraphQLResolveInfo): boolean {
  const node = info.fieldNodes[0];
  const known = SELECTS_SECRET.get(node);
  if (known !== undefined) return known;
  const walk: Walk = { fragments: info.fragments, variables: info.variableValues, seen: new Set(), conditional: false };
  const found = info.fieldNodes.some((n) => n.selectionSet !== undefined && findSecret(n.selectionSet, walk, false));
  if (!walk.conditional) SELECTS_SECRET.set(node, found);
  return found;
}

interface Walk {
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly seen: Set<string>;
  /** Set when a selection carried @skip or @include: the answer holds for this request's variables only. */
  conditional: boolean;
}

/** A `secret` field below a `credentials` field that this request selects, through fragments, @skip and @include. */
function findSecret(set: SelectionSetNode, walk: Walk, inCredentials: boolean): boolean {
  for (const s of set.selections) {
    if (!included(s, walk)) continue;
    if (s.kind === Kind.FIELD) {
      if (inCredentials && s.name.value === 'secret') return true;
      if (s.selectionSet && findSecret(s.selectionSet, walk, inCredentials || s.name.value === 'credentials')) return true;
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (findSecret(s.selectionSet, walk, inCredentials)) return true;
    } else {
      const visit = `${s.name.value}|${inCredentials}`;
      const fragment = walk.fragments[s.name.value];
      if (walk.seen.has(visit) || !fragment) continue;
      walk.seen.add(visit);
      if (findSecret(fragment.selectionSet, walk, inCredentials)) return true;
    }
  }
  return false;
}

/** As graphql-js decides it (its shouldIncludeNode). */
function included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, walk: Walk): boolean {
  if (!node.directives?.length) return true;
  if (!node.directives.some((d) => d.name.value === 'skip' || d.name.value === 'include')) return true;
  walk.conditional = true;
  if (getDirectiveValues(GraphQLSkipDirective, node, walk.variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, walk.variables)?.if !== false;
}

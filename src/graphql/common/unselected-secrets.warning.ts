import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { GatewayContext } from '../../context';
import type { CreateResult } from '../../domain';

/** Per field of a parsed (and cached) document: the walk runs once per distinct operation, not per request. */
const SELECTS_SECRET = new WeakMap<FieldNode, boolean>();

/**
 * A create whose operation leaves out `credentials { secret }` throws away one-time secrets the providers
 * issued: they exist only in this answer (docs/idempotency.md), and a retry is a CONFLICT. The create
 * stands (refusing it afterwards would lose them all the same); the answer carries a warning in
 * `extensions.warnings`, and the log a line, so the mistake is seen while it can still be fixed.
 */
export function warnOfUnselectedSecrets(result: CreateResult, info: GraphQLResolveInfo, ctx: GatewayContext): void {
  const issued = result.results.filter((r) => r.kind === 'created' && r.credentials.length > 0).map((r) => r.providerId);
  if (issued.length === 0 || selectsSecret(info)) return;
  const field = info.path.key as string;
  ctx.warn({
    code: 'CREDENTIALS_NOT_SELECTED',
    message: `${info.fieldName} received one-time credentials from ${issued.join(', ')}, but the operation did not select credentials { secret }: they are not stored anywhere and cannot be shown again.`,
    path: [field],
    providers: issued,
  });
  ctx.logger.warn({ operation: info.fieldName, providers: issued }, 'one-time credentials issued, but the operation did not select them');
}

function selectsSecret(info: GraphQLResolveInfo): boolean {
  const node = info.fieldNodes[0];
  let known = SELECTS_SECRET.get(node);
  if (known === undefined) {
    known = info.fieldNodes.some((n) => n.selectionSet !== undefined && findSecret(n.selectionSet, info.fragments, false, new Set()));
    SELECTS_SECRET.set(node, known);
  }
  return known;
}

/** A `secret` field anywhere below a `credentials` field, through fragments (directives are not evaluated). */
function findSecret(set: SelectionSetNode, fragments: Readonly<Record<string, FragmentDefinitionNode>>, inCredentials: boolean, seen: Set<string>): boolean {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (inCredentials && s.name.value === 'secret') return true;
      if (s.selectionSet && findSecret(s.selectionSet, fragments, inCredentials || s.name.value === 'credentials', seen)) return true;
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (findSecret(s.selectionSet, fragments, inCredentials, seen)) return true;
    } else {
      const visit = `${s.name.value}|${inCredentials}`;
      const fragment = fragments[s.name.value];
      if (seen.has(visit) || !fragment) continue;
      seen.add(visit);
      if (findSecret(fragment.selectionSet, fragments, inCredentials, seen)) return true;
    }
  }
  return false;
}

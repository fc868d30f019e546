import type { CreatePlan as DomainPlan, UpstreamRequestDescription } from '../../domain';
import type { IdentityService } from '../../identity/identity.service';
import { toProvider } from '../provider/provider.mapper';
import { CreatePlan, PlannedBodyField, PlannedRequest, PlannedTarget } from './plan.type';

/** The plan queries and the create mutations' `dryRun: true` answer with the same plan. */
export function toPlan(plan: DomainPlan, identity: IdentityService): CreatePlan {
  return Object.assign(new CreatePlan(), {
    ...plan,
    targets: plan.targets.map((t) =>
      Object.assign(new PlannedTarget(), {
        ...t,
        provider: toProvider(identity.providerInfo(t.providerId)!),
        request: t.request && toRequest(t.request),
      }),
    ),
  });
}

function toRequest(r: UpstreamRequestDescription): PlannedRequest {
  return Object.assign(new PlannedRequest(), {
    method: r.method,
    url: r.url,
    headerNames: [...r.headerNames],
    body: flatten(r.body, '').map(([path, value]) => Object.assign(new PlannedBodyField(), { path, value: JSON.stringify(value) })),
    bodyJson: JSON.stringify(r.body),
  });
}

/** Leaves of a JSON value as [path, value] pairs, so a client can render the body as a table. */
function flatten(value: unknown, path: string): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.length ? value.flatMap((v, i) => flatten(v, `${path}[${i}]`)) : [[path, []]];
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.flatMap(([k, v]) => flatten(v, path ? `${path}.${k}` : k)) : [[path, {}]];
  }
  return [[path, value]];
}

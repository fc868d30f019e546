import type { ServerResponse } from 'node:http';

/** Adds to Vary rather than replacing it: Apollo sets its own (Accept). */
export function appendVary(res: ServerResponse, value: string): void {
  const current = res.getHeader('vary');
  const parts = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const v of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (!parts.some((p) => p.toLowerCase() === v.toLowerCase())) parts.push(v);
  }
  res.setHeader('vary', parts.join(', '));
}

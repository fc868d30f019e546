/**
 * Splits commands by the Redis node that will run them, keeping their
 * positions: a pipeline on a Redis Cluster must stay on one node, and the
 * groups are sent in parallel so a phase costs one round trip whatever its
 * width (docs/idempotency.md).
 */
export function groupByNode<T>(items: readonly T[], nodeOf: (item: T) => string): Array<{ node: string; indexes: number[] }> {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const node = nodeOf(item);
    const list = groups.get(node);
    if (list) list.push(i);
    else groups.set(node, [i]);
  });
  return [...groups].map(([node, indexes]) => ({ node, indexes }));
}

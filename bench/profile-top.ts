/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`), and
 * the same time summed by package: `ts-node bench/profile-top.ts <file> [n]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export function topSelfTime(file: string, n = 30): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url
      .replace(/^file:\/\//, '')
      .replace(/^.*node_modules\//, 'nm:')
      .replace(/^.*\/dist\//, 'dist/');
    const fn = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    const pkg = !url
      ? functionName
      : url.includes('node_modules/')
        ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')
        : url.startsWith('node:')
          ? 'node:' + url.slice(5).split('/')[0]
          : short.startsWith('dist/')
            ? 'dist/' + short.split('/')[1]
            : short;
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => `${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  return [`total ${(total / 1000).toFixed(0)} ms sampled`, '-- by package --', ...top(pkgs, 25), '-- by function (self) --', ...top(fns, n)].join('\n');
}

if (require.main === module) process.stdout.write(`${topSelfTime(process.argv[2], Number(process.argv[3] ?? 40))}\n`);

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The harness every simulated provider runs on: real sockets, call records,
 * injected faults. Shares no code with src/providers/ on purpose.
 */
export interface SandboxRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly body: unknown;
  readonly bodyIsJson: boolean;
  readonly clientIp: string;
  readonly receivedAt: number;
}

export interface SandboxResponse {
  readonly status: number;
  readonly body?: unknown;
  /** Sent as-is instead of JSON (HTML error pages). */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RecordedCall {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
  readonly status: number;
  /** When the request arrived, and when the sandbox answered it (ms since epoch). */
  readonly receivedAt: number;
  readonly at: number;
}

export interface Fault {
  /** Route name such as `POST /serviceaccounts`; undefined: any route. */
  readonly route?: string;
  /** Answer with this instead of the real handler. */
  readonly response?: SandboxResponse;
  /** Wait this long before answering (a hang when larger than the caller's deadline). */
  readonly delayMs?: number;
  /** Destroy the socket without answering. */
  readonly reset?: boolean;
  /** Answer (the real handler runs: a create happens), but destroy the socket halfway through the body. */
  readonly breakBody?: boolean;
  /** Answer (the real handler runs: a create happens), but hold the second half of the body back this long. */
  readonly slowBodyMs?: number;
  /** Run the real handler (a create happens), then destroy the socket before the status line. */
  readonly resetAfter?: boolean;
  /** How many requests it applies to; default 1. */
  times?: number;
}

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly name: string;
  handle(req: SandboxRequest, params: string[]): SandboxResponse | Promise<SandboxResponse>;
}

export abstract class SandboxServer {
  abstract readonly kind: string;
  /** Path prefix of the provider's API, as in its OpenAPI `servers` URL (hoop: /api). */
  abstract readonly basePath: string;
  protected abstract readonly routes: readonly Route[];

  private server?: Server;
  private readonly calls: RecordedCall[] = [];
  private readonly faults: Fault[] = [];
  port = 0;
  /** Requests that reached the sandbox, answered or not (a hung one counts at once). */
  arrived = 0;

  /** `host:port` base URL of the API, with the provider's base path. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}${this.basePath}`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const s = this.server;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Calls received, optionally of one route (`POST /users`). */
  received(route?: string): RecordedCall[] {
    return route ? this.calls.filter((c) => c.route === route) : [...this.calls];
  }

  count(route?: string): number {
    return this.received(route).length;
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls) out[c.route] = (out[c.route] ?? 0) + 1;
    return out;
  }

  /** Throws for a route this sandbox does not have: a fault that could never fire would pass unnoticed. */
  inject(fault: Fault): void {
    if (fault.route !== undefined && !this.routes.some((r) => r.name === fault.route)) {
      throw new UnknownRouteError(`no route named ${JSON.stringify(fault.route)}; routes: ${this.routes.map((r) => r.name).join(', ')} (or none: any route)`);
    }
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Forget calls and faults; with `data`, also every account created. */
  reset(data = false): void {
    this.calls.length = 0;
    this.faults.length = 0;
    this.arrived = 0;
    if (data) this.clearData();
  }

  protected abstract clearData(): void;

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;

    if (url.pathname.startsWith('/__sandbox/')) return this.control(url.pathname, req.method ?? 'GET', rawBody, res);

    let body: unknown;
    let bodyIsJson = false;
    if (rawBody.length) {
      try {
        body = JSON.parse(rawBody);
        bodyIsJson = true;
      } catch {
        body = undefined;
      }
    }
    const forwarded = headers['x-forwarded-for']?.split(',')[0]?.trim();
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers,
      rawBody,
      body,
      bodyIsJson,
      clientIp: forwarded || req.socket.remoteAddress || '',
      receivedAt,
    };
    let route: Route | undefined;
    let params: string[] = [];
    for (const r of this.routes) {
      const m = r.method === request.method ? r.pattern.exec(request.path.slice(this.basePath.length)) : null;
      if (m && request.path.startsWith(this.basePath)) {
        route = r;
        params = m.slice(1).map(decodeURIComponent);
        break;
      }
    }
    const routeName = route?.name ?? `${request.method} ${request.path}`;
    const fault = this.takeFault(routeName);
    this.arrived++;
    if (fault?.delayMs) {
      // A caller that gives up (deadline, crash) ends the wait: its request is then dropped unprocessed.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, fault.delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed || req.socket.destroyed) {
        this.record(routeName, request, 0);
        return;
      }
    }
    if (fault?.reset) {
      this.record(routeName, request, 0);
      req.socket.destroy();
      return;
    }
    let response: SandboxResponse;
    try {
      response = fault?.response ?? (route ? await route.handle(request, params) : this.notFound(request));
    } catch (err) {
      response = { status: 500, body: { message: `sandbox error: ${(err as Error).message}` } };
    }
    this.record(routeName, request, response.status);
    if (res.destroyed) return;
    if (fault?.resetAfter) {
      req.socket.destroy();
      return;
    }
    res.statusCode = response.status;
    for (const [k, v] of Object.entries(response.headers ?? {})) res.setHeader(k, v);
    if (fault?.breakBody || fault?.slowBodyMs) {
      const payload = Buffer.from(response.text ?? JSON.stringify(response.body ?? {}));
      res.setHeader('content-type', response.text !== undefined ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8');
      res.setHeader('content-length', payload.length);
      const half = Math.floor(payload.length / 2);
      if (fault.breakBody) {
        res.write(payload.subarray(0, half), () => req.socket.destroy());
        return;
      }
      res.flushHeaders();
      res.write(payload.subarray(0, half));
      const timer = setTimeout(() => res.end(payload.subarray(half)), fault.slowBodyMs);
      res.once('close', () => clearTimeout(timer));
      return;
    }
    if (response.text !== undefined) {
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(response.text);
    } else if (response.body !== undefined) {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(response.body));
    } else {
      res.end();
    }
  }

  protected notFound(req: SandboxRequest): SandboxResponse {
    return { status: 404, body: { message: `no route ${req.method} ${req.path}` } };
  }

  private takeFault(route: string): Fault | undefined {
    const i = this.faults.findIndex((f) => !f.route || f.route === route);
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private record(route: string, req: SandboxRequest, status: number): void {
    this.calls.push({
      route,
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.bodyIsJson ? req.body : req.rawBody,
      status,
      receivedAt: req.receivedAt,
      at: Date.now(),
    });
  }

  /** HTTP control plane for tools that run the sandbox standalone. */
  private control(path: string, method: string, rawBody: string, res: ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (path === '/__sandbox/calls' && method === 'GET') return send(200, { counters: this.counters(), calls: this.calls });
    if (path === '/__sandbox/reset' && method === 'POST') {
      this.reset(true);
      return send(200, { ok: true });
    }
    if (path === '/__sandbox/faults' && method === 'POST') {
      let fault: unknown;
      try {
        fault = JSON.parse(rawBody);
      } catch {
        return send(400, { message: 'fault must be JSON' });
      }
      if (!isObject(fault)) return send(400, { message: 'fault must be a JSON object' });
      try {
        this.inject(fault as Fault);
      } catch (err) {
        if (err instanceof UnknownRouteError) return send(400, { message: err.message });
        throw err;
      }
      return send(200, { ok: true });
    }
    send(404, { message: 'unknown sandbox control route' });
  }
}

class UnknownRouteError extends Error {}

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function unknownFields(body: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(body).filter((k) => !allowed.includes(k));
}

export function secretToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export { randomUUID };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function ulid(): string {
  let time = Date.now();
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32] + out;
    time = Math.floor(time / 32);
  }
  const rand = randomBytes(16);
  for (let i = 0; i < 16; i++) out += CROCKFORD[rand[i] % 32];
  return out;
}

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface CannedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON; a string is sent as is. */
  readonly body?: unknown;
}

/**
 * A real HTTP server on a loopback port that records every request and
 * answers the canned response set last: the adapters' own undici client is
 * exercised as it is, with nothing mocked.
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  private response: CannedResponse = { status: 500, body: 'no canned response' };
  private server?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  get last(): RecordedRequest {
    const r = this.requests[this.requests.length - 1];
    if (!r) throw new Error('no request was received');
    return r;
  }

  answer(response: CannedResponse): void {
    this.response = response;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json });
        const { status, headers = {}, body: out } = this.response;
        const text = out === undefined ? '' : typeof out === 'string' ? out : JSON.stringify(out);
        const type = typeof out === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(status, { 'content-type': type, ...headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    // Keep-alive sockets from the adapter's pool would otherwise hold close() open.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { CREATE_SA } from '../helpers/graphql.client';
import { REFUSAL_LINGER_MS } from '../../src/server/client-error.handler';
import { idleSocketTimeoutMs } from '../../src/server/request.guard';
import { playgroundAssetUrl } from '../../src/server/static.assets';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { pumpFor } from '../helpers/socket.pump';

const API_KEY = 'guard-test-api-key-0123456789';

/** Opens a raw connection and writes `head`; resolves with the socket and a promise of everything it receives. */
function rawRequest(port: number, head: string): Promise<{ socket: Socket; answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      let text = '';
      const answer = new Promise<string>((done) => {
        socket.on('data', (d) => (text += d.toString()));
        socket.on('close', () => done(text));
        socket.on('end', () => done(text));
      });
      socket.on('error', () => undefined);
      socket.write(head);
      resolve({ socket, answer });
    });
    socket.once('error', reject);
  });
}

/** A raw connection that records everything it receives and whether it has closed; `allowHalfOpen` keeps its side open after the server's FIN. */
async function openRaw(port: number, allowHalfOpen = false): Promise<{ socket: Socket; text: () => string; closed: () => boolean; statuses: () => string[] }> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen });
  let text = '';
  let closed = false;
  socket
    .on('data', (d) => (text += d.toString()))
    .on('close', () => (closed = true))
    .on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  return { socket, text: () => text, closed: () => closed, statuses: () => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]) };
}

const firstLine = (text: string) => text.split('\r\n')[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A create of one Versori service account (it comes with a one-time client secret), as raw HTTP/1.1. */
function createRequest(name: string): string {
  const body = JSON.stringify({ query: CREATE_SA, variables: { input: { name, providers: ['versori'] } } });
  return (
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${API_KEY}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** The whole answers (each with a Content-Length) in what a connection received, in order. */
function answers(text: string): { status: string; headers: Record<string, string>; json: any }[] {
  const out = [];
  let rest = Buffer.from(text);
  for (let end = rest.indexOf('\r\n\r\n'); end >= 0; end = rest.indexOf('\r\n\r\n')) {
    const [statusLine, ...lines] = rest.subarray(0, end).toString().split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length']);
    if (!(end + 4 + length <= rest.length)) break;
    out.push({ status: statusLine.split(' ')[1], headers, json: JSON.parse(rest.subarray(end + 4, end + 4 + length).toString()) });
    rest = rest.subarray(end + 4 + length);
  }
  return out;
}

describe('the HTTP layer refuses cheaply: auth before the body, bounded connections, short timeouts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      configure: (c) => {
        c.clients = [{ id: 'ci', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] }];
        c.server = { ...c.server, maxConnections: 40, headersTimeoutMs: 600, requestTimeoutMs: 1500, cors: { origins: ['http://127.0.0.1:5173'] } };
      },
    });
  });
  afterAll(() => h.close());

  it('many unauthenticated uploads of a large body are answered 401 before they finish sending, without the gateway buffering them', async () => {
    const uploads = await Promise.all(
      Array.from({ length: 20 }, () =>
        rawRequest(
          h.gateway.port,
          'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n' +
            `10000\r\n${'x'.repeat(0x10000)}\r\n`,
        ),
      ),
    );
    // Each client has sent 64 KiB of a body it never finishes; the answer must not wait for the rest.
    const answers = await Promise.all(uploads.map((u) => Promise.race([u.answer, new Promise<string>((r) => setTimeout(() => r('no answer'), 3000))])));
    for (const a of answers) {
      expect(firstLine(a)).toBe('HTTP/1.1 401 Unauthorized');
      expect(a).toMatch(/www-authenticate: Bearer/i);
      expect(a).toMatch(/connection: close/i);
    }
    uploads.forEach((u) => u.socket.destroy());
  });

  it('a declared 50 MB body without credentials is a 401, not a 413 after reading it', async () => {
    const { socket, answer } = await rawRequest(
      h.gateway.port,
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 52428800\r\n\r\n{"query":',
    );
    const text = await Promise.race([answer, new Promise<string>((r) => setTimeout(() => r('no answer'), 3000))]);
    expect(firstLine(text)).toBe('HTTP/1.1 401 Unauthorized');
    socket.destroy();
  });

  it('Expect: 100-continue is not answered "100 Continue" before a refusal: 401 without credentials, 413 (and the connection closed) over the size limit', async () => {
    const head = (extra: string) =>
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nexpect: 100-continue\r\ncontent-length: 10000000000\r\n${extra}\r\n`;
    const anonymous = await rawRequest(h.gateway.port, head(''));
    const refused = await Promise.race([anonymous.answer, new Promise<string>((r) => setTimeout(() => r('no answer'), 3000))]);
    expect(firstLine(refused)).toBe('HTTP/1.1 401 Unauthorized');
    expect(refused).not.toMatch(/100 Continue/);
    anonymous.socket.destroy();

    const big = await rawRequest(h.gateway.port, head(`authorization: Bearer ${API_KEY}\r\n`));
    // The answer promise settles when the gateway ends the connection: it does not wait for 10 GB.
    const tooLarge = await Promise.race([big.answer, new Promise<string>((r) => setTimeout(() => r('no answer'), 3000))]);
    expect(firstLine(tooLarge)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(tooLarge).not.toMatch(/100 Continue/);
    expect(tooLarge).toMatch(/connection: close/i);
    expect(tooLarge).toContain('PAYLOAD_TOO_LARGE');
    big.socket.destroy();
  });

  it.each(['100-continue', '100-continue, foo'])(
    'Expect: %s on an accepted request: "100 Continue", then the answer once the body is sent',
    async (expectHeader) => {
      const body = JSON.stringify({ query: '{ viewer { id } }' });
      const { socket, answer } = await rawRequest(
        h.gateway.port,
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nexpect: ${expectHeader}\r\nconnection: close\r\nauthorization: Bearer ${API_KEY}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      let seen = '';
      socket.on('data', (d) => (seen += d.toString()));
      for (const until = Date.now() + 3000; !seen.includes('\r\n\r\n') && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
      expect(firstLine(seen)).toBe('HTTP/1.1 100 Continue');
      socket.write(body);
      const text = await Promise.race([answer, new Promise<string>((r) => setTimeout(() => r('no answer'), 3000))]);
      expect(text).toMatch(/HTTP\/1\.1 200 OK/);
      expect(text).toContain('"viewer":{"id":"ci"}');
    },
  );

  it('a client that never finishes its headers is cut off after server.headersTimeoutMs', async () => {
    const started = Date.now();
    const { answer } = await rawRequest(h.gateway.port, 'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const text = await answer;
    expect(Date.now() - started).toBeLessThan(2500);
    expect(text === '' || firstLine(text) === 'HTTP/1.1 408 Request Timeout').toBe(true);
  });

  it('a request whose body does not all arrive within server.requestTimeoutMs is answered 408 REQUEST_TIMEOUT under its own request id, then closed; the rest of its body, arriving late, runs nothing', async () => {
    const calls: string[] = [];
    for (const origin of [undefined, 'http://127.0.0.1:5173']) {
      const name = uniqueName('late');
      calls.push(name);
      const body = JSON.stringify({ query: CREATE_SA, variables: { input: { name, providers: ['hoop'] } } });
      // The client keeps its side open (a slow uploader): the gateway must close the connection itself.
      const { socket, text, closed } = await openRaw(h.gateway.port, true);
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${API_KEY}\r\n` +
          `${origin ? `origin: ${origin}\r\n` : ''}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      for (let i = 0; i < 100 && !text().includes('\r\n\r\n{'); i++) await sleep(50);
      expect(firstLine(text())).toBe('HTTP/1.1 408 Request Timeout');
      const answer = JSON.parse(text().slice(text().indexOf('\r\n\r\n') + 4));
      expect(answer.errors[0].extensions).toEqual({ code: 'REQUEST_TIMEOUT', requestId: expect.any(String) });
      expect(text()).toContain(`X-Request-Id: ${answer.errors[0].extensions.requestId}`);
      // A listed origin's page can read why: the CORS headers set for the request come with the answer.
      if (origin) expect(text()).toContain(`access-control-allow-origin: ${origin}`);
      if (!origin) {
        // A client that sends nothing more and keeps its side open: the gateway closes the connection itself.
        await sleep(REFUSAL_LINGER_MS + 300);
        // Its FIN came with the answer; a closed connection shows on the next writes (a reset).
        for (let i = 0; i < 20 && !closed(); i++) {
          socket.write('x');
          await sleep(50);
        }
        expect(closed()).toBe(true);
        continue;
      }
      // The rest of the body, and a whole request behind it: "nothing was run" stays true.
      socket.write(
        `${body.slice(10)}POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${API_KEY}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await sleep(500);
      expect(text().match(/HTTP\/1\.1 /g)).toHaveLength(1);
      socket.destroy();
    }
    await sleep(300);
    expect(h.sandboxes.hoop.received().filter((c) => calls.includes((c.body as { name?: string }).name ?? ''))).toEqual([]);
  });

  it.each([
    ['bytes that are not HTTP', '\x01\r\n\r\n', ['200', '400']],
    ['headers over 16 KiB', `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\ncookie: ${'c'.repeat(20_000)}\r\n\r\n`, ['200', '431']],
    ['headers that stall past headersTimeoutMs', 'GET /healthz HTTP/1.1\r\nHo', ['200', '408']],
  ])('a kept-alive connection after a finished answer, then %s: answered, and the gateway lives on', async (_what, next, expected) => {
    const { socket, text, closed, statuses } = await openRaw(h.gateway.port);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    for (let i = 0; i < 100 && !text().includes('"ok"'); i++) await sleep(20);
    socket.write(next);
    for (let i = 0; i < 100 && !closed(); i++) await sleep(50);
    expect(statuses()).toEqual(expected);
    expect((await fetch(`${h.url.replace('/graphql', '')}/healthz`)).status).toBe(200);
  });

  it.each([
    ['a body that never comes', `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nexpect: x-foo\r\ncontent-length: 10\r\n\r\n`],
    ['bytes that are not HTTP behind it', 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nexpect: x-foo\r\n\r\nGARBAGE\r\n\r\n'],
    ['a chunked body that does not parse', 'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nexpect: x-foo\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
  ])('Expect other than 100-continue, with %s: 417 EXPECTATION_FAILED in the error shape, the connection closed, and no second answer', async (_what, head) => {
    const { socket, text, closed, statuses } = await openRaw(h.gateway.port);
    socket.write(head);
    for (let i = 0; i < 100 && !closed(); i++) await sleep(50);
    expect(closed()).toBe(true);
    expect(statuses()).toEqual(['417']);
    expect(JSON.parse(text().slice(text().indexOf('\r\n\r\n') + 4)).errors[0].extensions.code).toBe('EXPECTATION_FAILED');
  });

  it('a request answered before its body came, whose body then stalls: closed, never a second answer to it', async () => {
    const { socket, closed, statuses } = await openRaw(h.gateway.port);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 5\r\n\r\nab');
    for (let i = 0; i < 100 && !closed(); i++) await sleep(50);
    expect(closed()).toBe(true);
    expect(statuses()).toEqual(['200']);
    expect((await fetch(`${h.url.replace('/graphql', '')}/healthz`)).status).toBe(200);
  });

  it("what Node's parser refuses (headers over 16 KiB, a request that is not HTTP) answers the gateway's error shape, not an empty body", async () => {
    const huge = await rawRequest(h.gateway.port, `GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nauthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`);
    const tooLarge = await huge.answer;
    expect(firstLine(tooLarge)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const body = JSON.parse(tooLarge.split('\r\n\r\n')[1]);
    expect(body.errors[0].extensions).toEqual({ code: 'HEADERS_TOO_LARGE', requestId: expect.any(String) });
    expect(tooLarge).toContain(`X-Request-Id: ${body.errors[0].extensions.requestId}`);
    const garbage = await (await rawRequest(h.gateway.port, 'GARBAGE\r\n\r\n')).answer;
    expect(firstLine(garbage)).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(garbage.split('\r\n\r\n')[1]).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it.each([
    ['bytes that are not HTTP', 'GARBAGE\r\n\r\n', '400', 'BAD_REQUEST'],
    ['headers that stall past headersTimeoutMs', 'GET /healthz HTTP/1.1\r\nHo', '408', 'REQUEST_TIMEOUT'],
  ])(
    'a pipelined create still running, then %s: the create is answered first, with its credentials, then the refusal, and the connection closes',
    async (_what, next, status, code) => {
      h.sandboxes.versori.inject({ delayMs: 1000 });
      const name = uniqueName('pipe');
      const { socket, text, closed } = await openRaw(h.gateway.port);
      socket.write(createRequest(name) + next);
      for (let i = 0; i < 100 && !closed(); i++) await sleep(50);
      const [created, refused, ...rest] = answers(text());
      expect(rest).toEqual([]);
      expect(created.status).toBe('200');
      const result = created.json.data.createServiceAccount;
      expect(result.status).toBe('SUCCEEDED');
      expect(result.results[0].credentials).toEqual([expect.objectContaining({ kind: 'CLIENT_SECRET', secret: expect.any(String) })]);
      expect(refused.status).toBe(status);
      expect(refused.json.errors[0].extensions.code).toBe(code);
      expect(refused.json.errors[0].extensions.requestId).not.toBe(created.headers['x-request-id']);
      expect(closed()).toBe(true);
      expect(h.sandboxes.versori.received().filter((c) => (c.body as { name?: string }).name === name)).toHaveLength(1);
    },
  );

  it("two pipelined creates, the second one's body cut short past requestTimeoutMs: the first answered in full, the second 408 under its own id, and never run", async () => {
    // The first create is still running when the second request times out.
    h.sandboxes.versori.inject({ delayMs: 2500 });
    const [first, second] = [uniqueName('pipe1'), uniqueName('pipe2')];
    const late = createRequest(second);
    const cut = late.length - 20;
    const { socket, text, closed } = await openRaw(h.gateway.port);
    socket.write(createRequest(first) + late.slice(0, cut));
    for (let i = 0; i < 100 && answers(text()).length < 2; i++) await sleep(50);
    const [created, refused] = answers(text());
    expect(created.status).toBe('200');
    expect(created.json.data.createServiceAccount.results[0].credentials).toEqual([
      expect.objectContaining({ kind: 'CLIENT_SECRET', secret: expect.any(String) }),
    ]);
    expect(refused.status).toBe('408');
    expect(refused.json.errors[0].extensions).toEqual({ code: 'REQUEST_TIMEOUT', requestId: refused.headers['x-request-id'] });
    expect(refused.headers['x-request-id']).not.toBe(created.headers['x-request-id']);
    // The rest of its body, late: the create it completes was told "nothing was run", and is not.
    socket.write(late.slice(cut));
    for (let i = 0; i < 60 && !closed(); i++) await sleep(50);
    expect(closed()).toBe(true);
    await sleep(300);
    const names = h.sandboxes.versori.received().map((c) => (c.body as { name?: string }).name);
    expect(names.filter((n) => n === first)).toHaveLength(1);
    expect(names).not.toContain(second);
  });

  it('a pipelined create still running, then half a second create and the client ends its side: the first is answered in full, the second never runs', async () => {
    h.sandboxes.versori.inject({ delayMs: 1000 });
    const [first, second] = [uniqueName('fin1'), uniqueName('fin2')];
    const late = createRequest(second);
    const { socket, text, closed } = await openRaw(h.gateway.port, true);
    socket.write(createRequest(first) + late.slice(0, late.length - 20));
    await sleep(100);
    socket.end();
    for (let i = 0; i < 100 && !closed(); i++) await sleep(50);
    const [created, ...rest] = answers(text());
    expect(rest).toEqual([]);
    expect(created.status).toBe('200');
    expect(created.json.data.createServiceAccount.results[0].credentials).toEqual([
      expect.objectContaining({ kind: 'CLIENT_SECRET', secret: expect.any(String) }),
    ]);
    expect(closed()).toBe(true);
    const names = h.sandboxes.versori.received().map((c) => (c.body as { name?: string }).name);
    expect(names.filter((n) => n === first)).toHaveLength(1);
    expect(names).not.toContain(second);
  });

  it('twelve whole creates pipelined: each runs in its turn and each is answered, in order, with its credentials', async () => {
    h.sandboxes.versori.inject({ delayMs: 300 });
    const names = Array.from({ length: 12 }, (_, i) => uniqueName(`turn${i}`));
    const { socket, text } = await openRaw(h.gateway.port);
    socket.write(names.map(createRequest).join(''));
    for (let i = 0; i < 200 && answers(text()).length < names.length; i++) await sleep(50);
    const got = answers(text());
    expect(got.map((a) => a.status)).toEqual(names.map(() => '200'));
    expect(got.map((a) => a.json.data.createServiceAccount.results[0].account.name)).toEqual(names);
    for (const a of got) expect(a.json.data.createServiceAccount.results[0].credentials).toEqual([expect.objectContaining({ secret: expect.any(String) })]);
    // Each reached the provider only after the one before it had its answer (the first was held 300 ms).
    expect(
      h.sandboxes.versori
        .received()
        .map((c) => (c.body as { name?: string }).name)
        .filter((n) => names.includes(n!)),
    ).toEqual(names);
    socket.destroy();
  });

  it('POSTs pipelined behind a running create are not read ahead: their bodies wait in the connection, not in the gateway', async () => {
    h.sandboxes.versori.inject({ delayMs: 3000 });
    const { socket, text } = await openRaw(h.gateway.port);
    socket.write(createRequest(uniqueName('ahead')));
    await sleep(200);
    const body = JSON.stringify({ query: '{ viewer { id } }', pad: 'x'.repeat(256 * 1024) });
    const post = Buffer.from(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${API_KEY}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // For 2 s: read ahead, each body was kept until its turn (over 1 GiB).
    pumpFor(socket, post, 2000);
    await sleep(2100);
    // What left the client: at most what the kernel's buffers hold (32 MiB receive, 4 MiB send here).
    expect(socket.bytesWritten - socket.writableLength).toBeLessThan(96 * 1024 * 1024);
    for (let i = 0; i < 60 && !text().includes('"createServiceAccount"'); i++) await sleep(50);
    expect(answers(text())[0].json.data.createServiceAccount.status).toBe('SUCCEEDED');
    socket.destroy();
  });

  it('a 200 KiB create pipelined whole behind a create slower than requestTimeoutMs runs in its turn (its body was read ahead), not 408', async () => {
    h.sandboxes.versori.inject({ delayMs: 2500 });
    const [first, second] = [uniqueName('slow'), uniqueName('big')];
    const big = createRequest(second).replace('"query":"', `"query":"${' '.repeat(200_000)}`);
    const { socket, text, closed } = await openRaw(h.gateway.port);
    socket.write(createRequest(first) + big.replace(/content-length: \d+/, `content-length: ${Buffer.byteLength(big.slice(big.indexOf('\r\n\r\n') + 4))}`));
    for (let i = 0; i < 200 && !closed() && answers(text()).length < 2; i++) await sleep(50);
    const got = answers(text());
    expect(got.map((a) => a.status)).toEqual(['200', '200']);
    expect(got.map((a) => a.json.data.createServiceAccount.results[0].account.name)).toEqual([first, second]);
    socket.destroy();
  });

  it('a body declared over the size limit, pipelined behind a slow create, is 413 in its turn (the header decides it), not 408', async () => {
    h.sandboxes.versori.inject({ delayMs: 2500 });
    const { socket, text, closed } = await openRaw(h.gateway.port);
    socket.write(
      createRequest(uniqueName('slow')) +
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${API_KEY}\r\ncontent-length: 2000000\r\n\r\n${' '.repeat(300_000)}`,
    );
    for (let i = 0; i < 200 && !closed() && answers(text()).length < 2; i++) await sleep(50);
    expect(answers(text()).map((a) => a.status)).toEqual(['200', '413']);
    socket.destroy();
  });

  it('a create pipelined behind a 417, an answer that closes the connection, never runs (its answer could not be written)', async () => {
    const name = uniqueName('behind-417');
    const { socket, closed, statuses } = await openRaw(h.gateway.port);
    socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nexpect: x-foo\r\ncontent-length: 2\r\n\r\n{}${createRequest(name)}`);
    for (let i = 0; i < 100 && !closed(); i++) await sleep(50);
    expect(statuses()).toEqual(['417']);
    await sleep(300);
    expect(h.sandboxes.versori.received().filter((c) => (c.body as { name?: string }).name === name)).toEqual([]);
  });

  it('connections beyond server.maxConnections are closed at once; the gateway serves again when they go', async () => {
    const idle = await Promise.all(Array.from({ length: 40 }, () => rawRequest(h.gateway.port, 'GET /healthz HTTP/1.1\r\n')));
    const extra = await rawRequest(h.gateway.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await extra.answer).toBe('');
    idle.forEach((c) => c.socket.destroy());
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(h.url.replace('/graphql', '/healthz'));
    expect(res.status).toBe(200);
  });

  it('an authenticated request still works (the guard refuses only what it must)', async () => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('guard'), providers: ['hoop'] } }, { authorization: `Bearer ${API_KEY}` });
    expect(res.status).toBe(200);
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
  });
});

describe('without authentication the gateway answers loopback Host and Origin only (DNS rebinding)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());

  async function send(headers: Record<string, string>) {
    const body = JSON.stringify({ query: CREATE_SA, variables: { input: { name: uniqueName('rebind'), providers: ['hoop'] } } });
    const head = Object.entries({ 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const { answer } = await rawRequest(h.gateway.port, `POST /graphql HTTP/1.1\r\n${head}\r\n${body}`);
    const text = await answer;
    return { status: Number(firstLine(text).split(' ')[1]), body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4) || '{}') };
  }

  it.each([
    ['Host: rebind.attacker.example:4000', { host: 'rebind.attacker.example:4000' }, 421, 'MISDIRECTED_REQUEST'],
    ['Host: 127.0.0.1.attacker.example', { host: '127.0.0.1.attacker.example' }, 421, 'MISDIRECTED_REQUEST'],
    ['a non-loopback Origin', { host: '127.0.0.1:4000', origin: 'http://rebind.attacker.example:4000' }, 403, 'FORBIDDEN'],
    ['Origin: null', { host: 'localhost', origin: 'null' }, 403, 'FORBIDDEN'],
  ])('%s is refused with a clear error and no upstream call', async (_what, headers, status, code) => {
    const res = await send(headers);
    expect(res.status).toBe(status);
    expect(res.body.errors[0].extensions.code).toBe(code);
    expect(res.body.errors[0].message).toMatch(/without authentication/);
    for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
  });

  it('a create pipelined behind a 403 for a foreign Origin (which closes the connection) never runs', async () => {
    const name = uniqueName('behind-403');
    const body = JSON.stringify({ query: CREATE_SA, variables: { input: { name, providers: ['hoop'] } } });
    const create = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const { answer } = await rawRequest(
      h.gateway.port,
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\norigin: http://rebind.attacker.example\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}${create}`,
    );
    const text = await answer;
    expect([...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(['403']);
    await sleep(300);
    expect(h.sandboxes.hoop.count()).toBe(0);
  });

  it.each([['127.0.0.1:4000'], ['localhost'], ['[::1]:4000'], ['LOCALHOST:1']])('Host: %s is served', async (host) => {
    const res = await send({ host, origin: 'http://localhost:3000' });
    expect(res.status).toBe(200);
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
  });
});

describe('a peer that never reads its answers does not keep its connection', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      configure: (c) => {
        // A short lease (it bounds a create, and so how long a connection may stay silent): 2 s, memory store.
        c.idempotency = { leaseSeconds: 2 };
        for (const p of c.providers) p.timeoutMs = 200;
        c.server = { ...c.server, maxConnections: 20, headersTimeoutMs: 500, requestTimeoutMs: 1000 };
      },
    });
  });
  afterAll(() => h.close());

  it('connections stuck behind unread answers are closed once silent for the idle timeout, and the gateway serves again', async () => {
    const timeout = idleSocketTimeoutMs({ leaseSeconds: 2, redisCommandTimeoutMs: undefined, authWaitMs: 0, requestTimeoutMs: 1000 });
    const asset = playgroundAssetUrl('graphiql.min.js');
    const sockets: Socket[] = [];
    for (let i = 0; i < 25; i++) {
      const s = connect(h.gateway.port, '127.0.0.1');
      s.pause(); // reads nothing: the answers pile up in the socket buffers
      s.on('error', () => undefined);
      s.on('connect', () => s.write(`GET ${asset} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(10)));
      sockets.push(s);
    }
    const healthz = () =>
      fetch(`${h.url.replace('/graphql', '')}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
    let status = 0;
    for (const until = Date.now() + timeout + 5000; Date.now() < until && status !== 200;) {
      await sleep(250);
      status = await healthz();
    }
    expect(status).toBe(200);
    for (const s of sockets) s.destroy();
  }, 30_000);
});

// A stand-in for an Ollama server's POST /api/generate (non-streaming), for fault injection in tests: it
// records every request and answers with the next scripted behaviour. It is not evidence that we speak the
// Ollama API correctly on its own: request bodies are also checked against the documented fields
// (model, prompt, stream=false) here, and answers follow the documented shape (model, created_at, response, done).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandInBehaviour = 'ok' | 'error500' | 'error404' | 'hang';

export interface GenerateRequest {
  model: string;
  prompt: string;
  stream: boolean;
}

export class OllamaStandIn {
  readonly requests: GenerateRequest[] = [];
  /** Behaviours consumed one per request; when empty, `fallback` applies. */
  readonly script: StandInBehaviour[] = [];
  fallback: StandInBehaviour = 'ok';
  answer = 'Likely cause: connection pool exhaustion after a deploy.';
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();

  get url(): string {
    const a = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/api/generate') {
      res.writeHead(404).end('not found');
      return;
    }
    let body: Partial<GenerateRequest>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end(JSON.stringify({ error: 'invalid JSON' }));
      return;
    }
    if (typeof body.model !== 'string' || typeof body.prompt !== 'string' || body.stream !== false) {
      res.writeHead(400).end(JSON.stringify({ error: 'model and prompt strings and stream:false required' }));
      return;
    }
    this.requests.push(body as GenerateRequest);
    const b = this.script.shift() ?? this.fallback;
    if (b === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (b === 'error500') {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'model runner crashed' }));
      return;
    }
    if (b === 'error404') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `model '${body.model}' not found` }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        model: body.model,
        created_at: new Date().toISOString(),
        response: this.answer,
        done: true,
      }),
    );
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

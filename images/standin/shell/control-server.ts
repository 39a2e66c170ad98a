// The observation and control channel of every stand-in: HTTP on PORTS.control, never proxied.
// GET /healthz, GET /status, GET /events?after=N, GET /admin (CMS), POST /control.

import http from 'node:http';
import type { AdminView, ControlRequest, ControlResponse, StandinStatus } from '../../protocol/index.js';
import type { EventLog } from './event-log.js';

/** The answer to a control request: 200 with ControlResponse, or 4xx with { error }. */
export type ControlOutcome = { code: 200; body: ControlResponse } | { code: 400 | 409; error: string };

export interface ControlHandlers {
  log: EventLog;
  status(): StandinStatus;
  /** The request is already checked to be a known action with well-formed fields. */
  control(request: ControlRequest): ControlOutcome;
  /** CMS only: the administered objects and conflict records; absent on other kinds (404). */
  admin?: () => AdminView;
}

const ACTIONS = new Set(['begin', 'set-active', 'set-standby', 'admin-change', 'forced-takeover']);
const MAX_BODY = 64 * 1024;

/** Checks a POST /control body; returns the request or what is wrong with it. */
export function parseControl(text: string): ControlRequest | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    return { error: `bad JSON: ${(error as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'the body must be a JSON object with an "action"' };
  const action = (v as Record<string, unknown>)['action'];
  if (typeof action !== 'string')
    return { error: 'missing "action" (one of begin, set-active, set-standby, admin-change, forced-takeover)' };
  if (!ACTIONS.has(action)) return { error: `unknown action ${JSON.stringify(action)} (known: ${[...ACTIONS].join(', ')})` };
  if (action === 'admin-change') {
    const { object, value } = v as Record<string, unknown>;
    if (typeof object !== 'string' || object.length === 0) return { error: 'admin-change needs a non-empty string "object"' };
    if (typeof value !== 'string') return { error: 'admin-change needs a string "value" for the object' };
    return { action, object, value };
  }
  if (action === 'begin') {
    const restart = (v as Record<string, unknown>)['restart'];
    if (restart !== undefined && typeof restart !== 'boolean') return { error: 'begin takes an optional boolean "restart"' };
    return restart === true ? { action, restart } : { action };
  }
  return { action } as ControlRequest;
}

function reply(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function startControlServer(handlers: ControlHandlers, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    try {
      if (req.method === 'GET' && url.pathname === '/healthz') return reply(res, 200, { ok: true });
      if (req.method === 'GET' && url.pathname === '/status') return reply(res, 200, handlers.status());
      if (req.method === 'GET' && url.pathname === '/events') {
        const raw = url.searchParams.get('after') ?? '0';
        const after = Number(raw);
        if (!Number.isInteger(after) || after < 0)
          return reply(res, 400, { error: `after: ${JSON.stringify(raw)} must be an integer >= 0` });
        return reply(res, 200, { events: handlers.log.after(after), life: handlers.log.life });
      }
      if (req.method === 'GET' && url.pathname === '/admin') {
        if (handlers.admin === undefined)
          return reply(res, 404, { error: `no administration data on a ${handlers.status().kind} stand-in` });
        return reply(res, 200, handlers.admin());
      }
      if (url.pathname === '/control') {
        if (req.method !== 'POST') return reply(res, 405, { error: 'use POST /control with a ControlRequest JSON body' });
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        });
        req.on('end', () => {
          if (size > MAX_BODY) return reply(res, 400, { error: `body larger than ${MAX_BODY} bytes` });
          const parsed = parseControl(Buffer.concat(chunks).toString('utf8'));
          if ('error' in parsed) return reply(res, 400, { error: parsed.error });
          const out = handlers.control(parsed);
          if (out.code === 200) reply(res, 200, out.body);
          else reply(res, out.code, { error: out.error });
        });
        return;
      }
      return reply(res, 404, {
        error: `no route ${req.method ?? '?'} ${url.pathname} (GET /healthz, /status, /events?after=N, /admin; POST /control)`,
      });
    } catch (error) {
      return reply(res, 500, { error: `internal error: ${(error as Error).message}` });
    }
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

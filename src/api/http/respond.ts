import type { ServerResponse } from 'node:http';
import { renderError } from '../../errors/render.js';
import type { Surface } from '../../spec/request.js';

/** Writes a whole JSON answer in one `writeHead` + `end` (no setHeader round trips on the hot path). */
export function sendJson(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (response.headersSent || response.destroyed) return;
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(body));
  response.writeHead(status, headers);
  response.end(body);
}

/** Renders any error in the surface's envelope and sends it; returns the status and catalog code. */
export function sendError(
  response: ServerResponse,
  error: unknown,
  surface: Surface,
  requestId: string,
  headers: Record<string, string>,
): { status: number; code: string } {
  const rendered = renderError(error, surface, requestId);
  const merged = { ...headers, ...rendered.headers };
  sendJson(response, rendered.status, JSON.stringify(rendered.body), merged);
  const code = (rendered.body.error as { code?: string; type?: string } | undefined)?.code;
  return { status: rendered.status, code: code ?? String((rendered.body.error as { type?: string } | undefined)?.type ?? '') };
}

import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { EngineEvent } from '../engine/types.js';
import { encode } from '../tokenizer/tokenizer.js';
import { chainBlockHashes, hashInts } from '../util/hash.js';
import { renderChat } from '../tokenizer/chat-template.js';
import { faultMessage } from './faults.js';
import { HttpError, badRequest } from './http-error.js';
import { sendError, sendJson } from './http-util.js';
import { planOutput, type Emission } from './output-plan.js';
import type { Replica } from './replica.js';
import type { GenerationRequest } from './request-types.js';
import { chatCompletion, textCompletion, usage, type ResponseHeader } from './response-shapes.js';
import { createRng } from './rng.js';
import { StreamWriter } from './stream-writer.js';
import { chooseTool } from './tool-choice.js';

/**
 * Serves one chat or completions request: validate against the replica, render and tokenize the prompt,
 * plan the output, apply any injected fault, hand the request to the engine model through the pacer, and
 * turn its token events into the response (streamed or whole). A client that goes away aborts its request
 * in the engine, so nothing leaks.
 */
export async function serveGeneration(replica: Replica, request: GenerationRequest, res: ServerResponse): Promise<void> {
  const model = resolveModel(replica, request.model);
  const spec = replica.engine.spec;
  const tokens = promptTokens(request);
  if (tokens.length === 0) throw badRequest('the prompt is empty', request.endpoint === 'chat' ? 'messages' : 'prompt');
  const maxLen = spec.model.maxContextTokens;
  const maxTokens = request.maxTokens ?? Math.max(1, maxLen - tokens.length);
  if (tokens.length + maxTokens > maxLen) {
    throw badRequest(
      `This model's maximum context length is ${maxLen} tokens. However, you requested ${tokens.length + maxTokens} tokens ` +
        `(${tokens.length} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
      request.maxTokens === undefined ? (request.endpoint === 'chat' ? 'messages' : 'prompt') : 'max_tokens',
    );
  }
  const blocksNeeded = Math.ceil((tokens.length + maxTokens) / spec.engine.blockSize);
  const blocksTotal = replica.state().kvBlocksTotal;
  if (blocksNeeded > blocksTotal) {
    throw badRequest(
      `prompt and completion need ${blocksNeeded} KV blocks of ${spec.engine.blockSize} tokens, but this replica holds ${blocksTotal}; ` +
        'reduce max_tokens or the prompt',
      request.maxTokens === undefined ? (request.endpoint === 'chat' ? 'messages' : 'prompt') : 'max_tokens',
    );
  }
  // Text depends only on the request (its seed, else its prompt), so every replica answers alike.
  const rng = createRng(request.seed ?? hashInts(tokens, 0, tokens.length));
  const tool = chooseTool(request.messages, request.tools, request.toolChoice);
  const plan = planOutput({ rng, maxTokens, stop: request.stop, ignoreEos: request.ignoreEos, tool, format: request.responseFormat });

  const fault = replica.faults.decide();
  // Name the injected fault on whatever response the client does get, so tests and logs can tell.
  if (fault.kind !== 'none') res.setHeader('x-switchyard-fault', fault.kind);
  if (fault.kind === 'error') {
    sendError(res, new HttpError(fault.status, faultMessage(fault.status), { headers: fault.headers }));
    return;
  }
  replica.open.add(res);
  let closed = false;
  res.on('close', () => {
    closed = true;
    replica.open.delete(res);
  });
  if (fault.kind === 'hang') return; // held open with no byte sent until the client (or close) gives up
  if (fault.kind === 'slow') {
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
    if (closed) return;
  }

  const prefix = request.endpoint === 'chat' ? 'chatcmpl' : 'cmpl';
  const header: ResponseHeader = { id: `${prefix}-${randomUUID().replace(/-/g, '')}`, created: Math.floor(Date.now() / 1000), model };
  const blockSize = spec.engine.blockSize;
  const blockHashes = chainBlockHashes(tokens, blockSize);
  const writer = request.stream ? new StreamWriter(res, header, request.endpoint, request.includeUsage) : undefined;
  const cutAfter =
    fault.kind === 'disconnect' ? Math.max(1, Math.min(plan.outputTokens, fault.afterTokens ?? Math.ceil(plan.outputTokens / 2))) : Infinity;

  let generated = 0;
  let next = 0;
  let cumulative = 0;
  let cachedTokens = 0;
  let done = false;
  const release = (): void => {
    if (done) return;
    done = true;
    replica.kv.forget(blockHashes);
  };
  /** The emissions whose tokens have now all been generated. */
  const due = (): Emission[] => {
    const out: Emission[] = [];
    while (next < plan.emissions.length) {
      const e = plan.emissions[next] as Emission;
      if (cumulative + e.cost > generated) break;
      cumulative += e.cost;
      next++;
      out.push(e);
    }
    return out;
  };

  const onEvent = (event: EngineEvent): void => {
    if (done) return;
    if (event.type === 'scheduled') cachedTokens = event.cachedTokens;
    else if (event.type === 'tokens') {
      generated = Math.min(plan.outputTokens, generated + event.count);
      if (generated >= cutAfter) {
        if (writer !== undefined) writer.emit(due());
        release();
        replica.pacer.abort(header.id);
        // The response is corked until the next tick; cut after it flushes, so the client gets what was sent.
        setImmediate(() => res.destroy());
        return;
      }
      if (writer !== undefined) {
        const ready = due();
        if (ready.length > 0) writer.emit(ready);
      }
    } else if (event.type === 'finished') {
      release();
      if (res.destroyed) return;
      if (event.aborted) {
        // The engine refused it (it can never fit); the client is still here, so tell it.
        const error = new HttpError(400, 'the engine could not schedule this request (it does not fit in the KV cache)');
        if (writer !== undefined) writer.fail(error.body());
        else sendError(res, error);
        return;
      }
      generated = plan.outputTokens;
      const u = usage(tokens.length, event.outputTokens, event.cachedTokens || cachedTokens);
      if (writer !== undefined) {
        const rest = due();
        if (rest.length > 0) writer.emit(rest);
        writer.finish(plan.finishReason, u);
      } else {
        sendJson(res, 200, request.endpoint === 'chat' ? chatCompletion(header, plan, u) : textCompletion(header, plan, u));
      }
    }
  };

  if (closed || res.destroyed) return; // the client left before the engine got the request
  replica.kv.remember(blockHashes, tokens);
  let arrival: number;
  try {
    arrival = replica.pacer.submit(
      { id: header.id, promptTokens: tokens.length, blockHashes, hashBlockTokens: blockSize, outputTokens: plan.outputTokens, priority: request.priority },
      onEvent,
    );
  } catch (error) {
    release();
    throw new HttpError(400, `the engine rejected the request: ${error instanceof Error ? error.message : String(error)}`);
  }
  replica.metrics.track(header.id, arrival, tokens.length, plan.finishReason);
  writer?.open();
  res.on('close', () => {
    if (!done) {
      replica.pacer.abort(header.id);
      release();
    }
  });
}

function resolveModel(replica: Replica, requested: string | undefined): string {
  const names = replica.servedModelNames;
  if (requested === undefined) return names[0] as string;
  if (names.includes(requested)) return requested;
  throw new HttpError(404, `The model \`${requested}\` does not exist.`, { param: 'model' });
}

function promptTokens(request: GenerationRequest): number[] {
  if (request.endpoint === 'chat') return encode(renderChat(request.messages, request.tools));
  const prompt = request.prompt;
  if (prompt === undefined) throw badRequest('`prompt` is required', 'prompt');
  return typeof prompt === 'string' ? encode(prompt) : prompt;
}


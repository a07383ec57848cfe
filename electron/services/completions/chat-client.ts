/**
 * One chat-completions request to an OpenAI-compatible server (vLLM, SGLang, Ollama,
 * LM Studio, OpenAI) through the official `openai` client. The client's own retries
 * are off (maxRetries 0): retry.ts owns the policy so tests can drive it. The timeout
 * is ours too (one timer per attempt aborting the request), so a timeout and a
 * cancel can be told apart.
 */
import OpenAI, { APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Endpoint, PromptTemplate, Sampling } from '../../../shared/rpc/completions-methods.js';
import type { Attempt, AttemptFailure } from './retry.js';

export interface ChatChoice {
  text: string;
  /** `length`: cut off at max_tokens. */
  finishReason: string | null;
}

export interface ChatAnswer {
  choices: ChatChoice[];
  latencyMs: number;
}

export interface ChatRequest {
  imageUrl: string;
  n: number;
}

/** Servers that need no key still get a placeholder (vLLM's convention), since the client requires one. */
const NO_KEY = 'EMPTY';

export class ChatClient {
  private readonly client: OpenAI;
  private readonly model: string;

  constructor(
    endpoint: Endpoint,
    apiKey: string | null,
    private readonly template: PromptTemplate,
    private readonly sampling: Sampling,
    private readonly timeoutMs: number,
  ) {
    this.client = new OpenAI({
      baseURL: endpoint.baseUrl.replace(/\/+$/, ''),
      apiKey: apiKey && apiKey.length > 0 ? apiKey : NO_KEY,
      // Explicit nulls: no organisation or project header picked up from the environment.
      organization: null,
      project: null,
      maxRetries: 0,
      // Ours fires first; this one only guards against a stuck body read.
      timeout: timeoutMs + 5_000,
    });
    this.model = endpoint.model;
  }

  messages(imageUrl: string): ChatCompletionMessageParam[] {
    const out: ChatCompletionMessageParam[] = [];
    if (this.template.system) out.push({ role: 'system', content: this.template.system });
    out.push({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: imageUrl } },
        { type: 'text', text: this.template.user },
      ],
    });
    return out;
  }

  async complete(request: ChatRequest, signal: AbortSignal): Promise<Attempt<ChatAnswer>> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onAbort = (): void => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      const response = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: this.messages(request.imageUrl),
          n: request.n,
          temperature: this.sampling.temperature,
          top_p: this.sampling.topP,
          max_tokens: this.sampling.maxTokens,
        },
        { signal: controller.signal },
      );
      const choices: ChatChoice[] = [];
      for (const choice of Array.isArray(response.choices) ? response.choices : []) {
        const content = (choice as { message?: { content?: unknown } }).message?.content;
        if (typeof content === 'string') choices.push({ text: content, finishReason: choice.finish_reason ?? null });
      }
      if (choices.length === 0) return failure(null, null, 'the answer holds no choice with text content', false);
      return { ok: true, value: { choices, latencyMs: Math.round(performance.now() - started) } };
    } catch (err) {
      if (signal.aborted) return failure(null, null, 'cancelled', true);
      if (timedOut) return failure(null, null, `no answer within ${this.timeoutMs} ms`, false);
      if (err instanceof APIUserAbortError) return failure(null, null, 'aborted', true);
      if (err instanceof APIError) {
        const headers = err.headers as Headers | undefined;
        return failure(err.status ?? null, headers?.get('retry-after') ?? null, describe(err), false);
      }
      // A 200 whose body is not JSON lands here (SyntaxError from the client).
      return failure(null, null, `unreadable answer: ${err instanceof Error ? err.message : String(err)}`, false);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }
}

function describe(err: APIError): string {
  // The client's message can quote the request; keep only the status and the server's own words.
  const status = err.status === undefined ? 'connection error' : `HTTP ${err.status}`;
  const detail = (err.error as { message?: unknown } | undefined)?.message;
  return typeof detail === 'string' ? `${status}: ${detail.slice(0, 300)}` : `${status}: ${err.message.slice(0, 300)}`;
}

function failure(status: number | null, retryAfter: string | null, message: string, aborted: boolean): Attempt<ChatAnswer> {
  const f: AttemptFailure = { status, retryAfter, message, aborted };
  return { ok: false, failure: f };
}

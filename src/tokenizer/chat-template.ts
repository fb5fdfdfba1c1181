/**
 * The ChatML chat template (the layout Qwen and many vLLM chat templates use), as Switchyard's engine
 * emulator renders chat prompts before tokenizing them — and as the gateway renders them to hash the
 * prompt the engine will see, so that cache-aware routing matches the engine's KV events:
 *
 *   <|im_start|>system\n# Tools\n<one JSON line per tool>\n<|im_end|>\n      (only when tools are given)
 *   <|im_start|>{role}\n{text}\n<|im_end|>\n                                  (each message, in order)
 *   <|im_start|>assistant\n                                                    (the generation prompt)
 *
 * An assistant turn's tool calls follow its text as `<tool_call>{"name":…,"arguments":…}</tool_call>` lines;
 * a tool result is a `tool` turn. Equal conversations render to equal text, so a conversation that grows
 * turn by turn shares its rendered prefix with the previous request and hits the prefix cache.
 */
export interface TemplateMessage {
  role: string;
  /** Text content; a non-text part is `<its type>` (`<image_url>`). */
  text: string;
  toolCalls?: ReadonlyArray<{ name: string; arguments: string }>;
}

export interface TemplateTool {
  name: string;
  description?: string;
  parameters: unknown;
}

export function renderChat(messages: readonly TemplateMessage[], tools: readonly TemplateTool[], addGenerationPrompt = true): string {
  const parts: string[] = [];
  if (tools.length > 0) {
    const lines = tools.map((t) =>
      JSON.stringify({ name: t.name, description: t.description ?? '', parameters: t.parameters }),
    );
    parts.push(`<|im_start|>system\n# Tools\n${lines.join('\n')}\n<|im_end|>\n`);
  }
  for (const m of messages) {
    let body = m.text;
    for (const call of m.toolCalls ?? []) {
      body += `${body === '' ? '' : '\n'}<tool_call>${JSON.stringify({ name: call.name, arguments: call.arguments })}</tool_call>`;
    }
    parts.push(`<|im_start|>${m.role}\n${body}\n<|im_end|>\n`);
  }
  if (addGenerationPrompt) parts.push('<|im_start|>assistant\n');
  return parts.join('');
}

type Json = Record<string, unknown>;

/**
 * An OpenAI chat-completions body's `messages` and `tools` as the template reads them: text parts joined,
 * any other part as `<type>`, an assistant's tool calls by name and arguments. Lenient (the gateway's own
 * adapter built the body); the emulator's request parser is the strict counterpart, and a contract test
 * holds the two to the same rendering.
 */
export function renderOpenAIChat(messages: unknown, tools: unknown): string {
  const templateMessages: TemplateMessage[] = [];
  if (Array.isArray(messages)) {
    for (const raw of messages) {
      if (typeof raw !== 'object' || raw === null) continue;
      const m = raw as Json;
      const message: TemplateMessage = { role: String(m['role']), text: contentText(m['content']) };
      const calls = m['tool_calls'];
      if (m['role'] === 'assistant' && Array.isArray(calls)) {
        message.toolCalls = calls.map((c) => {
          const fn = ((c as Json | null)?.['function'] ?? {}) as Json;
          return { name: String(fn['name'] ?? ''), arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : '' };
        });
      }
      templateMessages.push(message);
    }
  }
  const templateTools: TemplateTool[] = [];
  if (Array.isArray(tools)) {
    for (const raw of tools) {
      const fn = ((raw as Json | null)?.['function'] ?? {}) as Json;
      const tool: TemplateTool = { name: String(fn['name'] ?? ''), parameters: fn['parameters'] ?? {} };
      if (typeof fn['description'] === 'string') tool.description = fn['description'];
      templateTools.push(tool);
    }
  }
  return renderChat(templateMessages, templateTools);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    const p = part as Json | null;
    if (p === null || typeof p !== 'object') continue;
    if (p['type'] === 'text' || p['type'] === 'input_text') text += typeof p['text'] === 'string' ? p['text'] : '';
    else text += `<${String(p['type'])}>`;
  }
  return text;
}

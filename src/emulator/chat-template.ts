import type { ChatMessage, ToolDef } from './request-types.js';

/**
 * The emulator's chat template, ChatML-shaped (the layout Qwen and many vLLM chat templates use):
 *
 *   <|im_start|>system\n# Tools\n<one JSON line per tool>\n<|im_end|>\n      (only when tools are given)
 *   <|im_start|>{role}\n{text}\n<|im_end|>\n                                  (each message, in order)
 *   <|im_start|>assistant\n                                                    (the generation prompt)
 *
 * An assistant turn's tool calls follow its text as `<tool_call>{"name":…,"arguments":…}</tool_call>` lines;
 * a tool result is a `tool` turn. Equal conversations render to equal text, so a conversation that grows
 * turn by turn shares its rendered prefix with the previous request and hits the prefix cache.
 */
export function renderChat(messages: readonly ChatMessage[], tools: readonly ToolDef[], addGenerationPrompt = true): string {
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

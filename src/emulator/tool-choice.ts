import type { ChatMessage, ToolChoice, ToolDef } from './request-types.js';

/**
 * Whether the emulated model calls a tool, and which. A documented, deterministic rule (docs/emulator.md):
 *
 * - no tools, or tool_choice "none": answer in text;
 * - tool_choice {type:"function", function:{name}}: call that tool;
 * - the last message is a tool result: answer in text (the model "reads" the result), unless tool_choice
 *   is "required" or names a tool;
 * - "required": call the tool the last user message mentions, else the first tool;
 * - "auto" (the default with tools): call a tool when the last message is a user message that mentions a
 *   tool's name (case-insensitive; `_` and `-` may be written as spaces) — the first such tool in `tools`
 *   order — or contains the word "tool" (then the first tool); otherwise answer in text.
 */
export function chooseTool(messages: readonly ChatMessage[], tools: readonly ToolDef[], choice: ToolChoice): ToolDef | undefined {
  if (tools.length === 0 || choice.kind === 'none') return undefined;
  if (choice.kind === 'named') return tools.find((t) => t.name === choice.name);
  const last = messages[messages.length - 1];
  const mentioned = last?.role === 'user' ? mentionedTool(last.text, tools) : undefined;
  if (choice.kind === 'required') return mentioned ?? tools[0];
  if (last?.role !== 'user') return undefined;
  if (mentioned !== undefined) return mentioned;
  return /\btools?\b/i.test(last.text) ? tools[0] : undefined;
}

function mentionedTool(text: string, tools: readonly ToolDef[]): ToolDef | undefined {
  const lower = text.toLowerCase();
  return tools.find((t) => {
    const name = t.name.toLowerCase();
    return lower.includes(name) || lower.includes(name.replace(/[_-]+/g, ' '));
  });
}

/** Helpers of the stream writer for tool-call arguments and for ending a stream early. */

/** Whether a tool call's arguments so far are a whole JSON value (so the call cannot continue). */
export function isCompleteJson(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether tool arguments are one whole JSON object, as Anthropic's tool_use.input must be. */
export function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Thrown inside the writer when the stream cannot continue validly; carries the error frame that ends it. */
export class StreamAbort extends Error {
  readonly frame: string;
  constructor(frame: string) {
    super('stream aborted');
    this.frame = frame;
  }
}

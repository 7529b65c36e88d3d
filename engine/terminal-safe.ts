// Text from EM (task messages, names), params and playbooks may carry control characters:
// an escape sequence written raw clears the screen, retitles the window or hides lines.
// Everything that reaches a terminal passes through `terminalSafe` at the edge (progress
// view, summary, status, errors); files keep the exact text, escaped as their format needs.

// C0 except tab and newline, DEL, C1, and the Unicode bidi controls that reorder a line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what terminalSafe escapes
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with each control character shown as a visible escape (`\x1b`, `\r`, `\u202e`). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/** For one line of text from outside (a title, an EM message): newlines are escaped too, so none fakes a line of ours. */
export function terminalLine(text: string): string {
  return terminalSafe(text).replace(/\n/g, '\\n');
}

function visibleEscape(c: string): string {
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

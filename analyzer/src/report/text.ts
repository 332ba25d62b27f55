// Text helpers for fixed-width output: display width (emoji/CJK take two cells) and neutralising control
// characters — log lines are attacker-controlled, and an ESC in a message must not drive the terminal.

const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x1f7e0, 0x1f7eb],
  [0x20000, 0x3fffd],
];

function cellWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

/** Terminal cells a string occupies (approximation good for emoji, CJK and Latin). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += cellWidth(ch.codePointAt(0)!);
  return w;
}

/** Cut to at most `max` cells, ending with the ellipsis when cut. */
export function truncate(s: string, max: number, ellipsis = '…'): string {
  if (displayWidth(s) <= max) return s;
  const room = max - displayWidth(ellipsis);
  if (room <= 0) return ellipsis.slice(0, Math.max(0, max));
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = cellWidth(ch.codePointAt(0)!);
    if (w + cw > room) break;
    out += ch;
    w += cw;
  }
  return out + ellipsis;
}

/** Pad on the right to `width` cells (never cuts). */
export function padEnd(s: string, width: number): string {
  const w = displayWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

/**
 * One printable line: tabs/newlines become spaces; other C0/C1 controls, DEL and bidi overrides (which
 * can reorder what a reader sees) become '?'.
 */
export function printable(s: string): string {
  return s.replace(/[\t\n\r]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

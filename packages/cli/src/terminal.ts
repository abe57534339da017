/**
 * Colour for the few words the commands highlight; whether to colour at all is decided by
 * `colourEnabled` (a terminal, and no NO_COLOR).
 */

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/** Wraps text in an ANSI colour when `enabled`. */
export function paint(enabled: boolean, colour: keyof typeof CODES, text: string): string {
  return enabled ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/**
 * Formatting with prettier, with fixed options so the output never depends on a configuration
 * file found near wherever the generator runs.
 */
import { format } from "prettier";

/** The prettier options generated code is printed with. */
const PRETTIER_OPTIONS = {
  parser: "typescript",
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  trailingComma: "all",
  bracketSpacing: true,
  arrowParens: "always",
  endOfLine: "lf",
} as const;

/** Formats TypeScript source as the generator's output. */
export async function formatTypeScript(source: string): Promise<string> {
  return format(source, PRETTIER_OPTIONS);
}

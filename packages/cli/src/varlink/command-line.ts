/**
 * Command-line habits of systemd's varlinkctl that commander cannot express on its own, applied
 * to the arguments before commander parses them:
 *
 * - options before the verb (`varlinkctl --more call ...`): commander reads only the program's own
 *   options there, so a verb's options found before it are moved after it;
 * - `-j` without a value (varlinkctl's "JSON, pretty on a terminal"): where a command's `--json`
 *   takes a format, `-j` or `--json` not followed by one becomes `--json=` with the default format.
 */
import type { Command, Option } from "commander";
import { JSON_CHOICES, type JsonFormat } from "./output.js";

/** The option of `command` that `token` (`-x`, `-xVALUE`, `--name`, `--name=VALUE`) is, if any. */
function optionOf(command: Command, token: string): Option | undefined {
  const flag = token.startsWith("--") ? (token.split("=", 1)[0] ?? token) : token.slice(0, 2);
  return command.options.find((option) => option.short === flag || option.long === flag);
}

/** Whether `token` is `option` written without its value, which is then the next argument. */
function valueFollows(option: Option | undefined, token: string): boolean {
  if (option === undefined || !option.required) return false;
  return token.startsWith("--") ? !token.includes("=") : token.length === 2;
}

/**
 * Whether `token`, `option` written without its value, takes `next` as its value. `--json` takes
 * only a format: otherwise it is varlinkctl's bare `-j` and `next` is an argument of its own.
 */
function takesNext(option: Option | undefined, token: string, next: string | undefined): boolean {
  if (next === undefined || !valueFollows(option, token)) return false;
  return option?.long !== "--json" || (JSON_CHOICES as readonly string[]).includes(next);
}

function isOption(token: string): boolean {
  return token.length > 1 && token.startsWith("-") && token !== "--";
}

/** The index of the verb in `argv`, or -1 when there is none. */
function verbIndex(program: Command, argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? "";
    if (token === "--") return -1;
    if (!isOption(token)) return index;
    // A verb's option before the verb carries its value along, as a program option does.
    const option = optionOf(program, token) ?? program.commands.map((sub) => optionOf(sub, token)).find(Boolean);
    if (takesNext(option, token, argv[index + 1])) index += 1;
  }
  return -1;
}

/** `command`'s arguments with a bare `-j`/`--json` given `bareJson` as its value. */
function withJsonValues(command: Command, args: readonly string[], bareJson: JsonFormat): string[] {
  const json = command.options.find((option) => option.long === "--json");
  if (json === undefined || !json.required) return [...args];
  const result: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const token = args[index] ?? "";
    if (token === "--") return [...result, ...args.slice(index)];
    const option = isOption(token) ? optionOf(command, token) : undefined;
    const next = args[index + 1];
    if (takesNext(option, token, next)) {
      result.push(token, next as string);
      index += 1;
    } else {
      result.push(option === json && valueFollows(option, token) ? `--json=${bareJson}` : token);
    }
  }
  return result;
}

/**
 * Short flags written together (`-qj`, `-Ej`, as varlinkctl allows) as separate arguments, so
 * that a bare `-j` among them is seen; only when each is a known flag and all but the last take
 * no value (`-t5` and `-tj` stay as they are).
 */
function splitBundles(program: Command, argv: readonly string[]): string[] {
  const commands = [program, ...program.commands];
  const known = (flag: string): Option | undefined =>
    commands.map((command) => optionOf(command, flag)).find((option) => option !== undefined);
  const result: string[] = [];
  for (const [index, token] of argv.entries()) {
    if (token === "--") return [...result, ...argv.slice(index)];
    const letters = /^-([A-Za-z]{2,})$/.exec(token)?.[1];
    const flags = letters === undefined ? [] : [...letters].map((letter) => `-${letter}`);
    const options = flags.map(known);
    const splittable =
      flags.length > 0 &&
      options.every((option) => option !== undefined) &&
      options.slice(0, -1).every((option) => !option!.required && !option!.optional);
    if (splittable) result.push(...flags);
    else result.push(token);
  }
  return result;
}

/**
 * `argv` (the arguments after the program name) rewritten for commander, as described above.
 *
 * @param bareJson what `-j` alone means: pretty on a terminal, short otherwise.
 */
export function adaptArguments(program: Command, given: readonly string[], bareJson: JsonFormat): string[] {
  const argv = splitBundles(program, given);
  const verbAt = verbIndex(program, argv);
  const verb = verbAt === -1 ? undefined : argv[verbAt];
  const command = program.commands.find((sub) => sub.name() === verb || sub.aliases().includes(verb ?? ""));
  if (command === undefined) return [...argv];
  const stay: string[] = [];
  const moved: string[] = [];
  for (let index = 0; index < verbAt; index += 1) {
    const token = argv[index] ?? "";
    const programOption = optionOf(program, token);
    const option = programOption ?? optionOf(command, token);
    // What is not the verb's (--help, --version, the global options, mistakes) stays for commander.
    const into = programOption === undefined && option !== undefined ? moved : stay;
    into.push(token);
    if (takesNext(option, token, argv[index + 1]) && index + 1 < verbAt) {
      index += 1;
      into.push(argv[index] ?? "");
    }
  }
  return [...stay, argv[verbAt] ?? "", ...withJsonValues(command, [...moved, ...argv.slice(verbAt + 1)], bareJson)];
}

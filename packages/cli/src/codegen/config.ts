/**
 * The optional config file: `varlink-codegen.config.json`, or the `"varlink-codegen"` key of
 * `package.json`, holding the same options as the command line. Flags win over it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ImportExtension } from "@varlink-ts/codegen";
import { EMIT_KINDS, type CodegenOptions, type EmitKind } from "./run.js";

/** The options a config file may set. */
export type CodegenConfig = Partial<Pick<CodegenOptions, "inputs" | "out" | "emit" | "importExtension" | "runtimeModule" | "bigint">>;

/** The config file's name, looked up in the working directory. */
export const CONFIG_FILE = "varlink-codegen.config.json";

/** A config file that cannot be used; the command reports it as a usage error. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Loads the config from `file` when given, else from `varlink-codegen.config.json` or
 * `package.json` in `cwd`; an empty config when there is none.
 */
export async function loadConfig(cwd: string, file?: string): Promise<CodegenConfig> {
  if (file !== undefined) return parseConfig(await readJson(path.resolve(cwd, file), true), file);
  const own = await readJson(path.join(cwd, CONFIG_FILE), false);
  if (own !== undefined) return parseConfig(own, CONFIG_FILE);
  const pkg = await readJson(path.join(cwd, "package.json"), false);
  if (isRecord(pkg) && pkg["varlink-codegen"] !== undefined) {
    return parseConfig(pkg["varlink-codegen"], 'package.json "varlink-codegen"');
  }
  return {};
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (!required) return undefined;
    throw new ConfigError(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

function parseConfig(value: unknown, where: string): CodegenConfig {
  if (!isRecord(value)) throw new ConfigError(`${where}: the config must be a JSON object`);
  const config: CodegenConfig = {};
  for (const [key, option] of Object.entries(value)) {
    switch (key) {
      case "inputs":
        if (!Array.isArray(option) || !option.every((item) => typeof item === "string")) {
          throw new ConfigError(`${where}: "inputs" must be an array of strings`);
        }
        config.inputs = option;
        break;
      case "out":
      case "runtimeModule":
        if (typeof option !== "string" || option === "") throw new ConfigError(`${where}: "${key}" must be a non-empty string`);
        config[key] = option;
        break;
      case "emit":
        config.emit = parseEmit(option, where);
        break;
      case "importExtension":
        config.importExtension = parseImportExtension(option, where);
        break;
      case "bigint":
        if (!Array.isArray(option)) throw new ConfigError(`${where}: "bigint" must be an array of selectors`);
        config.bigint = option.map((selector: unknown) => parseBigintSelector(selector, where));
        break;
      default:
        throw new ConfigError(`${where}: unknown option "${key}" (known: inputs, out, emit, importExtension, runtimeModule, bigint)`);
    }
  }
  return config;
}

/** Checks a list of emit kinds, given as an array or a comma-separated string. */
export function parseEmit(value: unknown, where: string): EmitKind[] {
  const items = typeof value === "string" ? value.split(",").map((item) => item.trim()) : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new ConfigError(`${where}: "emit" must list some of ${EMIT_KINDS.join(", ")}`);
  }
  return items.map((item: unknown) => {
    if (typeof item !== "string" || !(EMIT_KINDS as readonly string[]).includes(item)) {
      throw new ConfigError(`${where}: cannot emit ${JSON.stringify(item)} (choose from ${EMIT_KINDS.join(", ")})`);
    }
    return item as EmitKind;
  });
}

/** `.js`, `.ts`, or none (`""` or `"none"`). */
export function parseImportExtension(value: unknown, where: string): ImportExtension {
  if (value === ".js" || value === ".ts" || value === "") return value;
  if (value === "none") return "";
  throw new ConfigError(`${where}: the import extension must be ".js", ".ts" or "none"`);
}

/**
 * Checks the form of a `bigint` selector: a dotted name, `io.systemd.Foo` or
 * `io.systemd.Foo.Type.field`. Whether it names an `int` of the inputs is checked when generating.
 */
export function parseBigintSelector(value: unknown, where: string): string {
  if (typeof value !== "string" || !/^[^.\s]+(\.[^.\s]+)*$/.test(value)) {
    throw new ConfigError(
      `${where}: the bigint selector ${JSON.stringify(value)} is not a dotted name such as "io.systemd.Foo.Type.field"`,
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Programmatic entry points of the `varlink-codegen` command, for build tools: the same options
 * as the command line, without the command.
 *
 * @packageDocumentation
 */
export {
  runCodegen,
  EMIT_KINDS,
  type CodegenOptions,
  type CodegenResult,
  type EmitKind,
  type FileResult,
  type FileStatus,
} from "./codegen/run.js";
export { watchCodegen } from "./codegen/watch.js";
export { loadConfig, ConfigError, CONFIG_FILE, type CodegenConfig } from "./codegen/config.js";

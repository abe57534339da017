/**
 * Times the programmatic generate() on one large interface made in memory, in a process of its
 * own. A small interface is generated first, so that loading ts-morph and prettier and their
 * first compilation are not counted: what is left grows with the input alone.
 * Prints {"seconds": …}. Usage: node scale-driver.js types|blank SIZE
 */
import { performance } from "node:perf_hooks";
import { generate } from "@varlink-ts/codegen";
import { bigInterface, type BigInterfaceKind } from "./interface-set.js";

const [kind, size] = process.argv.slice(2);
if ((kind !== "types" && kind !== "blank") || !(Number(size) > 0)) {
  throw new TypeError("usage: scale-driver.js types|blank SIZE");
}
const source = bigInterface(kind as BigInterfaceKind, Number(size));
await generate([{ source: bigInterface(kind as BigInterfaceKind, 20) }]);
const start = performance.now();
await generate([{ source }]);
const seconds = (performance.now() - start) / 1000;
process.stdout.write(`${JSON.stringify({ seconds })}\n`);

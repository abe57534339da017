/**
 * Times the programmatic generate() on every .varlink file of a directory, in a process of its
 * own so that every run starts cold. Prints {"seconds": …, "files": …}: the time of the call,
 * reading the files included, and loading ts-morph and prettier too, which generate() imports
 * on first use (importing @varlink-ts/codegen itself is cheap and not counted).
 * Usage: node generate-driver.js DIR
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { generate } from "@varlink-ts/codegen";

const dir = process.argv[2];
if (dir === undefined) throw new TypeError("usage: generate-driver.js DIR");
const start = performance.now();
const names = (await readdir(dir)).filter((name) => name.endsWith(".varlink")).sort();
const inputs = await Promise.all(
  names.map(async (name) => ({ path: name, source: await readFile(path.join(dir, name), "utf8") })),
);
const files = await generate(inputs);
const seconds = (performance.now() - start) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, files: files.length })}\n`);

/**
 * The hostile messages, each built once as a Buffer: every attacker writes the same Buffer, so
 * hundreds of 15 MiB writes cost the soak no copies.
 */
import { A } from "./target.js";

/** A call of `size` bytes that never ends: its string parameter goes on and on, no NUL. */
export function endlessMessage(size: number): Buffer {
  const message = Buffer.alloc(size, "a".charCodeAt(0));
  Buffer.from(`{"method":"${A}.Echo","parameters":{"data":"`).copy(message);
  return message;
}

/** A whole Echo call, NUL included, whose string is `size` bytes. */
export function echoCall(size: number): Buffer {
  return Buffer.from(`{"method":"${A}.Echo","parameters":{"data":"${"e".repeat(size)}"}}\0`);
}

/** A `more` call of Slow, which replies every 50 ms until its client leaves. */
export function slowCall(): Buffer {
  return Buffer.from(`{"method":"${A}.Slow","more":true}\0`);
}

/** A whole Echo call of about `size` bytes whose parameter is arrays nested as deep as fits. */
export function nestedArrays(size: number): Buffer {
  const depth = Math.floor((size - 100) / 2);
  return Buffer.from(`{"method":"${A}.Echo","parameters":{"data":${"[".repeat(depth)}${"]".repeat(depth)}}}\0`);
}

/** A whole Echo call of about `size` bytes whose parameter is an array of empty arrays. */
export function emptyArrays(size: number): Buffer {
  return Buffer.from(`{"method":"${A}.Echo","parameters":{"data":[${"[],".repeat(Math.floor(size / 3) - 40)}[]]}}\0`);
}

/** A Ping call, for the well-behaved slow sender. */
export function pingCall(ping: string): Buffer {
  return Buffer.from(`{"method":"${A}.Ping","parameters":{"ping":"${ping}"}}\0`);
}

/**
 * A call's request body: the method's parameters as a JSON object, read up to the size limit and
 * checked before anything reaches a service.
 */
import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { ProtocolError } from "../errors.js";
import { CALL_SHAPE, checkMessageShape } from "../protocol/message-shape.js";
import { ClientGone, HttpFailure } from "./failure.js";

/**
 * Reads the whole body, at most `maxBytes` of it.
 * @throws HttpFailure 413 when it is larger (as soon as that is known: from `Content-Length`,
 *   before reading, or once the bytes pass the limit), with `Connection: close`, since the rest of
 *   the body is not read.
 * @throws ClientGone when the client goes away first; the stream's error when it fails.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = (): HttpFailure =>
    new HttpFailure(413, `the request body is larger than ${maxBytes} bytes`, { Connection: "close" });
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > maxBytes) {
    // Whatever of it arrives is thrown away rather than held.
    request.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > maxBytes) {
        cleanup();
        chunks.length = 0;
        request.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, length));
    };
    const onClose = (): void => {
      cleanup();
      reject(new ClientGone("the client went away before its request body was read"));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("close", onClose);
      request.off("error", onError);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("close", onClose);
    request.on("error", onError);
  });
}

/**
 * The parameters' JSON text from a body: the body itself when it is a JSON object (kept as
 * written, so that integers beyond 2^53 reach the service with every digit), `{}` when it is
 * empty.
 * @throws HttpFailure 400 when it is not UTF-8, not JSON, or not an object, or when it is nested
 *   deeper or holds more values than a service accepts in a call.
 */
export function parametersJson(body: Buffer): string {
  if (!isUtf8(body)) throw new HttpFailure(400, "the request body is not valid UTF-8");
  const text = body.toString("utf8").trim();
  if (text === "") return "{}";
  try {
    // A service would close the connection over such a call: say what is wrong instead.
    checkMessageShape(text, CALL_SHAPE);
  } catch (error) {
    if (error instanceof ProtocolError) throw new HttpFailure(400, `the request body is too complex: ${error.message}`);
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpFailure(400, `the request body is not valid JSON: ${(error as Error).message}`, {}, { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpFailure(400, "the request body must be a JSON object: the method's parameters");
  }
  return text;
}

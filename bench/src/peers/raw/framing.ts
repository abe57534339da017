/**
 * The least a varlink peer must do to read messages: split the byte stream on NUL. Chunks of a
 * message that spans reads are kept in a list and joined once, so big messages cost linear time;
 * anything more would no longer be the ceiling the other peers are compared with.
 */
export function onMessages(
  socket: NodeJS.ReadableStream,
  handle: (message: string) => void,
  afterChunk: () => void = () => undefined,
): void {
  let pending: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => {
    let start = 0;
    let end = chunk.indexOf(0);
    while (end !== -1) {
      const piece = chunk.subarray(start, end);
      if (pending.length === 0) handle(piece.toString("utf8"));
      else {
        pending.push(piece);
        handle(Buffer.concat(pending).toString("utf8"));
        pending = [];
      }
      start = end + 1;
      end = chunk.indexOf(0, start);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    afterChunk();
  });
}

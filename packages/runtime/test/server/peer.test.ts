/**
 * `context.peer`: what a handler can know about who called, worked out once per connection.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connect, Connection, defineInterface, method, VarlinkService, type CallContext } from "@varlink-ts/runtime";
import { createMock, duplexPair } from "@varlink-ts/runtime/testing";

const IDL = "interface org.example.peer\nmethod Who() -> (peer: object)\n";

const services: VarlinkService[] = [];
const clients: Connection[] = [];
const sockets: Socket[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(services.splice(0).map((service) => service.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A service whose Who answers with the caller's peer, and the peers its handler saw. */
function peerService(): { service: VarlinkService; seen: CallContext["peer"][] } {
  const seen: CallContext["peer"][] = [];
  const service = new VarlinkService({ vendor: "test", product: "peer", version: "1", url: "https://varlink.org" });
  service.addInterface(IDL, {
    Who: (_parameters: object, context: CallContext) => {
      seen.push(context.peer);
      return { peer: context.peer };
    },
  });
  services.push(service);
  return { service, seen };
}

/** Opens a raw socket and calls Who twice on it, so both calls' peers can be compared. */
async function callTwice(socket: Socket): Promise<void> {
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const replies = new Promise<void>((resolve) => {
    let count = 0;
    socket.on("data", (chunk: Buffer) => {
      count += chunk.filter((byte) => byte === 0).length;
      if (count >= 2) resolve();
    });
  });
  socket.write('{"method":"org.example.peer.Who"}\0{"method":"org.example.peer.Who"}\0');
  await replies;
}

describe("context.peer", () => {
  it("tells a TCP client's address and port, the client socket's local ones", async () => {
    const { service, seen } = peerService();
    const listener = await service.listen("tcp:127.0.0.1:0");
    const port = Number(listener.address.slice(listener.address.lastIndexOf(":") + 1));
    const socket = createConnection({ host: "127.0.0.1", port });
    await callTwice(socket);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual({ transport: "tcp", address: socket.localAddress, port: socket.localPort, family: "IPv4" });
    // Worked out once per connection: every call shares the object.
    expect(seen[1]).toBe(seen[0]);
  });

  it("reaches the client through the runtime's client too", async () => {
    const { service } = peerService();
    const listener = await service.listen("tcp:127.0.0.1:0");
    const client = await connect(listener.address);
    clients.push(client);
    const reply = await client.call("org.example.peer.Who", {});
    expect(reply.peer).toMatchObject({ transport: "tcp", address: "127.0.0.1", family: "IPv4" });
  });

  it("gives a unix socket client's uid, gid and pid (SO_PEERCRED, through @varlink-ts/native)", async () => {
    const { service, seen } = peerService();
    const dir = await mkdtemp(join(tmpdir(), "varlink-peer-"));
    dirs.push(dir);
    const path = join(dir, "peer.sock");
    await service.listen(`unix:${path}`);
    await callTwice(createConnection(path));
    // The workspace has the addon; without it (see docs/runtime.md) only the transport is known.
    const self = { transport: "unix", uid: process.getuid!(), gid: process.getgid!(), pid: process.pid };
    expect(seen).toEqual([self, self]);
  });

  it("says stream for a stream handed to serve() and for the testing mock", async () => {
    const { service, seen } = peerService();
    const [serverEnd, clientEnd] = duplexPair();
    service.serve(serverEnd);
    const client = Connection.fromStream(clientEnd);
    clients.push(client);
    expect(await client.call("org.example.peer.Who", {})).toEqual({ peer: { transport: "stream" } });
    expect(seen).toEqual([{ transport: "stream" }]);

    const descriptor = defineInterface({
      name: "org.example.peer",
      description: IDL,
      methods: { who: method<Record<string, never>, { peer: object }>("Who") },
    });
    const peers: unknown[] = [];
    const mock = await createMock(descriptor, {
      who: (_parameters, context) => {
        peers.push(context.peer);
        return { peer: context.peer };
      },
    });
    try {
      expect(await mock.client.who({})).toEqual({ peer: { transport: "stream" } });
      expect(peers).toEqual([{ transport: "stream" }]);
    } finally {
      await mock.close();
    }
  });
});

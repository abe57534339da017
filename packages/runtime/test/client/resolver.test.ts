import { existsSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  connect,
  ConnectionError,
  InterfaceNotFoundError,
  ProtocolError,
  VarlinkError,
  VarlinkService,
} from "@varlink-ts/runtime";
import { connectInterface, DEFAULT_RESOLVER, resolve } from "@varlink-ts/runtime/transport";
import { RawServer, rejection, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

function rawServer(): Promise<RawServer> {
  return RawServer.start(sandbox);
}

describe("resolve", () => {
  it("uses the system resolver's address by default", () => {
    expect(DEFAULT_RESOLVER).toBe("unix:/run/org.varlink.resolver");
  });

  it("asks the resolver and returns the address, closing the resolver connection", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}` });
    const connection = await resolver.accept();
    expect(await connection.messages(1)).toEqual([
      '{"method":"org.varlink.resolver.Resolve","parameters":{"interface":"org.example.more"}}',
    ]);
    connection.reply({ parameters: { address: "unix:/run/org.example.more" } });
    expect(await address).toBe("unix:/run/org.example.more");
    await connection.closedByPeer();
  });

  it("rejects with InterfaceNotFoundError when the resolver does not know the interface", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.nope", { resolver: `unix:${resolver.path}` });
    const connection = await resolver.accept();
    await connection.messages(1);
    connection.reply({ error: "org.varlink.resolver.InterfaceNotFound", parameters: { interface: "org.example.nope" } });
    const error = await rejection(address);
    expect(error).toBeInstanceOf(InterfaceNotFoundError);
    expect((error as InterfaceNotFoundError).parameters).toEqual({ interface: "org.example.nope" });
  });

  it("rejects a reply without an address with ProtocolError", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}` });
    const connection = await resolver.accept();
    await connection.messages(1);
    connection.reply({ parameters: { address: 7 } });
    expect(await rejection(address)).toBeInstanceOf(ProtocolError);
  });

  it("rejects with ConnectionError when no resolver listens", async () => {
    const resolver = await rawServer();
    const error = await rejection(resolve("org.example.more", { resolver: `unix:${path.join(resolver.dir, "none")}` }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "not-found" });
  });

  it("rejects with timeout, naming it, when the resolver does not answer", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}`, timeout: 50 });
    const connection = await resolver.accept();
    await connection.messages(1);
    const error = await rejection(address);
    expect(error).toMatchObject({ code: "timeout" });
    expect(error.message).toContain("50 ms");
    await connection.closedByPeer();
  });

  it("rejects with aborted when the signal fires during the lookup", async () => {
    const resolver = await rawServer();
    const controller = new AbortController();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}`, signal: controller.signal });
    const connection = await resolver.accept();
    await connection.messages(1);
    controller.abort();
    expect(await rejection(address)).toMatchObject({ code: "aborted" });
  });
});

describe("connectInterface", () => {
  it("resolves the interface and connects to the service found", async () => {
    const resolver = await rawServer();
    const service = await rawServer();
    const connecting = connectInterface("org.example.more", { resolver: `unix:${resolver.path}` });
    const lookup = await resolver.accept();
    await lookup.messages(1);
    lookup.reply({ parameters: { address: `unix:${service.path}` } });
    const client = await connecting;
    sandbox.track(client);
    const connection = await service.accept();
    const reply = client.call("org.example.more.Ping", { ping: "p" });
    expect(await connection.messages(1)).toEqual(['{"method":"org.example.more.Ping","parameters":{"ping":"p"}}']);
    connection.reply({ parameters: { pong: "p" } });
    expect(await reply).toEqual({ pong: "p" });
  });
});

const resolverSource = await readFile(
  new URL("../../../../fixtures/interop/org.varlink.resolver.varlink", import.meta.url),
  "utf8",
);

const info = { vendor: "varlink-ts", product: "resolver tests", version: "1", url: "https://example.org" };

/** A per-test directory, removed after the test. */
function tempDir(): Promise<string> {
  return sandbox.tempDir();
}

/** A real org.varlink.resolver (VarlinkService) on a unix socket, answering from `table`. */
async function resolverService(dir: string, table: Record<string, string>): Promise<string> {
  const service = new VarlinkService(info, { logger: () => {} });
  service.addInterface(resolverSource, {
    GetInfo: () => ({ ...info, interfaces: Object.keys(table) }),
    Resolve: ({ interface: name }: { interface: string }) => {
      const address = table[name];
      if (address === undefined) throw new VarlinkError("org.varlink.resolver.InterfaceNotFound", { interface: name });
      return { address };
    },
  });
  sandbox.track(service);
  return (await service.listen(`unix:${path.join(dir, "resolver.sock")}`)).address;
}

/** A service of org.example.ping listening on `address`; resolves with the address it got. */
async function pingService(address: string): Promise<string> {
  const service = new VarlinkService(info, { logger: () => {} });
  service.addInterface("interface org.example.ping\n\nmethod Ping(ping: string) -> (pong: string)\n", {
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),
  });
  sandbox.track(service);
  return (await service.listen(address)).address;
}

/** A program that creates the file named by its first argument: the proof that it ran. */
async function markerProgram(dir: string): Promise<{ program: string; marker: string }> {
  const program = path.join(dir, "touch-marker.sh");
  await writeFile(program, '#!/bin/sh\n: > "$1"\n');
  await chmod(program, 0o755);
  return { program, marker: path.join(dir, "marker") };
}

describe("answers a resolver may give", () => {
  it("a user-written exec: address of the marker program does run it (the trap below is live)", async () => {
    const dir = await tempDir();
    const { program, marker } = await markerProgram(dir);
    // It exits without accepting: the connection may land in the listening socket's queue
    // first, or fail; either way the program ran.
    const client = await connect(`exec:${program} ${marker}`).catch(() => undefined);
    if (client !== undefined) sandbox.track(client);
    await expect.poll(() => existsSync(marker), { timeout: 5000 }).toBe(true);
  });

  it("refuses an exec: answer with ProtocolError and never runs the program", async () => {
    const dir = await tempDir();
    const { program, marker } = await markerProgram(dir);
    const answer = `exec:${program} ${marker}`;
    const resolver = await resolverService(dir, { "org.example.ping": answer });
    const expected =
      `the resolver answered ${JSON.stringify(answer)} for org.example.ping; ` +
      "only unix: and tcp: addresses are accepted from a resolver";

    const resolved = await rejection(resolve("org.example.ping", { resolver }));
    expect(resolved).toBeInstanceOf(ProtocolError);
    expect(resolved.message).toBe(expected);

    const connected = await rejection(connectInterface("org.example.ping", { resolver }));
    expect(connected).toBeInstanceOf(ProtocolError);
    expect(connected.message).toBe(expected);

    // Give a started program time to run, were one started.
    await new Promise((settle) => setTimeout(settle, 200));
    expect(existsSync(marker)).toBe(false);
  });

  it("cuts a long answer short and escapes control characters in the message", async () => {
    const dir = await tempDir();
    const { program, marker } = await markerProgram(dir);
    const answer = `exec:${program} ${marker} \u009b31m\u202e${"x".repeat(100_000)}`;
    const resolver = await resolverService(dir, { "org.example.ping": answer });
    const error = await rejection(connectInterface("org.example.ping", { resolver }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain(`"exec:${program} ${marker} \\u009b31m\\u202exxx`);
    expect(error.message).toContain("…");
    expect(error.message).not.toMatch(/[\u009b\u202e]/);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ["a bridge", "bridge:/bin/sh -c true", "a bridge has no string form"],
    ["an unknown kind", "ssh:host", 'unsupported kind "ssh"'],
    ["no kind", "/run/org.example.ping", "expected KIND:..."],
    ["an empty answer", "", "expected KIND:..."],
    ["an exec: without a program", "exec:", "missing the program to run"],
    ["a tcp: address without a port", "tcp:localhost", "missing port"],
  ])("refuses %s as not a valid address", async (_what, answer, problem) => {
    const dir = await tempDir();
    const resolver = await resolverService(dir, { "org.example.ping": answer });
    const error = await rejection(connectInterface("org.example.ping", { resolver }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toContain(
      `the resolver answered ${JSON.stringify(answer)} for org.example.ping, which is not a valid varlink address: `,
    );
    expect(error.message).toContain(problem);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ["a unix:", (dir: string) => `unix:${path.join(dir, "ping.sock")}`],
    ["an abstract unix:@", () => `unix:@varlink-ts-resolver-${process.pid}-${Date.now()}`],
    ["a tcp:", () => "tcp:127.0.0.1:0"],
  ])("accepts %s answer and connects to it", async (_what, listenOn) => {
    const dir = await tempDir();
    const address = await pingService(listenOn(dir));
    const resolver = await resolverService(dir, { "org.example.ping": address });
    expect(await resolve("org.example.ping", { resolver })).toBe(address);
    const client = await connectInterface("org.example.ping", { resolver });
    sandbox.track(client);
    expect(await client.call("org.example.ping.Ping", { ping: "resolved" })).toEqual({ pong: "resolved" });
  });
});

import { describe, expect, it } from "vitest";
import { ConnectionError, ExpectedUpgradeError } from "@varlink-ts/runtime";
import { connectPeer, rejection, readBytes, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("callUpgrade", () => {
  it("hands over the raw stream with the bytes that followed the reply in the same chunk", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const upgrade = client.callUpgrade("org.example.chat.Start", { room: "a" });
    expect(await connection.messages(1)).toEqual([
      '{"method":"org.example.chat.Start","parameters":{"room":"a"},"upgrade":true}',
    ]);
    // Reply, NUL and the first bytes of the new protocol in one write, including a NUL of its own.
    connection.send('{"parameters":{"ok":true}}\0HELLO\0{"not":"varlink"}\0');
    const { parameters, stream } = await upgrade;
    expect(parameters).toEqual({ ok: true });
    const trailing = '"HELLO\\u0000{\\"not\\":\\"varlink\\"}\\u0000"';
    const first = await readBytes(stream, 24);
    expect(JSON.stringify(first)).toBe(trailing);
    const later = readBytes(stream, 5);
    connection.send("WORLD");
    expect(await later).toBe("WORLD");
    stream.write("raw from client");
    expect(await connection.unframed(15)).toBe("raw from client");
    expect(connection.received).toHaveLength(1);
    stream.destroy();
  });

  it("answers the calls before the upgrade from the same chunk and keeps the rest raw", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const before = client.call("org.example.chat.Ping");
    const upgrade = client.callUpgrade("org.example.chat.Start");
    await connection.messages(2);
    connection.send('{"parameters":{"pong":1}}\0{"parameters":{}}\0{"parameters":{"pong":2}}\0');
    expect(await before).toEqual({ pong: 1 });
    const { stream } = await upgrade;
    expect(await readBytes(stream, 26)).toBe('{"parameters":{"pong":2}}\0');
    stream.destroy();
  });

  it("rejects every call after an upgrade with ConnectionError", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const upgrade = client.callUpgrade("org.example.chat.Start");
    await connection.messages(1);
    connection.reply({ parameters: {} });
    const { stream } = await upgrade;
    expect(client.closed).toBe(true);
    const error = await rejection(client.call("org.example.chat.Ping"));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "closed" });
    expect(error.message).toMatch(/upgraded/);
    // close() leaves the upgraded stream, which now belongs to the caller, alone.
    client.close();
    expect(stream.destroyed).toBe(false);
    stream.destroy();
  });

  it("holds calls made while the upgrade is undecided and rejects them once it succeeds", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const upgrade = client.callUpgrade("org.example.chat.Start");
    const held = client.call("org.example.chat.Ping");
    const heldOneway = client.callOneway("org.example.chat.Note");
    await connection.messages(1);
    connection.reply({ parameters: {} });
    const { stream } = await upgrade;
    expect(await rejection(held)).toMatchObject({ code: "closed" });
    expect(await rejection(heldOneway)).toMatchObject({ code: "closed" });
    stream.write("X");
    // Nothing but the raw byte followed the upgrade call.
    expect(await connection.unframed(1)).toBe("X");
    expect(connection.received).toHaveLength(1);
    stream.destroy();
  });

  it("stays varlink after an error reply and then writes the held calls", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const upgrade = client.callUpgrade("org.example.chat.Start");
    const held = client.call("org.example.chat.Ping");
    await connection.messages(1);
    connection.reply({ error: "org.varlink.service.ExpectedUpgrade", parameters: {} });
    expect(await rejection(upgrade)).toBeInstanceOf(ExpectedUpgradeError);
    expect(await connection.messages(2)).toEqual([
      '{"method":"org.example.chat.Start","parameters":{},"upgrade":true}',
      '{"method":"org.example.chat.Ping","parameters":{}}',
    ]);
    connection.reply({ parameters: { pong: 1 } });
    expect(await held).toEqual({ pong: 1 });
    expect(client.closed).toBe(false);
  });
});

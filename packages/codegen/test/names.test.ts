/**
 * The naming rules at work in the generated org.example.collisions module: names that would
 * collide with generated, imported, global or reserved names come out renamed by the documented
 * rule, and the renamed members really work over a connection.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MethodNotImplementedError } from "@varlink-ts/runtime";
import {
  OrgExampleCollisions as Dashed,
  OrgExampleCollisions_ as Collisions,
} from "../../../fixtures/generated/index.js";
import { serveInterfaces, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe("collision rules", () => {
  it("keeps the module's own names and renames the IDL's: type → `_`, error → `Error` suffix", () => {
    const values = Object.keys(Collisions).sort();
    expect(values).toEqual(
      expect.arrayContaining([
        "descriptor",
        "connect",
        "register",
        "createMock",
        "ModeValues_",
        "ErrorError",
        "MockError",
        "Conflict",
      ]),
    );
    expect(values).not.toContain("ModeValues");
    expect(new Collisions.ErrorError({ message: "m" }).error).toBe("org.example.collisions.Error");
    expect(new Collisions.MockError().error).toBe("org.example.collisions.Mock");
  });

  it("gives namespaces that map to the same name `_` in interface-name order", () => {
    expect(Dashed.descriptor.name).toBe("org.example-collisions");
    expect(Collisions.descriptor.name).toBe("org.example.collisions");
  });

  it("renames methods that would make the client thenable or replace built-ins", async () => {
    const members = Collisions.descriptor.methods as Record<string, unknown>;
    for (const name of [
      "then_",
      "constructor_",
      "toString_",
      "close_",
      "register",
      "urlFetch",
      "urlFetch_",
    ]) {
      expect(members[name], name).toBeDefined();
    }
    for (const name of ["then", "constructor", "toString", "close", "connection", "descriptor"]) {
      expect(Object.hasOwn(members, name), name).toBe(false);
    }

    const mock = await Collisions.createMock({
      then_: ({ value }) => ({ value: value * 2 }),
      toString_: () => ({ text: "called" }),
      close_: () => undefined,
      urlFetch: ({ url }) => ({ body: `URLFetch ${url}` }),
      urlFetch_: ({ url }) => ({ body: `UrlFetch ${url}` }),
    });
    closers.push(() => mock.close());
    // Awaiting the client must give the client back, not call the varlink method Then.
    expect(await Promise.resolve(mock.client)).toBe(mock.client);
    expect(await mock.client.then_({ value: 21 })).toEqual({ value: 42 });
    expect(await mock.client.toString_()).toEqual({ text: "called" });
    expect(String(mock.client)).toBe("[object Object]");
    expect(await mock.client.close_()).toEqual({});
    expect(await mock.client.urlFetch({ url: "a" })).toEqual({ body: "URLFetch a" });
    expect(await mock.client.urlFetch_({ url: "b" })).toEqual({ body: "UrlFetch b" });
    expect(mock.calls.map((call) => call.method)).toEqual([
      "then_",
      "toString_",
      "close_",
      "urlFetch",
      "urlFetch_",
    ]);
    // The client's own close() is still the connection's.
    expect(typeof mock.client.close).toBe("function");
  });

  it("does not take Object.prototype members of a plain handlers object as handlers", async () => {
    // With ToString mapped to `toString`, `{}` would seem to implement it (Object.prototype's).
    const served = await serveInterfaces(sandbox, (service) => service.addInterface(Collisions.descriptor, {}));
    closers.push(() => served.close());
    const client = await Collisions.connect(served.address);
    closers.push(async () => client.close());
    await expect(client.toString_()).rejects.toBeInstanceOf(MethodNotImplementedError);
    await expect(client.then_({ value: 1 })).rejects.toBeInstanceOf(MethodNotImplementedError);
  });
});

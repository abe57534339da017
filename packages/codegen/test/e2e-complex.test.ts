/**
 * org.example.complex end to end over a unix socket: keyword field names, nested anonymous
 * structs and enums, maps of nullable enums, string sets and `object` values survive the round
 * trip through the generated types; a declared error with nested parameters rejects as its class.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidParameterError, MethodNotImplementedError } from "@varlink-ts/runtime";
import { OrgExampleComplex as Complex } from "../../../fixtures/generated/index.js";
import { type Served, serveInterfaces, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

const FOO: Complex.TypeFoo = {
  bool: true,
  int: 42,
  float: 0.5,
  string: "text",
  enum: { first: "foo", second: null, third: "baz" },
  type: "type",
  anon: {
    foo: false,
    bar: -1,
    baz: [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ],
  },
  object: { nested: [1, "two", null, { deep: true }] },
  stringset: { alpha: {}, beta: {} },
};

describe("org.example.complex: generated client against generated server", () => {
  let served: Served;
  let client: Complex.Client;

  beforeEach(async () => {
    // Bar is left out on purpose: the descriptor takes a partial set of handlers.
    served = await serveInterfaces(sandbox, (service) =>
      service.addInterface(Complex.descriptor, {
        foo({ enum: input, foo, interface: which }) {
          if (which === "c") {
            throw new Complex.ErrorFoo({
              enum: { ...input, interface: which },
              foo,
              bar: "let",
              interface: which,
            });
          }
          return { a: [input, { b: !input.b, c: input.c + 1 }], foo, interface: which };
        },
      }),
    );
    client = await Complex.connect(served.address);
  });

  afterEach(async () => {
    client.close();
    await served.close();
  });

  it("round-trips keyword fields and nested anonymous types", async () => {
    const result = await client.foo({ enum: { b: true, c: 7 }, foo: FOO, interface: "interface" });
    expect(result).toEqual({
      a: [
        { b: true, c: 7 },
        { b: false, c: 8 },
      ],
      foo: FOO,
      interface: "interface",
    });
  });

  it("rejects with ErrorFoo carrying its nested parameters", async () => {
    const failure = await client
      .foo({ enum: { b: false, c: 1 }, foo: FOO, interface: "c" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Complex.ErrorFoo);
    expect(Complex.ErrorBar.is(failure)).toBe(false);
    expect((failure as Complex.ErrorFoo).parameters).toEqual({
      enum: { b: false, c: 1, interface: "c" },
      foo: FOO,
      bar: "let",
      interface: "c",
    });
  });

  it("has the enum values the IDL declares, usable to check input", () => {
    expect(Complex.InterfaceValues).toEqual(["interface", "b", "c"]);
    expect(Complex.ErrorFooParametersBarValues).toEqual([
      "type",
      "enum",
      "int",
      "bool",
      "string",
      "if",
      "let",
    ]);
  });

  it("answers MethodNotImplemented for Bar, which has no handler", async () => {
    await expect(client.bar()).rejects.toBeInstanceOf(MethodNotImplementedError);
  });

  it("lets the server reject a value the types would not allow, if one is forced through", async () => {
    const wrong = {
      enum: { b: true, c: 7 },
      foo: FOO,
      interface: "d",
    } as unknown as Complex.FooParameters;
    await expect(client.foo(wrong)).rejects.toBeInstanceOf(InvalidParameterError);
  });
});

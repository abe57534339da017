import { describe, expect, it } from "vitest";
import {
  InvalidParameterError,
  PermissionDeniedError,
  VarlinkError,
} from "@varlink-ts/runtime";
import { errorFromReply, STANDARD_ERROR_CLASSES } from "@varlink-ts/runtime/wire";
import type { VarlinkErrorClass } from "@varlink-ts/runtime/wire";
import { STANDARD_ERROR_REPLIES } from "@varlink-ts/test-kit";

class Boom extends VarlinkError<{ reason: string }> {
  static readonly varlinkName = "com.example.Boom";
  constructor(parameters: { reason: string }, options?: ErrorOptions) {
    super(Boom.varlinkName, parameters, options);
  }
}

class Fizzle extends VarlinkError<Record<string, never>> {
  static readonly varlinkName = "com.example.Fizzle";
  constructor(parameters: Record<string, never> = {}, options?: ErrorOptions) {
    super(Fizzle.varlinkName, parameters, options);
  }
}

const standard = STANDARD_ERROR_REPLIES;

describe("errorFromReply with the standard classes", () => {
  it("builds the standard class for a standard error reply", () => {
    const error = errorFromReply("org.varlink.service.InvalidParameter", { parameter: "a.b" });
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(error.parameters).toEqual({ parameter: "a.b" });
    expect(error.message).toBe('org.varlink.service.InvalidParameter {"parameter":"a.b"}');
  });

  it.each(standard)("maps %s to its class by default", (name, parameters, errorClass) => {
    const error = errorFromReply(name, parameters);
    expect(error).toBeInstanceOf(errorClass);
    expect(error.constructor).toBe(errorClass);
    expect(error).toMatchObject({ error: name, parameters, name: errorClass.name });
  });

  it("holds exactly the seven standard errors, keyed by their varlink names", () => {
    expect([...STANDARD_ERROR_CLASSES.keys()].sort()).toEqual(standard.map(([name]) => name).sort());
    for (const [name, , errorClass] of standard) {
      expect(STANDARD_ERROR_CLASSES.get(name)).toBe(errorClass);
      expect(errorClass.varlinkName).toBe(name);
    }
  });

  it("falls back to VarlinkError for unknown names and tolerates missing parameters", () => {
    const error = errorFromReply("com.example.Nope", null);
    expect(error.constructor).toBe(VarlinkError);
    expect(error.error).toBe("com.example.Nope");
    expect(error.parameters).toEqual({});
    expect(errorFromReply("com.example.Nope", [1, 2]).parameters).toEqual({});
    expect(errorFromReply("com.example.Nope", "text").parameters).toEqual({});
  });

  it("has no global registry: a class defined elsewhere is not used unless passed", () => {
    // Boom exists (and has been used above), yet the default classes know nothing of it.
    expect(new Boom({ reason: "x" })).toBeInstanceOf(Boom);
    const error = errorFromReply("com.example.Boom", { reason: "x" });
    expect(error).not.toBeInstanceOf(Boom);
    expect(error.constructor).toBe(VarlinkError);
    expect(error).toMatchObject({ error: "com.example.Boom", parameters: { reason: "x" } });
  });
});

describe("errorFromReply with given classes", () => {
  it("uses the classes it is given", () => {
    const classes = new Map<string, VarlinkErrorClass>([
      ...STANDARD_ERROR_CLASSES,
      [Boom.varlinkName, Boom],
      [Fizzle.varlinkName, Fizzle],
    ]);
    const boom = errorFromReply("com.example.Boom", { reason: "x" }, classes);
    expect(boom).toBeInstanceOf(Boom);
    expect(boom.name).toBe("Boom");
    expect(boom.parameters).toEqual({ reason: "x" });
    const fizzle = errorFromReply("com.example.Fizzle", undefined, classes);
    expect(fizzle).toBeInstanceOf(Fizzle);
    expect(fizzle.parameters).toEqual({});
    expect(errorFromReply("org.varlink.service.PermissionDenied", {}, classes)).toBeInstanceOf(
      PermissionDeniedError,
    );
    expect(errorFromReply("com.example.Other", {}, classes).constructor).toBe(VarlinkError);
  });

  it("uses only the classes it is given, in place of the standard ones", () => {
    const classes = new Map<string, VarlinkErrorClass>([[Boom.varlinkName, Boom]]);
    expect(errorFromReply("com.example.Boom", { reason: "y" }, classes)).toBeInstanceOf(Boom);
    const standardName = errorFromReply("org.varlink.service.PermissionDenied", {}, classes);
    expect(standardName.constructor).toBe(VarlinkError);
    expect(standardName.error).toBe("org.varlink.service.PermissionDenied");
    expect(errorFromReply("com.example.Boom", { reason: "y" }, new Map()).constructor).toBe(VarlinkError);
  });
});

describe("VarlinkError subclasses' is()", () => {
  it("accepts instances of the class", () => {
    expect(Boom.is(new Boom({ reason: "x" }))).toBe(true);
    expect(InvalidParameterError.is(errorFromReply("org.varlink.service.InvalidParameter", {}))).toBe(true);
  });

  it("accepts a plain VarlinkError with the same varlink name, as another copy of a module would build", () => {
    const plain = errorFromReply("com.example.Boom", { reason: "x" });
    expect(plain).not.toBeInstanceOf(Boom);
    expect(Boom.is(plain)).toBe(true);
    expect(Boom.is(new VarlinkError("com.example.Boom", {}))).toBe(true);
    expect(InvalidParameterError.is(new VarlinkError("org.varlink.service.InvalidParameter", {}))).toBe(
      true,
    );
  });

  it("rejects errors of other names and values that are not errors", () => {
    expect(Boom.is(new Fizzle())).toBe(false);
    expect(Fizzle.is(new Boom({ reason: "x" }))).toBe(false);
    expect(Boom.is(new VarlinkError("com.example.Other", {}))).toBe(false);
    expect(Boom.is(new Error("com.example.Boom"))).toBe(false);
    expect(Boom.is({ error: "com.example.Boom", parameters: {} })).toBe(false);
    expect(Boom.is(undefined)).toBe(false);
    expect(Boom.is("com.example.Boom")).toBe(false);
    expect(PermissionDeniedError.is(new InvalidParameterError({ parameter: "a" }))).toBe(false);
  });

  it("narrows the type", () => {
    const value: unknown = new VarlinkError("com.example.Boom", { reason: "z" });
    if (!Boom.is(value)) throw new Error("expected a Boom");
    const reason: string = value.parameters.reason;
    expect(reason).toBe("z");
  });
});

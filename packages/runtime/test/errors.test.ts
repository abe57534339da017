import { describe, expect, it } from "vitest";
import {
  errorFromReply,
  InvalidParameterError,
  registerError,
  VarlinkError,
} from "@varlink-ts/runtime";

describe("error registry", () => {
  it("builds the registered class for a standard error reply", () => {
    const error = errorFromReply("org.varlink.service.InvalidParameter", { parameter: "a.b" });
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(error.parameters).toEqual({ parameter: "a.b" });
    expect(error.message).toBe('org.varlink.service.InvalidParameter {"parameter":"a.b"}');
  });

  it("falls back to VarlinkError for unknown names and tolerates missing parameters", () => {
    const error = errorFromReply("com.example.Nope", null);
    expect(error.constructor).toBe(VarlinkError);
    expect(error.error).toBe("com.example.Nope");
    expect(error.parameters).toEqual({});
  });

  it("uses classes registered later, as generated code does", () => {
    class Boom extends VarlinkError<{ reason: string }> {
      static readonly varlinkName = "com.example.Boom";
      constructor(parameters: { reason: string }) {
        super(Boom.varlinkName, parameters);
      }
    }
    registerError(Boom);
    const error = errorFromReply("com.example.Boom", { reason: "x" });
    expect(error).toBeInstanceOf(Boom);
    expect(error.name).toBe("Boom");
  });
});

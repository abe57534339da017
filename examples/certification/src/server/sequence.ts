/**
 * The certification sequence as the server expects it: which method comes after which, the exact
 * parameters each call must carry and what each one answers. The values are those of the Python
 * reference server (varlink/python `test_certification.py`), which every peer agrees on.
 */
import type {
  MyType,
  Test01Result,
  Test02Result,
  Test03Result,
  Test04Result,
  Test05Result,
  Test06Result,
  Test07Result,
  Test08Result,
  Test09Result,
} from "../gen/org.varlink.certification.js";
import { descriptor } from "../gen/org.varlink.certification.js";

/** The methods of a certification run, in the order a client must call them. */
export const STEPS = [
  "Start",
  "Test01",
  "Test02",
  "Test03",
  "Test04",
  "Test05",
  "Test06",
  "Test07",
  "Test08",
  "Test09",
  "Test10",
  "Test11",
  "End",
] as const;

/** One method of the sequence. */
export type Step = (typeof STEPS)[number];

/** The step after `step`; End is followed by nothing. */
export function nextStep(step: Step): Step | undefined {
  return STEPS[STEPS.indexOf(step) + 1];
}

export const TEST01_REPLY: Test01Result = { bool: true };
export const TEST02_REPLY: Test02Result = { int: 1 };
export const TEST03_REPLY: Test03Result = { float: 1.0 };
export const TEST04_REPLY: Test04Result = { string: "ping" };
export const TEST05_REPLY: Test05Result = {
  bool: false,
  int: 2,
  float: Math.PI,
  string: "a lot of string",
};
export const TEST06_REPLY: Test06Result = { struct: { ...TEST05_REPLY } };
export const TEST07_REPLY: Test07Result = { map: { foo: "Foo", bar: "Bar" } };
export const TEST08_REPLY: Test08Result = { set: { one: {}, two: {}, three: {} } };

/** Test09's value, which must come back unchanged in Test10 (null fields may come back absent). */
export const MYTYPE: MyType = {
  object: {
    method: "org.varlink.certification.Test09",
    parameters: { map: { foo: "Foo", bar: "Bar" } },
  },
  enum: "two",
  struct: { first: 1, second: "2" },
  array: ["one", "two", "three"],
  dictionary: { foo: "Foo", bar: "Bar" },
  stringset: { one: {}, two: {}, three: {} },
  nullable: null,
  nullable_array_struct: null,
  interface: {
    foo: [null, { foo: "foo", bar: "bar" }, null, { one: "foo", two: "bar" }],
    anon: { foo: true, bar: false },
  },
};
export const TEST09_REPLY: Test09Result = { mytype: MYTYPE };

/** The strings of Test10's ten replies, which Test11 must send back in this order. */
export const TEST10_REPLIES: readonly string[] = Array.from(
  { length: 10 },
  (_, index) => `Reply number ${index + 1}`,
);

/** A call object as it appears on the wire. */
export interface CallObject {
  readonly method: string;
  readonly parameters: object;
  readonly more?: true;
  readonly oneway?: true;
}

/** The parameters of each step besides `client_id`: the previous step's reply. */
const INPUTS: { readonly [S in Step]: object } = {
  Start: {},
  Test01: {},
  Test02: TEST01_REPLY,
  Test03: TEST02_REPLY,
  Test04: TEST03_REPLY,
  Test05: TEST04_REPLY,
  Test06: TEST05_REPLY,
  Test07: TEST06_REPLY,
  Test08: TEST07_REPLY,
  Test09: TEST08_REPLY,
  Test10: TEST09_REPLY,
  Test11: { last_more_replies: TEST10_REPLIES },
  End: {},
};

/**
 * The exact call a conforming client sends for `step`: only the flags that are true (`more` for
 * Test10, `oneway` for Test11) and no others.
 */
export function expectedCall(step: Step, clientId: string): CallObject {
  const method = `${descriptor.name}.${step}`;
  if (step === "Start") return { method, parameters: {} };
  const parameters = { client_id: clientId, ...INPUTS[step] };
  if (step === "Test10") return { method, parameters, more: true };
  if (step === "Test11") return { method, parameters, oneway: true };
  return { method, parameters };
}

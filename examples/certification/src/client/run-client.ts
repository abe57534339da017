/**
 * The certification client: Start, Test01 … Test09 (each reply is the next call's input), Test10
 * with `more`, Test11 as `oneway` with Test10's ten strings, End. It checks nothing itself, as
 * the reference clients: the server judges, and End's `all_ok` is the verdict.
 */
import type { Address } from "@varlink-ts/runtime";
import { connect } from "../gen/org.varlink.certification.js";

/** A step that failed: which one, and why. */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    options: ErrorOptions & { cause: unknown },
  ) {
    super(`${step} failed: ${describeError(options.cause)}`, options);
    this.name = "StepFailure";
  }
}

/**
 * Runs the sequence against `address`, printing one line per step through `print`.
 * @returns End's `all_ok`.
 * @throws StepFailure at the first call that fails, the connection included.
 */
export async function runClient(address: string | Address, print: (line: string) => void): Promise<boolean> {
  const client = await step("connect", () => connect(address));
  try {
    const { client_id } = await step("Start", () => client.start({}));
    print(`Start: ${JSON.stringify(client_id)}`);
    // Each call passes on exactly the fields its input declares, whatever else a reply carries.
    const { bool } = await call("Test01", () => client.test01({ client_id }));
    const { int } = await call("Test02", () => client.test02({ client_id, bool }));
    const { float } = await call("Test03", () => client.test03({ client_id, int }));
    const { string } = await call("Test04", () => client.test04({ client_id, float }));
    const test05 = await call("Test05", () => client.test05({ client_id, string }));
    const { struct } = await call("Test06", () =>
      client.test06({
        client_id,
        bool: test05.bool,
        int: test05.int,
        float: test05.float,
        string: test05.string,
      }),
    );
    const { map } = await call("Test07", () => client.test07({ client_id, struct }));
    const { set } = await call("Test08", () => client.test08({ client_id, map }));
    const { mytype } = await call("Test09", () => client.test09({ client_id, set }));

    const strings = await step("Test10", async () => {
      const received: string[] = [];
      for await (const reply of client.test10.more({ client_id, mytype })) {
        print(`Test10: ${JSON.stringify(reply.string)}`);
        received.push(reply.string);
      }
      return received;
    });
    await step("Test11", () => client.test11.oneway({ client_id, last_more_replies: strings }));
    print("Test11: sent oneway, no reply");

    const { all_ok } = await step("End", () => client.end({ client_id }));
    print(`End: ${JSON.stringify(all_ok)}`);
    return all_ok;
  } finally {
    client.close();
  }

  /** Makes one call and prints its reply. */
  async function call<R extends object>(name: string, send: () => Promise<R>): Promise<R> {
    const reply = await step(name, send);
    print(`${name}: ${describeReply(reply)}`);
    return reply;
  }
}

async function step<R>(name: string, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (cause) {
    throw new StepFailure(name, { cause });
  }
}

/** A reply with one field is shown as that field's value (`Test01: true`), others as JSON. */
function describeReply(reply: object): string {
  const values = Object.values(reply);
  return JSON.stringify(values.length === 1 ? values[0] : reply);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

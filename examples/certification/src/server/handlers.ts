/**
 * The certification service's methods for one connection: each call is checked against the
 * sequence before it is answered, as strictly as the Python reference server checks.
 *
 * - Start hands out a client id; every other call names one, and an id that was never handed out,
 *   has ended or has expired gets `ClientIdError`.
 * - Each TestNN must be the client's next step and must be exactly the expected call object
 *   (see compare-calls.ts): otherwise `CertificationError(wants, got)`, with the call the server
 *   expected and the call it received, and the run is marked failed.
 * - A wrong Test11 cannot be answered (it is `oneway`); it only marks the run failed.
 * - End may come at any point: it answers `all_ok: true` only when every step passed in order,
 *   and forgets the client id.
 */
import type { CallContext, JsonObject } from "@varlink-ts/runtime";
import {
  CertificationError,
  ClientIdError,
  type Handlers,
  type Test10Result,
} from "../gen/org.varlink.certification.js";
import { sameCall } from "./compare-calls.js";
import {
  expectedCall,
  nextStep,
  TEST01_REPLY,
  TEST02_REPLY,
  TEST03_REPLY,
  TEST04_REPLY,
  TEST05_REPLY,
  TEST06_REPLY,
  TEST07_REPLY,
  TEST08_REPLY,
  TEST09_REPLY,
  TEST10_REPLIES,
} from "./sequence.js";
import type { Sessions } from "./sessions.js";

/**
 * The handlers of org.varlink.certification; `sessions` holds the clients' progress.
 *
 * Calls are compared as the client sent them (`context.message`), so a flag sent as `false`,
 * which the Python reference refuses, is refused here too.
 */
export function certificationHandlers(sessions: Sessions): Handlers {
  /** Checks that the call is exactly the client's next step, then moves the client on. */
  const advance = (parameters: { client_id: string }, context: CallContext): void => {
    const got = context.message;
    const session = sessions.get(parameters.client_id);
    if (session === undefined) throw new ClientIdError();
    const wants = expectedCall(session.next, session.id);
    if (!sameCall(wants, got)) {
      session.failed = true;
      throw refusal(wants, got);
    }
    session.next = nextStep(session.next) ?? "End";
  };

  return {
    start(_parameters, context) {
      const got = context.message;
      const wants = expectedCall("Start", "");
      if (!sameCall(wants, got)) throw refusal(wants, got);
      return { client_id: sessions.start().id };
    },
    test01(parameters, context) {
      advance(parameters, context);
      return TEST01_REPLY;
    },
    test02(parameters, context) {
      advance(parameters, context);
      return TEST02_REPLY;
    },
    test03(parameters, context) {
      advance(parameters, context);
      return TEST03_REPLY;
    },
    test04(parameters, context) {
      advance(parameters, context);
      return TEST04_REPLY;
    },
    test05(parameters, context) {
      advance(parameters, context);
      return TEST05_REPLY;
    },
    test06(parameters, context) {
      advance(parameters, context);
      return TEST06_REPLY;
    },
    test07(parameters, context) {
      advance(parameters, context);
      return TEST07_REPLY;
    },
    test08(parameters, context) {
      advance(parameters, context);
      return TEST08_REPLY;
    },
    test09(parameters, context) {
      advance(parameters, context);
      return TEST09_REPLY;
    },
    test10(parameters, context) {
      // Checked before the replies start, so a call without `more` gets CertificationError
      // rather than the runtime's ExpectedMore.
      advance(parameters, context);
      return tenReplies();
    },
    test11(parameters, context) {
      advance(parameters, context);
    },
    end(parameters, context) {
      const got = context.message;
      const session = sessions.get(parameters.client_id);
      if (session === undefined) throw new ClientIdError();
      const wants = expectedCall("End", session.id);
      if (!sameCall(wants, got)) {
        session.failed = true;
        throw refusal(wants, got);
      }
      sessions.end(session.id);
      return { all_ok: !session.failed && session.next === "End" };
    },
  };
}

async function* tenReplies(): AsyncGenerator<Test10Result> {
  for (const string of TEST10_REPLIES) yield { string };
}

function refusal(wants: object, got: object): CertificationError {
  return new CertificationError({ wants: asJson(wants), got: asJson(got) });
}

/** The call as it will be sent, which is a plain JSON object by construction. */
function asJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

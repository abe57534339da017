/**
 * org.example.web, the service the HTTP bridge tests call: a real varlink service whose methods
 * reply, fail with each standard error, stream, stream forever, take notes and upgrade.
 */
import {
  ExpectedMoreError,
  ExpectedUpgradeError,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  MethodNotImplementedError,
  PermissionDeniedError,
  VarlinkError,
  VarlinkService,
  type CallContext,
} from "@varlink-ts/runtime";
import type { Sandbox } from "../sandbox.js";
import { deferred } from "../wait.js";

export const WEB_INTERFACE = `# The service the HTTP bridge tests call.
interface org.example.web

method Ping(ping: string) -> (pong: string)

# Fails with the error named by kind.
method Fail(kind: string) -> ()

# Replies i = 0..n-1; for n < 0 replies i = 0 and then fails with Broken.
method Count(n: int) -> (i: int)

# Replies until the client goes away.
method Forever() -> (i: int)

method Note(text: string) -> ()

# With protocol "shout", the connection then echoes bytes in upper case.
method Upgrade(protocol: string) -> (ready: bool)

method Missing() -> ()

error Broken (reason: string)
`;

export const WEB = "org.example.web";

/** What the handlers tell the tests. */
export class WebHooks {
  readonly notes: string[] = [];
  /** Resolves with each note as it arrives. */
  noted = deferred<string>();
  /** Resolves when a Forever call saw its client go away. */
  foreverAborted = deferred();
  /** Resolves when a Forever call has sent its first reply. */
  foreverStarted = deferred();
}

/** Errors Fail throws, by kind. */
const FAILURES: Record<string, () => Error> = {
  InvalidParameter: () => new InvalidParameterError({ parameter: "kind" }),
  ExpectedMore: () => new ExpectedMoreError(),
  ExpectedUpgrade: () => new ExpectedUpgradeError(),
  InterfaceNotFound: () => new InterfaceNotFoundError({ interface: "org.example.gone" }),
  MethodNotFound: () => new MethodNotFoundError({ method: "Gone" }),
  MethodNotImplemented: () => new MethodNotImplementedError({ method: "Fail" }),
  PermissionDenied: () => new PermissionDeniedError(),
  Broken: () => new VarlinkError(`${WEB}.Broken`, { reason: "on purpose" }),
};

/** A service implementing org.example.web (all but Missing). */
export function createWebService(hooks: WebHooks): VarlinkService {
  const service = new VarlinkService(
    { vendor: "Example", product: "web", version: "7", url: "https://example.org/web" },
    { logger: () => undefined },
  );
  service.addInterface(WEB_INTERFACE, {
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),
    Fail: ({ kind }: { kind: string }) => {
      const failure = FAILURES[kind];
      throw failure === undefined ? new TypeError(`no such failure ${kind}`) : failure();
    },
    Count: async function* ({ n }: { n: number }) {
      if (n < 0) {
        yield { i: 0 };
        throw new VarlinkError(`${WEB}.Broken`, { reason: "negative" });
      }
      for (let i = 0; i < n; i++) yield { i };
    },
    Forever: async (_: object, context: CallContext) => {
      for (let i = 0; !context.signal.aborted; i++) {
        await context.reply({ i });
        hooks.foreverStarted.resolve();
        await new Promise((resolve) => setImmediate(resolve));
      }
      hooks.foreverAborted.resolve();
      return { i: -1 };
    },
    Note: ({ text }: { text: string }) => {
      hooks.notes.push(text);
      hooks.noted.resolve(text);
      return {};
    },
    Upgrade: ({ protocol }: { protocol: string }, context: CallContext) => {
      if (protocol === "refuse") throw new VarlinkError(`${WEB}.Broken`, { reason: "refused" });
      void context.upgradedStream().then((stream) => {
        stream.on("data", (chunk: Buffer) => stream.write(chunk.toString("utf8").toUpperCase()));
        stream.on("error", () => undefined);
      });
      return { ready: true };
    },
  });
  return service;
}

/** The web service on a unix socket in a new directory of the sandbox; its address and hooks. */
export async function startWebService(
  sandbox: Sandbox,
): Promise<{ address: string; hooks: WebHooks; service: VarlinkService }> {
  const hooks = new WebHooks();
  const service = createWebService(hooks);
  const address = await sandbox.listen(service, "web.sock");
  return { address, hooks, service };
}

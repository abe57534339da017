/**
 * A real service for tests that bring their own interfaces (generated `register()` calls,
 * descriptors): created, set up by the test, listening on a unix socket in the sandbox.
 */
import { VarlinkService } from "@varlink-ts/runtime";
import type { Sandbox } from "./sandbox.js";

/** A running service and the address it listens on. */
export interface Served {
  readonly service: VarlinkService;
  readonly address: string;
  /** Closes the service now (the sandbox closes it at cleanup otherwise). */
  close(): Promise<void>;
}

/** Creates a service, lets `setup` register interfaces on it, and has it listen in the sandbox. */
export async function serveInterfaces(sandbox: Sandbox, setup: (service: VarlinkService) => void): Promise<Served> {
  const service = new VarlinkService({
    vendor: "varlink-ts tests",
    product: "test service",
    version: "1",
    url: "https://varlink.org",
  });
  setup(service);
  const address = await sandbox.listen(service);
  return { service, address, close: () => service.close() };
}

/**
 * Serves generated handlers on a real unix socket in a per-test temporary directory, and
 * cleans up everything it opened.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VarlinkService } from "@varlink-ts/runtime";

/** A running service and the address it listens on. */
export interface Served {
  readonly service: VarlinkService;
  readonly address: string;
  close(): Promise<void>;
}

/** Starts a service, lets `setup` register interfaces on it, and listens on a fresh socket. */
export async function serve(setup: (service: VarlinkService) => void): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), "varlink-codegen-"));
  const service = new VarlinkService({
    vendor: "varlink-ts tests",
    product: "codegen end to end",
    version: "1",
    url: "https://varlink.org",
  });
  setup(service);
  const address = `unix:${join(dir, "service.sock")}`;
  await service.listen(address);
  return {
    service,
    address,
    async close() {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

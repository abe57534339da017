/**
 * Serves org.example.greeter with the generated server interface and calls it with the generated
 * client, over a unix socket in a temporary directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { VarlinkService } from "@varlink-ts/runtime";
import { OrgExampleGreeter } from "./gen/index.js";

const greeter: OrgExampleGreeter.Handlers = {
  greet({ name, style }) {
    if (name === "") throw new OrgExampleGreeter.EmptyName({});
    const greeting = `Hello, ${name}`;
    return { greeting: style === "loud" ? `${greeting.toUpperCase()}!` : `${greeting}.` };
  },
  async *count({ to }) {
    for (let n = 1; n <= to; n++) yield { n };
  },
};

const directory = await mkdtemp(path.join(os.tmpdir(), "greeter-"));
const service = new VarlinkService({
  vendor: "Example",
  product: "Greeter",
  version: "1.0.0",
  url: "https://example.org/greeter",
});
OrgExampleGreeter.register(service, greeter);
const listener = await service.listen(`unix:${path.join(directory, "greeter.sock")}`);

const client = await OrgExampleGreeter.connect(listener.address);
try {
  console.log((await client.greet({ name: "world" })).greeting);
  console.log((await client.greet({ name: "varlink", style: "loud" })).greeting);
  for await (const { n } of client.count.more({ to: 3 })) console.log(n);
  try {
    await client.greet({ name: "" });
  } catch (error) {
    if (!OrgExampleGreeter.EmptyName.is(error)) throw error;
    console.log("EmptyName: the name was empty");
  }
  console.log("done");
} finally {
  client.close();
  await service.close();
  await rm(directory, { recursive: true, force: true });
}

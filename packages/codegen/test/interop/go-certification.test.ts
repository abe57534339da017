/**
 * The generated org.varlink.certification code against a peer this project did not write: the
 * Go implementation's certification program, as server and as client.
 */
import { describe, expect, it } from "vitest";
import { OrgVarlinkCertification as Cert } from "../../../../fixtures/generated/index.js";
import { CertificationServer, runGoClient, serveInterfaces, startGoCertification, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("generated certification code against varlink-go-certification", () => {
  it("the generated client passes the Go server's certification", async () => {
    const go = await startGoCertification(sandbox);
    const client = sandbox.track(await Cert.connect(go.address));
    // Each result is the next call's input; the Go server checks every one of them.
    const { client_id } = await client.start();
    const { bool } = await client.test01({ client_id });
    const { int } = await client.test02({ client_id, bool });
    const { float } = await client.test03({ client_id, int });
    const { string } = await client.test04({ client_id, float });
    const test05 = await client.test05({ client_id, string });
    const { struct } = await client.test06({ client_id, ...test05 });
    const { map } = await client.test07({ client_id, struct });
    const { set } = await client.test08({ client_id, map });
    const { mytype } = await client.test09({ client_id, set });
    const replies: string[] = [];
    for await (const reply of client.test10.more({ client_id, mytype })) {
      replies.push(reply.string);
    }
    expect(replies).toHaveLength(10);
    await client.test11.oneway({ client_id, last_more_replies: replies });
    expect(await client.end({ client_id })).toEqual({ all_ok: true });
  });

  it("the Go client passes against a server built from the generated handlers", async () => {
    const served = await serveInterfaces(sandbox, (service) => Cert.register(service, new CertificationServer()));
    const { code, stdout, stderr } = await runGoClient(sandbox, served.address);
    expect(stdout + stderr).toContain("End: 'true'");
    expect(code).toBe(0);
  });
});

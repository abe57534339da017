/**
 * org.varlink.certification end to end: the generated client runs the whole certification
 * sequence against a server built from the generated `Handlers` and `register`, over a unix
 * socket. The server checks every call as the reference servers do.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VarlinkError } from "@varlink-ts/runtime";
import { OrgVarlinkCertification as Cert } from "../../../fixtures/generated/index.js";
import { CertificationServer, MYTYPE, REPLIES, type Served, serveInterfaces, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("org.varlink.certification: generated client against generated server", () => {
  let served: Served;
  let client: Cert.Client;

  beforeEach(async () => {
    served = await serveInterfaces(sandbox, (service) => Cert.register(service, new CertificationServer()));
    client = await Cert.connect(served.address);
  });

  afterEach(async () => {
    client.close();
    await served.close();
  });

  it("passes the whole certification sequence, with Test10 as more and Test11 as oneway", async () => {
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
    expect(mytype).toEqual(MYTYPE);

    const replies: string[] = [];
    for await (const reply of client.test10.more({ client_id, mytype })) {
      replies.push(reply.string);
    }
    expect(replies).toEqual(REPLIES);

    await expect(
      client.test11.oneway({ client_id, last_more_replies: replies }),
    ).resolves.toBeUndefined();
    expect(await client.end({ client_id })).toEqual({ all_ok: true });
  });

  it("rejects with the generated ClientIdError class for an unknown client id", async () => {
    const failure = await client.test01({ client_id: "nobody" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Cert.ClientIdError);
    expect(failure).toBeInstanceOf(VarlinkError);
    expect(Cert.ClientIdError.is(failure)).toBe(true);
    expect(Cert.CertificationError.is(failure)).toBe(false);
    expect((failure as Cert.ClientIdError).error).toBe("org.varlink.certification.ClientIdError");
  });

  it("rejects with CertificationError carrying what was wanted and what came", async () => {
    const { client_id } = await client.start();
    const failure = await client
      .test02({ client_id, bool: false })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Cert.CertificationError);
    expect((failure as Cert.CertificationError).parameters).toEqual({
      wants: { bool: true },
      got: { bool: false },
    });
  });

  it("answers GetInterfaceDescription with the exact IDL text", async () => {
    const reply = await client.connection.call<{ description: string }>(
      "org.varlink.service.GetInterfaceDescription",
      { interface: Cert.descriptor.name },
    );
    expect(reply.description).toBe(Cert.interfaceDescription);
  });
});

/**
 * The generated `io.systemd.UserDatabase` client against systemd's own server, `systemd-userwork`
 * (v252, Debian package systemd-userdbd): the worker systemd-userdbd forks, which serves
 * io.systemd.NameServiceSwitch (the classic user database, /etc/passwd and /etc/group through
 * glibc), io.systemd.DropIn and io.systemd.Multiplexer (every service in /run/systemd/userdb/)
 * on the socket it is handed by socket activation (`LISTEN_FDS`, `LISTEN_PID`), one connection
 * at a time. `activate()` hands it that socket; `USERDB_FIXED_WORKER=1` keeps it from exiting
 * when idle. It runs with the private /run of systemd-userdb-peer.ts, where its multiplexer
 * finds only our generated service.
 */
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { activate } from "@varlink-ts/runtime/transport";
import type { Activator } from "@varlink-ts/runtime/transport";
import { IoSystemdUserDatabase as UserDb } from "../../../../fixtures/generated/index.js";
import { PrivateRun, findUserDbPrograms, uniqueServiceName } from "./systemd-userdb-peer.js";
import type { UserDbPrograms } from "./systemd-userdb-peer.js";
import { USERS, startUserDbServer, userRecord } from "./systemd-userdb-server.js";
import type { UserDbServer } from "./systemd-userdb-server.js";

const NSS = "io.systemd.NameServiceSwitch";
const MULTIPLEXER = "io.systemd.Multiplexer";

let programs: UserDbPrograms;
let run: PrivateRun;
let serviceName: string;
let server: UserDbServer;
let worker: Activator;
let client: UserDb.Client;
/**
 * systemd-userwork sends SIGUSR2 to its parent (us: activate() spawns it) when connections queue
 * up, asking systemd-userdbd for another worker. Node's default for SIGUSR2 is to exit, so the
 * test process listens for it while a worker runs, and ignores it.
 */
const onSigusr2 = (): void => {};

/** The entries of /etc/passwd or /etc/group, split into fields. */
async function entries(file: string): Promise<string[][]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter(
      (line) =>
        line !== "" && !line.startsWith("#") && !line.startsWith("+") && !line.startsWith("-"),
    )
    .map((line) => line.split(":"));
}

beforeEach(async () => {
  // Here rather than in beforeAll, so that a missing program fails every test (naming the
  // package to install) instead of skipping them.
  programs = await findUserDbPrograms();
  process.on("SIGUSR2", onSigusr2);
  run = await PrivateRun.create();
  serviceName = uniqueServiceName("userwork");
  server = await startUserDbServer({ serviceName, socketPath: run.socketPath(serviceName) });
  worker = await activate(run.wrap([programs.userwork]), { env: { USERDB_FIXED_WORKER: "1" } });
  client = await UserDb.connect(worker.address);
});

afterEach(async () => {
  client?.close();
  await worker?.close();
  await server?.close();
  await run?.dispose();
  process.off("SIGUSR2", onSigusr2);
});

describe("the generated client reads systemd-userwork's io.systemd.NameServiceSwitch", () => {
  it("GetUserRecord for root, by UID and by name", async () => {
    const [rootLine] = (await entries("/etc/passwd")).filter((fields) => fields[2] === "0");
    expect(rootLine, "/etc/passwd has no uid 0").toBeDefined();
    const [name, , , gid, , home, shell] = rootLine!;

    const byUid = await client.getUserRecord({ uid: 0, service: NSS });
    expect(byUid.record).toMatchObject({
      userName: name,
      uid: 0,
      gid: Number(gid),
      homeDirectory: home,
      shell,
    });
    expect(typeof byUid.incomplete).toBe("boolean");
    // Records from NSS carry their service in the per-machine status section.
    expect(JSON.stringify(byUid.record.status)).toContain(`"service":"${NSS}"`);

    const byName = await client.getUserRecord({ userName: name!, service: NSS });
    expect(byName.record).toMatchObject({ userName: name, uid: 0 });
  });

  it("enumerates every user with `more`, one reply each", async () => {
    const replies: UserDb.GetUserRecordResult[] = [];
    for await (const reply of client.getUserRecord.more({ service: NSS })) replies.push(reply);
    const names = replies.map((reply) => reply.record.userName);
    expect(replies.length).toBeGreaterThan(1);
    expect(new Set(names).size).toBe(names.length);
    // Every /etc/passwd user is there, with its UID.
    for (const [userName, , uid] of await entries("/etc/passwd")) {
      expect(replies.map((reply) => [reply.record.userName, reply.record.uid])).toContainEqual([
        userName,
        Number(uid),
      ]);
    }
  });

  it("GetGroupRecord for root, by GID and by name", async () => {
    const [rootGroup] = (await entries("/etc/group")).filter((fields) => fields[2] === "0");
    expect(rootGroup, "/etc/group has no gid 0").toBeDefined();
    const byGid = await client.getGroupRecord({ gid: 0, service: NSS });
    expect(byGid.record).toMatchObject({ groupName: rootGroup![0], gid: 0 });
    const byName = await client.getGroupRecord({ groupName: rootGroup![0]!, service: NSS });
    expect(byName.record).toMatchObject({ groupName: rootGroup![0], gid: 0 });
  });

  it("maps systemd's error replies to the generated error classes", async () => {
    await expect(
      client.getUserRecord({ userName: "vlt-nobody", service: NSS }),
    ).rejects.toBeInstanceOf(UserDb.NoRecordFound);
    await expect(client.getGroupRecord({ gid: 42999, service: NSS })).rejects.toBeInstanceOf(
      UserDb.NoRecordFound,
    );
    await expect(
      client.getUserRecord({ uid: 0, service: "org.example.nothing" }),
    ).rejects.toBeInstanceOf(UserDb.BadService);
    // UID 0 is root: asking for UID 0 named otherwise is a conflict.
    await expect(
      client.getUserRecord({ uid: 0, userName: "vlt-nobody", service: NSS }),
    ).rejects.toBeInstanceOf(UserDb.ConflictingRecordFound);
    // The connection is still good after the errors.
    expect((await client.getUserRecord({ uid: 0, service: NSS })).record.uid).toBe(0);
  });
});

describe("the generated client reads our service through systemd-userwork's multiplexer", () => {
  it("GetUserRecord and GetGroupRecord return our records, unchanged", async () => {
    const user = await client.getUserRecord({ userName: "vlt-ada", service: MULTIPLEXER });
    expect(user).toEqual({ record: userRecord(USERS[0]!, serviceName), incomplete: false });
    const byUid = await client.getUserRecord({ uid: 42102, service: MULTIPLEXER });
    expect(byUid.record).toMatchObject({ userName: "vlt-brian", service: serviceName });
    const group = await client.getGroupRecord({ groupName: "vlt-staff", service: MULTIPLEXER });
    expect(group.record).toMatchObject({
      groupName: "vlt-staff",
      gid: 42200,
      members: ["vlt-ada", "vlt-brian"],
    });
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { userName: "vlt-ada", service: serviceName },
      more: false,
    });
  });

  it("GetMemberships with `more` returns each membership", async () => {
    const ofUser: UserDb.GetMembershipsResult[] = [];
    for await (const reply of client.getMemberships.more({
      userName: "vlt-ada",
      service: MULTIPLEXER,
    })) {
      ofUser.push(reply);
    }
    expect(ofUser).toEqual([
      { userName: "vlt-ada", groupName: "vlt-staff" },
      { userName: "vlt-ada", groupName: "vlt-wheel" },
    ]);
    const ofGroup: UserDb.GetMembershipsResult[] = [];
    for await (const reply of client.getMemberships.more({
      groupName: "vlt-staff",
      service: MULTIPLEXER,
    })) {
      ofGroup.push(reply);
    }
    expect(ofGroup).toEqual([
      { userName: "vlt-ada", groupName: "vlt-staff" },
      { userName: "vlt-brian", groupName: "vlt-staff" },
    ]);
  });

  it("enumerates our users among the system's with `more`", async () => {
    const replies: UserDb.GetUserRecordResult[] = [];
    for await (const reply of client.getUserRecord.more({ service: MULTIPLEXER }))
      replies.push(reply);
    const ours = replies
      .filter((reply) => reply.record.service === serviceName)
      .map((reply) => reply.record);
    expect(ours).toEqual(USERS.map((user) => userRecord(user, serviceName)));
    expect(replies.some((reply) => reply.record.uid === 0)).toBe(true);
  });

  it("answers NoRecordFound for a user nobody knows", async () => {
    await expect(
      client.getUserRecord({ userName: "vlt-nobody", service: MULTIPLEXER }),
    ).rejects.toBeInstanceOf(UserDb.NoRecordFound);
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { userName: "vlt-nobody", service: serviceName },
      more: false,
    });
  });
});

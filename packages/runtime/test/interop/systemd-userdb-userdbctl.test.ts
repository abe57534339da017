/**
 * systemd's `userdbctl` (v252, Debian package systemd-userdbd) as a client of a user database
 * service written with the generated `io.systemd.UserDatabase` code: it finds the service by its
 * socket in /run/systemd/userdb/ (a private one, see systemd-userdb-peer.ts), asks it for users,
 * groups and memberships, and shows what the service sent.
 */
import { access } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExpectedMoreError } from "@varlink-ts/runtime";
import { IoSystemdUserDatabase as UserDb } from "../../../../fixtures/generated/index.js";
import { PrivateRun, findUserDbPrograms, uniqueServiceName } from "./systemd-userdb-peer.js";
import type { RunResult, UserDbPrograms } from "./systemd-userdb-peer.js";
import {
  GROUPS,
  USERS,
  groupRecord,
  memberships,
  startUserDbServer,
  userRecord,
} from "./systemd-userdb-server.js";
import type { UserDbServer } from "./systemd-userdb-server.js";

let programs: UserDbPrograms;
let run: PrivateRun;
let serviceName: string;
let server: UserDbServer;
/** Other services a test starts; closed after it. */
const extra: UserDbServer[] = [];

beforeEach(async () => {
  // Here rather than in beforeAll, so that a missing program fails every test (naming the
  // package to install) instead of skipping them.
  programs = await findUserDbPrograms();
  run = await PrivateRun.create();
  serviceName = uniqueServiceName("userdbctl");
  server = await startUserDbServer({ serviceName, socketPath: run.socketPath(serviceName) });
});

afterEach(async () => {
  for (const other of extra.splice(0)) await other.close();
  await server?.close();
  // Our socket is gone once the service is closed; then the whole private /run goes.
  if (run !== undefined) {
    await expect(access(run.socketPath(serviceName))).rejects.toThrow();
    await run.dispose();
  }
});

/** Runs `userdbctl ARGS...` with the private /run. */
function userdbctl(...args: string[]): Promise<RunResult> {
  return run.run([programs.userdbctl, "--no-pager", ...args]);
}

/** Fails with what userdbctl printed unless it exited 0; returns its stdout. */
function succeeded(result: RunResult): string {
  expect(result.code, `userdbctl failed: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The value of `Field:` in userdbctl's friendly output, continuation lines included. */
function field(output: string, name: string): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.trimStart().startsWith(`${name}:`));
  if (start < 0) return [];
  const values = [(lines[start] as string).slice((lines[start] as string).indexOf(":") + 1).trim()];
  for (const line of lines.slice(start + 1)) {
    if (/^\s+[^:\s][^:]*:\s/.test(line) || line.trim() === "") break;
    values.push(line.trim());
  }
  return values;
}

const ada = USERS[0]!;
const brian = USERS[1]!;
const staff = GROUPS.find((group) => group.groupName === "vlt-staff")!;

/** The /etc/passwd line of a user, as `--output=classic` and getent print it. */
const passwdLine = (user: (typeof USERS)[number]): string =>
  `${user.userName}:x:${user.uid}:${user.gid}:${user.realName}:${user.homeDirectory}:${user.shell}`;

describe("userdbctl reads a generated io.systemd.UserDatabase service", () => {
  it("shows a user looked up by name: `userdbctl user NAME`", async () => {
    const output = succeeded(await userdbctl("user", "vlt-ada"));
    expect(field(output, "User name")).toEqual(["vlt-ada"]);
    expect(field(output, "Disposition")).toEqual(["regular"]);
    expect(field(output, "UID")).toEqual(["42101"]);
    // The primary group resolves through our GetGroupRecord, the others through GetMemberships.
    expect(field(output, "GID")).toEqual(["42101 (vlt-ada)"]);
    expect(field(output, "Aux. Groups")).toEqual(["vlt-staff", "vlt-wheel"]);
    expect(field(output, "Real Name")).toEqual(["Ada Lovelace"]);
    expect(field(output, "Directory")).toEqual(["/home/vlt-ada"]);
    expect(field(output, "Shell")).toEqual(["/bin/bash"]);
    expect(field(output, "Service")).toEqual([serviceName]);
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { userName: "vlt-ada", service: serviceName },
      more: false,
    });
    expect(server.calls).toContainEqual({
      method: "GetMemberships",
      parameters: { userName: "vlt-ada", service: serviceName },
      more: true,
    });
  });

  it("shows a user looked up by UID: `userdbctl user UID`", async () => {
    const output = succeeded(await userdbctl("user", String(brian.uid)));
    expect(field(output, "User name")).toEqual(["vlt-brian"]);
    expect(field(output, "UID")).toEqual(["42102"]);
    expect(field(output, "Aux. Groups")).toEqual(["vlt-staff"]);
    expect(field(output, "Real Name")).toEqual(["Brian Kernighan"]);
    expect(field(output, "Shell")).toEqual(["/bin/sh"]);
    expect(field(output, "Service")).toEqual([serviceName]);
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { uid: 42102, service: serviceName },
      more: false,
    });
  });

  it("shows a group and its members: `userdbctl group NAME`", async () => {
    const output = succeeded(await userdbctl("group", "vlt-staff"));
    expect(field(output, "Group name")).toEqual(["vlt-staff"]);
    expect(field(output, "GID")).toEqual(["42200"]);
    expect(field(output, "Members")).toEqual(["vlt-ada", "vlt-brian"]);
    expect(field(output, "Description")).toEqual(["Staff"]);
    expect(field(output, "Service")).toEqual([serviceName]);
    expect(server.calls).toContainEqual({
      method: "GetGroupRecord",
      parameters: { groupName: "vlt-staff", service: serviceName },
      more: false,
    });
  });

  it("lists a group's members: `userdbctl users-in-group GROUP`", async () => {
    const output = succeeded(await userdbctl("users-in-group", "vlt-staff"));
    const rows = output.split("\n").filter((line) => line.startsWith("vlt-"));
    expect(rows.map((row) => row.split(/\s+/))).toEqual([
      ["vlt-ada", "vlt-staff"],
      ["vlt-brian", "vlt-staff"],
    ]);
    expect(output).toContain("2 memberships listed.");
    expect(server.calls).toContainEqual({
      method: "GetMemberships",
      parameters: { groupName: "vlt-staff", service: serviceName },
      more: true,
    });
  });

  it("prints the record exactly as the service sent it: `--output=json`, `--json=pretty`, `--json=short`, `-j`", async () => {
    const expected = userRecord(ada, serviceName);
    const json = succeeded(await userdbctl("--output=json", "user", "vlt-ada"));
    expect(JSON.parse(json)).toEqual(expected);
    const pretty = succeeded(await userdbctl("--json=pretty", "user", "vlt-ada"));
    expect(JSON.parse(pretty)).toEqual(expected);
    expect(pretty.trim().split("\n").length).toBeGreaterThan(5); // one field a line
    const short = succeeded(await userdbctl("--json=short", "user", "vlt-ada"));
    expect(JSON.parse(short)).toEqual(expected);
    expect(short.trim().split("\n")).toHaveLength(1);
    const j = succeeded(await userdbctl("-j", "group", "vlt-staff"));
    expect(JSON.parse(j)).toEqual(groupRecord(staff, serviceName));
  });

  it("lists every user and group of the service, enumerated with `more`", async () => {
    // -N: no NSS users, no synthesized root/nobody; no drop-in files: only what services send.
    const users = succeeded(await userdbctl("-N", "--with-dropin=no", "--output=classic", "user"));
    expect(users.trim().split("\n")).toEqual(USERS.map(passwdLine));
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { service: serviceName },
      more: true,
    });

    const groups = succeeded(
      await userdbctl("-N", "--with-dropin=no", "--output=classic", "group"),
    );
    expect(groups.trim().split("\n")).toEqual(
      GROUPS.map((group) => `${group.groupName}:x:${group.gid}:${group.members.join(",")}`),
    );

    const all = succeeded(
      await userdbctl("-N", "--with-dropin=no", "--output=classic", "users-in-group"),
    );
    expect(all.trim().split("\n")).toEqual(
      memberships().map(({ userName, groupName }) => `${userName}:${groupName}`),
    );
    expect(server.calls).toContainEqual({
      method: "GetMemberships",
      parameters: { service: serviceName },
      more: true,
    });
  });

  it("lists our users among the system's in the default table: `userdbctl user`", async () => {
    const output = succeeded(await userdbctl("user"));
    const rows = output.split("\n").map((line) => line.trim().split(/\s+/));
    // NAME DISPOSITION UID GID ...: ours, and root from /etc/passwd (or synthesized).
    for (const user of USERS) {
      expect(rows).toContainEqual(
        expect.arrayContaining([user.userName, "regular", String(user.uid), String(user.gid)]),
      );
    }
    expect(rows.some((row) => row[0] === "root" && row[2] === "0")).toBe(true);
  });

  it("asks only the services named with `-s`/`--service=`", async () => {
    const otherName = uniqueServiceName("other");
    const other = await startUserDbServer({
      serviceName: otherName,
      socketPath: run.socketPath(otherName),
    });
    extra.push(other);
    const output = succeeded(await userdbctl(`--service=${serviceName}`, "user", "vlt-ada"));
    expect(field(output, "Service")).toEqual([serviceName]);
    expect(other.calls).toEqual([]);
    const viaOther = succeeded(await userdbctl("-s", otherName, "user", "vlt-ada"));
    expect(field(viaOther, "Service")).toEqual([otherName]);
    expect(other.calls.length).toBeGreaterThan(0);
  });
});

describe("userdbctl and the service's errors", () => {
  it("NoRecordFound: `User … does not exist.`", async () => {
    const user = await userdbctl("-s", serviceName, "user", "vlt-nobody");
    expect(user.code).toBe(1);
    expect(user.stderr).toContain("User vlt-nobody does not exist.");
    const group = await userdbctl("-s", serviceName, "group", "vlt-nobody");
    expect(group.code).toBe(1);
    expect(group.stderr).toContain("Group vlt-nobody does not exist.");
    // The generated client sees the same reply as the generated error class.
    const client = await UserDb.connect(`unix:${run.socketPath(serviceName)}`);
    try {
      await expect(
        client.getUserRecord({ userName: "vlt-nobody", service: serviceName }),
      ).rejects.toBeInstanceOf(UserDb.NoRecordFound);
    } finally {
      client.close();
    }
  });

  it("ServiceNotAvailable: `Selected user database service is not available for this request.`", async () => {
    server.available = false;
    const result = await userdbctl("-s", serviceName, "-N", "--with-dropin=no", "user");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "Selected user database service is not available for this request.",
    );
    server.available = true;
    succeeded(await userdbctl("-s", serviceName, "-N", "--with-dropin=no", "user"));
  });

  it("EnumerationNotSupported: listing fails with `Operation not supported`, lookups still work", async () => {
    const lookupOnlyName = uniqueServiceName("lookup-only");
    const lookupOnly = await startUserDbServer({
      serviceName: lookupOnlyName,
      socketPath: run.socketPath(lookupOnlyName),
      enumerable: false,
    });
    extra.push(lookupOnly);
    const listing = await userdbctl("-s", lookupOnlyName, "-N", "--with-dropin=no", "user");
    expect(listing.code).toBe(1);
    expect(listing.stderr).toContain("Operation not supported");
    const lookup = succeeded(await userdbctl("-s", lookupOnlyName, "user", "vlt-ada"));
    expect(field(lookup, "Service")).toEqual([lookupOnlyName]);
  });

  it("BadService: a socket not named after the service is an I/O error to userdbctl", async () => {
    // The same service behind a socket of another name: userdbctl sends that name as `service`.
    const aliasName = `${serviceName}-alias`;
    const misnamed = await startUserDbServer({
      serviceName,
      socketPath: run.socketPath(aliasName),
    });
    extra.push(misnamed);
    const result = await userdbctl("-s", aliasName, "-N", "--with-dropin=no", "user", "vlt-ada");
    expect(result.code).toBe(1);
    // systemd maps every error it has no errno for (BadService among them) to EIO.
    expect(result.stderr).toContain("Failed to find user vlt-ada: Input/output error");
    expect(misnamed.calls).toEqual([
      {
        method: "GetUserRecord",
        parameters: { userName: "vlt-ada", service: aliasName },
        more: false,
      },
    ]);
  });

  it("answers each declared error to the generated client as its class", async () => {
    // userdbctl never sends a uid and a name together, nor a foreign service name: the
    // generated client does, to check the errors systemd's clients map.
    const client = await UserDb.connect(`unix:${run.socketPath(serviceName)}`);
    try {
      await expect(
        client.getUserRecord({ userName: "vlt-ada", service: "org.example.other" }),
      ).rejects.toBeInstanceOf(UserDb.BadService);
      await expect(
        client.getUserRecord({ uid: brian.uid, userName: "vlt-ada", service: serviceName }),
      ).rejects.toBeInstanceOf(UserDb.ConflictingRecordFound);
      await expect(
        client.getGroupRecord({ gid: 42101, groupName: "vlt-staff", service: serviceName }),
      ).rejects.toBeInstanceOf(UserDb.ConflictingRecordFound);
      const both = await client.getUserRecord({
        uid: ada.uid,
        userName: "vlt-ada",
        service: serviceName,
      });
      expect(both.record).toEqual(userRecord(ada, serviceName));
      // An enumeration is a stream: without `more` it is refused, with it every user comes.
      await expect(client.getUserRecord({ service: serviceName })).rejects.toBeInstanceOf(
        ExpectedMoreError,
      );
      const all: string[] = [];
      for await (const { record } of client.getUserRecord.more({ service: serviceName })) {
        all.push(String(record.userName));
      }
      expect(all).toEqual(USERS.map((user) => user.userName));
      server.available = false;
      await expect(
        client.getGroupRecord({ groupName: "vlt-staff", service: serviceName }),
      ).rejects.toBeInstanceOf(UserDb.ServiceNotAvailable);
    } finally {
      client.close();
    }
  });
});

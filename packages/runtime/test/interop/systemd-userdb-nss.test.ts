/**
 * glibc's NSS through nss-systemd (Debian package libnss-systemd): `getent passwd`, `getent
 * group`, `getent initgroups` and `id` find the users and groups of a user database service
 * written with the generated `io.systemd.UserDatabase` code, when /etc/nsswitch.conf lists
 * `systemd` for passwd and group. The programs run with the private /run of
 * systemd-userdb-peer.ts, so nss-systemd sees only our service's socket in
 * /run/systemd/userdb/.
 *
 * These tests fail, not skip, when nss-systemd is not installed or not configured: CI must set
 * it up (see docs/interop.md, "systemd").
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PrivateRun, nssSystemdProblem, uniqueServiceName } from "./systemd-userdb-peer.js";
import type { RunResult } from "./systemd-userdb-peer.js";
import { USERS, startUserDbServer } from "./systemd-userdb-server.js";
import type { UserDbServer } from "./systemd-userdb-server.js";

let nssProblem: string | undefined;
let run: PrivateRun;
let serviceName: string;
let server: UserDbServer;

beforeAll(async () => {
  nssProblem = await nssSystemdProblem();
});

beforeEach(async () => {
  // Fails every test with what to change, rather than skipping them.
  if (nssProblem !== undefined) throw new Error(nssProblem);
  run = await PrivateRun.create();
  serviceName = uniqueServiceName("nss");
  server = await startUserDbServer({ serviceName, socketPath: run.socketPath(serviceName) });
});

afterEach(async () => {
  await server?.close();
  await run?.dispose();
});

/** Runs a command with the private /run. */
function inPrivateRun(...argv: string[]): Promise<RunResult> {
  return run.run(argv);
}

const passwdLine = (user: (typeof USERS)[number]): string =>
  `${user.userName}:x:${user.uid}:${user.gid}:${user.realName}:${user.homeDirectory}:${user.shell}`;

describe("nss-systemd answers glibc from a generated io.systemd.UserDatabase service", () => {
  it("`getent passwd NAME` and `getent passwd UID` return our user", async () => {
    const byName = await inPrivateRun("getent", "passwd", "vlt-ada");
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toBe(`${passwdLine(USERS[0]!)}\n`);
    const byUid = await inPrivateRun("getent", "passwd", "42102");
    expect(byUid.code, byUid.stderr).toBe(0);
    expect(byUid.stdout).toBe(`${passwdLine(USERS[1]!)}\n`);
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { userName: "vlt-ada", service: serviceName },
      more: false,
    });
  });

  it("`getent group NAME` returns our group with its members", async () => {
    const result = await inPrivateRun("getent", "group", "vlt-staff");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("vlt-staff:x:42200:vlt-ada,vlt-brian\n");
  });

  it("`getent initgroups` and `id` see the memberships", async () => {
    const initgroups = await inPrivateRun("getent", "initgroups", "vlt-ada");
    expect(initgroups.code, initgroups.stderr).toBe(0);
    expect(initgroups.stdout.trim().split(/\s+/)).toEqual(["vlt-ada", "42200", "42201"]);
    const id = await inPrivateRun("id", "vlt-ada");
    expect(id.code, id.stderr).toBe(0);
    expect(id.stdout).toBe(
      "uid=42101(vlt-ada) gid=42101(vlt-ada) groups=42101(vlt-ada),42200(vlt-staff),42201(vlt-wheel)\n",
    );
  });

  it("`getent passwd` enumerates our users after /etc/passwd's", async () => {
    const result = await inPrivateRun("getent", "passwd");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("vlt-"))).toEqual(USERS.map(passwdLine));
    expect(lines.some((line) => line.startsWith("root:x:0:0:"))).toBe(true);
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { service: serviceName },
      more: true,
    });
  });

  it("finds nothing for a name the service does not know, nor once the service is gone", async () => {
    const unknown = await inPrivateRun("getent", "passwd", "vlt-nobody");
    expect(unknown.code).toBe(2); // getent: key not found
    expect(unknown.stdout).toBe("");
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { userName: "vlt-nobody", service: serviceName },
      more: false,
    });
    // Our service was the only source: without it the user is gone.
    await server.close();
    const gone = await inPrivateRun("getent", "passwd", "vlt-ada");
    expect(gone.code).toBe(2);
    expect(gone.stdout).toBe("");
  });
});

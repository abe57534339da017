/**
 * `systemd-userdbd` (v252, Debian package systemd-userdbd) run in the foreground without systemd
 * as PID 1: not socket-activated, it binds /run/systemd/userdb/io.systemd.Multiplexer itself
 * (with io.systemd.NameServiceSwitch and io.systemd.DropIn as symlinks to it) and forks
 * `systemd-userwork` workers, which answer the multiplexer by asking every other service in
 * /run/systemd/userdb/. `userdbctl -s io.systemd.Multiplexer` talks to the multiplexer only, so
 * what it shows of our generated io.systemd.UserDatabase service came through systemd's
 * multiplexer. Everything runs with the private /run of systemd-userdb-peer.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PrivateRun, findUserDbPrograms, uniqueServiceName } from "./systemd-userdb-peer.js";
import type { Daemon, RunResult, UserDbPrograms } from "./systemd-userdb-peer.js";
import { USERS, memberships, startUserDbServer, userRecord } from "./systemd-userdb-server.js";
import type { UserDbServer } from "./systemd-userdb-server.js";

const MULTIPLEXER = "io.systemd.Multiplexer";

let programs: UserDbPrograms;
let run: PrivateRun;
let serviceName: string;
let server: UserDbServer;
let userdbd: Daemon;

beforeEach(async () => {
  // Here rather than in beforeAll, so that a missing program fails every test (naming the
  // package to install) instead of skipping them.
  programs = await findUserDbPrograms();
  run = await PrivateRun.create();
  serviceName = uniqueServiceName("multiplexer");
  server = await startUserDbServer({ serviceName, socketPath: run.socketPath(serviceName) });
  userdbd = run.start([programs.userdbd]);
  await userdbd.waitForSocket(run.socketPath(MULTIPLEXER), "systemd-userdbd");
});

afterEach(async () => {
  await userdbd?.stop();
  await server?.close();
  await run?.dispose();
});

/** Runs `userdbctl --service=io.systemd.Multiplexer ARGS...`: the multiplexer, nothing else. */
function viaMultiplexer(...args: string[]): Promise<RunResult> {
  return run.run([programs.userdbctl, "--no-pager", `--service=${MULTIPLEXER}`, ...args]);
}

function succeeded(result: RunResult): string {
  expect(result.code, `userdbctl failed: ${result.stderr}`).toBe(0);
  return result.stdout;
}

const passwdLine = (user: (typeof USERS)[number]): string =>
  `${user.userName}:x:${user.uid}:${user.gid}:${user.realName}:${user.homeDirectory}:${user.shell}`;

describe("systemd-userdbd's multiplexer serves a generated io.systemd.UserDatabase service", () => {
  it("runs in the foreground and lists itself and our service: `userdbctl services`", async () => {
    const output = succeeded(await run.run([programs.userdbctl, "--no-pager", "services"]));
    const rows = output.split("\n").map((line) => line.trim().split(/\s+/));
    for (const name of [
      MULTIPLEXER,
      "io.systemd.NameServiceSwitch",
      "io.systemd.DropIn",
      serviceName,
    ]) {
      expect(rows).toContainEqual([name, "yes"]);
    }
  });

  it("looks our user up by name and by UID", async () => {
    const json = succeeded(await viaMultiplexer("--output=json", "user", "vlt-ada"));
    expect(JSON.parse(json)).toEqual(userRecord(USERS[0]!, serviceName));
    // The worker asked our socket, naming our service (it takes the name from the socket).
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { userName: "vlt-ada", service: serviceName },
      more: false,
    });

    const byUid = succeeded(await viaMultiplexer("--output=classic", "user", "42103"));
    expect(byUid).toBe(`${passwdLine(USERS[2]!)}\n`);
  });

  it("shows groups and memberships", async () => {
    const group = succeeded(await viaMultiplexer("--output=classic", "group", "vlt-staff"));
    expect(group).toBe("vlt-staff:x:42200:vlt-ada,vlt-brian\n");
    const members = succeeded(
      await viaMultiplexer("--output=classic", "users-in-group", "vlt-staff"),
    );
    expect(members).toBe("vlt-ada:vlt-staff\nvlt-brian:vlt-staff\n");
    const ofUser = succeeded(await viaMultiplexer("--output=classic", "groups-of-user", "vlt-ada"));
    expect(ofUser).toBe("vlt-ada:vlt-staff\nvlt-ada:vlt-wheel\n");
    expect(server.calls).toContainEqual({
      method: "GetMemberships",
      parameters: { groupName: "vlt-staff", service: serviceName },
      more: true,
    });
  });

  it("enumerates our users with /etc/passwd's and the memberships of all", async () => {
    const users = succeeded(await viaMultiplexer("--output=classic", "user"));
    const lines = users.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("vlt-"))).toEqual(USERS.map(passwdLine));
    // The multiplexer also answers for NSS (the classic user database).
    expect(lines.some((line) => line.startsWith("root:x:0:0:"))).toBe(true);
    expect(server.calls).toContainEqual({
      method: "GetUserRecord",
      parameters: { service: serviceName },
      more: true,
    });

    const all = succeeded(await viaMultiplexer("--output=classic", "users-in-group"));
    const ours = all.split("\n").filter((line) => line.startsWith("vlt-"));
    expect(ours).toEqual(
      memberships().map(({ userName, groupName }) => `${userName}:${groupName}`),
    );
  });

  it("is used by default: a plain `userdbctl user NAME` reaches our service through it", async () => {
    // SYSTEMD_BYPASS_USERDB keeps userdbctl itself away from our socket; the multiplexer, a
    // process of its own, still asks it.
    const bypass = { SYSTEMD_BYPASS_USERDB: serviceName };
    const output = succeeded(
      await run.run([programs.userdbctl, "--no-pager", "--output=json", "user", "vlt-ada"], bypass),
    );
    expect(JSON.parse(output)).toEqual(userRecord(USERS[0]!, serviceName));
    // With the multiplexer off, userdbctl asks the services itself, and ours is bypassed.
    const direct = await run.run(
      [programs.userdbctl, "--no-pager", "--multiplexer=no", "user", "vlt-ada"],
      bypass,
    );
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain("User vlt-ada does not exist.");
  });

  it("is what answered: without systemd-userdbd the same queries find nothing", async () => {
    const bypass = { SYSTEMD_BYPASS_USERDB: serviceName };
    succeeded(await viaMultiplexer("user", "vlt-ada"));
    succeeded(await run.run([programs.userdbctl, "--no-pager", "user", "vlt-ada"], bypass));
    await userdbd.stop();
    const restricted = await viaMultiplexer("user", "vlt-ada");
    expect(restricted.code).toBe(1);
    expect(restricted.stderr).toContain("User vlt-ada does not exist.");
    const plain = await run.run([programs.userdbctl, "--no-pager", "user", "vlt-ada"], bypass);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("User vlt-ada does not exist.");
    // Our service is still there, for userdbctl to ask directly.
    succeeded(
      await run.run([
        programs.userdbctl,
        "--no-pager",
        `--service=${serviceName}`,
        "user",
        "vlt-ada",
      ]),
    );
  });
});

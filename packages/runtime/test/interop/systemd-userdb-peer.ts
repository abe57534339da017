/**
 * systemd's user database programs as real peers: `userdbctl`, `systemd-userdbd` and
 * `systemd-userwork` (Debian package systemd-userdbd), `getent` through nss-systemd (package
 * libnss-systemd).
 *
 * systemd v252 finds user database services only as sockets in the fixed directory
 * /run/systemd/userdb/ (no variable or option moves it), and `systemd-userdbd` binds
 * /run/systemd/userdb/io.systemd.Multiplexer there, replacing whatever socket is in the way. So
 * that the tests neither see nor disturb a machine's real user databases (systemd-homed, a
 * running systemd-userdbd), every systemd program here runs in a private mount namespace
 * (`unshare --mount`, plus `--user --map-root-user` when not root) in which a fresh temporary
 * directory is bind-mounted on /run: there, /run/systemd/userdb/ is that directory's
 * systemd/userdb/, which holds only the sockets the test puts in it. The test's own service
 * listens on its socket from outside: a socket file is reached by its inode, whichever mount it
 * is seen through. Nothing outside the temporary directory is created, changed or removed.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { constants } from "node:fs";
import { access, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** How CI installs systemd's user database programs without upgrading systemd itself. */
export const USERDBD_INSTALL =
  "apt-get install -y --no-install-recommends systemd-userdbd=$(dpkg-query -W -f='${Version}' systemd)";
/** How CI installs nss-systemd, pinned the same way. */
export const NSS_INSTALL =
  "apt-get install -y --no-install-recommends libnss-systemd=$(dpkg-query -W -f='${Version}' systemd)";

/**
 * Finds a program among `paths` (Debian installs systemd's helpers in /lib/systemd, which is
 * /usr/lib/systemd on merged-/usr systems).
 *
 * @throws Error naming the Debian package and how to install it, when none is there.
 */
export async function findProgram(
  paths: readonly string[],
  debianPackage: string,
  install: string,
): Promise<string> {
  for (const path of paths) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not here: try the next place.
    }
  }
  throw new Error(
    `${paths.join(" or ")} not found: install Debian's ${debianPackage} package (${install})`,
  );
}

/** `userdbctl`, `systemd-userdbd` and `systemd-userwork`, from the package systemd-userdbd. */
export interface UserDbPrograms {
  userdbctl: string;
  userdbd: string;
  userwork: string;
}

/** Finds systemd's user database programs, or fails naming the package to install. */
export async function findUserDbPrograms(): Promise<UserDbPrograms> {
  return {
    userdbctl: await findProgram(
      ["/usr/bin/userdbctl", "/bin/userdbctl"],
      "systemd-userdbd",
      USERDBD_INSTALL,
    ),
    userdbd: await findProgram(
      ["/lib/systemd/systemd-userdbd", "/usr/lib/systemd/systemd-userdbd"],
      "systemd-userdbd",
      USERDBD_INSTALL,
    ),
    userwork: await findProgram(
      ["/lib/systemd/systemd-userwork", "/usr/lib/systemd/systemd-userwork"],
      "systemd-userdbd",
      USERDBD_INSTALL,
    ),
  };
}

/** What a program run to its end printed, and how it ended. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of systemd's programs: no colours, no pager, no stray user database settings. */
function programEnvironment(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SYSTEMD_COLORS: "0",
    SYSTEMD_PAGER: "cat",
    LC_ALL: "C.UTF-8",
  };
  for (const name of [
    "SYSTEMD_ONLY_USERDB",
    "SYSTEMD_BYPASS_USERDB",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/**
 * A private /run: a temporary directory that systemd's programs, run through
 * {@link PrivateRun.wrap}, see mounted on /run. Sockets of user database services go in
 * {@link PrivateRun.userdbDir}.
 */
export class PrivateRun {
  /** The temporary directory, /run inside the namespace. */
  readonly root: string;
  /** The directory systemd's programs see as /run/systemd/userdb/. */
  readonly userdbDir: string;
  private readonly unshare: string;
  private readonly children = new Set<ChildProcess>();

  private constructor(root: string, unshare: string) {
    this.root = root;
    this.userdbDir = join(root, "systemd", "userdb");
    this.unshare = unshare;
  }

  /**
   * Creates the directory and checks that this machine lets us make a mount namespace.
   *
   * @throws Error saying what is missing: `unshare` (package util-linux), or the permission to
   *   make a mount namespace (root, or unprivileged user namespaces).
   */
  static async create(): Promise<PrivateRun> {
    const unshare = await findProgram(
      ["/usr/bin/unshare", "/bin/unshare"],
      "util-linux",
      "apt-get install util-linux",
    );
    // Socket paths are limited to 107 bytes: stay in /tmp, not a deep TMPDIR.
    const root = await mkdtemp("/tmp/varlink-userdb-");
    const run = new PrivateRun(root, unshare);
    await mkdir(run.userdbDir, { recursive: true });
    const probe = await run.run(["/bin/sh", "-c", "test -d /run/systemd/userdb"]);
    if (probe.code !== 0) {
      await run.dispose();
      throw new Error(
        `cannot run programs with a private /run (unshare --mount, as root or with unprivileged user namespaces): ${probe.stderr.trim()}`,
      );
    }
    return run;
  }

  /** The path of the socket of the service `name`: /run/systemd/userdb/NAME inside. */
  socketPath(name: string): string {
    return join(this.userdbDir, name);
  }

  /** `argv` as a command that runs it with this directory mounted on /run. */
  wrap(argv: readonly string[]): string[] {
    const asUser = process.getuid?.() === 0 ? [] : ["--user", "--map-root-user"];
    return [
      this.unshare,
      ...asUser,
      "--mount",
      "--propagation",
      "private",
      "--",
      "/bin/sh",
      "-c",
      'mount --bind "$0" /run && exec "$@"',
      this.root,
      ...argv,
    ];
  }

  /** Runs `argv` with the private /run to its end and returns what it printed. */
  async run(
    argv: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<RunResult> {
    const [command, ...args] = this.wrap(argv);
    const child = spawn(command as string, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: programEnvironment(env),
    });
    this.children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
    this.children.delete(child);
    return { code, signal, stdout, stderr };
  }

  /**
   * Starts a long-running program with the private /run, in a process group of its own (so that
   * {@link PrivateRun.dispose} stops the program and the workers it forks).
   */
  start(argv: readonly string[], env: Readonly<Record<string, string>> = {}): Daemon {
    const [command, ...args] = this.wrap(argv);
    const child = spawn(command as string, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: programEnvironment(env),
      detached: true,
    });
    this.children.add(child);
    groupLeaders.add(child);
    const daemon = new Daemon(child);
    void daemon.exited.then(() => this.children.delete(child));
    return daemon;
  }

  /** Stops every program still running (their process groups) and removes the directory. */
  async dispose(): Promise<void> {
    await Promise.all([...this.children].map((child) => stopChild(child)));
    this.children.clear();
    await rm(this.root, { recursive: true, force: true });
  }
}

/** A long-running program started by {@link PrivateRun.start}. */
export class Daemon {
  /** Everything it printed so far, stdout and stderr. */
  output = "";
  /** Settles once it has exited. */
  readonly exited: Promise<unknown>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    this.exited = once(child, "exit");
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Resolves once something accepts connections on the socket at `path` (readiness, not timing:
   * it polls until then, or until the program exits, which fails with what it printed).
   */
  async waitForSocket(path: string, name: string): Promise<void> {
    for (;;) {
      if (!this.running)
        throw new Error(
          `${name} exited early (${this.child.exitCode ?? this.child.signalCode}): ${this.output}`,
        );
      if (await connectable(path)) return;
      await sleep(20);
    }
  }

  /** Stops it and its process group; resolves once it has exited. */
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** Whether a connection to the unix socket at `path` is accepted into its queue. */
export function connectable(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Stops a child we spawned: SIGTERM to its process group when it leads one (daemons), to the
 * child otherwise, then SIGKILL if it is still there after SIGTERM was handled; resolves once it
 * has exited.
 */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, "exit");
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (groupLeaders.has(child)) process.kill(-(child.pid as number), name);
      else child.kill(name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const killer = setTimeout(() => signal("SIGKILL"), 3000);
  await exited;
  clearTimeout(killer);
  // Workers a daemon forked die with it (systemd-userdbd forks them with PR_SET_PDEATHSIG); a
  // last SIGKILL to the group takes any that have not yet gone.
  if (groupLeaders.has(child)) {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // The group is empty: nothing left.
    }
    await groupGone(child.pid);
  }
}

/** How long the workers of a stopped daemon may take to die of the SIGKILL sent to their group. */
const GROUP_EXIT_MS = 5_000;

/**
 * Resolves once no process of the group `pgid` is alive. A worker still dying holds the daemon's
 * listening socket: it would take the next connection and drop it, and a test that stopped the
 * daemon to see its socket refuse would see a reset instead. Zombies hold nothing, so they count
 * as gone (whoever adopted them may be slow to reap them).
 */
async function groupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + GROUP_EXIT_MS;
  for (;;) {
    const alive = await liveGroupMembers(pgid);
    if (alive.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`processes ${alive.join(", ")} of group ${pgid} outlived a SIGKILL by ${GROUP_EXIT_MS} ms`);
    }
    await sleep(10);
  }
}

/** The pids in process group `pgid` that are not zombies, from /proc. */
async function liveGroupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ")".
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(group) === pgid && state !== "Z" && state !== "X") members.push(Number(entry));
  }
  return members;
}

/** Children started in a process group of their own, which is signalled as a whole. */
const groupLeaders = new WeakSet<ChildProcess>();

/** Whether /etc/nsswitch.conf's line for `database` lists `systemd` among its sources. */
function nsswitchHasSystemd(text: string, database: string): boolean {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line.startsWith(`${database}:`)) continue;
    return line
      .slice(database.length + 1)
      .split(/\s+/)
      .includes("systemd");
  }
  return false;
}

/**
 * What stops nss-systemd from answering `getent passwd` and `getent group`, or undefined when
 * nothing does: libnss_systemd.so.2 (package libnss-systemd) must be installed, and /etc/nsswitch.conf's
 * `passwd:` and `group:` lines must list `systemd`.
 */
export async function nssSystemdProblem(): Promise<string | undefined> {
  const problems: string[] = [];
  const ldconfig = await runPlain("/sbin/ldconfig", ["-p"]);
  if (ldconfig.code !== 0) {
    problems.push(`cannot list the installed libraries with /sbin/ldconfig -p: ${ldconfig.stderr}`);
  } else if (!ldconfig.stdout.includes("libnss_systemd.so.2")) {
    problems.push(
      `libnss_systemd.so.2 is not installed: install Debian's libnss-systemd package (${NSS_INSTALL})`,
    );
  }
  let nsswitch = "";
  try {
    nsswitch = await readFile("/etc/nsswitch.conf", "utf8");
  } catch {
    // No file: every database is "files" only.
  }
  for (const database of ["passwd", "group"]) {
    if (!nsswitchHasSystemd(nsswitch, database)) {
      problems.push(
        `/etc/nsswitch.conf's "${database}:" line does not list systemd (Debian's: "${database}: files systemd")`,
      );
    }
  }
  return problems.length === 0
    ? undefined
    : `nss-systemd is not configured: ${problems.join("; ")}`;
}

/** Runs a program without the private /run; one that cannot start ends with code null. */
export function runPlain(command: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", (error) =>
      resolve({ code: null, signal: null, stdout, stderr: error.message }),
    );
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A unique service name, so that tests that run at once never share a socket. */
export function uniqueServiceName(label: string): string {
  return `org.varlinkts.test.${label}.p${process.pid}r${Math.floor(Math.random() * 1e9)}`;
}

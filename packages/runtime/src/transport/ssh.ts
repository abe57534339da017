/**
 * `ssh-unix:` and `ssh-exec:` connections: the system's `ssh` started as a bridge, with the
 * command lines systemd uses for the same addresses, so a host reachable with `varlinkctl` is
 * reachable here in the same way (same ssh_config, agent, known hosts and prompts).
 *
 * Source: systemd's src/libsystemd/sd-varlink/sd-varlink.c (v257 and later), `ssh_path()`,
 * `varlink_connect_ssh_unix()` and `varlink_connect_ssh_exec()`, reached from
 * `sd_varlink_connect_url()` (what `varlinkctl` uses for its ADDRESS).
 */
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import type { SshExecAddress, SshUnixAddress } from "./address.js";
import { openBridgeStream } from "./bridge.js";

/**
 * The program to run and its arguments (after argv[0], which is always `ssh`, as systemd passes
 * it). The program is `$SYSTEMD_SSH` when set, as systemd's `ssh_path()` reads it, else `ssh`
 * looked up in PATH.
 *
 * - `ssh-unix:HOST:PATH` runs `ssh -W PATH HOST`: OpenSSH 9.4's stream forwarding to a remote
 *   unix socket, with PATH simplified as systemd's `path_simplify()` does (no `//`, `.` or
 *   trailing `/`).
 * - `ssh-exec:HOST:CMD ARGS...` runs `ssh -e none -T HOST env SYSTEMD_VARLINK_LISTEN=- CMD ARGS...`:
 *   no escape character and no terminal, so every byte passes; `SYSTEMD_VARLINK_LISTEN=-` tells
 *   systemd's services to speak varlink on their stdin and stdout.
 *
 * @throws ConnectionError `not-found` when `$SYSTEMD_SSH` is set but empty (systemd refuses it too).
 */
export function sshCommandLine(
  address: SshUnixAddress | SshExecAddress,
  label: string,
): { program: string; args: string[] } {
  const program = process.env["SYSTEMD_SSH"] ?? "ssh";
  if (program === "") {
    throw new ConnectionError("not-found", `cannot start ${label}: $SYSTEMD_SSH is set but empty`);
  }
  const args =
    address.kind === "ssh-unix"
      ? ["-W", simplifyPath(address.path), address.host]
      : [
          "-e",
          "none",
          "-T",
          address.host,
          "env",
          "SYSTEMD_VARLINK_LISTEN=-",
          address.command,
          ...address.args,
        ];
  return { program, args };
}

/** systemd's `path_simplify()` for an absolute path without `..`: `//run/./x/` is `/run/x`. */
function simplifyPath(path: string): string {
  return "/" + path.split("/").filter((part) => part !== "" && part !== ".").join("/");
}

/**
 * Starts ssh for the address and resolves with the connection it carries, which behaves as a
 * bridge's does: ending it closes ssh's stdin, destroying it terminates ssh, and ssh exiting with
 * a failing status (255 for its own errors) destroys it with a ConnectionError that says so.
 *
 * @throws ConnectionError `not-found` when there is no ssh to run, naming where it was looked for.
 */
export async function openSshStream(
  address: SshUnixAddress | SshExecAddress,
  label: string,
  signal: AbortSignal,
): Promise<Duplex> {
  const { program, args } = sshCommandLine(address, label);
  try {
    return await openBridgeStream({ kind: "bridge", command: program, args }, label, signal, {
      argv0: "ssh",
    });
  } catch (error) {
    if (error instanceof ConnectionError && error.code === "not-found") {
      const hint =
        process.env["SYSTEMD_SSH"] === undefined
          ? `${address.kind}: addresses need OpenSSH's ssh client; $SYSTEMD_SSH may name it`
          : "it is named by $SYSTEMD_SSH";
      throw new ConnectionError("not-found", `${error.message} (${hint})`, { cause: error });
    }
    throw error;
  }
}

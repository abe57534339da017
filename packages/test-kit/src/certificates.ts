/**
 * Certificates for TLS tests, made by the `openssl` command at test time: a CA, a server
 * certificate for 127.0.0.1 and a client certificate signed by it (for mutual TLS).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** PEM files, as text and as the paths they were written to. */
export interface Certificates {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Where each is, for programs that take file names. */
  readonly files: Readonly<Record<"ca" | "clientCert" | "clientKey", string>>;
  /** Removes the directory (when it made it). */
  remove(): Promise<void>;
}

/**
 * Makes a CA, a server certificate for 127.0.0.1 and a client certificate signed by it (for
 * mutual TLS), in `dir` or else in a new directory that `remove()` removes.
 */
export async function makeCertificates(inDir?: string): Promise<Certificates> {
  const dir = inDir ?? (await mkdtemp(join(tmpdir(), "varlink-tls-")));
  const file = (name: string): string => join(dir, name);
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req", "-x509", ...key, "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=varlink-ts Test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  for (const [name, extensions] of [
    ["server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"],
    ["client", "extendedKeyUsage=clientAuth\n"],
  ] as const) {
    await writeFile(file(`${name}.ext`), extensions);
    await run("openssl", ["req", ...key, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", `/CN=${name}`]);
    await run("openssl", [
      "x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
      "-out", file(`${name}.pem`), "-days", "2", "-extfile", file(`${name}.ext`),
    ]);
  }
  const read = (name: string): Promise<string> => readFile(file(name), "utf8");
  return {
    dir,
    ca: await read("ca.pem"),
    serverCert: await read("server.pem"),
    serverKey: await read("server.key"),
    clientCert: await read("client.pem"),
    clientKey: await read("client.key"),
    files: { ca: file("ca.pem"), clientCert: file("client.pem"), clientKey: file("client.key") },
    remove: () => (inDir === undefined ? rm(dir, { recursive: true, force: true }) : Promise.resolve()),
  };
}

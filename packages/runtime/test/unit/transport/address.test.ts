import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress } from "@varlink-ts/runtime/transport";
import type { Address } from "@varlink-ts/runtime/transport";

describe("parseAddress", () => {
  it.each<[string, Address]>([
    ["unix:/run/org.example.ping", { kind: "unix", path: "/run/org.example.ping" }],
    ["unix:relative/socket", { kind: "unix", path: "relative/socket" }],
    ["unix:/run/x;mode=0666", { kind: "unix", path: "/run/x", mode: 0o666 }],
    ["unix:/run/x;mode=600", { kind: "unix", path: "/run/x", mode: 0o600 }],
    ["unix:/run/x;mode=4755", { kind: "unix", path: "/run/x", mode: 0o4755 }],
    ["unix:/run/x;owner=me;mode=0660;flag", { kind: "unix", path: "/run/x", mode: 0o660 }],
    ["unix:/run/x;something=else", { kind: "unix", path: "/run/x" }],
    ["unix:@org.example.abstract", { kind: "abstract", name: "org.example.abstract" }],
    ["unix:@with space", { kind: "abstract", name: "with space" }],
    // The whole of sun_path after the marking NUL: 107 bytes.
    [`unix:@${"n".repeat(107)}`, { kind: "abstract", name: "n".repeat(107) }],
    ["unix:@name;mode=0666", { kind: "abstract", name: "name" }],
    ["tcp:127.0.0.1:7000", { kind: "tcp", host: "127.0.0.1", port: 7000 }],
    ["tcp:0.0.0.0:0", { kind: "tcp", host: "0.0.0.0", port: 0 }],
    ["tcp:localhost:65535", { kind: "tcp", host: "localhost", port: 65535 }],
    ["tcp:varlink.example.org:1", { kind: "tcp", host: "varlink.example.org", port: 1 }],
    ["tcp:[::1]:7000", { kind: "tcp", host: "::1", port: 7000 }],
    ["tcp:[::]:0", { kind: "tcp", host: "::", port: 0 }],
    ["tcp:[2001:db8::42]:443", { kind: "tcp", host: "2001:db8::42", port: 443 }],
    ["tcp:127.0.0.1:7000;keepalive=1", { kind: "tcp", host: "127.0.0.1", port: 7000 }],
    [
      "exec:/usr/libexec/org.example.service",
      { kind: "exec", command: "/usr/libexec/org.example.service", args: [] },
    ],
    [
      "exec:/usr/bin/python3 service.py --debug",
      { kind: "exec", command: "/usr/bin/python3", args: ["service.py", "--debug"] },
    ],
    ["exec:  service   one  ", { kind: "exec", command: "service", args: ["one"] }],
  ])("parses %s", (text, expected) => {
    expect(parseAddress(text)).toStrictEqual(expected);
  });

  it.each<[string, RegExp]>([
    ["", /expected KIND:/],
    ["/run/socket", /expected KIND:/],
    ["unix", /expected KIND:/],
    [":/run/socket", /expected KIND:/],
    ["UNIX:/run/socket", /expected KIND:/],
    ["ftp://example.org", /unsupported kind "ftp"/],
    ["http:example.org", /unsupported kind "http"/],
    ["device:/dev/varlink", /unsupported kind "device"/],
    ["bridge:ssh host varlink bridge", /a bridge has no string form/],
    ["unix:", /socket path is empty/],
    ["unix:;mode=0666", /socket path is empty/],
    [`unix:/${"x".repeat(107)}`, /longer than 107 bytes/],
    ["unix:/run/a\0b", /NUL byte/],
    ["unix:/run/x;mode=", /mode must be an octal permission/],
    ["unix:/run/x;mode=0999", /mode must be an octal permission.*"0999"/],
    ["unix:/run/x;mode=rw", /mode must be an octal permission/],
    ["unix:/run/x;mode=07777", /mode must be an octal permission/],
    ["unix:@", /abstract socket name after @ is empty/],
    [`unix:@${"n".repeat(108)}`, /abstract socket name is longer than 107 bytes/],
    ["tcp:", /missing port/],
    ["tcp:localhost", /missing port/],
    ["tcp::7000", /missing host/],
    ["tcp:localhost:", /port must be a number from 0 to 65535, got ""/],
    ["tcp:localhost:http", /port must be a number from 0 to 65535, got "http"/],
    ["tcp:localhost:65536", /got "65536"/],
    ["tcp:localhost:-1", /got "-1"/],
    ["tcp:localhost:123456", /got "123456"/],
    ["tcp:::1:7000", /IPv6 host must be in brackets/],
    ["tcp:[localhost]:7000", /"localhost" in brackets is not an IPv6 address/],
    ["tcp:[::1:7000", /IPv6 host must be in brackets/],
    ["tcp:bad host:7000", /"bad host" is not a host name or IP address/],
    ["tcp:under/score:7000", /is not a host name or IP address/],
    ["exec:", /missing the program to run/],
    ["exec:   ", /missing the program to run/],
    ["exec:;x=1", /missing the program to run/],
  ])("rejects %j", (text, problem) => {
    let thrown: unknown;
    try {
      parseAddress(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    expect(message).toContain(`invalid varlink address ${JSON.stringify(text)}`);
    expect(message).toMatch(problem);
  });

  it("rejects what is not a string", () => {
    expect(() => parseAddress(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("formatAddress", () => {
  it.each<[Address, string]>([
    [{ kind: "unix", path: "/run/org.example.ping" }, "unix:/run/org.example.ping"],
    [{ kind: "unix", path: "/run/x", mode: 0o666 }, "unix:/run/x;mode=0666"],
    [{ kind: "unix", path: "/run/x", mode: 0o4755 }, "unix:/run/x;mode=4755"],
    [{ kind: "unix", path: "/run/x", mode: 0 }, "unix:/run/x;mode=0000"],
    [{ kind: "abstract", name: "org.example" }, "unix:@org.example"],
    [{ kind: "tcp", host: "127.0.0.1", port: 7000 }, "tcp:127.0.0.1:7000"],
    [{ kind: "tcp", host: "example.org", port: 0 }, "tcp:example.org:0"],
    [{ kind: "tcp", host: "::1", port: 7000 }, "tcp:[::1]:7000"],
    [{ kind: "exec", command: "/usr/bin/service", args: [] }, "exec:/usr/bin/service"],
    [
      { kind: "exec", command: "python3", args: ["service.py", "-v"] },
      "exec:python3 service.py -v",
    ],
    [
      { kind: "bridge", command: "ssh", args: ["host", "varlink", "bridge"] },
      "bridge:ssh host varlink bridge",
    ],
  ])("formats %j", (address, expected) => {
    expect(formatAddress(address)).toBe(expected);
  });

  it.each<[Address, RegExp]>([
    [{ kind: "unix", path: "" }, /socket path is empty/],
    [{ kind: "unix", path: "/run/a;b" }, /would read back differently/],
    [{ kind: "unix", path: "/run/x", mode: 0o10000 }, /mode must be an octal permission/],
    [{ kind: "unix", path: "/run/x", mode: 1.5 }, /mode must be an octal permission/],
    [{ kind: "abstract", name: "" }, /abstract socket name after @ is empty/],
    [{ kind: "tcp", host: "localhost", port: 70000 }, /port must be a number/],
    [{ kind: "tcp", host: "localhost", port: 1.5 }, /port must be a number/],
    [{ kind: "tcp", host: "", port: 1 }, /missing host/],
    [{ kind: "exec", command: "/bin/sh", args: ["-c", "exit 3"] }, /would read back differently/],
    [{ kind: "exec", command: "", args: [] }, /missing the program/],
    [{ kind: "bridge", command: "", args: [] }, /the command is empty/],
    [{ kind: "other" } as unknown as Address, /unknown address kind "other"/],
  ])("refuses %j", (address, problem) => {
    expect(() => formatAddress(address)).toThrow(TypeError);
    expect(() => formatAddress(address)).toThrow(problem);
  });

  it("is the inverse of parseAddress for every address with a string form", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9._/-]{1,20}$/);
    const address: fc.Arbitrary<Address> = fc.oneof(
      fc.record({ kind: fc.constant("unix" as const), path: word.map((w) => `/${w}`) }),
      fc.record({
        kind: fc.constant("unix" as const),
        path: word.map((w) => `/${w}`),
        mode: fc.integer({ min: 0, max: 0o7777 }),
      }),
      fc.record({
        kind: fc.constant("abstract" as const),
        name: fc.stringMatching(/^[^\0;]{1,40}$/),
      }),
      fc.record({
        kind: fc.constant("tcp" as const),
        host: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
        port: fc.integer({ min: 0, max: 65535 }),
      }),
      fc.record({
        kind: fc.constant("exec" as const),
        command: word,
        args: fc.array(word, { maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(address, (value) => {
        const text = formatAddress(value);
        // fast-check builds records without a prototype; compare them as plain objects.
        expect(parseAddress(text)).toStrictEqual({ ...value });
        expect(formatAddress(parseAddress(text))).toBe(text);
      }),
    );
  });
});

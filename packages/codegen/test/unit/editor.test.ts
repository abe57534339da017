/**
 * What an editor shows: hovering a client method, a handler method (in an object literal and in a
 * class implementing `Handlers`) shows the IDL's documentation and
 * the `@see file:line` tag, asked of the TypeScript language service as an editor would. (The
 * language service reads the file name as the tag's target, so it shows `file :line`.)
 */
import { join } from "node:path";
import { Project } from "ts-morph";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../fixture-inputs.js";

const SOURCE = `
import type { VarlinkService } from "@varlink-ts/runtime";
import { OrgExampleMore as More } from "./index.js";

declare const client: More.Client;
declare const service: VarlinkService;

export async function use(): Promise<void> {
  await client.ping({ ping: "x" });
  for await (const reply of client.testMore.more({ n: 1 })) void reply;
  More.register(service, {
    ping: ({ ping }) => ({ pong: ping }),
    async *testMore() {},
    stopServing() {},
  });
}

export class Server implements More.Handlers {
  ping({ ping }: More.PingParameters): More.PingResult {
    return { pong: ping };
  }
  async *testMore() {}
  stopServing() {}
}
`;

/** The quick info at the first `needle` (at `offset` characters into it) of the sample. */
function quickInfo(project: Project, needle: string, offset = 0): { doc: string; tags: string[] } {
  const file = project.getSourceFileOrThrow("hover-sample.ts");
  const position = file.getFullText().indexOf(needle);
  if (position < 0) throw new Error(`${needle} is not in the sample`);
  const info = project
    .getLanguageService()
    .compilerObject.getQuickInfoAtPosition(file.getFilePath(), position + offset);
  return {
    doc: (info?.documentation ?? []).map((part) => part.text).join(""),
    tags: (info?.tags ?? []).map(
      (tag) => `@${tag.name} ${(tag.text ?? []).map((part) => part.text).join("")}`,
    ),
  };
}

describe("hover in an editor", () => {
  const project = new Project({
    compilerOptions: { strict: true, module: 199 /* NodeNext */, moduleResolution: 99 /* NodeNext */ },
    skipAddingFilesFromTsConfig: true,
  });
  project.addSourceFilesAtPaths(join(GOLDEN_DIR, "*.ts"));
  project.createSourceFile(join(GOLDEN_DIR, "hover-sample.ts"), SOURCE, { overwrite: true });

  const ping = { doc: "Returns the same string", tags: ["@see org.example.more.varlink :13"] };

  it("shows a client method's IDL documentation and source line", () => {
    expect(quickInfo(project, "ping({ ping: \"x\" })")).toEqual(ping);
    expect(quickInfo(project, "testMore.more")).toEqual({
      doc: "Dummy progress method\nn: number of progress steps",
      tags: ["@see org.example.more.varlink :17"],
    });
  });

  it("shows a handler's documentation in an object literal and in a class", () => {
    expect(quickInfo(project, "ping: ({ ping })")).toEqual(ping);
    expect(quickInfo(project, "ping({ ping }: More.PingParameters)")).toEqual(ping);
  });
});

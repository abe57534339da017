/**
 * @varlink-ts/test-kit: what the workspace's tests share (private, never published). Tests import
 * it through the "source" export condition, so it runs from these TypeScript sources and shares
 * the one copy of @varlink-ts/runtime that the tests see.
 */
export {
  assertBuilt,
  bridgeCommand,
  CODEGEN_BIN,
  copyInterfaces,
  isCall,
  MORE_SERVICE,
  RESOLVER_SERVICE,
  runBin,
  runVarlink,
  runVarlinkProcess,
  speakThroughBridge,
  startBin,
  startServer,
  startService,
  useFixtureService,
  useGeneratedOnce,
  VARLINK_BIN,
} from "./bins.js";
export type { StartedService } from "./bins.js";
export { makeCertificates } from "./certificates.js";
export type { Certificates } from "./certificates.js";
export { FIXTURES, meaning, REPO_ROOT, varlinkFiles } from "./fixtures.js";
export {
  CertificationServer,
  expectCertifiedClientOutput,
  expectClientCertified,
  MAP,
  MYTYPE,
  REPLIES,
  SET,
  STRUCT,
} from "./certification.js";
export { Child, run, shellQuote, startChild } from "./child.js";
export { runInProcess, runMain, startMain } from "./in-process.js";
export type { Command, Main, RunningMain } from "./in-process.js";
export type { RunOptions, RunResult } from "./child.js";
export { GO_CERTIFICATION, runGoClient, startGoCertification } from "./go.js";
export type { GoServer } from "./go.js";
export {
  FrameClient,
  json,
  nowhere,
  openFrames,
  post,
  records,
  refusedUpgrade,
  scriptedService,
  send,
  startBridge,
  websocket,
  webBridge,
  wsUrl,
} from "./http.js";
export type { HttpAnswer, SendOptions } from "./http.js";
export { LogLines } from "./logs.js";
export { RawClient } from "./raw-client.js";
export { connectPeer, RawConnection, RawServer, STANDARD_ERROR_REPLIES } from "./raw-server.js";
export type { Peer, RawServerOptions } from "./raw-server.js";
export { collect, rejection } from "./results.js";
export { Sandbox, useSandbox } from "./sandbox.js";
export { serveInterfaces } from "./serve.js";
export type { Served } from "./serve.js";
export type { NodeOptions, Trackable } from "./sandbox.js";
export { createTestService, Hooks, INFO, TEST_INTERFACE } from "./services/test.js";
export { createWebService, startWebService, WEB, WEB_INTERFACE, WebHooks } from "./services/web.js";
export { binary, closed, Collector, echoes, outcome, readBytes } from "./streams.js";
export {
  abstractName,
  accepts,
  deferred,
  eventually,
  EXACT_ABSTRACT_NAMES,
  freePort,
  openFds,
  processExists,
  sleep,
  until,
} from "./wait.js";

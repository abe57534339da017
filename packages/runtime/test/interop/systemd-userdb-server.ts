/**
 * A user database service written with the code `varlink-codegen` generates for systemd's
 * `io.systemd.UserDatabase` (fixtures/generated/io.systemd.UserDatabase.ts): the generated
 * `register()` and typed `Handlers`, serving a few users and groups as JSON user and group
 * records (https://systemd.io/USER_RECORD, https://systemd.io/GROUP_RECORD), the way
 * systemd-homed or systemd-machined serve theirs, so that systemd's own clients (`userdbctl`,
 * `systemd-userdbd`'s multiplexer, nss-systemd) can read them.
 *
 * The service follows https://systemd.io/USER_GROUP_API: it answers only for its own service
 * name (`BadService` otherwise), looks a record up by name, by number or by both
 * (`ConflictingRecordFound` when the two name different records, `NoRecordFound` when neither
 * exists), enumerates with `more` (`EnumerationNotSupported` when built without enumeration,
 * `NoRecordFound` when there is nothing to list), and answers `ServiceNotAvailable` while it is
 * switched off.
 */
import { ExpectedMoreError, VarlinkService } from "@varlink-ts/runtime";
import type { CallContext, JsonObject } from "@varlink-ts/runtime";
import { IoSystemdUserDatabase as UserDb } from "../../../../fixtures/generated/index.js";

/** A user as the service knows it; `service` is added to each record it sends. */
export interface FixtureUser {
  userName: string;
  uid: number;
  gid: number;
  realName: string;
  homeDirectory: string;
  shell: string;
  disposition: "regular" | "system" | "intrinsic";
  memberOf: string[];
}

/** A group as the service knows it; `service` is added to each record it sends. */
export interface FixtureGroup {
  groupName: string;
  gid: number;
  description: string;
  disposition: "regular" | "system" | "intrinsic";
  members: string[];
}

/**
 * The users the service serves. Names start with `vlt-` and numbers lie in 42100–42299, so that
 * they meet nothing in /etc/passwd; each user has a primary group of the same name and number.
 */
export const USERS: readonly FixtureUser[] = [
  {
    userName: "vlt-ada",
    uid: 42101,
    gid: 42101,
    realName: "Ada Lovelace",
    homeDirectory: "/home/vlt-ada",
    shell: "/bin/bash",
    disposition: "regular",
    memberOf: ["vlt-staff", "vlt-wheel"],
  },
  {
    userName: "vlt-brian",
    uid: 42102,
    gid: 42102,
    realName: "Brian Kernighan",
    homeDirectory: "/home/vlt-brian",
    shell: "/bin/sh",
    disposition: "regular",
    memberOf: ["vlt-staff"],
  },
  {
    userName: "vlt-carol",
    uid: 42103,
    gid: 42103,
    realName: "Carol Shaw",
    homeDirectory: "/home/vlt-carol",
    shell: "/usr/sbin/nologin",
    disposition: "regular",
    memberOf: [],
  },
];

/** The groups: one primary group per user, and two shared groups with members. */
export const GROUPS: readonly FixtureGroup[] = [
  ...USERS.map((user) => ({
    groupName: user.userName,
    gid: user.gid,
    description: `Primary group of ${user.realName}`,
    disposition: "regular" as const,
    members: [],
  })),
  {
    groupName: "vlt-staff",
    gid: 42200,
    description: "Staff",
    disposition: "regular",
    members: ["vlt-ada", "vlt-brian"],
  },
  {
    groupName: "vlt-wheel",
    gid: 42201,
    description: "Administrators",
    disposition: "regular",
    members: ["vlt-ada"],
  },
];

/**
 * Every membership the service knows, as GetMemberships replies: a user is a member of a group
 * when the group lists them or their record lists the group, each pair once, in a stable order.
 */
export function memberships(): { userName: string; groupName: string }[] {
  const pairs = new Map<string, { userName: string; groupName: string }>();
  for (const group of GROUPS) {
    for (const userName of group.members) {
      pairs.set(`${userName}:${group.groupName}`, { userName, groupName: group.groupName });
    }
  }
  for (const user of USERS) {
    for (const groupName of user.memberOf) {
      pairs.set(`${user.userName}:${groupName}`, { userName: user.userName, groupName });
    }
  }
  return [...pairs.values()].sort(
    (a, b) => a.userName.localeCompare(b.userName) || a.groupName.localeCompare(b.groupName),
  );
}

/** One call the service received, as the client sent it. */
export interface ReceivedCall {
  method: string;
  parameters: Record<string, unknown>;
  more: boolean;
}

/** A running user database service. */
export interface UserDbServer {
  /** The service name: the socket's file name, and the `service` every call must carry. */
  readonly serviceName: string;
  /** Every call received, in order. */
  readonly calls: ReceivedCall[];
  /** While false, every lookup answers `ServiceNotAvailable` (a backend that is down). */
  available: boolean;
  /** Stops listening, removes the socket file and closes the connections. */
  close(): Promise<void>;
}

/** Options of {@link startUserDbServer}. */
export interface UserDbServerOptions {
  /** The service name, e.g. `org.example.test`; the socket should be named after it. */
  serviceName: string;
  /** Where to listen: the service's socket, e.g. `/run/systemd/userdb/org.example.test`. */
  socketPath: string;
  /** When false, enumerations answer `EnumerationNotSupported`; default true. */
  enumerable?: boolean;
}

/** The JSON user record of `user`, as sent for `service`. */
export function userRecord(user: FixtureUser, service: string): JsonObject {
  return { ...user, memberOf: [...user.memberOf], service };
}

/** The JSON group record of `group`, as sent for `service`. */
export function groupRecord(group: FixtureGroup, service: string): JsonObject {
  return { ...group, members: [...group.members], service };
}

/**
 * Looks a record up by name, by number or by both, as the User/Group API says: both given must
 * name the same record.
 */
function lookUp<T>(
  records: readonly T[],
  byName: ((record: T) => boolean) | undefined,
  byNumber: ((record: T) => boolean) | undefined,
): T {
  const named = byName === undefined ? undefined : records.find(byName);
  const numbered = byNumber === undefined ? undefined : records.find(byNumber);
  if (byName !== undefined && byNumber !== undefined) {
    if (named !== undefined && named === numbered) return named;
    if (named !== undefined || numbered !== undefined) throw new UserDb.ConflictingRecordFound();
    throw new UserDb.NoRecordFound();
  }
  const found = named ?? numbered;
  if (found === undefined) throw new UserDb.NoRecordFound();
  return found;
}

/** Replies for an enumeration: several with `more`, none is `NoRecordFound`. */
async function* stream<T extends object>(replies: T[]): AsyncGenerator<T, void> {
  if (replies.length === 0) throw new UserDb.NoRecordFound();
  yield* replies;
}

/** Starts the service on `options.socketPath` and resolves once it listens. */
export async function startUserDbServer(options: UserDbServerOptions): Promise<UserDbServer> {
  const { serviceName, socketPath } = options;
  const enumerable = options.enumerable ?? true;
  const calls: ReceivedCall[] = [];
  const state = { available: true };

  /** What every call checks first: its service name, then whether the backend is up. */
  const admit = (
    method: string,
    service: string,
    context: Pick<CallContext, "message" | "more">,
  ): void => {
    const parameters = (context.message["parameters"] ?? {}) as Record<string, unknown>;
    calls.push({ method, parameters, more: context.more });
    if (service !== serviceName) throw new UserDb.BadService();
    if (!state.available) throw new UserDb.ServiceNotAvailable();
  };

  /** An enumeration: only with `more`, and only when the service supports it. */
  const enumerate = (more: boolean): void => {
    if (!enumerable) throw new UserDb.EnumerationNotSupported();
    if (!more) throw new ExpectedMoreError();
  };

  const handlers: UserDb.Handlers = {
    getUserRecord({ uid, userName, service }, context) {
      admit("GetUserRecord", service, context);
      if (uid == null && userName == null) {
        enumerate(context.more);
        return stream(
          USERS.map((user) => ({ record: userRecord(user, serviceName), incomplete: false })),
        );
      }
      const user = lookUp(
        USERS,
        userName == null ? undefined : (candidate) => candidate.userName === userName,
        uid == null ? undefined : (candidate) => candidate.uid === uid,
      );
      return { record: userRecord(user, serviceName), incomplete: false };
    },

    getGroupRecord({ gid, groupName, service }, context) {
      admit("GetGroupRecord", service, context);
      if (gid == null && groupName == null) {
        enumerate(context.more);
        return stream(
          GROUPS.map((group) => ({ record: groupRecord(group, serviceName), incomplete: false })),
        );
      }
      const group = lookUp(
        GROUPS,
        groupName == null ? undefined : (candidate) => candidate.groupName === groupName,
        gid == null ? undefined : (candidate) => candidate.gid === gid,
      );
      return { record: groupRecord(group, serviceName), incomplete: false };
    },

    getMemberships({ userName, groupName, service }, context) {
      admit("GetMemberships", service, context);
      if (userName == null && groupName == null) enumerate(context.more);
      const found = memberships().filter(
        (pair) =>
          (userName == null || pair.userName === userName) &&
          (groupName == null || pair.groupName === groupName),
      );
      // Both names given asks one question, answered once; anything else is a list.
      if (userName != null && groupName != null) {
        const [pair] = found;
        if (pair === undefined) throw new UserDb.NoRecordFound();
        return pair;
      }
      if (!context.more) throw new ExpectedMoreError();
      return stream(found);
    },
  };

  const service = new VarlinkService({
    vendor: "varlink-ts tests",
    product: "user database for systemd interop tests",
    version: "1",
    url: "https://systemd.io/USER_GROUP_API",
  });
  UserDb.register(service, handlers);
  await service.listen(`unix:${socketPath}`);
  return {
    serviceName,
    calls,
    get available() {
      return state.available;
    },
    set available(value: boolean) {
      state.available = value;
    },
    close: () => service.close({ grace: 0 }),
  };
}

/**
 * The four attacks on the service, at the sizes the issue measured them: hundreds of connections
 * each holding a message just under the size limit (partial, read ahead of a slow call, or as
 * replies never read), and messages whose shape makes parsing them cost far more than their size.
 */
import { echoCall, emptyArrays, endlessMessage, nestedArrays, slowCall } from "./messages.js";
import { mib } from "./processes.js";
import type { ServiceAttack } from "./service-attack.js";
import { slowSend } from "./slow-sender.js";

/** How big the attacks are. */
export interface AttackSizes {
  /** Hostile connections in attacks 1 to 3. */
  readonly connections: number;
  /** Bytes each of them sends (per call in attack 3). */
  readonly messageBytes: number;
  /** Echo calls each connection of attack 3 writes before reading nothing. */
  readonly pipelined: number;
  /** Bytes of each pathological message of attack 4. */
  readonly parseBytes: number;
  /** Connections per pathological shape in attack 4. */
  readonly parseConnections: number;
  /** The service's messageTimeout in attack 4. */
  readonly messageTimeout: number;
}

/** How long an attack may take to do all it can before the soak calls it stuck. */
const SPEND_LIMIT = 180_000;

/** The attacks on the service, in the order they run. */
export function serviceAttacks(sizes: AttackSizes): ServiceAttack[] {
  const { connections, messageBytes, pipelined } = sizes;
  const size = mib(messageBytes);
  return [
    {
      name: "1",
      title: `${connections} connections × ${size} without its NUL`,
      async launch(attackers) {
        attackers.open(connections, endlessMessage(messageBytes));
        return { spent: await attackers.spent("all", SPEND_LIMIT) };
      },
    },
    {
      name: "2",
      title: `${connections} connections × a slow more call and ${size} ahead of it`,
      async launch(attackers) {
        attackers.open(connections, slowCall(), endlessMessage(messageBytes));
        return { spent: await attackers.spent("all", SPEND_LIMIT) };
      },
    },
    {
      name: "3",
      title: `${connections} connections × ${pipelined} pipelined Echo calls of ${size}, replies never read`,
      async launch(attackers) {
        const call = echoCall(messageBytes);
        attackers.open(connections, ...Array.from({ length: pipelined }, () => call));
        // The service stops reading a client that does not take its replies: only the first
        // call is sure to be taken.
        return { spent: await attackers.spent("first", SPEND_LIMIT) };
      },
    },
    parseAttack(sizes),
  ];
}

/**
 * Attack 4: pathological shapes from a few connections, while a well-behaved client sends one
 * call in pieces over 70% of the service's messageTimeout and must be answered.
 */
function parseAttack({ parseBytes, parseConnections, messageTimeout }: AttackSizes): ServiceAttack {
  return {
    name: "4",
    title:
      `${parseConnections} connections × ${mib(parseBytes)} of nested arrays and ${parseConnections} × ` +
      `${mib(parseBytes)} of [],[],…, a slow sender over ${(0.7 * messageTimeout) / 1000} s of a ` +
      `${messageTimeout / 1000} s messageTimeout`,
    messageTimeout,
    async launch(attackers, target) {
      const nested = nestedArrays(parseBytes);
      const empty = emptyArrays(parseBytes);
      const slow = slowSend(target.path, 0.7 * messageTimeout, 8);
      // Its message has begun before the hostile ones arrive, so any time the service spends on
      // them falls within it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      attackers.open(parseConnections, nested);
      attackers.open(parseConnections, empty);
      const spent = await attackers.spent("all", SPEND_LIMIT);
      const sent = await slow;
      const note = `slow sender ${sent.answered ? "answered" : "NOT answered"} after ${(sent.took / 1000).toFixed(1)} s`;
      return {
        spent,
        notes: [note],
        problems: sent.answered ? [] : [`the slow sender was not answered: ${sent.detail}`],
      };
    },
  };
}

import type { ChannelStateStore } from "../core/index.js";
import type { Database } from "./client.js";

/** ChannelStateStore on the ChannelState table, keys namespaced per channel by the caller. */
export function channelStateStore(db: Database, prefix: string): ChannelStateStore {
  return {
    async get(key) {
      const row = await db.prisma.channelState.findUnique({ where: { key: `${prefix}:${key}` } });
      return row?.value;
    },
    async set(key, value) {
      await db.prisma.channelState.upsert({
        where: { key: `${prefix}:${key}` },
        create: { key: `${prefix}:${key}`, value, updatedAt: new Date() },
        update: { value, updatedAt: new Date() },
      });
    },
  };
}

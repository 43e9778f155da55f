/** The router: which shard owns an execution, for its whole life (FNV-1a of the id). */

/** The shard index of `executionId` among `shards`. */
export function shardOf(executionId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < executionId.length; i++) {
    h ^= executionId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

/**
 * Answers derived from cached Azure data, kept for exactly as long as the caches still hold that
 * very data. The data objects themselves are the key (by identity, in WeakMaps): when a cache
 * refetches or drops an entry, the new object is a different key and the old answer is never
 * served again, and it is garbage once its data is. Alongside the objects, a short text key holds
 * what else the answer depends on (the question's arguments, the day).
 *
 * A memoised answer is shared by every asker: nothing may change it after it is returned (the
 * router and the doors copy before they add anything).
 *
 * @example
 * const memo = derivedMemo<Reply>();
 * const hit = memo.get([subs, skuList], "eastus|a100"); // undefined after either object changes
 * memo.set([subs, skuList], "eastus|a100", reply);
 */
import { LRUCache } from "lru-cache";

interface Node<V> {
  next: WeakMap<object, Node<V>>;
  values?: LRUCache<string, { value: V }>;
}

/** Different arguments over the same data: enough for every region × filter someone asks about at once. */
const VALUES_PER_DATA = 256;

export interface DerivedMemo<V> {
  get(data: readonly object[], key: string): V | undefined;
  set(data: readonly object[], key: string, value: V): void;
}

export function derivedMemo<V>(): DerivedMemo<V> {
  const root: Node<V> = { next: new WeakMap() };
  const walk = (data: readonly object[], create: boolean): Node<V> | undefined => {
    let node = root;
    for (const d of data) {
      let child = node.next.get(d);
      if (!child) {
        if (!create) return undefined;
        child = { next: new WeakMap() };
        node.next.set(d, child);
      }
      node = child;
    }
    return node;
  };
  return {
    get: (data, key) => walk(data, false)?.values?.get(key)?.value,
    set(data, key, value) {
      const node = walk(data, true) as Node<V>;
      node.values ??= new LRUCache({ max: VALUES_PER_DATA });
      node.values.set(key, { value });
    },
  };
}

interface Held<T> {
  key: string;
  loading: Promise<T>;
  users: number;
  retired: boolean;
}

/** A resource from a SharedSlot: hand it back with release() when the call is done (a second release is ignored). */
export interface SlotLease<T> {
  resource: T;
  release(): void;
}

/**
 * One costly resource at a time (ONNX sessions, an index), opened for a key and shared by the calls using it. When
 * the key changes or the slot closes, the old resource is retired and disposed once its last call has released it,
 * so a call in flight keeps what it started with. A failed open is not kept: the next call tries again.
 */
export class SharedSlot<T> {
  private held: Held<T> | null = null;
  private readonly disposing = new Set<Promise<void>>();

  constructor(private readonly disposeResource: (resource: T) => Promise<void>) {}

  /** The resource for `key`: the one already open for it, or `open()`'s. */
  async acquire(key: string, open: () => Promise<T>): Promise<SlotLease<T>> {
    if (this.held?.key !== key) {
      if (this.held) this.retire(this.held);
      const held: Held<T> = { key, loading: open(), users: 0, retired: false };
      held.loading.catch(() => {
        if (this.held === held) this.held = null;
      });
      this.held = held;
    }
    const held = this.held;
    held.users++;
    try {
      const resource = await held.loading;
      let released = false;
      return {
        resource,
        release: () => {
          if (!released) this.release(held);
          released = true;
        },
      };
    } catch (error) {
      this.release(held);
      throw error;
    }
  }

  /** Retires the open resource; resolves when every retired one has been disposed. */
  async close(): Promise<void> {
    if (this.held) this.retire(this.held);
    this.held = null;
    await Promise.all(this.disposing);
  }

  private release(held: Held<T>): void {
    held.users--;
    if (held.retired && held.users === 0) this.dispose(held);
  }

  private retire(held: Held<T>): void {
    held.retired = true;
    if (held.users === 0) this.dispose(held);
  }

  private dispose(held: Held<T>): void {
    const done = held.loading.then((resource) => this.disposeResource(resource), () => undefined).finally(() => this.disposing.delete(done));
    this.disposing.add(done);
  }
}

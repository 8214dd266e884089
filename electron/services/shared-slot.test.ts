import { describe, expect, it } from 'vitest';
import { SharedSlot } from './shared-slot';

/** A resource that records when it is disposed. */
function tracked() {
  const disposed: string[] = [];
  const slot = new SharedSlot<{ name: string }>(async (r) => {
    disposed.push(r.name);
  });
  return { slot, disposed };
}

describe('SharedSlot', () => {
  it('opens once per key and shares the resource between calls', async () => {
    const { slot } = tracked();
    let opens = 0;
    const open = async () => ({ name: `r${++opens}` });
    const [a, b] = await Promise.all([slot.acquire('k', open), slot.acquire('k', open)]);
    expect(opens).toBe(1);
    expect(a.resource).toBe(b.resource);
  });

  it('disposes a retired resource only when its last call has released it', async () => {
    const { slot, disposed } = tracked();
    const first = await slot.acquire('old', async () => ({ name: 'old' }));
    const second = await slot.acquire('new', async () => ({ name: 'new' }));
    await Promise.resolve();
    expect(disposed).toEqual([]);
    first.release();
    first.release();
    await slot.close();
    expect(disposed).toEqual(['old']);
    second.release();
    await slot.close();
    expect(disposed).toEqual(['old', 'new']);
  });

  it('does not keep a failed open: the next call opens again', async () => {
    const { slot } = tracked();
    await expect(slot.acquire('k', () => Promise.reject(new Error('no model')))).rejects.toThrow('no model');
    const lease = await slot.acquire('k', async () => ({ name: 'ok' }));
    expect(lease.resource.name).toBe('ok');
  });
});

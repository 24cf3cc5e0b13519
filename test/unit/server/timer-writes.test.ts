// Timer transitions are stored the way every lease write is (server/persist.ts): a transient failure is retried,
// not lost until the next request for the lease; and a write never lands over a newer change of the lease.
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { DelegatingLeaseStore } from '../../../src/store/delegating-store.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { LeaseWrite } from '../../../src/store/types.js';
import { bindClient, startTestServer, type TestServer } from '../../helpers/test-server.js';

class FlakyStore extends DelegatingLeaseStore {
  failNext = 0;
  failed = 0;

  override async write(writes: readonly LeaseWrite[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      this.failed += 1;
      throw new StoreError('DHCPD_ERR_STORE_WRITE', 'lease store write failed: IO error: transient');
    }
    return this.inner.write(writes);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe('timer transitions are stored through persist', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.stop());

  it('a failed write of T1 is retried, and the store ends up with the renewing lease', async () => {
    const store = new FlakyStore(await openMemoryStore());
    server = await startTestServer(store);
    const { ip } = await bindClient(server, { mac: '02:00:5e:10:00:71' });
    const bound = server.app.lease(ip)!;
    store.failNext = 1;
    server.clock.advance(bound.context.renewAt - server.clock.now() + 1);
    await settle();
    expect(store.failed).toBe(1);
    server.clock.advance(1_000); // the retry's backoff
    await settle();
    expect((await store.get(ip))?.state).toBe('renewing');
    expect(server.app.statistics().counters.events).toMatchObject({ 'store.write.retry': 1 });
  });
});

// Which addresses each client has a record for: a 32-bit hash of (subnet, client key) → address, in an int
// multimap (~18 bytes per lease, against ~100 for a "subnet/clientKey" string key, its map entry and an address
// string). Two clients may share a hash: the index gives candidates, and the book keeps those whose record is the
// client's.
import { IntMultimap, type IntMultimapImage } from '../collections/int-multimap.js';
import { clientHash } from '../lease-columns/client-hash.js';

export class ClientAddresses {
  private byHash = new IntMultimap();

  /** Room for `count` entries in an empty index, so loading a table whole does not grow it step by step. */
  reserve(count: number): void {
    if (this.byHash.size === 0) this.byHash = new IntMultimap(count);
  }

  /** Takes over an index built elsewhere (lease-columns/table-indexes.ts) into an empty one. */
  adopt(image: IntMultimapImage): void {
    if (this.byHash.size > 0) throw new TypeError('adopt() into an index that holds entries');
    this.byHash = IntMultimap.fromImage(image);
  }

  add(subnetId: number, clientKey: string, ip: number): void {
    this.byHash.add(clientHash(subnetId, clientKey), ip);
  }

  /** As `add`, with the hash already known (clientHash of the subnet and key: a table loaded whole computes it). */
  addHashed(hash: number, ip: number): void {
    this.byHash.add(hash, ip);
  }

  delete(subnetId: number, clientKey: string, ip: number): void {
    this.byHash.delete(clientHash(subnetId, clientKey), ip);
  }

  /** As `delete`, with the hash known. */
  deleteHashed(hash: number, ip: number): void {
    this.byHash.delete(hash, ip);
  }

  /** The addresses (uint32) that may hold a record of the client: a copy, every one of them to be checked. */
  candidates(subnetId: number, clientKey: string): number[] {
    const ips = this.byHash.valuesOf(clientHash(subnetId, clientKey));
    // In place: the list is this call's own (one array per call, not two).
    for (let i = 0; i < ips.length; i++) ips[i] = ips[i]! >>> 0;
    return ips;
  }
}

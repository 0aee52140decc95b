/**
 * readByQuery result sets (reference §5.1): what remains of a query after
 * its first page, under a resultId that readMore continues until nothing
 * remains. A result set unused for the idle lifetime (sandbox clock; about
 * an hour, UNCERTAIN) is gone. The set holds RECORDNOs, so readMore shows
 * records as they are when it runs; a record deleted meanwhile is left out.
 */
import type { Clock } from '../../core/clock.ts';
import type { ObjectName } from '../../systems/intacct/schemas.ts';
import type { SeededRandom } from '../common/seeded-random.ts';

export interface ResultSet {
  readonly id: string;
  /** Whose query it is: the (sender, company) it was run for. */
  readonly owner: string;
  readonly object: ObjectName;
  /** `*` or the field list. */
  readonly fields: '*' | readonly string[];
  readonly recordNos: readonly number[];
  readonly pageSize: number;
  /** How many of `recordNos` were already returned. */
  returned: number;
  lastUsedMs: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class ResultSetRegistry {
  private readonly sets = new Map<string, ResultSet>();
  /** The latest result set per owner and object (readMore by `<object>`). */
  private readonly latest = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    private readonly random: SeededRandom,
    private readonly idleLifetimeMs: () => number,
  ) {}

  private newId(): string {
    let id = String(this.random.int(1_000_000_000, 9_999_999_999));
    for (let i = 0; i < 24; i++) id += ALPHABET[this.random.int(0, ALPHABET.length - 1)];
    return id;
  }

  open(init: Omit<ResultSet, 'id' | 'lastUsedMs'>): ResultSet {
    const set: ResultSet = { ...init, id: this.newId(), lastUsedMs: this.clock.now() };
    this.sets.set(set.id, set);
    this.latest.set(`${init.owner}\u0000${init.object}`, set.id);
    return set;
  }

  /** The live result set, if `owner` may continue it. */
  find(id: string, owner: string): ResultSet | undefined {
    const set = this.sets.get(id);
    if (!set || set.owner !== owner) return undefined;
    if (this.clock.now() - set.lastUsedMs >= this.idleLifetimeMs()) {
      this.close(set);
      return undefined;
    }
    return set;
  }

  /** The owner's latest result set of `object`. */
  findLatest(owner: string, object: ObjectName): ResultSet | undefined {
    const id = this.latest.get(`${owner}\u0000${object}`);
    return id === undefined ? undefined : this.find(id, owner);
  }

  close(set: ResultSet): void {
    this.sets.delete(set.id);
    const key = `${set.owner}\u0000${set.object}`;
    if (this.latest.get(key) === set.id) this.latest.delete(key);
  }

  get size(): number {
    return this.sets.size;
  }

  reset(): void {
    this.sets.clear();
    this.latest.clear();
  }
}

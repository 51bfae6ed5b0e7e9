import { CloudError, type LaunchRequest } from '../../contracts/cloud.ts';
import type { SimKnobs } from './knobs.ts';
import {
  sameLaunch,
  simInstanceId,
  SIM_ADDRESSES_PER_SITE,
  isLoopbackAddress,
  simPrivateAddress,
  simPublicAddress,
  copyTags,
  addOptionalLaunchFields,
  type SimInstanceRecord,
  type SimSnapshot,
} from './record.ts';
import { validateLaunchRequest } from './validate.ts';

/** What a SimCloudState needs: its site, behaviour, randomness and (optionally) a saved state. */
export interface SimCloudStateOptions {
  /** Required. Site name (appears in ids' hash and in capacity messages). */
  site: string;
  /** Required. Behaviour; replace later with `setKnobs`. */
  knobs: SimKnobs;
  /** Required. Uniform [0, 1) source; seeded in tests. Drawn only for knobs whose rate is > 0. */
  random: () => number;
  /** Optional. A snapshot to continue from (see `snapshotView()`); its site must match. */
  snapshot?: SimSnapshot;
  /**
   * Optional. The snapshot's records become the state's own, uncopied (a freshly loaded
   * snapshot nobody else holds: copying a large one holds the event loop for long). Default false.
   */
  adoptSnapshot?: boolean;
}

const LIVE = new Set(['pending', 'running']);
const tagKey = (key: string, value: string) => `${key}\u0000${value}`;

/** Whether a live record has an address off this machine (a state file written before sim addresses were loopback). */
const isOffMachine = (record: SimInstanceRecord): boolean =>
  LIVE.has(record.state) && !(isLoopbackAddress(record.privateAddress) && isLoopbackAddress(record.publicAddress));

/** Whether the record carries every one of `tags`. */
export function hasTags(record: SimInstanceRecord, tags: Record<string, string>): boolean {
  for (const key in tags) if (record.tags[key] !== tags[key]) return false;
  return true;
}

/**
 * The model of one simulated site: instances and their lifecycle, with no I/O and no clock of
 * its own — every operation takes `now` (epoch ms) and first applies the time-driven
 * transitions due by then (boot, random death, retention purge). Mutations set a dirty flag
 * the owner reads with `takeDirty()` to decide whether to persist.
 */
export class SimCloudState {
  readonly site: string;
  private knobsValue: SimKnobs;
  private readonly random: () => number;
  private readonly epoch: string;
  private sequence: number;
  private readonly instances = new Map<string, SimInstanceRecord>();
  private readonly byToken = new Map<string, string>();
  // Indexes, so that a large site (thousands of instances) is not scanned on every call:
  // instances still booting, instances ended (awaiting purge), the live count, and tag → ids.
  private readonly booting = new Set<SimInstanceRecord>();
  private readonly ended = new Set<SimInstanceRecord>();
  private live = 0;
  private readonly byTag = new Map<string, Set<SimInstanceRecord>>();
  /** Private addresses of live instances: a new instance never gets one of these. */
  private readonly addressesInUse = new Set<string>();
  private dirty = false;

  /** @throws Error when the snapshot belongs to another site. */
  constructor(options: SimCloudStateOptions) {
    this.site = options.site;
    this.knobsValue = options.knobs;
    this.random = options.random;
    const snap = options.snapshot;
    if (snap && snap.site !== options.site)
      throw new Error(`sim state is for site '${snap.site}', not '${options.site}'`);
    this.epoch =
      snap?.epoch ??
      Math.floor(options.random() * 0x1_0000_0000)
        .toString(16)
        .padStart(8, '0');
    this.sequence = snap?.sequence ?? 0;
    for (const saved of snap?.instances ?? []) this.add(options.adoptSnapshot ? saved : structuredClone(saved));
    this.dirty = snap === undefined || this.readdressOffMachine();
  }

  /**
   * A state continued from a saved one read in pieces (see `readSimSnapshotInPieces`): each
   * piece's records become the state's own (uncopied) and are indexed as the piece arrives, so
   * the event loop is held for one piece at a time, never for the whole site.
   * @throws Error when the head belongs to another site; whatever `pieces` throws.
   */
  static async restoreInPieces(
    options: Omit<SimCloudStateOptions, 'snapshot' | 'adoptSnapshot'>,
    head: Omit<SimSnapshot, 'instances'>,
    pieces: AsyncIterable<SimInstanceRecord[]>,
  ): Promise<SimCloudState> {
    const state = new SimCloudState({ ...options, snapshot: { ...head, instances: [] } });
    const offMachine: SimInstanceRecord[] = [];
    for await (const piece of pieces)
      for (const record of piece) {
        state.add(record);
        if (isOffMachine(record)) offMachine.push(record);
      }
    state.dirty = state.readdress(offMachine);
    return state;
  }

  /** Gives loopback addresses to live instances a state file lists with others. @returns whether any changed. */
  private readdressOffMachine(): boolean {
    return this.readdress([...this.instances.values()].filter(isOffMachine));
  }

  /** Gives each of `records` the next free loopback addresses. @returns whether there were any. */
  private readdress(records: SimInstanceRecord[]): boolean {
    for (const record of records) this.assignAddresses(record, this.sequence);
    return records.length > 0;
  }

  /** Gives `record` the first free address number from `from` on (wrapping round) and marks it in use. */
  private assignAddresses(record: SimInstanceRecord, from: number): void {
    for (let k = 0; k < SIM_ADDRESSES_PER_SITE; k++) {
      const index = (from + k) % SIM_ADDRESSES_PER_SITE;
      const privateAddress = simPrivateAddress(this.site, index);
      if (this.addressesInUse.has(privateAddress)) continue;
      record.privateAddress = privateAddress;
      record.publicAddress = simPublicAddress(this.site, index);
      this.addressesInUse.add(privateAddress);
      return;
    }
    throw new CloudError('capacity', `InsufficientAddressCapacity: No address left on site ${this.site}`);
  }

  /** The current knobs. */
  get knobs(): Readonly<SimKnobs> {
    return this.knobsValue;
  }

  /** Replaces knobs from now on; instances already launched keep their boot time and fate. */
  setKnobs(knobs: SimKnobs): void {
    this.knobsValue = knobs;
  }

  /** Whether anything changed since the last call (and resets the flag). */
  takeDirty(): boolean {
    const was = this.dirty;
    this.dirty = false;
    return was;
  }

  /** Marks the state changed (e.g. after a failed save, so the next call saves again). */
  markDirty(): void {
    this.dirty = true;
  }

  /** Applies transitions due at `now`: boot (running/failed), random deaths, retention purge. */
  observe(now: number): void {
    const { deathRate, terminatedRetentionMs } = this.knobsValue;
    for (const record of this.booting) if (now >= record.bootsAt) this.boot(record);
    if (deathRate > 0) {
      // Every running instance draws for its death, in launch order (seeded runs repeat).
      for (const record of this.instances.values()) {
        if (record.state === 'running' && this.random() < deathRate) {
          this.end(record, 'terminated', 'Server.InternalError: Instance died (simulated host failure)', now);
        }
      }
    }
    for (const record of this.ended) if (now - record.endedAt! >= terminatedRetentionMs) this.purge(record);
  }

  /**
   * Launches one instance, idempotent on the client token: a known token returns its
   * instance (whatever its state, even at full capacity) and creates nothing.
   * @returns The record (the sim's own object: copy before handing it out) and whether it is new.
   * @throws CloudError `invalid` (bad request, or the token was used with other parameters),
   *   `capacity` (site full; nothing created).
   */
  launch(request: LaunchRequest, now: number): { record: SimInstanceRecord; created: boolean } {
    this.observe(now);
    validateLaunchRequest(request);
    const knownId = this.byToken.get(request.clientToken);
    const known = knownId === undefined ? undefined : this.instances.get(knownId);
    if (known) {
      if (!sameLaunch(known, request)) {
        throw new CloudError(
          'invalid',
          `IdempotentParameterMismatch: The client token '${request.clientToken}' was used with other parameters`,
        );
      }
      return { record: known, created: false };
    }
    if (this.liveCount() >= this.knobsValue.capacity) {
      throw new CloudError('capacity', `InsufficientInstanceCapacity: There is no capacity left on site ${this.site}`);
    }
    const failsAtBoot = this.knobsValue.launchFailureRate > 0 && this.random() < this.knobsValue.launchFailureRate;
    return { record: this.create(request, now, failsAtBoot), created: true };
  }

  /** Terminates every listed instance not yet ended; unknown ids are ignored (success). */
  terminate(ids: readonly string[], now: number): void {
    this.observe(now);
    for (const id of ids) {
      const record = this.instances.get(id);
      if (record && record.state !== 'terminated') {
        this.end(record, 'terminated', 'Client.UserInitiatedShutdown: User initiated shutdown', now);
      }
    }
  }

  /** Kills an instance out of band (a host failure). @returns false when unknown or already terminated. */
  kill(id: string, now: number, reason = 'Server.InternalError: Instance killed out of band'): boolean {
    this.observe(now);
    const record = this.instances.get(id);
    if (!record || record.state === 'terminated') return false;
    this.end(record, 'terminated', reason, now);
    return true;
  }

  /** Every instance carrying all of `tags`, in launch order (the sim's own objects; copy before handing out). */
  list(tags: Record<string, string>, now: number): SimInstanceRecord[] {
    return this.candidates(tags, now).filter((record) => hasTags(record, tags));
  }

  /**
   * A superset of `list(tags, now)` read from the smallest tag index (no scan of the whole
   * site), in launch order: filter it with `hasTags` — now or a piece at a time, as the
   * records stay the sim's own, live objects.
   */
  candidates(tags: Record<string, string>, now: number): SimInstanceRecord[] {
    this.observe(now);
    let candidates: Iterable<SimInstanceRecord> = this.instances.values();
    let smallest = Number.POSITIVE_INFINITY;
    for (const [key, value] of Object.entries(tags)) {
      const tagged = this.byTag.get(tagKey(key, value));
      if (!tagged) return [];
      if (tagged.size < smallest) {
        smallest = tagged.size;
        candidates = tagged;
      }
    }
    // Every index set is filled in the same (launch) order as the instance map.
    return [...candidates];
  }

  /** The record of `id` without observing, or undefined. */
  get(id: string): SimInstanceRecord | undefined {
    return this.instances.get(id);
  }

  /** Instances holding capacity (`pending` or `running`) at the last observation. */
  liveCount(): number {
    return this.live;
  }

  /**
   * The state as it stands, sharing the live records (no copy, so saving a large site stays
   * cheap): serialise it at once and never change it.
   */
  snapshotView(): SimSnapshot {
    return {
      version: 1,
      site: this.site,
      epoch: this.epoch,
      sequence: this.sequence,
      instances: [...this.instances.values()],
    };
  }

  private create(request: LaunchRequest, now: number, failsAtBoot: boolean): SimInstanceRecord {
    let id = simInstanceId(this.site, this.epoch, this.sequence);
    while (this.instances.has(id)) id = simInstanceId(this.site, this.epoch, ++this.sequence);
    const sequence = this.sequence++;
    const record: SimInstanceRecord = {
      clientToken: request.clientToken,
      imageId: request.imageId,
      instanceType: request.instanceType,
      tags: copyTags(request.tags),
      id,
      state: 'pending',
      privateAddress: '',
      publicAddress: '',
      launchedAt: now,
      bootsAt: now + this.knobsValue.bootMs,
      failsAtBoot,
    };
    addOptionalLaunchFields(record, request);
    this.assignAddresses(record, sequence);
    this.add(record);
    this.dirty = true;
    return record;
  }

  /** Files a record in the map and every index, freezing its tags (never changed, shared by its views). */
  private add(record: SimInstanceRecord): void {
    Object.freeze(record.tags);
    this.instances.set(record.id, record);
    this.byToken.set(record.clientToken, record.id);
    if (record.state === 'pending') this.booting.add(record);
    if (LIVE.has(record.state)) {
      this.live++;
      this.addressesInUse.add(record.privateAddress);
    }
    if (record.endedAt !== undefined) this.ended.add(record);
    for (const [key, value] of Object.entries(record.tags)) {
      const k = tagKey(key, value);
      const tagged = this.byTag.get(k);
      if (tagged) tagged.add(record);
      else this.byTag.set(k, new Set([record]));
    }
  }

  private boot(record: SimInstanceRecord): void {
    this.booting.delete(record);
    if (record.failsAtBoot)
      this.end(record, 'failed', 'Server.InternalError: Internal error on launch', record.bootsAt);
    else record.state = 'running';
    this.dirty = true;
  }

  private purge(record: SimInstanceRecord): void {
    this.instances.delete(record.id);
    if (this.byToken.get(record.clientToken) === record.id) this.byToken.delete(record.clientToken);
    this.ended.delete(record);
    for (const [key, value] of Object.entries(record.tags)) {
      const k = tagKey(key, value);
      const tagged = this.byTag.get(k);
      tagged?.delete(record);
      if (tagged?.size === 0) this.byTag.delete(k);
    }
    this.dirty = true;
  }

  private end(record: SimInstanceRecord, state: 'terminated' | 'failed', reason: string, at: number): void {
    if (LIVE.has(record.state)) {
      this.live--;
      this.addressesInUse.delete(record.privateAddress);
    }
    this.booting.delete(record);
    this.ended.add(record);
    record.state = state;
    record.stateReason = reason;
    record.endedAt = at;
    this.dirty = true;
  }
}

/**
 * Image and flavor lookup by id or name (Glance `/v2/images`, or Nova's image proxy when the
 * catalog has no image service; Nova `/flavors`), cached per driver: launch configurations
 * name them the way users know them (`ubuntu-22.04`, `m1.small`), Nova wants ids.
 */
import { CloudError } from '../../contracts/cloud.ts';
import type { JsonResponse } from './http.ts';
import { mapNovaError } from './nova-mapper.ts';
import { isRecord } from '../../lib/is-record.ts';

/** Sends one authenticated request to a catalog service (`compute` or `image`), path relative to its endpoint. */
export type ServiceCall = (
  service: 'compute' | 'image',
  path: string,
  signal: AbortSignal,
  microversion?: string,
) => Promise<JsonResponse>;

/** A resolved image or flavor. */
export interface Resolved {
  id: string;
  name: string;
}

function items(body: unknown, key: string): Resolved[] {
  const list = isRecord(body) ? body[key] : undefined;
  if (!Array.isArray(list)) return [];
  return list
    .filter(isRecord)
    .flatMap((i) => (typeof i.id === 'string' ? [{ id: i.id, name: typeof i.name === 'string' ? i.name : '' }] : []));
}

const hasNext = (body: unknown, key: string): boolean =>
  isRecord(body) && Array.isArray(body[key]) && (body[key] as unknown[]).some((l) => isRecord(l) && l.rel === 'next');

/**
 * Resolves and caches images and flavors of one site. Failed lookups are not cached (the
 * image may be uploaded later).
 */
export class ResourceResolver {
  private readonly images = new Map<string, Resolved>();
  private readonly flavors = new Map<string, Resolved>();

  constructor(
    private readonly call: ServiceCall,
    private readonly hasImageService: (signal: AbortSignal) => Promise<boolean>,
    private readonly site: string,
  ) {}

  /**
   * The image `term` names: an image with that id, else the one image with that name.
   * @throws CloudError invalid (no such image, or the name is ambiguous) naming it; auth |
   *   throttled | transient from the lookup.
   */
  async image(term: string, signal: AbortSignal): Promise<Resolved> {
    const known = this.images.get(term);
    if (known) return known;
    const glance = await this.hasImageService(signal);
    const [byIdPath, byNamePath, key] = glance
      ? [`/v2/images/${encodeURIComponent(term)}`, `/v2/images?name=${encodeURIComponent(term)}`, 'images']
      : [`/images/${encodeURIComponent(term)}`, `/images?name=${encodeURIComponent(term)}`, 'images'];
    const service = glance ? 'image' : 'compute';
    // Nova's image proxy exists only before microversion 2.36.
    const microversion = glance ? undefined : '2.1';
    const found = await this.lookup(
      service,
      byIdPath,
      byNamePath,
      key,
      glance ? undefined : 'image',
      term,
      signal,
      microversion,
    );
    if (!found)
      throw new CloudError('invalid', `Image '${term}' not found on site ${this.site} (looked up by id and by name)`);
    this.images.set(term, found);
    return found;
  }

  /**
   * The flavor `term` names: a flavor with that id, else the one flavor with that name.
   * @throws CloudError invalid (no such flavor, or the name is ambiguous) naming it; auth |
   *   throttled | transient from the lookup.
   */
  async flavor(term: string, signal: AbortSignal): Promise<Resolved> {
    const known = this.flavors.get(term);
    if (known) return known;
    const found = await this.lookup(
      'compute',
      `/flavors/${encodeURIComponent(term)}`,
      undefined,
      'flavors',
      'flavor',
      term,
      signal,
    );
    if (!found)
      throw new CloudError('invalid', `Flavor '${term}' not found on site ${this.site} (looked up by id and by name)`);
    this.flavors.set(term, found);
    return found;
  }

  /** The term a launch used for a resolved image id or flavor name, when this driver resolved it. */
  termOf(kind: 'image' | 'flavor', idOrName: string | undefined): string | undefined {
    if (idOrName === undefined) return undefined;
    for (const [term, r] of kind === 'image' ? this.images : this.flavors)
      if (r.id === idOrName || r.name === idOrName) return term;
    return undefined;
  }

  private async lookup(
    service: 'compute' | 'image',
    byIdPath: string,
    byNamePath: string | undefined,
    key: string,
    single: string | undefined,
    term: string,
    signal: AbortSignal,
    microversion?: string,
  ): Promise<Resolved | undefined> {
    const direct = await this.call(service, byIdPath, signal, microversion);
    if (direct.status === 200) {
      const body = single !== undefined && isRecord(direct.body) ? direct.body[single] : direct.body;
      if (isRecord(body) && typeof body.id === 'string')
        return { id: body.id, name: typeof body.name === 'string' ? body.name : term };
    } else if (direct.status !== 404 && direct.status !== 400) {
      throw mapNovaError(direct.status, direct.body, `Looking up ${key.slice(0, -1)} '${term}' on site ${this.site}`);
    }
    const matches =
      byNamePath !== undefined
        ? await this.list(service, byNamePath, key, signal, microversion)
        : await this.list(service, '/flavors', key, signal);
    const named = matches.filter((m) => m.name === term);
    if (named.length > 1)
      throw new CloudError(
        'invalid',
        `${key === 'images' ? 'Image' : 'Flavor'} name '${term}' is ambiguous on site ${this.site} (${named.length} match); use its id`,
      );
    return named[0];
  }

  /** Every item of a paged list (`limit`/`marker`, following `<key>_links` / Glance's `next`). */
  private async list(
    service: 'compute' | 'image',
    path: string,
    key: string,
    signal: AbortSignal,
    microversion?: string,
  ): Promise<Resolved[]> {
    const out: Resolved[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const response = await this.call(
        service,
        `${path}${sep}limit=1000${marker !== undefined ? `&marker=${encodeURIComponent(marker)}` : ''}`,
        signal,
        microversion,
      );
      if (response.status !== 200)
        throw mapNovaError(response.status, response.body, `Listing ${key} on site ${this.site}`);
      const got = items(response.body, key);
      out.push(...got);
      const more =
        hasNext(response.body, `${key}_links`) || (isRecord(response.body) && typeof response.body.next === 'string');
      if (!more || got.length === 0) break;
      marker = got[got.length - 1]?.id;
    }
    return out;
  }
}

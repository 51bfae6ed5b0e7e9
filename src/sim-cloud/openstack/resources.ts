/**
 * Images, flavors and ids of the fake OpenStack: images and flavors are configured by name
 * and get stable ids (UUIDs for images as Glance's, small integers for flavors as devstack's);
 * a simulated instance (`i-…`) is shown as a Nova server with a UUID derived from its id.
 */
import { createHash } from 'node:crypto';

/** A stable UUID (version 4 layout) derived from `seed`. Pure. */
export function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The Nova server id of a simulated instance. Pure. */
export const serverIdOf = (simId: string): string => stableUuid(`nova-server:${simId}`);

/** One image. */
export interface FakeImage {
  id: string;
  name: string;
}

/** One flavor. */
export interface FakeFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

/** Images of a fresh dry-run cloud. */
export const DEFAULT_IMAGES = ['cirros-0.6.2-x86_64-disk', 'ubuntu-22.04'];

/** Flavors of a fresh dry-run cloud (the classic m1 set FutureGrid's OpenStack sites had). */
export const DEFAULT_FLAVORS = ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge'];

const SIZES: Readonly<Record<string, [vcpus: number, ram: number, disk: number]>> = {
  'm1.tiny': [1, 512, 1],
  'm1.small': [1, 2048, 20],
  'm1.medium': [2, 4096, 40],
  'm1.large': [4, 8192, 80],
  'm1.xlarge': [8, 16384, 160],
};

/** Images from names. Pure. */
export const makeImages = (names: readonly string[]): FakeImage[] =>
  [...new Set(names)].map((name) => ({ id: stableUuid(`glance-image:${name}`), name }));

/** Flavors from names, ids 1, 2, … in order. Pure. */
export const makeFlavors = (names: readonly string[]): FakeFlavor[] =>
  [...new Set(names)].map((name, n) => {
    const [vcpus, ram, disk] = SIZES[name] ?? [1, 1024, 10];
    return { id: String(n + 1), name, vcpus, ram, disk };
  });

/** Glance v2's view of an image. Pure. */
export function glanceImage(image: FakeImage): Record<string, unknown> {
  return {
    id: image.id,
    name: image.name,
    status: 'active',
    visibility: 'public',
    protected: false,
    container_format: 'bare',
    disk_format: 'qcow2',
    min_disk: 0,
    min_ram: 0,
    size: 21_430_272,
    tags: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
    os_hidden: false,
  };
}

/** Nova's (deprecated image proxy) view of an image. Pure. */
export const novaImage = (image: FakeImage, computeUrl: string): Record<string, unknown> => ({
  id: image.id,
  name: image.name,
  status: 'ACTIVE',
  progress: 100,
  minDisk: 0,
  minRam: 0,
  metadata: {},
  created: '2026-01-01T00:00:00Z',
  updated: '2026-01-01T00:00:00Z',
  links: [{ rel: 'self', href: `${computeUrl}/images/${image.id}` }],
});

/** Nova's view of a flavor. Pure. */
export const novaFlavor = (flavor: FakeFlavor, computeUrl: string): Record<string, unknown> => ({
  id: flavor.id,
  name: flavor.name,
  vcpus: flavor.vcpus,
  ram: flavor.ram,
  disk: flavor.disk,
  'OS-FLV-EXT-DATA:ephemeral': 0,
  swap: 0,
  rxtx_factor: 1.0,
  'os-flavor-access:is_public': true,
  description: null,
  links: [{ rel: 'self', href: `${computeUrl}/flavors/${flavor.id}` }],
});

import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Whether this machine exposes sockets under /proc (Linux). */
export const canListSockets = existsSync('/proc/net/tcp');

/**
 * The TCP ports a process listens on (Linux, from /proc): its socket descriptors matched with
 * the kernel's table of listening sockets. Sorted ascending.
 */
export function listeningPorts(pid: number = process.pid): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed while listing
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] !== '0A' || !inodes.has(cols[9] ?? '')) continue; // 0A: LISTEN
      ports.push(Number.parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

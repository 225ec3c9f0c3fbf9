import { readFileSync } from 'node:fs';

/**
 * The numeric id of a group from /etc/group, or null when it does not exist (a development machine
 * has no group anju). No getgrnam(3) in Node; /etc/group is where Debian's users and groups live.
 */
export function groupId(name: string, groupFile = '/etc/group'): number | null {
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return null;
}

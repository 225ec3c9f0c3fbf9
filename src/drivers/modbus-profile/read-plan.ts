import { registerWidth, type ModbusProfile } from './profile-schema.js';

/** One read request: `count` registers from `address` with function 3 or 4. */
export interface ReadBlock {
  readonly function: 3 | 4;
  readonly address: number;
  readonly count: number;
}

/** What came back for one read block: one 16-bit word per register. */
export interface RegisterRead extends ReadBlock {
  readonly words: readonly number[];
}

/** Modbus Application Protocol v1.1b3, 6.3/6.4: at most 125 registers per read. */
export const MAX_REGISTERS_PER_READ = 125;

/**
 * The fewest reads that cover every point of a profile. Points are merged only when their
 * registers touch: many devices answer exception 02 (illegal data address) to a read that spans an
 * undefined register, so we never read a gap.
 */
export function planReads(profile: ModbusProfile): ReadBlock[] {
  const blocks: Array<{ function: 3 | 4; address: number; count: number }> = [];
  const sorted = [...profile.points].sort((a, b) => a.function - b.function || a.address - b.address);
  for (const pt of sorted) {
    const width = registerWidth(pt.type);
    const last = blocks.at(-1);
    if (last && last.function === pt.function && last.address + last.count === pt.address && last.count + width <= MAX_REGISTERS_PER_READ) {
      last.count += width;
    } else {
      blocks.push({ function: pt.function, address: pt.address, count: width });
    }
  }
  return blocks;
}

/**
 * Little-endian cursor over a characteristic value. GATT fields are little-endian (Bluetooth Core
 * Specification, Vol 3, Part G, 3.3.3.5 "Characteristic Value": "multi-octet fields ... shall be
 * transmitted least significant octet first"). Reading past the end returns null instead of
 * throwing, so a truncated notification becomes a "too short" result, not an exception.
 */
export class LeReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number | null {
    if (this.remaining < 1) return null;
    return this.bytes[this.offset++]!;
  }

  u16(): number | null {
    if (this.remaining < 2) return null;
    const v = this.bytes[this.offset]! | (this.bytes[this.offset + 1]! << 8);
    this.offset += 2;
    return v;
  }

  u24(): number | null {
    if (this.remaining < 3) return null;
    const v = this.bytes[this.offset]! | (this.bytes[this.offset + 1]! << 8) | (this.bytes[this.offset + 2]! << 16);
    this.offset += 3;
    return v;
  }
}

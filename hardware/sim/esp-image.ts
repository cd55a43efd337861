import { createHash } from "node:crypto";

/**
 * A minimal but valid ESP application image for a chip (esptool's documented image format: an
 * 8-byte header, the 16-byte extended header whose `chip_id` names the chip, segments, the
 * checksum byte at the end of a 16-byte padded block, then a SHA-256 of everything before it).
 * esptool's `image-info` reads it like a real build; the simulated lab and the tests flash it.
 */

/** esptool's chip ids (ESP_CHIP_ID in esptool's image format) for the chips a slot may name. */
export const CHIP_IDS: Record<string, number> = {
  esp32: 0,
  esp32s2: 2,
  esp32c3: 5,
  esp32s3: 9,
  esp32c2: 12,
  esp32c6: 13,
  esp32h2: 16,
  esp32p4: 18,
};

const MAGIC = 0xe9;
const CHECKSUM_SEED = 0xef;
const LOAD_ADDRESS = 0x3ffb0000;
const ENTRY = 0x40080000;

/** The image bytes; `payload` becomes its one segment (padded to a multiple of 4). */
export function espImage(chip: string, payload: Buffer): Buffer {
  const id = CHIP_IDS[chip];
  if (id === undefined) throw new Error(`no ESP chip id known for ${JSON.stringify(chip)}`);
  const data = Buffer.concat([payload, Buffer.alloc((4 - (payload.length % 4)) % 4)]);
  const header = Buffer.alloc(24);
  header.writeUInt8(MAGIC, 0);
  header.writeUInt8(1, 1); // segments
  header.writeUInt8(2, 2); // flash mode DIO
  header.writeUInt8(0x20, 3); // 4MB, 40m
  header.writeUInt32LE(ENTRY, 4);
  header.writeUInt8(0xee, 8); // WP pin disabled
  header.writeUInt16LE(id, 12);
  header.writeUInt16LE(0xffff, 17); // max chip revision: any
  header.writeUInt8(1, 23); // SHA-256 appended
  const segment = Buffer.alloc(8);
  segment.writeUInt32LE(LOAD_ADDRESS, 0);
  segment.writeUInt32LE(data.length, 4);
  let checksum = CHECKSUM_SEED;
  for (const b of data) checksum ^= b;
  const body = Buffer.concat([header, segment, data]);
  const pad = 15 - (body.length % 16);
  const image = Buffer.concat([body, Buffer.alloc(pad), Buffer.from([checksum])]);
  return Buffer.concat([image, createHash("sha256").update(image).digest()]);
}

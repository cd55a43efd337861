import { appendFileSync } from "node:fs";
import { acquireLock } from "../../../../hardware/lock.ts";

/**
 * Lock contender process: `node --import tsx contender.ts <lockPath> <log> <tag> <count>` starts
 * <count> concurrent contenders; each holds the lock for ~5 ms and appends
 * "<tag>-<i> start|end <hrtime ns>" to <log> (O_APPEND, so lines from all processes interleave
 * but never tear).
 */
const [path, log, tag, count] = process.argv.slice(2) as [string, string, string, string];

async function contend(i: number) {
  const lock = await acquireLock(path, { waitSeconds: 120 });
  appendFileSync(log, `${tag}-${i} start ${process.hrtime.bigint()}\n`);
  await new Promise((r) => setTimeout(r, 5));
  appendFileSync(log, `${tag}-${i} end ${process.hrtime.bigint()}\n`);
  lock.release();
}

Promise.all(Array.from({ length: Number(count) }, (_, i) => contend(i))).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

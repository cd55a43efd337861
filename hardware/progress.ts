import { SingleBar } from "cli-progress";

/**
 * Progress of a long step: a cli-progress bar when the stream is a TTY, otherwise one plain
 * line per 10 % step (CI logs stay readable and greppable).
 */
export interface Progress {
  update(percent: number): void;
  stop(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}%`,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(100, 0);
    return {
      update: (p) => bar.update(Math.round(p)),
      stop: () => bar.stop(),
    };
  }
  let lastStep = -1;
  return {
    update(p) {
      const step = Math.floor(p / 10);
      if (step > lastStep) {
        lastStep = step;
        stream.write(`${label} ${step * 10}%\n`);
      }
    },
    stop() {},
  };
}

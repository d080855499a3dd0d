/**
 * A progress bar with rate and ETA on a terminal, and a quiet line every 10% otherwise.
 */
export class Progress {
  private readonly started = performance.now();
  private lastPercent = -1;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY) && !process.env.CI;
  }

  update(done: number, total: number, extra = ""): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
    const figures = `${done}/${total} ${rate.toFixed(1)}/s ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : "?"}${extra ? ` ${extra}` : ""}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round((width * percent) / 100);
      this.stream.write(`\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${figures}\x1b[K`);
      if (done >= total) this.stream.write("\n");
    } else if (percent >= this.lastPercent + 10 || done >= total) {
      this.lastPercent = percent - (percent % 10);
      this.stream.write(`${this.label}: ${percent}% ${figures}\n`);
    }
  }
}

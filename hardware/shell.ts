/**
 * POSIX single-quote quoting for a command line a shell runs (SSH exec, a ws2 step): a word made
 * only of characters no shell treats specially stays as it is, any other is single-quoted. Used by
 * HUT actions on runner hosts, the WireGuard ssh transport and the hardware lane's steps.
 */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, every word quoted. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}

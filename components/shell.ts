/**
 * POSIX single-quote quoting for a command line a remote shell runs (SSH exec): a word made only
 * of characters no shell treats specially stays as it is, any other is single-quoted. Used by HUT
 * actions on runner hosts and by the WireGuard ssh transport.
 */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

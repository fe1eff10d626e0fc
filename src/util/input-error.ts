// Bad input (a rule, config, snapshot or waiver file): one message naming the file, the line and
// what is wrong. The CLI turns it into exit 2 before anything is written.
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'InputError';
  }
}

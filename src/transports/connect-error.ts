/** A connection failure with the lines WinSCP prints. */
export class ConnectError extends Error {
  constructor(readonly lines: string[]) {
    super(lines[0]);
    this.name = 'ConnectError';
  }
}

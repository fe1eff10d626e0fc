// Progress on stderr: one line redrawn in place on a terminal, plain lines in a log.
import type { ProgressEvent } from '../collect/scan.js';
import type { CliIO } from './io.js';

export class Progress {
  private accounts = 0;
  private done = 0;
  private trails = 0;
  private phase = 'accounts';
  private lastDraw = 0;

  constructor(
    private readonly io: CliIO,
    private readonly calls: () => number,
  ) {}

  on = (event: ProgressEvent): void => {
    switch (event.kind) {
      case 'discovered':
        this.accounts = event.toScan;
        this.line(`discovered ${event.accounts} account(s)${event.organization ? ' in the organization' : ''}; scanning ${event.toScan}`);
        break;
      case 'account-done':
        this.done++;
        this.trails += event.trails;
        if (!this.redraw) {
          this.line(`account ${event.accountId} (${event.name}): ${event.status}, ${event.regions} region(s), ${event.trails} trail listing(s)`);
        }
        break;
      case 'phase':
        this.phase = event.phase === 'done' ? 'done' : event.phase === 'trails' ? 'trail configuration' : 'linked resources';
        if (!this.redraw && event.phase !== 'done') this.line(`reading ${this.phase}`);
        break;
    }
    this.draw(event.kind === 'phase' && event.phase === 'done');
  };

  /** In place on a terminal, through the IO's one raw control sequence; plain lines otherwise. */
  private get redraw(): ((text: string) => void) | undefined {
    return this.io.stderrIsTTY ? this.io.redraw : undefined;
  }

  private line(text: string): void {
    (this.redraw ?? this.io.stderr)(`${text}\n`);
  }

  private draw(final: boolean): void {
    const redraw = this.redraw;
    if (!redraw) return;
    const now = Date.now();
    if (!final && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const text = `scanning: ${this.done}/${this.accounts} accounts · ${this.phase} · ${this.calls()} API calls`;
    redraw(`${text}${final ? '\n' : ''}`);
  }
}

/**
 * The security suite's score sheet: per class of hostile input, how many attempts and how many wrong
 * outcomes (each wrong one kept with a short reason, printed and asserted on), plus the four figures the
 * last line prints: `security-suite attempts=N wrong=0 http_5xx=0 takeovers=0 leaks=0`.
 */
export type Figure = 'http_5xx' | 'takeovers' | 'leaks';

export class Tally {
  readonly #classes = new Map<string, { attempts: number; wrong: string[] }>();
  readonly figures: Record<Figure, number> = { http_5xx: 0, takeovers: 0, leaks: 0 };

  #of(cls: string) {
    let c = this.#classes.get(cls);
    if (!c) {
      c = { attempts: 0, wrong: [] };
      this.#classes.set(cls, c);
    }
    return c;
  }

  /** One attempt of `cls`; `problem` is undefined when the outcome was right, else why it was wrong. */
  record(cls: string, problem: string | undefined, figure?: Figure): void {
    const c = this.#of(cls);
    c.attempts++;
    if (problem === undefined) return;
    c.wrong.push(problem);
    if (figure) this.figures[figure]++;
  }

  wrong(cls: string): string[] {
    return this.#of(cls).wrong;
  }

  get attempts(): number {
    return [...this.#classes.values()].reduce((n, c) => n + c.attempts, 0);
  }

  get wrongTotal(): number {
    return [...this.#classes.values()].reduce((n, c) => n + c.wrong.length, 0);
  }

  /** One line per class, then the summary line. */
  report(): string {
    const lines = [...this.#classes].map(
      ([cls, c]) =>
        `security ${cls}: attempts=${c.attempts} wrong=${c.wrong.length}` +
        (c.wrong.length ? `\n  ${c.wrong.slice(0, 10).join('\n  ')}` : ''),
    );
    const f = this.figures;
    lines.push(
      `security-suite attempts=${this.attempts} wrong=${this.wrongTotal} http_5xx=${f.http_5xx} ` +
        `takeovers=${f.takeovers} leaks=${f.leaks}`,
    );
    return lines.join('\n');
  }
}

import { createInterface, type Interface } from 'node:readline';
import { CliExit } from './local-agent.ts';

/** Asks one question, bilingual; `def` is shown and taken when the answer is blank. `close()` lets stdin go. */
export type Ask = ((zh: string, en: string, def?: string) => Promise<string>) & { close(): void };

/**
 * Prompts on the terminal when stdin is one, else undefined: a script without a terminal must pass every
 * flag, and a missing one is an error naming the flag (`requireValue`), not a hang. One line reader serves
 * every question, so answers typed or pasted ahead are kept for the questions that follow.
 */
export function terminalPrompter(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Ask | undefined {
  if (!input.isTTY) return undefined;
  let rl: Interface | undefined;
  let lines: AsyncIterator<string> | undefined;
  const ask = async (zh: string, en: string, def?: string) => {
    rl ??= createInterface({ input, output: process.stderr });
    lines ??= rl[Symbol.asyncIterator]();
    rl.setPrompt(`${zh} / ${en}${def ? ` [${def}]` : ''}: `);
    rl.prompt();
    const next = await lines.next();
    if (next.done)
      throw new CliExit(2, 'input ended before every question was answered / 输入在回答完之前结束');
    return next.value.trim() || def || '';
  };
  return Object.assign(ask, { close: () => rl?.close() });
}

/** The flag's value, else the answer to the prompt, else exit 2 naming the flag. */
export async function requireValue(
  value: string | undefined,
  flag: string,
  ask: Ask | undefined,
  zh: string,
  en: string,
): Promise<string> {
  if (value !== undefined && value !== '') return value;
  if (ask) {
    const answer = await ask(zh, en);
    if (answer) return answer;
  }
  throw new CliExit(
    2,
    `missing ${flag} / 缺少 ${flag}${ask ? '' : ' (no terminal to ask on / 没有终端可提问)'}`,
  );
}

import { createInterface } from 'node:readline/promises';
import { CliExit } from './local-agent.ts';

/** Asks one question, bilingual; `def` is shown and taken when the answer is blank. */
export type Ask = (zh: string, en: string, def?: string) => Promise<string>;

/**
 * Prompts on the terminal when stdin is one, else undefined: a script without a terminal must pass every
 * flag, and a missing one is an error naming the flag (`requireValue`), not a hang.
 */
export function terminalPrompter(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Ask | undefined {
  if (!input.isTTY) return undefined;
  return async (zh, en, def) => {
    const rl = createInterface({ input, output: process.stderr });
    try {
      const answer = (await rl.question(`${zh} / ${en}${def ? ` [${def}]` : ''}: `)).trim();
      return answer || def || '';
    } finally {
      rl.close();
    }
  };
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

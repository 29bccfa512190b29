import { createInterface } from 'node:readline/promises';
import type { CommandContext } from './context.js';
import { CliError, UsageError } from './usage-error.js';

/**
 * Destructive commands ask first on a terminal; elsewhere (CI, a pipe) they need -y, so a script
 * never hangs on a question nobody can answer, and never destroys data it was not told to.
 */
export async function confirmDestructive(context: CommandContext, action: string, question: string): Promise<void> {
  if (context.flag('yes')) return;
  const { stdin, stderr } = context.io;
  if (!stdin.isTTY) {
    throw new UsageError(`refusing to ${action} without confirmation: stdin is not a terminal`, {
      code: 'CONFIRMATION_REQUIRED',
      hint: 'pass -y (--yes) to confirm',
    });
  }
  context.out.live.clear();
  const prompt = createInterface({ input: stdin, output: stderr as NodeJS.WritableStream, terminal: true });
  let answer = '';
  try {
    const asked = prompt.question(`${question} [y/N] `);
    const interrupted = new Promise<string>((resolve) => prompt.once('SIGINT', () => resolve('')));
    answer = await Promise.race([asked, interrupted]);
  } finally {
    prompt.close();
  }
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new CliError(`aborted: did not ${action}`, { code: 'ABORTED', exitCode: 1 });
  }
}

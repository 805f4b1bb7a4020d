import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';
import { parseJsonText } from './json-text.js';

/** Reads a text file, or standard input when the path is `-`. */
export async function readText(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error);
    throw new CliError(`cannot read ${path}: ${reason}`, { cause: error });
  }
}

/** Reads and parses a JSON file (`-` for stdin); syntax errors name the line and column. */
export async function readJsonFile(path: string): Promise<unknown> {
  return parseJsonText(await readText(path), path === '-' ? '<stdin>' : path);
}

/** Prints a value as indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

import type { Command } from 'commander';

export function registerInvoke(program: Command): void {
  program.command('invoke').description('(not yet available)');
}

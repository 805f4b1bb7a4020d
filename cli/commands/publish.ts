import type { Command } from 'commander';

export function registerPublish(program: Command): void {
  program.command('publish').description('(not yet available)');
}

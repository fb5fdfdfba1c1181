import { UsageError } from './args.js';
import type { Command } from './command.js';

/**
 * `switchyard <command>`. Commands load lazily so `switchyard engine` does not pay for the gateway's
 * dependencies and the other way round.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  // One line per command, in the order `switchyard --help` lists them.
  serve: { summary: 'run the gateway (OpenAI-compatible API in front of your fleet)', load: () => import('./commands/serve.js') },
  keys: { summary: 'create, list and revoke API keys', load: () => import('./commands/keys.js') },
  tenants: { summary: 'list tenants, set the budget shared by their keys', load: () => import('./commands/tenants.js') },
  usage: { summary: 'usage, cost and energy from the ledger', load: () => import('./commands/usage.js') },
  engine: { summary: 'run emulated inference replicas paced by the engine model', load: () => import('./commands/engine.js') },
  sim: { summary: 'replay a trace or synthetic workload against a fleet on a virtual clock', load: () => import('./commands/sim.js') },
};

function help(): string {
  const lines = ['usage: switchyard <command> [options]', '', 'commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${command.summary}`);
  lines.push('', 'Run `switchyard <command> --help` for its options.');
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 1 : 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    console.error(`switchyard: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = (await entry.load()).default;
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`switchyard: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  },
);

/** A subcommand: `switchyard <name> ...`. Each lives in `src/cli/commands/<name>.ts` and default-exports one. */
export interface Command {
  name: string;
  summary: string;
  /** Runs the command; resolves to the process exit code. Long-running commands resolve when stopped. */
  run(argv: readonly string[]): Promise<number>;
}

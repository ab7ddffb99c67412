// What a command of `sync-webhook` is: its name, usage and options (read by node:util's parseArgs),
// and what it runs. commands.ts lists them; a new command is one more entry there.
import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context.js';

export type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

/** The command line after the command's name, parsed. */
export interface CommandInput {
  positionals: readonly string[];
  /** A string option's value, if given. */
  string(name: string): string | undefined;
  /** A boolean option: given or not. */
  flag(name: string): boolean;
  /** A repeatable string option's values, in the order given (none: empty). */
  strings(name: string): string[];
}

export interface Command {
  name: string;
  /** "retry <id> | retry --failed": the command line, after "sync-webhook ". */
  usage: string;
  /** One line for the list of commands. */
  summary: string;
  options: OptionsSpec;
  positionals: { min: number; max: number };
  /** Lines under the usage in `sync-webhook help <command>`: the arguments and options. */
  help: readonly string[];
  /** The exit code; 'serving' when the service now runs in this process and the process must stay. */
  run(input: CommandInput, ctx: CliContext): Promise<number | 'serving'>;
}

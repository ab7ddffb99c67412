// `sync-webhook [command] [options]`: finds the command, parses its options with node:util's
// parseArgs, runs it, and turns what went wrong into a message on stderr and an exit code (EXIT).
import { parseArgs } from 'node:util';
import { SECRET_VARIABLES } from '../config/env.js';
import { type Config, loadConfig, secretsOf } from '../config/load.js';
import { ConfigError } from '../config/schema.js';
import { coerceError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import type { Command, CommandInput } from './command.js';
import { COMMANDS } from './commands.js';
import type { CliAdapters, CliContext, Output } from './context.js';
import { EXIT, ServiceUnreachableError, UsageError } from './exit-codes.js';

const HELP_WORDS = new Set(['help', '--help', '-h']);

/** Runs one command line; resolves with the exit code, or 'serving' while the service runs in this process. */
export async function runCli(argv: readonly string[], adapters: CliAdapters): Promise<number | 'serving'> {
  const ctx = withSecretsMasked(adapters);
  const [name = 'serve', ...rest] = argv;
  if (HELP_WORDS.has(name)) return help(rest[0], ctx);
  if (name === '--version' || name === '-V') {
    ctx.stdout.write(`sync-webhook ${ctx.version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return unknownCommand('sync-webhook', name, ctx.stderr);
  try {
    const input = parseInput(command, rest);
    if (input === 'help') {
      ctx.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(input, ctx);
  } catch (error) {
    return report(command, error, ctx.stderr);
  }
}

function parseInput(command: Command, args: readonly string[]): CommandInput | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(coerceError(error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  const { min, max } = command.positionals;
  if (positionals.length > max) {
    const extra = positionals.slice(max).map((p) => JSON.stringify(p));
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')}`);
  }
  if (positionals.length < min) throw new UsageError('an argument is missing');
  return {
    positionals,
    string: (option) => {
      const value = values[option];
      return typeof value === 'string' ? value : undefined;
    },
    flag: (option) => values[option] === true,
    strings: (option) => {
      const value = values[option];
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    },
  };
}

function report(command: Command, error: unknown, stderr: Output): number {
  const prefix = `sync-webhook ${command.name}:`;
  if (error instanceof UsageError) {
    stderr.write(
      `${prefix} ${error.message}\nUsage: sync-webhook ${command.usage}\n` +
        `Run "sync-webhook help ${command.name}" for its options.\n`,
    );
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    stderr.write(`${prefix} configuration error: ${error.message}\n`);
    return EXIT.usage;
  }
  stderr.write(`${prefix} ${coerceError(error).message}\n`);
  // ServiceFailureError, and anything unforeseen, is a failure.
  return error instanceof ServiceUnreachableError ? EXIT.unreachable : EXIT.failed;
}

function help(topic: string | undefined, ctx: CliContext): number {
  if (topic === undefined) {
    ctx.stdout.write(overview());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === topic);
  if (!command) return unknownCommand('sync-webhook help', topic, ctx.stderr);
  ctx.stdout.write(commandHelp(command));
  return EXIT.ok;
}

function unknownCommand(prefix: string, name: string, stderr: Output): number {
  const names = COMMANDS.map((c) => c.name).join(', ');
  stderr.write(
    `${prefix}: unknown command ${JSON.stringify(name)}; the commands are ${names}. Run "sync-webhook help".\n`,
  );
  return EXIT.usage;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: sync-webhook [command] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'jobs, retry, sync, test and summary ask the running service: at SYNC_URL or --url, else',
    'http://127.0.0.1:$SYNC_PORT, with the credentials the service reads (SYNC_API_KEY, or',
    'SYNC_USERNAME and SYNC_PASSWORD).',
    '',
    'Exit codes: 0 done; 1 the service answered with a failure, or doctor found a problem;',
    '2 wrong command line or configuration; 3 the service cannot be reached.',
    '',
    'Run "sync-webhook help <command>" for its options. More in docs/cli.md.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `Usage: sync-webhook ${command.usage}`,
    '',
    command.summary,
    ...(command.help.length > 0 ? ['', ...command.help.map((line) => `  ${line}`)] : []),
    '',
  ].join('\n');
}

/**
 * The context a command gets: its output masks the secrets of the environment, and those of the
 * configuration once a command has read it, so no path of a command can print one.
 */
function withSecretsMasked(adapters: CliAdapters): CliContext {
  const secrets = SECRET_VARIABLES.map((name) => adapters.env[name]?.trim() ?? '');
  let mask = redactor(secrets);
  const masked = (output: Output): Output => ({
    isTTY: output.isTTY,
    ...(output.columns !== undefined ? { columns: output.columns } : {}),
    write: (text) => output.write(mask(text)),
  });
  let config: Config | undefined;
  return {
    ...adapters,
    stdout: masked(adapters.stdout),
    stderr: masked(adapters.stderr),
    config() {
      if (!config) {
        config = loadConfig(adapters.env, adapters.readFile, adapters.findProgram);
        mask = redactor([...secrets, ...secretsOf(config)]);
      }
      return config;
    },
  };
}

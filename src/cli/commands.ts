// Every command of `sync-webhook`, in the order `sync-webhook help` lists them. A new command is one more
// entry in COMMANDS.
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { reconcileCommand } from './reconcile-command.js';
import { jobsCommand, retryCommand, summaryCommand, syncCommand, testCommand } from './service-commands.js';

const serveCommand: Command = {
  name: 'serve',
  usage: 'serve',
  summary: 'Run the service (what runs without a command)',
  options: {},
  positionals: { min: 0, max: 0 },
  help: ['Reads the environment and the mappings file, and listens on SYNC_HOST:SYNC_PORT until SIGTERM.'],
  async run(_input, ctx) {
    await ctx.serve();
    return 'serving';
  },
};

const doctorCommand: Command = {
  name: 'doctor',
  usage: 'doctor',
  summary: 'Check rsync, each mapping, the database and the notification targets; no service needed',
  options: {},
  positionals: { min: 0, max: 0 },
  help: [
    'Prints what it checked and what to fix. Exits 1 when something must be fixed.',
    'Sends no message and scans nothing: Telegram and Plex are asked read-only questions.',
  ],
  async run(_input, ctx) {
    // Loaded on demand: the database driver and the share checks are not needed by the other commands.
    const { runDoctor } = await import('./doctor/doctor.js');
    return (await runDoctor(ctx)) ? EXIT.ok : EXIT.failed;
  },
};

export const COMMANDS: readonly Command[] = [
  serveCommand,
  doctorCommand,
  jobsCommand,
  retryCommand,
  syncCommand,
  testCommand,
  summaryCommand,
  reconcileCommand,
];

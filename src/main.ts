// Reads the configuration, starts the service with the real adapters, and stops it on a signal.
// Nothing else reads process.env.
import { readFileSync } from 'node:fs';
import { type Config, loadConfig, secretsOf } from './config/load.js';
import { coerceError, SetupError } from './core/errors.js';
import { TIMING } from './core/timing.js';
import { createHistoryLog } from './log/history.js';
import { createLogger } from './log/logger.js';
import { createService } from './service/create-service.js';
import { systemAdapters } from './service/system-adapters.js';
import { findProgram } from './system/find-program.js';
import { rootWarning } from './system/root-warning.js';
import { onStopSignals } from './system/stop-signals.js';

function readConfigOrExit(): Config {
  try {
    return loadConfig(
      process.env,
      (path) => readFileSync(path, 'utf8'),
      (name) => findProgram(name, process.env.PATH),
    );
  } catch (error) {
    process.stderr.write(`sync-webhook: configuration error: ${coerceError(error).message}\n`);
    process.exit(2);
  }
}

function openLogsOrExit(config: Config) {
  try {
    const { log, close } = createLogger({
      level: config.log.level,
      format: config.log.format,
      logDir: config.log.path,
      timeZone: config.timeZone,
      secrets: secretsOf(config),
    });
    return { log, history: createHistoryLog(config.log.path, config.timeZone), closeLogs: close };
  } catch (error) {
    const why = coerceError(error).message;
    process.stderr.write(`sync-webhook: SYNC_LOG_PATH (${config.log.path}) cannot be created or written: ${why}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = readConfigOrExit();
  const { log, history, closeLogs } = openLogsOrExit(config);
  const asRoot = rootWarning(process.getuid?.());
  if (asRoot) log.warn(asRoot);
  const exit = (code: number) => {
    history.close();
    closeLogs();
    process.exit(code);
  };
  try {
    const service = createService(config, systemAdapters(config, { log, history, exit }));
    await service.start();
    await service.listen();
    onStopSignals({ log, graceMs: TIMING.shutdownGraceMs, exit }, async () => {
      await service.stop();
      exit(0);
    });
  } catch (error) {
    log.fatal(coerceError(error).message);
    // rsync missing or too old: like a bad setting, a restart cannot fix it.
    exit(error instanceof SetupError ? 2 : 1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sync-webhook: failed to start: ${coerceError(error).stack ?? String(error)}\n`);
  process.exit(1);
});

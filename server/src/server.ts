// The process entry point: read the environment, load the config, start the service, and shut it
// down with grace on SIGTERM/SIGINT. Everything else is in service.ts.
import { ConfigError, loadConfig, unknownEnvVars, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { createService } from './service.ts';

function readConfig(): Config {
  try {
    return loadConfig({ env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      // No logger yet (its level is configuration too): plain stderr for the operator.
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

const config = readConfig();
const logger = createLogger(config.log);
const unknown = unknownEnvVars(process.env);
if (unknown.length > 0) logger.warn({ variables: unknown }, 'unknown HOTLINE_* variables ignored');

const service = await createService(config, logger);

function exit(code: number): never {
  logger.flush();
  process.exit(code);
}

let stopping = false;
async function stop(reason: string, code: number): Promise<void> {
  if (stopping) {
    // A second signal means the operator will not wait: leave now.
    logger.warn({ reason }, 'second stop request: exiting without waiting');
    exit(1);
  }
  stopping = true;
  logger.info({ reason }, 'stop requested');
  const result = await service.stop();
  exit(result.completed ? code : 1);
}

process.on('SIGTERM', () => void stop('SIGTERM', 0));
process.on('SIGINT', () => void stop('SIGINT', 0));
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  void stop('uncaughtException', 1);
});
process.on('unhandledRejection', (err) => {
  logger.fatal({ err }, 'unhandled rejection');
  void stop('unhandledRejection', 1);
});

try {
  const { url } = await service.start();
  logger.info({ url }, 'listening');
} catch (err) {
  logger.fatal({ err }, 'start failed');
  await service.stop();
  exit(1);
}

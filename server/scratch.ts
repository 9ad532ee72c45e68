import { loadConfig } from './src/config.ts';
import { createLogger } from './src/log.ts';
import { createService } from './src/service.ts';
const config = loadConfig({ env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'info' } });
const svc = await createService(config, createLogger(config.log));
console.log(await svc.start());
for (const url of ['/docs/json']) {
  const r = await svc.app.inject({ url });
  console.log(url, r.statusCode, r.headers['content-type'], r.body);
}
console.log(await svc.stop());

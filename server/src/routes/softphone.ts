// The agents' softphone: its built files (softphone-web/dist) at /, and GET /api/softphone/config,
// which tells a logged-in agent's browser which phone to run (WebRTC over FreeSWITCH's WSS profile,
// or fsim's simulated phone) and the answer target its countdown shows.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { Auth } from '../auth/auth.ts';
import type { Config } from '../config.ts';
import { markPublic, principalOf } from '../plugins/app/authz.ts';
import type { SoftphoneConfig } from '../realtime/events.ts';

export interface SoftphoneRoutesOptions {
  auth: Auth;
  config: Config;
}

/** softphone-web/dist beside the server package (the repository layout). */
export const DEFAULT_STATIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../softphone-web/dist');

const softphoneRoutes: FastifyPluginAsync<SoftphoneRoutesOptions> = async (fastify, { auth, config }) => {
  // Not needed before login: the login page is the static bundle; this comes after, with the token.
  fastify.get('/api/softphone/config', { config: { access: 'softphone:config' }, schema: { tags: ['auth'], summary: "The agent's phone settings" } }, async (req, reply) => {
    const principal = principalOf(req);
    if (!principal.agentId) return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'agent token without agentId: no softphone' });
    const phone = config.desk.phone;
    if (!phone) return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'no phone is configured (desk.phone)' });
    const body: SoftphoneConfig = {
      phone:
        phone.kind === 'simulated'
          ? { kind: 'simulated', controlUrl: phone.controlUrl.replace(/\/$/, ''), user: principal.agentId }
          : { kind: 'sip', wssUrl: phone.wssUrl, domain: phone.domain, user: principal.agentId, password: auth.sipPassword(principal.username) ?? '', iceServers: phone.iceServers.map((s) => ({ urls: s.urls })) },
      answerTargetSec: config.sla.thresholdSec,
      wrapUpSec: config.acd.wrapUpSec,
      ...(config.desk.demo ? { demo: { ...config.desk.demo, robots: [...config.desk.demo.robots] } } : {}),
    };
    // Carries a SIP password: never cached.
    return reply.header('cache-control', 'no-store').send(body);
  });

  const root = config.desk.staticDir ?? DEFAULT_STATIC_DIR;
  if (existsSync(path.join(root, 'index.html'))) {
    // The softphone's files are public: its login page is among them. They hold no data or secret.
    await fastify.register(async (files) => {
      markPublic(files);
      await files.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: false });
    });
  } else {
    fastify.log.warn({ root }, 'softphone not built (npm run build -w softphone-web): / serves nothing');
  }
};

export default softphoneRoutes;

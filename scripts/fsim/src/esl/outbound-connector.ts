// The dialplan `socket` application's side of an outbound event socket: connect to the service's
// listener, wait for its `connect`, answer with the channel data and then serve the same command
// set as an inbound listener bound to this channel (EslSession with `outbound`).
//
// When the promise settles (what the socket application's return means to the dialplan):
// - async mode: the app parks the channel after `connect` and returns when the park ends - the
//   channel hangs up, or leaves the park (CHANNEL_UNPARK, e.g. uuid_transfer from the inbound side),
//   or the listener goes away (with or without `resume`: the real FreeSWITCH 1.10.12 then goes on
//   with the next dialplan action, differential-switch.test.ts).
// - static mode: the app runs the listener inline and returns when the listener ends.
// The socket itself may outlive the promise: with `linger` FreeSWITCH keeps sending the channel's
// remaining events after the hangup notice and leaves closing to the listener (capture 13).
// The promise rejects only when the TCP connect fails.

import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { FsEvent, OutboundConnector, SwitchFacade } from '../types.ts';
import { EslSession } from './session.ts';
import { eventHeader } from './subscription.ts';

export interface OutboundConnectorOptions {
  readonly sw: SwitchFacade;
  readonly logger?: Logger;
}

export function createOutboundConnector(opts: OutboundConnectorOptions): OutboundConnector {
  const { sw, logger } = opts;
  return (args) =>
    new Promise<void>((resolve, reject) => {
      const log = logger?.child({ uuid: args.uuid, listener: `${args.host}:${args.port}` });
      const socket = connect({ host: args.host, port: args.port });
      let settled = false;
      let session: EslSession | undefined;
      let stopWatch: (() => void) | undefined;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        stopWatch?.();
        if (err) reject(err);
        else resolve();
      };

      socket.once('error', (err) => {
        if (!session) settle(err); // connect failed: the dialplan goes on with the next action
      });
      socket.on('error', (err) => log?.debug({ err }, 'outbound socket error'));

      socket.once('connect', () => {
        try {
          // Park watch: in async mode the app returns when the channel leaves the park or hangs up.
          const watch = (ev: FsEvent): void => {
            if ((eventHeader(ev, 'unique-id') ?? ev.uuid) !== args.uuid) return;
            if (/^CHANNEL_(HANGUP|HANGUP_COMPLETE|DESTROY)$/.test(ev.name)) settle();
            else if (args.async && ev.name === 'CHANNEL_UNPARK' && session?.connected) settle();
          };
          stopWatch = sw.onChannelEvent ? sw.onChannelEvent(args.uuid, watch) : sw.onEvent(watch);
          const fire = (ev: FsEvent): void => {
            if (sw.fireEvent) sw.fireEvent(ev);
            else session?.deliver(ev);
          };
          session = new EslSession({
            sw,
            socket,
            logger: log,
            outbound: { uuid: args.uuid, async: args.async, full: args.full },
            fire,
            onConnected: () => args.onConnected?.(),
            // The listener is gone (closed, exit, resume): the socket application returns and the
            // dialplan goes on with its next action (the real switch: CHANNEL_UNPARK,
            // CHANNEL_EXECUTE_COMPLETE socket, then the next CHANNEL_EXECUTE; differential test).
            onEnd: () => settle(),
          });
          if (!sw.channelExists(args.uuid)) log?.debug('channel already gone at connect');
        } catch (err) {
          log?.error({ err }, 'outbound session setup failed');
          socket.destroy();
          settle();
        }
      });
    });
}

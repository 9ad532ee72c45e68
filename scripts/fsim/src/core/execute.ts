// Running applications: one application with CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE around it
// (switch_core_session_exec), and the dialplan loop CS_ROUTING -> CS_EXECUTE that transfers re-enter.
import { randomUUID } from 'node:crypto';
import type { Header } from '../types.ts';
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { runApp } from './apps.ts';

/** Run one application with CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE around it. */
export async function executeApp(sw: SwitchCore, ch: Channel, app: string, rawArg: string, eventUuid?: string): Promise<string> {
  if (ch.isHungUp) return '';
  const arg = sw.expand(rawArg, ch.vars.toObject());
  const appUuid = eventUuid ?? randomUUID();
  ch.vars.unset('current_application_response');
  ch.vars.set('current_application', app);
  ch.vars.set('current_application_data', arg);
  const appHeaders: Header[] = [['Application', app]];
  if (arg) appHeaders.push(['Application-Data', arg]);
  sw.chEvent('CHANNEL_EXECUTE', ch, { post: [...appHeaders, ['Application-UUID', appUuid]] });
  ch.vars.set('current_application_data', arg);
  ch.vars.set('current_application', app);
  const wasBusy = ch.busy;
  ch.busy = true;
  ch.appDepth++;
  let response = '_none_';
  try {
    response = (await runApp(sw, ch, app, arg)) ?? '_none_';
  } catch (e) {
    sw.log.warn?.(`app ${app} failed`, e);
  } finally {
    ch.busy = wasBusy;
    ch.appDepth--;
  }
  if (response !== '_none_') ch.vars.set('current_application_response', response);
  sw.chEvent('CHANNEL_EXECUTE_COMPLETE', ch, {
    post: [...appHeaders, ['Application-Response', response], ['Application-UUID', appUuid]],
  });
  return response;
}

/** Route (CS_ROUTING) and execute (CS_EXECUTE) in a loop, as transfers re-enter routing. */
export async function routeAndExecute(sw: SwitchCore, ch: Channel, transferred = false): Promise<void> {
  ch.busy = true;
  try {
    for (let pass = transferred ? 1 : 0; pass < 20 && !ch.isHungUp; pass++) {
      const p = ch.profile;
      if (!p) break;
      if (pass > 0) {
        sw.setCallState(ch, 'RINGING');
        sw.request(ch, 'CS_ROUTING');
      }
      sw.run(ch, 'CS_ROUTING');
      sw.eb.nextSequence(); // FreeSWITCH fires one undelivered event here (sequence gap in captures)
      const result = sw.router({
        context: p.context, destinationNumber: p.destinationNumber,
        fields: {
          caller_id_name: p.callerIdName, caller_id_number: p.callerIdNumber, ani: p.ani,
          destination_number: p.destinationNumber, network_addr: p.networkAddr, context: p.context,
          username: p.username ?? '', dialplan: p.dialplan, uuid: ch.uuid, source: p.source,
        },
        variables: ch.vars.toObject(),
      });
      if (!result) {
        sw.presence(ch);
        sw.hangup(ch, 'NO_ROUTE_DESTINATION');
        break;
      }
      // Set during hunting, before any action runs (DP_MATCH).
      for (const [k, v] of Object.entries(result.variables ?? {})) ch.vars.set(k, v);
      for (const a of result.actions) if (a.inline) await runApp(sw, ch, a.application, sw.expand(a.data, ch.vars.toObject()));
      sw.request(ch, 'CS_EXECUTE');
      // PRESENCE_IN on every pass: a transferred inbound leg reports again (capture 23); an
      // originate leg has no presence id and fires none (capture 09).
      sw.presence(ch);
      if (pass > 0) sw.setCallState(ch, ch.answered ? 'ACTIVE' : 'RINGING');
      sw.run(ch, 'CS_EXECUTE');
      ch.vars.set('call_uuid', ch.callUuid);
      ch.transferTo = undefined;
      for (const a of result.actions) {
        if (a.inline) continue;
        if (ch.isHungUp || ch.transferTo || ch.inBridge) break;
        await sw.execute(ch, a.application, a.data);
      }
      // uuid_bridge took the leg out of its dialplan (endless_playback broken, as when an ACD
      // bridges a waiting caller): the bridge owns it now and hangs it up when the bridge ends.
      if (ch.inBridge) return;
      // A transfer already gave the channel its new caller profile (transfer.ts): route again.
      if (ch.transferTo && !ch.isHungUp) continue;
      // Out of dialplan actions: FreeSWITCH hangs up with NORMAL_CLEARING.
      if (!ch.isHungUp) sw.hangup(ch, 'NORMAL_CLEARING');
    }
  } finally {
    ch.busy = false;
    if (ch.isHungUp) sw.finish(ch);
  }
}


// The bench's changes to the copied conf (never to dialplan/ itself or the bundle). Both sides:
// the session limits (the site's vars.xml allows 60 new sessions/s, i.e. 30 calls/s with their
// agent legs, and the steps go beyond that). The mod_callcenter side in addition: the module
// loaded, callcenter.conf.xml with one queue and every agent (callback agents dialled as
// user/<id>, the registered phone, as the service dials them; wrap-up 0 as the service is run
// with), and 12345 answered in the `public` context by the same welcome prompt, then the queue.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { replaceVars } from '../../../server/test/switch/helpers/freeswitch.ts';

export const CC_QUEUE = 'bench@default';
/** What both sides play before queueing (the service's default flow; a 1 s tone on the test site). */
export const WELCOME = 'welcome-12345.wav';

export function limitsPrepare(sessionsPerSecond: number) {
  return async (confDir: string): Promise<void> => {
    const vars = path.join(confDir, 'vars.xml');
    await writeFile(vars, replaceVars(await readFile(vars, 'utf8'), { sessions_per_second: String(sessionsPerSecond), max_sessions: '5000' }));
    // The site's log file takes every level down to debug: dozens of lines per call, written by
    // the switch's one logger thread; at 30 calls/s that alone costs a large share of a core.
    await edit(path.join(confDir, 'autoload_configs/logfile.conf.xml'), (s) => s.replace('value="debug,info,notice,warning,err,crit,alert"', 'value="warning,err,crit,alert"'));
  };
}

export function callcenterConfXml(agents: readonly string[]): string {
  const agentLines = agents
    .map((id) => `    <agent name="${id}" type="callback" contact="user/${id}" status="Available" max-no-answer="0" wrap-up-time="0" reject-delay-time="0" busy-delay-time="0" no-answer-delay-time="0"/>`)
    .join('\n');
  const tierLines = agents.map((id) => `    <tier agent="${id}" queue="${CC_QUEUE}" level="1" position="1"/>`).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- load-freeswitch bench: one queue, every agent in it; state in sqlite under the instance's -base (no odbc-dsn). -->
<include>
  <configuration name="callcenter.conf" description="CallCenter">
    <settings/>
    <queues>
      <queue name="${CC_QUEUE}">
        <param name="strategy" value="longest-idle-agent"/>
        <param name="moh-sound" value="$\${hold_music}"/>
        <param name="time-base-score" value="system"/>
        <param name="max-wait-time" value="0"/>
        <param name="max-wait-time-with-no-agent" value="0"/>
        <param name="max-wait-time-with-no-agent-time-reached" value="5"/>
        <param name="tier-rules-apply" value="false"/>
        <param name="discard-abandoned-after" value="60"/>
        <param name="abandoned-resume-allowed" value="false"/>
      </queue>
    </queues>
    <agents>
${agentLines}
    </agents>
    <tiers>
${tierLines}
    </tiers>
  </configuration>
</include>
`;
}

/** The `public` context's extension for 12345 on the mod_callcenter side; it comes first, so the service's is never reached. */
export const CC_EXTENSION = `
    <extension name="bench_callcenter">
      <condition field="destination_number" expression="^$\${line_main_did}$">
        <action application="answer"/>
        <action application="playback" data="$\${sounds_dir}/hotline/${WELCOME}"/>
        <action application="set" data="hangup_after_bridge=true"/>
        <action application="callcenter" data="${CC_QUEUE}"/>
        <action application="hangup" data="NORMAL_CLEARING"/>
      </condition>
    </extension>
`;

async function edit(file: string, f: (s: string) => string): Promise<void> {
  const before = await readFile(file, 'utf8');
  const after = f(before);
  if (after === before) throw new Error(`load-freeswitch: nothing changed in ${file}`);
  await writeFile(file, after);
}

export function callcenterPrepare(o: { agents: readonly string[]; sessionsPerSecond: number }) {
  return async (confDir: string): Promise<void> => {
    await limitsPrepare(o.sessionsPerSecond)(confDir);
    await edit(path.join(confDir, 'autoload_configs/modules.conf.xml'), (s) => s.replace('</modules>', '  <load module="mod_callcenter"/>\n    </modules>'));
    await writeFile(path.join(confDir, 'autoload_configs/callcenter.conf.xml'), callcenterConfXml(o.agents));
    await edit(path.join(confDir, 'dialplan/public.xml'), (s) => s.replace('<context name="public">', `<context name="public">\n${CC_EXTENSION}`));
  };
}

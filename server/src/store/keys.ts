// Every Redis key the service uses, built here and nowhere else, so the layout can be read (and
// changed) in one place. All keys share a prefix so several deployments can share one Redis.

export interface RedisKeys {
  /** JSON snapshot of a live call (CallRecord). */
  call(id: string): string;
  /** Set of live call ids. */
  readonly liveCalls: string;
  /** Stream of completed calls' CDRs. */
  readonly cdrStream: string;
  /** Marks a call's CDR as written, so two instances never write it twice. */
  cdrWritten(id: string): string;
  /** Sorted set of call ids waiting in one queue and priority class, scored by t0 (µs). */
  queueClass(queue: string, priority: number): string;
  /** Hash: a waiting call's queue, priority, t0, node and line. */
  queuedCall(id: string): string;
  /** Marker with a TTL: a caller's position was announced recently. */
  announced(id: string): string;
  /** Marker with a 24 h TTL: this caller number reached a queue recently (repeat-caller priority). */
  callerSeen(number: string): string;
  /** Set of queued call ids that asked to be called back (their entries outlive the call). */
  readonly callbacks: string;
  /** Set of queue names that have ever held a call. */
  readonly queues: string;
  /** Hash: an agent's record and current state (acd/). */
  agent(id: string): string;
  /** Set of all agent ids. */
  readonly agents: string;
  /** Sorted set of agents in wrap-up, scored by its end (ms): the timer reads only the due ones. */
  readonly wrapUps: string;
  /** Stream: an agent's state transitions (audit trail). */
  agentAudit(id: string): string;
  /**
   * Sorted set of ready agents having a skill at one level (1-10), scored by idle-since (ms):
   * longest idle first. Per level, so a claim needing level >= N looks at the head of at most ten
   * sets instead of walking every ready agent of the skill.
   */
  readyAgents(skill: string, level: number): string;
  /** Hash: SLA counters of one 15-minute interval for a scope ('center' or 'queue:<name>'). */
  slaInterval(scope: string, intervalStartMs: number): string;
  /** Sorted set: one member per call outcome in a scope, scored by t0 (ms), for rolling windows. */
  slaOutcomes(scope: string): string;
  /** Hash: alert state per scope (firing or not, since). */
  readonly slaAlerts: string;
  /** Marks a call's SLA outcome as recorded, so two instances never count it twice. */
  slaRecorded(callId: string): string;
  /** Hash with a TTL: what an agent's desk needs of a call after it ended (caller, line, times). */
  deskCall(callId: string): string;
  /** Stream of agents' wrap-ups (category, summary, ticket reference). */
  readonly wrapUpStream: string;
  /**
   * Marker: this agent's wrap-up of one handling of this call is recorded (once only). A call can
   * come back to the same agent (a transfer nobody answered puts it back in the queue): each
   * handling, named by when the agent's on-call / wrap-up began, gets its own wrap-up.
   */
  wrapUpDone(callId: string, agentId: string, handling: number): string;
  /** List (newest first, capped) of a caller number's earlier handled calls, for the screen pop. */
  callerHistory(number: string): string;
  /** Hash of one agent's figures for one local day: field `<metric>:<callId>`, so a replay counts once. */
  agentDay(agentId: string, day: string): string;
  /** Counter with a TTL (the window): login attempts spent by one username or one client address. */
  loginAttempts(kind: 'user' | 'address', id: string): string;
  /** Hash: one handoff with a partner hotline (`json`, `rev` for compare-and-set). */
  handoff(id: string): string;
  /** A partner's case id -> handoff id (a case is announced once). */
  handoffCase(partner: string, caseId: string): string;
  /** With a TTL (the match window): a pre-announced caller number -> handoff id. */
  handoffCaller(partner: string, number: string): string;
  /** A call id -> the handoff it carries. */
  handoffCall(callId: string): string;
  /** Sorted set of a partner's handoff ids by creation (ms), for the console's list. */
  handoffList(partner: string): string;
  /** Sorted set of handoff ids not yet ended, by creation (ms): warnings and expiry look only here. */
  readonly handoffOpen: string;
  /** Hash of a partner's diversion figures for one local day: field `<direction>:<metric>`. */
  handoffFigures(partner: string, day: string): string;
  /** Hash: the department directory, entry id -> JSON (directory/). */
  readonly directory: string;
  /**
   * Hash: report figures of one 15-minute interval for a scope beside the SLA counters (talk time,
   * transfers, three-way calls), from each call's CDR, by the call's t0 like the SLA interval.
   */
  opsInterval(scope: string, intervalStartMs: number): string;
  /** Stream: supervisors' actions (listen, whisper, barge, forced states, queue moves, messages). */
  readonly opsAudit: string;
  /** Hash: knowledge-base entries, id -> JSON (kb/entry.ts). */
  readonly kbEntries: string;
  /** The knowledge base's synonym table as text (kb/synonyms.ts); absent: the built-in table. */
  readonly kbSynonyms: string;
  /** Counter bumped by every knowledge-base change: an instance that sees it move reloads. */
  readonly kbVersion: string;
  /** Pub/sub channel: one message per knowledge-base change, so other instances apply it at once. */
  readonly kbChanges: string;
  /** Stream: who changed which knowledge-base entry, and how. */
  readonly kbAudit: string;
  /** Marker: this call counted once as answered from the knowledge base (two wrap-ups never count twice). */
  kbAnswered(callId: string): string;
}

export function redisKeys(prefix = 'hotline'): RedisKeys {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`invalid Redis key prefix "${prefix}"`);
  return {
    call: (id) => `${prefix}:call:${id}`,
    liveCalls: `${prefix}:calls:live`,
    cdrStream: `${prefix}:cdr`,
    cdrWritten: (id) => `${prefix}:cdr:written:${id}`,
    queueClass: (queue, priority) => `${prefix}:queue:${queue}:p${priority}`,
    queuedCall: (id) => `${prefix}:queued:${id}`,
    announced: (id) => `${prefix}:announced:${id}`,
    callbacks: `${prefix}:callbacks`,
    callerSeen: (number) => `${prefix}:seen:${number}`,
    queues: `${prefix}:queues`,
    agent: (id) => `${prefix}:agent:${id}`,
    agents: `${prefix}:agents`,
    wrapUps: `${prefix}:wrapups`,
    agentAudit: (id) => `${prefix}:agent:${id}:audit`,
    readyAgents: (skill, level) => `${prefix}:ready:${skill}:${level}`,
    slaInterval: (scope, start) => `${prefix}:sla:${scope}:i:${start}`,
    slaOutcomes: (scope) => `${prefix}:sla:${scope}:outcomes`,
    slaAlerts: `${prefix}:sla:alerts`,
    slaRecorded: (id) => `${prefix}:sla:recorded:${id}`,
    deskCall: (id) => `${prefix}:desk:call:${id}`,
    wrapUpStream: `${prefix}:desk:wrapups`,
    wrapUpDone: (id, agentId, handling) => `${prefix}:desk:wrapup:${id}:${agentId}:${handling}`,
    callerHistory: (number) => `${prefix}:desk:history:${number}`,
    agentDay: (agentId, day) => `${prefix}:desk:agent:${agentId}:${day}`,
    loginAttempts: (kind, id) => `${prefix}:login:${kind}:${id}`,
    handoff: (id) => `${prefix}:handoff:${id}`,
    handoffCase: (partner, caseId) => `${prefix}:handoff:case:${partner}:${caseId}`,
    handoffCaller: (partner, number) => `${prefix}:handoff:caller:${partner}:${number}`,
    handoffCall: (callId) => `${prefix}:handoff:call:${callId}`,
    handoffList: (partner) => `${prefix}:handoffs:${partner}`,
    handoffOpen: `${prefix}:handoffs:open`,
    handoffFigures: (partner, day) => `${prefix}:handoff:fig:${partner}:${day}`,
    directory: `${prefix}:directory`,
    opsInterval: (scope, start) => `${prefix}:ops:${scope}:i:${start}`,
    opsAudit: `${prefix}:ops:audit`,
    kbEntries: `${prefix}:kb:entries`,
    kbSynonyms: `${prefix}:kb:synonyms`,
    kbVersion: `${prefix}:kb:version`,
    kbChanges: `${prefix}:kb:changes`,
    kbAudit: `${prefix}:kb:audit`,
    kbAnswered: (callId) => `${prefix}:kb:answered:${callId}`,
  };
}

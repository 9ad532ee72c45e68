// Runs one IVR flow over a call's outbound-socket session. The runner only decides; the session
// (implemented by server/src/freeswitch/) plays, collects digits and sets variables.
import { isOpen } from './calendar.ts';
import type { FlowFile, FlowNode } from './flow-schema.ts';

export interface IvrSession {
  /** Play a prompt to the end (or until the caller hangs up: then it rejects). */
  play(prompt: string): Promise<void>;
  /**
   * Play a prompt and wait for one key. Resolves with the key, or '' after timeoutMs without one.
   * Rejects when the caller hangs up.
   */
  collectDigit(prompt: string, timeoutMs: number): Promise<string>;
  /** Set a channel variable so the agent leg and the CDR see it. */
  setVar(name: string, value: string): Promise<void>;
}

export interface IvrContext {
  readonly callId: string;
  readonly line: string;
  readonly callerNumber: string;
  /** Milliseconds since the epoch, for calendars. Injected: tests use a fixed time. */
  readonly now: () => number;
  /** Each node entered, for the call record's IVR path. */
  readonly onStep: (step: string) => void;
}

export type IvrOutcome =
  | { readonly kind: 'queue'; readonly queue: string; readonly priority: 'normal' | 'elder' | 'from110'; readonly elder: boolean; readonly language: string }
  | { readonly kind: 'transfer'; readonly target: string; readonly reason: 'to110' | 'overflow' | 'external' }
  | { readonly kind: 'hangup' };

/** A flow that loops forever (menu -> play -> menu ...) is cut after this many steps. */
const MAX_STEPS = 64;

export class IvrFlowError extends Error {}

export async function runFlow(file: FlowFile, session: IvrSession, ctx: IvrContext): Promise<IvrOutcome> {
  const flowName = file.lines[ctx.line] ?? file.lines.main;
  const flow = flowName === undefined ? undefined : file.flows[flowName];
  if (!flow) throw new IvrFlowError(`no flow for line "${ctx.line}" and no "main" line`);
  const attrs = { language: 'zh-CN', elder: file.elderNumbers.includes(ctx.callerNumber), slowPrompts: false };
  let id = flow.start;
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const node: FlowNode | undefined = flow.nodes[id];
    if (!node) throw new IvrFlowError(`flow "${flowName}" has no node "${id}"`);
    ctx.onStep(id);
    switch (node.type) {
      case 'play':
        await session.play(node.prompt);
        id = node.next;
        break;
      case 'menu':
        id = await runMenu(node, session);
        break;
      case 'set':
        if (node.name === 'language') attrs.language = node.value;
        else if (node.name === 'elder') attrs.elder = node.value === 'true';
        else attrs.slowPrompts = node.value === 'true';
        await session.setVar(`hotline_${node.name === 'slowPrompts' ? 'slow_prompts' : node.name}`, node.value);
        id = node.next;
        break;
      case 'elder-check':
        id = attrs.elder ? node.elder : node.other;
        break;
      case 'schedule': {
        const cal = file.calendars[node.calendar];
        if (!cal) throw new IvrFlowError(`calendar "${node.calendar}" is not defined`);
        id = isOpen(cal, ctx.now()) ? node.open : node.closed;
        break;
      }
      case 'queue':
        return { kind: 'queue', queue: node.queue, priority: node.priority, elder: attrs.elder, language: attrs.language };
      case 'transfer':
        return { kind: 'transfer', target: node.target, reason: node.reason };
      case 'hangup':
        if (node.prompt) await session.play(node.prompt);
        return { kind: 'hangup' };
    }
  }
  throw new IvrFlowError(`flow "${flowName}" did not reach a queue, transfer or hangup in ${MAX_STEPS} steps`);
}

async function runMenu(node: Extract<FlowNode, { type: 'menu' }>, session: IvrSession): Promise<string> {
  let promptToPlay = node.prompt;
  for (let attempt = 1; attempt <= node.maxTries; attempt++) {
    const key = await session.collectDigit(promptToPlay, node.timeoutMs);
    const next = key ? node.options[key] : undefined;
    if (next) return next;
    // Say what went wrong, then the menu again.
    const notice = key ? node.invalidPrompt : node.timeoutPrompt;
    if (notice && attempt < node.maxTries) await session.play(notice);
    promptToPlay = node.prompt;
  }
  return node.onFail;
}

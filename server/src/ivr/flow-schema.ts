// IVR flows as data. GB/T 33358 asks for a human within 15 s and discourages menus, so the default
// flow is "welcome prompt, then the human queue"; the other node kinds exist for lines and hours
// where the city decides otherwise (language choice, elder mode, after-hours notices).
import { z } from 'zod';

const nodeId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'node ids are lower-case words such as "welcome" or "after_hours"');
const prompt = z.string().min(1).max(512);
const digit = z.string().regex(/^[0-9*#]$/, 'a single key: 0-9, * or #');

export const playNode = z.object({ type: z.literal('play'), prompt, next: nodeId }).strict();

export const menuNode = z
  .object({
    type: z.literal('menu'),
    prompt,
    /** Key -> next node. */
    options: z.record(digit, nodeId).refine((o) => Object.keys(o).length > 0, 'a menu needs at least one option'),
    timeoutMs: z.number().int().min(1000).max(30_000).default(5000),
    maxTries: z.number().int().min(1).max(5).default(3),
    invalidPrompt: prompt.optional(),
    timeoutPrompt: prompt.optional(),
    /** Where to go after maxTries without a valid key: to the human queue, never a dead end. */
    onFail: nodeId,
  })
  .strict();

/** Sets a channel/call attribute such as language=en, then continues. */
export const setNode = z
  .object({ type: z.literal('set'), name: z.enum(['language', 'elder', 'slowPrompts']), value: z.string().max(32), next: nodeId })
  .strict();

/** Callers on the elder list (or who pressed the elder key earlier) go one way, others the other. */
export const elderCheckNode = z.object({ type: z.literal('elder-check'), elder: nodeId, other: nodeId }).strict();

/** Open hours by the calendar: working time goes to `open`, the rest to `closed`. */
export const scheduleNode = z.object({ type: z.literal('schedule'), calendar: z.string().min(1), open: nodeId, closed: nodeId }).strict();

export const queueNode = z
  .object({
    type: z.literal('queue'),
    queue: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
    /** Priority class: from110 > elder > normal (repeat callers are raised by the ACD). */
    priority: z.enum(['normal', 'elder', 'from110']).default('normal'),
  })
  .strict();

/** Hand the caller to another number (110 by one-key transfer, the provincial hotline, ...). */
export const transferNode = z
  .object({ type: z.literal('transfer'), target: z.string().regex(/^[0-9+*#]{2,32}$/), reason: z.enum(['to110', 'overflow', 'external']) })
  .strict();

export const hangupNode = z.object({ type: z.literal('hangup'), prompt: prompt.optional() }).strict();

export const flowNode = z.discriminatedUnion('type', [playNode, menuNode, setNode, elderCheckNode, scheduleNode, queueNode, transferNode, hangupNode]);

export const flowSchema = z
  .object({ start: nodeId, nodes: z.record(nodeId, flowNode) })
  .strict()
  .superRefine((flow, ctx) => {
    const ids = new Set(Object.keys(flow.nodes));
    if (!ids.has(flow.start)) ctx.addIssue({ code: 'custom', path: ['start'], message: `start node "${flow.start}" is not defined` });
    for (const [id, node] of Object.entries(flow.nodes)) {
      for (const [key, target] of Object.entries(nodeTargets(node))) {
        if (!ids.has(target)) ctx.addIssue({ code: 'custom', path: ['nodes', id, ...key.split('.')], message: `goes to undefined node "${target}"` });
      }
    }
  });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const calendarSchema = z
  .object({
    /** IANA zone the hours are in; China has one. */
    timeZone: z.string().default('Asia/Shanghai'),
    /** Weekday (0 = Sunday) -> open intervals; a missing day is closed. */
    weekly: z.partialRecord(z.enum(['0', '1', '2', '3', '4', '5', '6']), z.array(z.tuple([hhmm, hhmm]))),
    /** Public holidays: closed all day. */
    holidays: z.array(day).default([]),
    /** Adjusted working days (调休): open with the `workdayHours` although they fall on a weekend. */
    workdays: z.array(day).default([]),
    workdayHours: z.array(z.tuple([hhmm, hhmm])).default([['08:30', '17:30']]),
  })
  .strict();

export const flowFileSchema = z
  .object({
    version: z.literal(1),
    /** Line (hotline_line) -> flow name. */
    lines: z.record(z.string().min(1), z.string().min(1)),
    flows: z.record(z.string().min(1), flowSchema),
    calendars: z.record(z.string().min(1), calendarSchema).default({}),
    /** Caller numbers treated as elder callers (长者模式), e.g. from the civil-affairs list. */
    elderNumbers: z.array(z.string().regex(/^\+?\d{3,20}$/)).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    for (const [line, flow] of Object.entries(file.lines)) {
      if (!file.flows[flow]) ctx.addIssue({ code: 'custom', path: ['lines', line], message: `uses undefined flow "${flow}"` });
    }
    for (const [name, flow] of Object.entries(file.flows)) {
      for (const [id, node] of Object.entries(flow.nodes)) {
        if (node.type === 'schedule' && !file.calendars[node.calendar])
          ctx.addIssue({ code: 'custom', path: ['flows', name, 'nodes', id, 'calendar'], message: `uses undefined calendar "${node.calendar}"` });
      }
    }
  });

export type FlowNode = z.infer<typeof flowNode>;
export type Flow = z.infer<typeof flowSchema>;
export type Calendar = z.infer<typeof calendarSchema>;
export type FlowFile = z.infer<typeof flowFileSchema>;

/** The node ids a node can lead to, keyed by the field that names them. */
export function nodeTargets(node: FlowNode): Record<string, string> {
  switch (node.type) {
    case 'play':
    case 'set':
      return { next: node.next };
    case 'menu':
      return { onFail: node.onFail, ...Object.fromEntries(Object.entries(node.options).map(([k, v]) => [`options.${k}`, v])) };
    case 'elder-check':
      return { elder: node.elder, other: node.other };
    case 'schedule':
      return { open: node.open, closed: node.closed };
    default:
      return {};
  }
}

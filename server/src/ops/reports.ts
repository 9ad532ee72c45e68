// Report rows and their CSV: per 15-minute interval, per day (a scope: the center or a queue), and
// per agent. Pure: counters in, rows out. The call figures are the SLA counters (sla/outcome.ts,
// the very hashes /api/sla sums) joined with the call facts of the same intervals
// (ops/call-facts.ts); agents' figures are folded from their audit trails (ops/agent-time.ts).
import { measuresOf } from '../sla/measures.ts';
import { addCounters, emptyCounters, type Counters } from '../sla/outcome.ts';
import { addFacts, emptyFacts, type CallFacts } from './call-facts.ts';
import type { AgentPeriodFigures } from './agent-time.ts';

export interface CallRow {
  /** Interval rows: its start, HH:MM Beijing time; day rows: the date. */
  readonly period: string;
  readonly start: string;
  readonly scope: string;
  readonly offered: number;
  readonly counted: number;
  readonly answered: number;
  readonly answeredWithin: number;
  readonly shortAbandons: number;
  readonly abandoned: number;
  readonly rate15s: number | null;
  readonly answerRate: number | null;
  readonly abandonRate: number | null;
  readonly asaSec: number | null;
  /** Mean talk time of the calls connected (handled) in the period, seconds. */
  readonly ahtSec: number | null;
  readonly callbacks: number;
  readonly overflows: number;
  readonly transfers: number;
  readonly threeWay: number;
  readonly from110: number;
  readonly to110: number;
  readonly toPartner: number;
  /** Answered calls whose agent marked them answered from the knowledge base. */
  readonly kbAnswered: number;
  /** kbAnswered / answered (the knowledge base's answer rate). */
  readonly kbAnswerRate: number | null;
  /** Satisfaction survey (好差评): callers asked, their answers, and (satisfied + basically) / rated. */
  readonly surveyed: number;
  readonly satisfied: number;
  readonly basicallySatisfied: number;
  readonly notSatisfied: number;
  readonly notRated: number;
  readonly satisfactionRate: number | null;
}

/** The call-facts scope of one agent (its survey answers per interval). */
export const agentFactsScope = (agentId: string): string => `agent:${agentId}`;

/** (satisfied + basically satisfied) / rated; null with nothing rated. */
export function satisfactionRate(f: Pick<CallFacts, 'satisfied' | 'basicallySatisfied' | 'notSatisfied'>): number | null {
  const rated = f.satisfied + f.basicallySatisfied + f.notSatisfied;
  return rated > 0 ? Math.round(((f.satisfied + f.basicallySatisfied) / rated) * 1000) / 1000 : null;
}

const round3 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

export function callRow(period: string, startIso: string, scope: string, c: Counters, f: CallFacts): CallRow {
  const m = measuresOf(c);
  return {
    period,
    start: startIso,
    scope,
    offered: m.offered,
    counted: m.counted,
    answered: m.answered,
    answeredWithin: m.answeredWithin,
    shortAbandons: m.shortAbandons,
    abandoned: m.abandoned,
    rate15s: round3(m.rate15s),
    answerRate: round3(m.answerRate),
    abandonRate: m.counted > 0 ? round3(m.abandoned / m.counted) : null,
    asaSec: m.asaSec,
    ahtSec: f.handled > 0 ? Math.round(f.talkUs / f.handled / 1000) / 1000 : null,
    callbacks: m.callbacks,
    overflows: m.overflows,
    transfers: f.transfers,
    threeWay: f.threeWay,
    from110: f.from110,
    to110: f.to110,
    toPartner: f.toPartner,
    kbAnswered: f.kbAnswered,
    kbAnswerRate: m.answered > 0 ? round3(Math.min(1, f.kbAnswered / m.answered)) : null,
    surveyed: f.surveyed,
    satisfied: f.satisfied,
    basicallySatisfied: f.basicallySatisfied,
    notSatisfied: f.notSatisfied,
    notRated: f.notRated,
    satisfactionRate: satisfactionRate(f),
  };
}

/** Sums of several intervals (a day). */
export function sumIntervals(counters: readonly Counters[], facts: readonly CallFacts[]): { counters: Counters; facts: CallFacts } {
  return { counters: counters.reduce((s, c) => addCounters(s, c), emptyCounters()), facts: facts.reduce((s, f) => addFacts(s, f), emptyFacts()) };
}

export interface AgentRow {
  readonly date: string;
  readonly agentId: string;
  readonly name: string;
  readonly calls: number;
  readonly talkSec: number;
  readonly wrapUpSec: number;
  readonly reservedSec: number;
  readonly readySec: number;
  readonly notReadySec: number;
  /** Not-ready seconds per reason. */
  readonly notReadyByReason: Record<string, number>;
  readonly loggedInSec: number;
  readonly ringNoAnswer: number;
  /** The survey's answers about this agent's calls that day. */
  readonly surveyed: number;
  readonly notSatisfied: number;
  readonly notRated: number;
  readonly satisfactionRate: number | null;
}

const sec = (ms: number | undefined): number => Math.round((ms ?? 0) / 100) / 10;

export function agentRow(date: string, agentId: string, name: string, f: AgentPeriodFigures, survey: CallFacts = emptyFacts()): AgentRow {
  const notReadyByReason: Record<string, number> = {};
  let notReady = 0;
  for (const [field, ms] of Object.entries(f.stateMs)) {
    if (!field.startsWith('not-ready:')) continue;
    notReadyByReason[field.slice('not-ready:'.length)] = sec(ms);
    notReady += ms;
  }
  return {
    date,
    agentId,
    name,
    calls: f.calls,
    talkSec: sec(f.stateMs['on-call']),
    wrapUpSec: sec(f.stateMs['wrap-up']),
    reservedSec: sec(f.stateMs.reserved),
    readySec: sec(f.stateMs.ready),
    notReadySec: sec(notReady),
    notReadyByReason,
    loggedInSec: sec(f.loggedInMs),
    ringNoAnswer: f.ringNoAnswer,
    surveyed: survey.surveyed,
    notSatisfied: survey.notSatisfied,
    notRated: survey.notRated,
    satisfactionRate: satisfactionRate(survey),
  };
}

// ---- CSV (RFC 4180, UTF-8 with a BOM so that Excel on a Chinese Windows reads it as UTF-8) ----

const BOM = '\uFEFF';

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading = + - @ would make a spreadsheet evaluate the cell: quote it with a leading '.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return BOM + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Column key and its heading (Chinese first, then the key). */
export const CALL_COLUMNS: readonly [keyof CallRow, string][] = [
  ['period', '时段 period'],
  ['start', '开始 start'],
  ['scope', '范围 scope'],
  ['offered', '呼入 offered'],
  ['counted', '计入 counted'],
  ['answered', '接通 answered'],
  ['answeredWithin', '15秒内接通 answeredWithin'],
  ['shortAbandons', '秒挂 shortAbandons'],
  ['abandoned', '放弃 abandoned'],
  ['rate15s', '15秒接通率 rate15s'],
  ['answerRate', '接通率 answerRate'],
  ['abandonRate', '放弃率 abandonRate'],
  ['asaSec', '平均应答秒 asaSec'],
  ['ahtSec', '平均通话秒 ahtSec'],
  ['callbacks', '回呼 callbacks'],
  ['overflows', '溢出 overflows'],
  ['transfers', '转接 transfers'],
  ['threeWay', '三方通话 threeWay'],
  ['from110', '110转入 from110'],
  ['to110', '转110 to110'],
  ['toPartner', '转部门 toPartner'],
  ['kbAnswered', '知识库解答 kbAnswered'],
  ['kbAnswerRate', '知识库解答率 kbAnswerRate'],
  ['surveyed', '参评 surveyed'],
  ['satisfied', '满意 satisfied'],
  ['basicallySatisfied', '基本满意 basicallySatisfied'],
  ['notSatisfied', '不满意 notSatisfied'],
  ['notRated', '未评价 notRated'],
  ['satisfactionRate', '满意率 satisfactionRate'],
];

export function callRowsCsv(rows: readonly CallRow[]): string {
  return toCsv(
    CALL_COLUMNS.map(([, h]) => h),
    rows.map((r) => CALL_COLUMNS.map(([k]) => r[k])),
  );
}

export function agentRowsCsv(rows: readonly AgentRow[], reasons: readonly string[]): string {
  const header = ['日期 date', '坐席 agentId', '姓名 name', '接听 calls', '通话秒 talkSec', '整理秒 wrapUpSec', '振铃秒 reservedSec', '就绪秒 readySec', '未就绪秒 notReadySec', ...reasons.map((r) => `未就绪:${r} notReady:${r}`), '登录秒 loggedInSec', '未接 ringNoAnswer', '参评 surveyed', '不满意 notSatisfied', '未评价 notRated', '满意率 satisfactionRate'];
  return toCsv(
    header,
    rows.map((r) => [r.date, r.agentId, r.name, r.calls, r.talkSec, r.wrapUpSec, r.reservedSec, r.readySec, r.notReadySec, ...reasons.map((x) => r.notReadyByReason[x] ?? 0), r.loggedInSec, r.ringNoAnswer, r.surveyed, r.notSatisfied, r.notRated, r.satisfactionRate]),
  );
}

// The QA page's texts: Chinese first, English available (the language toggle of the consoles).
import { lang } from '../i18n/i18n.ts';

export const qaZh = {
  'qa.title': '质检',
  'qa.date': '日期',
  'qa.load': '查询',
  'qa.sample': '抽检样本',
  'qa.agent': '坐席',
  'qa.time': '通话时间',
  'qa.queue': '队列',
  'qa.reason': '抽检原因',
  'qa.rating': '满意度',
  'qa.score': '得分',
  'qa.play': '播放录音',
  'qa.noRecording': '无录音',
  'qa.scoreIt': '评分',
  'qa.submit': '提交评分',
  'qa.saved': '已评分：{total} 分',
  'qa.failed': '操作失败：{message}',
  'qa.empty': '当日无抽检通话',
  'qa.report': '坐席质检汇总',
  'qa.sampled': '抽检数',
  'qa.scored': '已评分',
  'qa.avg': '平均分',
  'qa.comment': '评语',
  'reason.complaint': '投诉',
  'reason.not-satisfied': '不满意',
  'reason.random': '随机',
  'rating.satisfied': '满意',
  'rating.basically-satisfied': '基本满意',
  'rating.not-satisfied': '不满意',
  'rating.not-rated': '未评价',
  'lang.toggle': 'English',
};

export type QaKey = keyof typeof qaZh;

export const qaEn: Record<QaKey, string> = {
  'qa.title': 'Quality inspection',
  'qa.date': 'Date',
  'qa.load': 'Show',
  'qa.sample': 'Sample',
  'qa.agent': 'Agent',
  'qa.time': 'Call time',
  'qa.queue': 'Queue',
  'qa.reason': 'Why sampled',
  'qa.rating': 'Rating',
  'qa.score': 'Score',
  'qa.play': 'Play recording',
  'qa.noRecording': 'No recording',
  'qa.scoreIt': 'Score',
  'qa.submit': 'Submit score',
  'qa.saved': 'Scored: {total}',
  'qa.failed': 'Failed: {message}',
  'qa.empty': 'No sampled calls that day',
  'qa.report': 'Scores per agent',
  'qa.sampled': 'Sampled',
  'qa.scored': 'Scored',
  'qa.avg': 'Mean score',
  'qa.comment': 'Comment',
  'reason.complaint': 'Complaint',
  'reason.not-satisfied': 'Not satisfied',
  'reason.random': 'Random',
  'rating.satisfied': 'Satisfied',
  'rating.basically-satisfied': 'Basically satisfied',
  'rating.not-satisfied': 'Not satisfied',
  'rating.not-rated': 'Not rated',
  'lang.toggle': '中文',
};

export function qt(key: QaKey, params?: Record<string, string | number>): string {
  const s = lang() === 'en' ? qaEn[key] : qaZh[key];
  return s.replace(/\{(\w+)\}/g, (_m, k: string) => String(params?.[k] ?? ''));
}

export function qtOr(key: string, fallback: string): string {
  const table = (lang() === 'en' ? qaEn : qaZh) as Record<string, string>;
  return table[key] ?? fallback;
}

// A seeded generator of realistic 12345 knowledge-base entries (热线百科) for the KB tests and the
// kb-search benchmark: categories of a city's service hotline, each service (subject) asked about in
// several aspects (conditions, materials, procedure, place, time limit, fees, online channel, legal
// basis, phone, FAQ), per district, with expired old versions, future ones and drafts beside the
// current ones. Titles are noun phrases as real KB titles are ("住房公积金提取条件"), answers are
// 60-200 characters of plausible text. Same seed, same entries.
import { addDays } from '../../server/src/forecast/forecast.ts';
import type { KbEntryInput } from '../../server/src/kb/entry.ts';
import { mulberry32 } from '../bench/route/workload.ts';

interface Subject {
  obj: string;
  act: string;
  /** The bare title obj+act is an entry too (a service name such as 社会保障卡挂失补办). */
  bare?: boolean;
  facts?: string[];
}
interface Category {
  category: string;
  department: string;
  policy: string;
  facts: string[];
  subjects: Subject[];
}

const S = (obj: string, act: string, bare = false, facts?: string[]): Subject => ({ obj, act, bare, ...(facts ? { facts } : {}) });

const CATEGORIES: Category[] = [
  {
    category: '公积金', department: '市住房公积金管理中心', policy: '住房公积金管理条例',
    facts: ['职工连续足额缴存住房公积金满6个月', '单位和职工缴存比例均不低于5%', '缴存基数每年7月1日调整一次', '异地缴存职工可申请转移接续'],
    subjects: [
      S('住房公积金', '提取', false, ['购买、建造、翻建、大修自住住房的', '离休、退休的', '完全丧失劳动能力并与单位终止劳动关系的', '偿还购房贷款本息的', '租赁自住住房且房租超出家庭工资收入规定比例的']),
      S('住房公积金', '贷款'), S('住房公积金', '缴存'), S('住房公积金', '转移接续'), S('住房公积金', '基数调整'),
      S('住房公积金账户', '查询'), S('公积金贷款', '提前还款'), S('住房公积金', '异地贷款'), S('公积金贷款', '逾期处理'),
    ],
  },
  {
    category: '社保', department: '市人力资源和社会保障局', policy: '中华人民共和国社会保险法',
    facts: ['参保人员应按月足额缴纳社会保险费', '灵活就业人员可按年度选择缴费档次', '累计缴费满15年方可按月领取养老金', '医疗保险跨统筹区转移接续后缴费年限合并计算'],
    subjects: [
      S('社会保障卡', '挂失补办', true, ['社会保障卡遗失后应立即电话挂失或到服务网点挂失', '挂失后可到任一合作银行网点补办', '补办期间可使用电子社保卡就医结算']),
      S('社会保障卡', '申领'), S('社会保障卡', '激活'), S('养老保险', '缴费'), S('养老保险', '转移接续'),
      S('失业保险金', '申领', true), S('灵活就业人员社保', '缴费'), S('退休', '办理'), S('工伤认定', '申请'), S('生育津贴', '申领'),
    ],
  },
  {
    category: '户籍', department: '市公安局', policy: '中华人民共和国户口登记条例',
    facts: ['户口迁移实行准入条件管理', '落户须有合法稳定住所', '户籍业务可在派出所户籍窗口办理', '未成年人户籍业务由监护人代为申请'],
    subjects: [
      S('户口', '迁移'), S('新生儿', '落户', true), S('居民身份证', '补办', true), S('居住证', '办理', true), S('户口本', '补办'),
      S('人才引进', '落户'), S('临时身份证', '办理'), S('户籍证明', '开具'),
    ],
  },
  {
    category: '交通', department: '市公安局交通警察支队', policy: '中华人民共和国道路交通安全法',
    facts: ['机动车驾驶证有效期满前90日内可申请换证', '交通违法记录可通过交管APP查询', '非营运小型客车6年内免检', '电动自行车须登记上牌方可上路行驶'],
    subjects: [
      S('驾驶证', '换证', true), S('机动车', '年检'), S('交通违法', '处理'), S('出租车', '投诉'), S('网约车', '投诉'),
      S('公交卡', '充值'), S('电动自行车', '上牌', true), S('驾驶证', '补证'), S('机动车', '过户'),
    ],
  },
  {
    category: '教育', department: '市教育局', policy: '中华人民共和国义务教育法',
    facts: ['适龄儿童免试就近入学', '非本市户籍随迁子女可按积分入学', '每年5月开放网上报名', '转学须经转出、转入学校同意'],
    subjects: [S('小学', '入学报名'), S('积分入学', '申请'), S('学籍', '转学'), S('教师资格证', '认定'), S('校外培训', '退费'), S('初中', '入学报名')],
  },
  {
    category: '医疗', department: '市医疗保障局', policy: '基本医疗保险办法',
    facts: ['异地就医须先办理备案', '门诊费用按规定比例报销', '住院起付线以上部分按比例支付', '预约挂号可通过医院官方渠道办理'],
    subjects: [S('医保', '异地就医备案', true), S('医疗费用', '报销'), S('门诊', '预约挂号'), S('疫苗', '接种'), S('出生医学证明', '补办'), S('医保卡', '挂失')],
  },
  {
    category: '住房', department: '市住房和城乡建设局', policy: '城市房地产管理法',
    facts: ['公租房实行轮候配租', '商品房买卖合同须网签备案', '物业服务企业应公示收费标准', '老旧小区改造由街道统一组织'],
    subjects: [S('公租房', '申请'), S('商品房', '网签备案'), S('物业服务', '投诉'), S('不动产', '登记'), S('房屋维修资金', '提取'), S('租房补贴', '申请'), S('老旧小区', '改造')],
  },
  {
    category: '市场监管', department: '市市场监督管理局', policy: '中华人民共和国消费者权益保护法',
    facts: ['消费者权益受损可拨打12315或12345投诉', '经营者应在营业执照登记范围内经营', '网购商品自收货之日起七日内可无理由退货', '食品安全问题可实名举报'],
    subjects: [S('营业执照', '办理'), S('营业执照', '注销'), S('个体工商户', '登记'), S('食品安全', '举报'), S('消费纠纷', '投诉'), S('价格违法', '举报'), S('网购商品', '退货')],
  },
  {
    category: '就业', department: '市人力资源和社会保障局', policy: '中华人民共和国就业促进法',
    facts: ['登记失业人员可享受免费职业介绍', '创业担保贷款按规定贴息', '用人单位应依法签订劳动合同', '拖欠工资可向劳动保障监察机构投诉'],
    subjects: [S('就业登记', '办理'), S('创业补贴', '申请'), S('技能培训补贴', '申领'), S('劳动合同纠纷', '调解'), S('拖欠工资', '投诉', true)],
  },
  {
    category: '民政', department: '市民政局', policy: '社会救助暂行办法',
    facts: ['婚姻登记须双方本人到场', '低保实行动态管理', '80周岁以上老人可申领高龄补贴', '困难残疾人可申请生活补贴'],
    subjects: [S('结婚登记', '办理'), S('离婚登记', '办理'), S('最低生活保障', '申请'), S('高龄补贴', '申领'), S('残疾人补贴', '申请')],
  },
  {
    category: '税务', department: '市税务局', policy: '中华人民共和国个人所得税法',
    facts: ['个人所得税年度汇算每年3月1日至6月30日办理', '专项附加扣除可在个税APP填报', '小规模纳税人可申请代开发票'],
    subjects: [S('个人所得税', '汇算清缴'), S('专项附加扣除', '填报'), S('发票', '代开')],
  },
  {
    category: '水电气', department: '市城市管理局', policy: '城市供水条例',
    facts: ['计划停水停电提前24小时公告', '水电气费可网上缴纳', '燃气开户须入户安全检查', '故障报修24小时受理'],
    subjects: [S('自来水', '报修'), S('自来水', '缴费'), S('燃气', '开户'), S('供电', '故障报修'), S('电费', '缴纳'), S('停水', '查询')],
  },
  {
    category: '城管环保', department: '市城市管理局', policy: '中华人民共和国环境噪声污染防治法',
    facts: ['夜间22时至次日6时禁止产生噪声扰民的施工作业', '占道经营由属地城管执法中队处理', '生活垃圾实行分类投放', '违法建设可实名举报'],
    subjects: [S('噪音扰民', '投诉', true), S('占道经营', '投诉'), S('垃圾分类', '咨询'), S('违章搭建', '举报'), S('餐饮油烟', '投诉')],
  },
];

const ASPECTS = ['条件', '所需材料', '办理流程', '办理地点', '办理时限', '收费标准', '网上办理渠道', '政策依据', '咨询电话', '常见问题'];
export const KB_REGIONS = ['全市', '城关区', '东城区', '西城区', '南湖区', '北湖区', '高新区', '经开区', '滨江区', '江北区', '新城区', '老城区', '临港区', '白云区', '金水区', '玉泉区', '龙湖区', '凤凰区', '东山县', '西山县', '南岭县', '北岭县', '青龙县', '石桥镇', '清河镇'];
const MATERIALS = ['本人有效居民身份证原件及复印件', '户口簿', '申请表（现场领取或网上下载）', '近期一寸免冠照片2张', '本人银行卡', '相关证明材料', '委托书（委托他人办理的）', '劳动合同', '购房合同或不动产权证'];
const ROADS = ['人民路', '解放路', '建设大道', '中山路', '文化路', '新华街', '长江路', '黄河路'];
const APPS = ['掌上政务', '市民通', '一网通办'];

/** Questions (as an agent would type them) and a string the right entry's title contains. */
export const KB_LABELLED_QUERIES: readonly { query: string; expect: string }[] = [
  { query: '公积金怎么取', expect: '住房公积金提取条件' },
  { query: '社保卡丢了', expect: '社会保障卡挂失补办' },
  { query: '新生儿怎么上户口', expect: '新生儿落户' },
  { query: '驾照到期怎么换', expect: '驾驶证换证' },
  { query: '公租房申请条件', expect: '公租房申请条件' },
  { query: '营业执照注销要什么材料', expect: '营业执照注销所需材料' },
  { query: '医保异地就医', expect: '异地就医备案' },
  { query: '失业金怎么领', expect: '失业保险金申领' },
  { query: '楼上装修太吵', expect: '噪音扰民投诉' },
  { query: '孩子上小学报名', expect: '小学入学报名' },
  { query: '居住证在哪里办', expect: '居住证办理地点' },
  { query: '电动车上牌', expect: '电动自行车上牌' },
  { query: '公积金贷款条件', expect: '住房公积金贷款条件' },
  { query: '个税汇算', expect: '个人所得税汇算清缴' },
  { query: '老板欠薪不给', expect: '拖欠工资投诉' },
  { query: '结婚登记需要什么材料', expect: '结婚登记办理所需材料' },
  { query: '身份证丢了', expect: '居民身份证补办' },
  { query: '网购退货', expect: '网购商品退货' },
  { query: '停水查询', expect: '停水查询' },
  { query: '高龄补贴怎么申请', expect: '高龄补贴申领' },
  { query: 'gjj', expect: '公积金' },
  { query: 'shbzk', expect: '社会保障卡' },
  { query: 'zfgjjtq', expect: '住房公积金提取' },
  { query: 'jszhz', expect: '驾驶证换证' },
  { query: 'ybyd', expect: '异地就医' },
];

export interface KbCorpusOptions {
  readonly count: number;
  readonly seed?: number;
  /** The corpus's "today" (YYYY-MM-DD): current entries start before it, future ones after. */
  readonly today: string;
}

// 居住证办理 + 办理地点 reads 居住证办理地点, not 居住证办理办理地点.
const title = (s: Subject, aspect: string): string => s.obj + s.act + (s.act.endsWith('办理') && aspect.startsWith('办理') ? aspect.slice(2) : aspect);

export function generateKbCorpus(opts: KbCorpusOptions): KbEntryInput[] {
  const rnd = mulberry32(opts.seed ?? 12345);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const some = (xs: readonly string[], n: number): string => [...xs].sort(() => rnd() - 0.5).slice(0, n).join('；');

  const stems: { c: Category; s: Subject; aspect: string }[] = [];
  for (const c of CATEGORIES) for (const s of c.subjects) for (const aspect of s.bare ? ['', ...ASPECTS] : ASPECTS) stems.push({ c, s, aspect });

  const answer = (c: Category, s: Subject, aspect: string, region: string): string => {
    const what = s.obj + s.act;
    const where = region === '全市' ? '各区县' : region;
    const facts = s.facts ?? c.facts;
    switch (aspect) {
      case '条件': return `${where}${what}应符合下列条件之一：${some(facts, 3)}。不符合条件的，${c.department}不予受理。`;
      case '所需材料': return `办理${what}需提供：${some(MATERIALS, int(3, 4))}。材料须真实有效，复印件需本人签字确认。`;
      case '办理流程': return `（1）通过“${pick(APPS)}”或到${where}政务服务中心提交申请；（2）${c.department}受理并审核；（3）审核通过后${int(3, 15)}个工作日内办结，结果以短信告知。`;
      case '办理地点': return `${where}政务服务中心${int(1, 40)}号窗口，地址：${pick(ROADS)}${int(1, 300)}号。工作时间：周一至周五9:00-12:00、13:30-17:00（法定节假日除外）。`;
      case '办理时限': return `材料齐全、符合法定形式的，${c.department}自受理之日起${int(1, 20)}个工作日内办结${what}；需现场核查的顺延${int(3, 10)}个工作日。`;
      case '收费标准': return rnd() < 0.7 ? `${what}不收取任何费用，谨防假冒收费。` : `${what}收取工本费${int(5, 40)}元，低保对象凭证明免收。`;
      case '网上办理渠道': return `可登录本市政务服务网、“${pick(APPS)}”APP或微信小程序，在“${c.category}”栏目在线办理${what}，全程网办，无需到现场。`;
      case '政策依据': return `《${c.policy}》（${int(2015, 2024)}年修订）第${int(3, 60)}条及本市实施细则。`;
      case '咨询电话': return `${what}相关问题可拨打12345政务服务便民热线，或${c.department}服务电话咨询，工作日人工接听。`;
      case '常见问题': return `问：${what}可以委托他人办理吗？答：可以，受托人需携带委托书及双方身份证件原件。${some(facts, 1)}。`;
      default: return `${what}：${some(facts, 2)}。办理地点：${where}政务服务中心${c.category}窗口。所需材料：${some(MATERIALS, 2)}。`;
    }
  };

  const out: KbEntryInput[] = [];
  const combos = stems.length * KB_REGIONS.length;
  for (let i = 0; i < opts.count; i++) {
    const { c, s, aspect } = stems[i % stems.length]!;
    const region = KB_REGIONS[Math.floor(i / stems.length) % KB_REGIONS.length]!;
    const version = Math.floor(i / combos);
    const r = rnd();
    // Version 0 is current (a few drafts); later ones are mostly expired, some future, some drafts.
    let status: 'draft' | 'published' = 'published';
    let validFrom: string;
    let validTo: string | null = null;
    if (version === 0) {
      validFrom = addDays(opts.today, -int(1, 900));
      if (r < 0.03) status = 'draft';
    } else if (r < 0.7) {
      validFrom = addDays(opts.today, -int(900, 1800));
      validTo = addDays(opts.today, -int(1, 899));
    } else if (r < 0.9) {
      validFrom = addDays(opts.today, int(1, 60));
    } else {
      validFrom = addDays(opts.today, int(1, 30));
      status = 'draft';
    }
    out.push({
      id: `kb-${String(i).padStart(6, '0')}`,
      question: title(s, aspect),
      answer: answer(c, s, aspect, region),
      category: c.category,
      department: c.department,
      region,
      validFrom,
      validTo,
      source: `${c.department}（${int(2019, 2026)}年第${int(1, 40)}号文）`,
      tags: [c.category, s.obj, s.act],
      status,
    });
  }
  return out;
}

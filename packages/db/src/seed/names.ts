/**
 * Word lists for believable demo data: an invented province and city with Chinese names.
 * Nothing here refers to real people or real schools.
 */

export const provinceName = '江南省';
export const cityName = '临江市';

export interface DistrictSpec {
  name: string;
  /** Counties (县) have a county town and rural townships; city districts (区) are urban. */
  county: boolean;
  towns: readonly string[];
}

export const districtSpecs: readonly DistrictSpec[] = [
  { name: '江滨区', county: false, towns: ['江滨街道', '望江街道', '滨湖街道'] },
  { name: '临湖区', county: false, towns: ['湖心街道', '西湖街道', '长桥街道'] },
  { name: '高新区', county: false, towns: ['科创街道', '新城街道', '云谷街道'] },
  {
    name: '青石县',
    county: true,
    towns: ['青石镇', '柳塘镇', '石门乡', '白沙镇', '双河镇', '龙泉乡', '桃源镇', '清水乡'],
  },
  {
    name: '云溪县',
    county: true,
    towns: ['云溪镇', '马鞍镇', '新桥乡', '枫林镇', '竹山乡', '杨柳镇', '金鸡乡', '凤凰镇'],
  },
  {
    name: '白鹭县',
    county: true,
    towns: ['白鹭镇', '松岗镇', '茶园乡', '梅岭镇', '河口镇', '黄泥乡', '大坪镇', '太平乡'],
  },
];

/** Villages for the names of village schools (村小). */
export const villages: readonly string[] = (
  '东山 西河 南岭 北坪 杨家 李家湾 何家坝 石桥 新屋 长冲 高坎 枫树 庙前 荷塘 岭下 ' +
  '柏林 红旗 团结 向阳 先锋 三合 五里 七星 九龙 竹园 水口 松林 桂花 樟树 花园'
).split(' ');

/** Common surnames, most frequent first (weights follow roughly). */
export const surnames: readonly string[] = (
  '王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 ' +
  '彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 ' +
  '石 廖 贾 夏 韦 方 白 邹 孟 熊 秦 邱 江 尹 薛 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱'
).split(' ');

export const givenNameCharacters: readonly string[] = (
  '伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 玉 萍 红 燕 文 辉 ' +
  '建 国 晓 丹 鹏 慧 颖 琳 婷 雪 梅 欣 宇 浩 然 思 佳 子 一 嘉 睿 晨 博 雅 诗 海 志 春 秋 冬 ' +
  '立 新 清 远 宁 安 德 伦 庆 琴 岚 薇 倩 蕾 悦'
).split(' ');

export const subjectsByStage = {
  primary: ['语文', '数学', '英语', '科学', '道德与法治', '音乐', '美术', '体育与健康', '信息科技'],
  junior: [
    '语文',
    '数学',
    '英语',
    '物理',
    '化学',
    '生物学',
    '历史',
    '地理',
    '道德与法治',
    '体育与健康',
    '信息科技',
    '音乐',
    '美术',
  ],
  senior: [
    '语文',
    '数学',
    '英语',
    '物理',
    '化学',
    '生物学',
    '历史',
    '地理',
    '思想政治',
    '体育与健康',
    '信息技术',
    '通用技术',
  ],
} as const;

/** The core subjects carry most teachers, as in a real staff room. */
export const coreSubjects = new Set(['语文', '数学', '英语']);

export const stageLabels = { primary: '小学', junior: '初中', senior: '高中' } as const;

export const expertTitles = [
  '江南师范大学教育学院教授',
  '江南师范大学课程与教学研究所副教授',
  '临江市教师发展中心研训员（正高级讲师）',
  '江南省教育科学研究院研究员',
  '临江市教育科学研究所副所长',
  '江南教育学院心理健康教育中心主任',
] as const;

export const famousTeacherTitles = [
  '正高级教师、特级教师',
  '江南省名师工作室主持人',
  '临江市学科带头人',
  '特级教师、市名师工作室主持人',
] as const;

/** Open-class lessons, by the stage that teaches them. */
export const openClassTopics = {
  primary: [
    '三年级语文《荷花》阅读教学',
    '四年级数学《分数的初步认识》',
    '五年级英语 Unit 3 My weekend plan',
    '二年级科学《磁铁的秘密》',
    '六年级数学《圆的面积》',
    '一年级语文识字教学《日月明》',
  ],
  junior: [
    '八年级物理《浮力》实验探究',
    '七年级历史《秦统一中国》',
    '九年级化学《燃烧与灭火》',
    '八年级地理《中国的河流》',
    '七年级数学《一元一次方程》',
  ],
  senior: [
    '高一数学《函数的单调性》',
    '高二英语读写结合课',
    '高一物理《牛顿第二定律》',
    '高二语文《赤壁赋》群文阅读',
  ],
} as const;

export const schoolStudyThemes = [
  '大单元教学设计',
  '作业设计与实施',
  '课堂观察与评课',
  '跨学科主题学习',
  '双减背景下的课后服务',
  '新课标学习与课堂转型',
  '整本书阅读教学',
  '信息技术与学科教学融合',
] as const;

export const lectureTopics = [
  '新课程标准解读与教学实施',
  '核心素养导向的课堂教学设计',
  '学习评价改革与实践',
  '课堂教学中的提问艺术',
  '教育科研课题的选题与论证',
  '班级管理与家校沟通',
  '学生心理健康教育',
  '教学案例研讨与微格训练',
  '人工智能赋能教学的实践路径',
  '教师职业道德规范与案例分析',
] as const;

export const generalCourseTitles = [
  '公需科目：信息技术应用能力提升',
  '公需科目：人工智能赋能教育教学',
  '公需科目：中小学生心理健康教育',
  '公需科目：教育法律法规与依法执教',
  '公需科目：校园安全与应急管理',
] as const;

export const rejectionReasons = [
  '课程安排与期末考试时间冲突，请调整日期后重新申报。',
  '申报学时与课程内容不符（12 学时仅含约 4 小时学习内容），请核实后重新申报。',
  '授课专家资质材料不全，请补充后重新提交。',
] as const;

export const enrollmentRejectionReasons = [
  '该教师本学期已参加同类培训，名额让给其他教师。',
  '教学任务冲突，学校无法安排调课。',
  '该教师学段与培训对象不符。',
  '该教师正在休产假。',
] as const;

export const substitutionReasons = [
  '原报名教师因病无法参加，由同校教师替换。',
  '原报名教师借调外出，学校改派其他教师参加。',
] as const;

export const positiveComments = [
  '专家讲解深入浅出，案例贴近课堂，收获很大。',
  '在线学习安排灵活，作业点评很及时。',
  '听课后马上在自己班上试了，学生反应很好。',
  '组织有序，资料齐全，希望多举办这样的研修。',
  '师傅每周听课评课，手把手指导，进步明显。',
  '同伴互助的氛围很好，评课环节很有启发。',
] as const;

export const criticalComments = [
  '内容偏理论，希望增加课堂实例。',
  '在线平台晚上经常卡顿，影响学习时长记录。',
  '培训时间与教学任务冲突，调课困难。',
] as const;

/** 1 → 一, 12 → 十二, 105 → 一百零五: school names count in Chinese numerals. */
export function chineseNumeral(n: number): string {
  const digits = '零一二三四五六七八九';
  if (n < 10) return digits[n] ?? String(n);
  if (n < 20) return `十${n % 10 ? digits[n % 10] : ''}`;
  if (n < 100) return `${digits[Math.floor(n / 10)]}十${n % 10 ? digits[n % 10] : ''}`;
  if (n < 1000) {
    const rest = n % 100;
    const tail =
      rest === 0
        ? ''
        : rest < 10
          ? `零${digits[rest]}`
          : rest < 20
            ? `一${chineseNumeral(rest)}`
            : chineseNumeral(rest);
    return `${digits[Math.floor(n / 100)]}百${tail}`;
  }
  return String(n);
}

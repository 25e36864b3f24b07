/** Chinese and English for every word on screen; the choice is kept in localStorage (toggle reloads). */
export type Lang = 'zh' | 'en';

const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem('anju.lang');
export const lang: Lang =
  stored === 'en' || stored === 'zh'
    ? stored
    : navigator.language.toLowerCase().startsWith('zh')
      ? 'zh'
      : 'en';

export function setLang(l: Lang): void {
  localStorage.setItem('anju.lang', l);
  location.reload();
}

const T = {
  appName: ['安居 值班台', 'Anju console'],
  login: ['登录', 'Log in'],
  logout: ['退出', 'Log out'],
  username: ['用户名', 'User name'],
  password: ['密码', 'Password'],
  loginFailed: ['用户名或密码错误', 'Wrong user name or password'],
  locked: ['尝试次数过多，请稍后再试', 'Too many attempts; try again later'],
  queue: ['待处理个案', 'Open cases'],
  live: ['实时', 'live'],
  offline: ['连接中断，正在重连…', 'connection lost, reconnecting…'],
  noCases: ['暂无待处理个案', 'No open cases'],
  resident: ['长者', 'Resident'],
  kind: ['类型', 'Kind'],
  level: ['级别', 'Level'],
  status: ['状态', 'Status'],
  deadline: ['确认时限', 'Ack deadline'],
  assignee: ['社工', 'Worker'],
  opened: ['发生时间', 'Opened'],
  timeline: ['时间线', 'Timeline'],
  evidence: ['证据', 'Evidence'],
  map: ['位置', 'Location'],
  guardians: ['监护人', 'Guardians'],
  consent: ['授权', 'Consent'],
  address: ['地址', 'Address'],
  addressHidden: ['长者未授权向社工提供地址', 'The resident has not agreed to share the address'],
  noAddress: ['地址未登记，请联系值班台', 'No address on file; call the duty desk'],
  phone: ['电话', 'Phone'],
  actions: ['操作', 'Actions'],
  note: ['备注', 'Note'],
  ackFor: ['代为确认', 'Acknowledge for'],
  ackForWho: ['代谁确认（姓名）', 'on behalf of (name)'],
  nextWorker: ['派下一位社工', 'Send the next worker'],
  acknowledged: ['已确认', 'Acknowledged'],
  en_route: ['在路上', 'En route'],
  on_site: ['已到场', 'On site'],
  resolved: ['已解决', 'Resolved'],
  false_alarm: ['误报', 'False alarm'],
  open: ['新个案', 'New'],
  assigned: ['已派单', 'Assigned'],
  closed: ['已结案', 'Closed'],
  cancelled: ['已取消', 'Cancelled'],
  back: ['返回', 'Back'],
  save: ['保存', 'Save'],
  visitNote: ['上门记录', 'Visit note'],
  addNote: ['添加记录', 'Add note'],
  outcome: ['处理结果', 'Outcome'],
  handling: ['我来处理', 'I am handling it'],
  handlingDone: ['已告知值班台：您正在处理', 'The desk knows you are handling it'],
  linkInvalid: ['链接无效', 'This link is not valid'],
  linkExpired: ['链接已过期，请联系值班台', 'This link has expired; please call the duty desk'],
  caseStatus: ['处理进度', 'Progress'],
  yes: ['是', 'yes'],
  no: ['否', 'no'],
  none: ['无', 'none'],
  done: ['已完成', 'Done'],
  failed: ['操作失败', 'Failed'],
  newCase: ['电话报案', 'Phone-in case'],
  transfer: ['转介', 'Transfer'],
  complaints: ['投诉', 'Complaints'],
  admin: ['管理', 'Manage'],
  desk: ['值班台', 'Desk'],
  notifications: ['短信', 'Texts'],
  homeVisit: ['同意上门', 'home visits'],
  shareAddress: ['向社工提供地址', 'share address with workers'],
  openMap: ['在地图中打开', 'Open in a map'],
  lang: ['English', '中文'],
  search: ['搜索长者（姓名/地址）', 'Find a resident (name/address)'],
  caller: ['来电人', 'Caller'],
  severity: ['紧急程度', 'Severity'],
  openCase: ['立案', 'Open the case'],
  toStation: ['转给其他站点（站点编号）', 'To another station (station id)'],
  toAgency: ['或转给外部机构', 'or to an outside agency'],
  reason: ['原因', 'Reason'],
  referrals: ['转介记录', 'Referrals'],
  complaint: ['投诉内容', 'Complaint'],
  recordComplaint: ['记录投诉', 'Record complaint'],
  owner: ['负责人', 'Owner'],
  due: ['期限', 'Deadline'],
  reply: ['回复（短信发送给投诉人）', 'Reply (texted to the complainant)'],
  sendReply: ['发送回复', 'Send reply'],
  in_progress: ['处理中', 'In progress'],
  answered: ['已回复', 'Answered'],
  workers: ['社工与排班', 'Workers & shifts'],
  quality: ['服务质量', 'Quality'],
  audit: ['审计日志', 'Audit log'],
  codes: ['安装码', 'Enrolment codes'],
  residents: ['长者与监护人', 'Residents & guardians'],
  accounts: ['账号', 'Accounts'],
  create: ['新建', 'Create'],
  deactivate: ['停用', 'Deactivate'],
  activate: ['启用', 'Activate'],
  name: ['姓名', 'Name'],
  role: ['角色', 'Role'],
  station: ['站点', 'Station'],
  shifts: ['排班', 'Shifts'],
  makeCode: ['生成安装码', 'Make a code'],
} as const;

export type Key = keyof typeof T;
export const t = (k: Key): string => T[k][lang === 'zh' ? 0 : 1];

const KINDS: Record<string, [string, string]> = {
  fall: ['跌倒', 'Fall'],
  sos: ['紧急呼叫', 'SOS'],
  inactivity: ['长时间无活动', 'No activity'],
  vitals: ['生命体征异常', 'Vital signs'],
  emotion: ['情绪异常', 'Wellbeing'],
  meter_safety: ['水电气异常', 'Water/power/gas'],
  night_exit: ['夜间离家', 'Night exit'],
  device_health: ['设备故障', 'Device fault'],
  medication_missed: ['未按时服药', 'Medication missed'],
};
export const kindLabel = (k: string) => KINDS[k]?.[lang === 'zh' ? 0 : 1] ?? k;
export const statusLabel = (s: string) => (s in T ? t(s as Key) : s);

export const fmtTime = (iso: string | null) =>
  iso
    ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
    : '—';

// Words of the app: Chinese by default, English when chosen (kept on the phone).
const zh = {
  app: "便民代办", signIn: "登录", username: "用户名或手机号", password: "密码", device: "本机名称",
  signOut: "退出登录", today: "今日", notifications: "通知", queue: "待发送", me: "我的",
  waiting: (n) => `${n} 条待发送`, refresh: "刷新", offline: "离线", online: "在线",
  lastSync: "上次同步", never: "从未", noTasks: "今天没有待办任务。", order: "建议顺序",
  distance: (m) => (m >= 1000 ? `${(m / 1000).toFixed(1)} 公里` : `${Math.round(m)} 米`),
  due: "期限", light: { red: "已超期", yellow: "临近期限", green: "正常" },
  kind: { appointment_to_confirm: "待确认预约", appointment: "预约", visit: "上门", case: "办件" },
  back: "返回", call: "拨打电话", applicant: "申请人", address: "地址", item: "事项",
  routing: "派单说明", status: "状态", confirm: "确认接单", decline: "拒绝", reason: "原因",
  handOver: "转交同事", to: "转交给", send: "提交", cancel: "取消", openCase: "开始办件",
  walkIn: "登记窗口来访办件", visit: "上门服务", planVisit: "安排上门",
  checkIn: "到达签到", checkOut: "离开签退", photo: "拍照上传材料", photoSaved: "照片已保存，待上传",
  accuracy: (m) => `精度 ${Math.round(m)} 米`, beyond: "签到位置超出范围", notes: "备注",
  signaturePhoto: "拍摄群众签名", orSignature: "或拍摄群众签名确认：", signatureKept: "签名照片已选好",
  codeOrSignature: "请填写取件码或拍摄签名。",
  map: "地图", list: "列表", unplaced: (n) => `另有 ${n} 项没有位置，见列表。`, mapNeedsNetwork: "首次打开地图需要联网。",
  visitRecord: "上门记录", papersCollected: "收取的材料", onePerLine: "每行一项",
  noPosition: "无法取得位置：请允许定位。", caseTitle: "办件", actions: "可办理的操作",
  noActions: "当前没有可办理的操作。", receipt: "打开回执（PDF）", notice: "打开一次性告知书（PDF）",
  checklist: "材料预审", provided: "已提供", missing: "缺", not_applicable: "不适用",
  takeOriginal: "收取原件", returnCode: "回执上的取件码", rating: "满意度（1–5）", comment: "评价",
  edit: "修改办件信息", description: "说明", phone: "电话", save: "保存",
  conflict: "服务器拒绝了这条修改", serverNow: "服务器上的当前状态", retry: "按新版本重试",
  discard: "放弃这条修改", queueEmpty: "没有待发送的内容。", markAllRead: "全部标为已读",
  markRead: "标为已读", unread: "未读", noNotifications: "没有通知。", language: "语言 / Language",
  onDuty: "在岗（打开应用时上报位置）",
  dutyNote: "网页应用不能在后台上报位置：只有打开应用时才会上报。",
  queued: "已保存，联网后自动发送", failed: "发送失败", signInFailed: "登录失败",
  signedOutKeep: "已退出。本机待发送内容为该用户保留，重新登录后继续发送。",
  sessionEnded: "登录已失效，请重新登录。待发送内容不会丢失。",
  serviceItem: "事项编码", applicantName: "申请人姓名", open: "打开", version: "版本",
  station: "站点", noStation: "您不属于任何站点。", agents: "代办员在办", agent: "代办员", toConfirm: "待确认",
  unrouted: "待分派预约", overdue: "超期办件", none: "无",
  rule: { grid_member: "本网格代办员", community_member: "本社区其他网格", first_inquiry: "首问负责", "": "" },
  why: { new: "新预约派单", declined: "上一位代办员拒绝后重新派单", timeout: "超时未确认，重新派单", batch: "批量派单", regrid: "网格调整后重新派单" },
  grid: "网格", outside: "预约地点不在任何网格内（就近派单）", candidates: "候选代办员",
  kindOf: { primary: "主责", backup: "备岗" },
  outcome: { chosen: "派给此人", ranked_lower: "排序靠后", inactive: "已停用", declined_or_timed_out: "已拒绝或超时", not_working_in_window: "预约时段不在岗", over_open_work_cap: "在办已满" },
  action: {
    confirm: "确认接单", decline: "拒绝接单", hand_over: "转交同事", reassign: "改派",
    cancel: "取消预约", open_case: "开始办件", review: "材料预审（缺件一次告知）",
    accept: "受理（收取原件）", forward: "报送街镇中心", receive: "窗口收件",
    result_ready: "办结待取", refuse: "不予办理", collect: "领取结果", return: "送还群众",
    close: "群众评价并办结", custody: "原件交接", fee: "登记收费", correct: "更正登记",
  },
  statusName: {
    awaiting_confirmation: "待确认", confirmed: "已确认", unrouted: "待分派", in_case: "已转办件",
    cancelled: "已取消", consulting: "咨询预审", awaiting_papers: "待补材料", accepted: "已受理",
    forwarded: "已报送", at_window: "窗口办理中", result_ready: "结果待取", refused: "不予办理",
    collected: "已取回", returned: "已送还", closed: "已办结", declined: "不予受理",
    scheduled: "待上门", in_progress: "已签到", done: "已完成",
  },
};

const en = {
  app: "Proxy service", signIn: "Sign in", username: "Username or phone", password: "Password", device: "This phone's name",
  signOut: "Sign out", today: "Today", notifications: "Alerts", queue: "Waiting", me: "Me",
  waiting: (n) => `${n} waiting`, refresh: "Refresh", offline: "Offline", online: "Online",
  lastSync: "Last sync", never: "never", noTasks: "Nothing to do today.", order: "Suggested order",
  distance: (m) => (m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`),
  due: "Due", light: { red: "Overdue", yellow: "Due soon", green: "On time" },
  kind: { appointment_to_confirm: "To confirm", appointment: "Appointment", visit: "Visit", case: "Case" },
  back: "Back", call: "Call", applicant: "Applicant", address: "Address", item: "Item",
  routing: "Why it is yours", status: "Status", confirm: "Confirm", decline: "Decline", reason: "Reason",
  handOver: "Hand over", to: "To", send: "Send", cancel: "Cancel", openCase: "Open the case",
  walkIn: "Open a walk-in case", visit: "Home visit", planVisit: "Plan a visit",
  checkIn: "Check in", checkOut: "Check out", photo: "Take a photo of papers", photoSaved: "Photo kept, waiting to upload",
  accuracy: (m) => `accuracy ${Math.round(m)} m`, beyond: "Checked in beyond the radius", notes: "Notes",
  signaturePhoto: "Photo of the signature", orSignature: "or confirm with a photo of the resident's signature:", signatureKept: "Signature photo chosen",
  codeOrSignature: "Enter the return code or take a photo of the signature.",
  map: "Map", list: "List", unplaced: (n) => `${n} more without a place: see the list.`, mapNeedsNetwork: "The map needs the network the first time.",
  visitRecord: "Visit record", papersCollected: "Papers taken", onePerLine: "one per line",
  noPosition: "No position: allow location.", caseTitle: "Case", actions: "What you can do",
  noActions: "Nothing to do in this state.", receipt: "Open the receipt (PDF)", notice: "Open the notice of missing papers (PDF)",
  checklist: "Pre-review", provided: "provided", missing: "missing", not_applicable: "n/a",
  takeOriginal: "take the original", returnCode: "Return code on the receipt", rating: "Rating (1–5)", comment: "Comment",
  edit: "Edit the case", description: "Description", phone: "Phone", save: "Save",
  conflict: "The server refused this change", serverNow: "Current state on the server", retry: "Retry with the new version",
  discard: "Discard this change", queueEmpty: "Nothing waiting.", markAllRead: "Mark all read",
  markRead: "Mark read", unread: "unread", noNotifications: "No alerts.", language: "Language / 语言",
  onDuty: "On duty (report position while the app is open)",
  dutyNote: "A web app cannot report in the background: positions are sent only while it is open.",
  queued: "Kept; it is sent when online", failed: "Failed", signInFailed: "Sign-in failed",
  signedOutKeep: "Signed out. This user's waiting work stays on the phone for their next sign-in.",
  sessionEnded: "Your sign-in has ended: sign in again. Waiting work is kept.",
  serviceItem: "Item code", applicantName: "Applicant's name", open: "Open", version: "version",
  station: "Station", noStation: "You belong to no station.", agents: "Agents' open work", agent: "Agent", toConfirm: "To confirm",
  unrouted: "Unrouted appointments", overdue: "Overdue cases", none: "None",
  rule: { grid_member: "Agent of this grid", community_member: "Another grid of the community", first_inquiry: "First inquiry", "": "" },
  why: { new: "New booking", declined: "Re-routed after a decline", timeout: "Re-routed: not confirmed in time", batch: "Routed in a batch", regrid: "Re-routed after a grid change" },
  grid: "Grid", outside: "Outside every grid (nearest grid)", candidates: "Candidates",
  kindOf: { primary: "primary", backup: "backup" },
  outcome: { chosen: "chosen", ranked_lower: "ranked lower", inactive: "inactive", declined_or_timed_out: "declined or timed out", not_working_in_window: "not working then", over_open_work_cap: "at capacity" },
  action: {
    confirm: "Confirm", decline: "Decline", hand_over: "Hand over", reassign: "Reassign",
    cancel: "Cancel", open_case: "Open the case", review: "Pre-review (tell what is missing)",
    accept: "Accept (take originals)", forward: "Forward to the centre", receive: "Received at window",
    result_ready: "Result ready", refuse: "Refuse", collect: "Collect the result", return: "Return to the resident",
    close: "Close with rating", custody: "Hand over originals", fee: "Record a fee", correct: "Correct the register",
  },
  statusName: {},
};

// a case's decline is a refusal to take the matter on, not an appointment declined
zh.caseAction = { ...zh.action, decline: "不予受理（说明原因）", open: "登记办件" };
en.caseAction = { ...en.action, decline: "Not eligible (give the reason)", open: "Opened" };

zh.desk = {
  title: "工作台", figures: "本月指标", onTime: "按时办结率", onTimeOf: (a, b) => `本月办结 ${b} 件，按时 ${a} 件`,
  overdueNow: "当前超期件数", figuresSource: "来自考核指标数据", queues: "工作队列", none: "您没有工作台队列。",
  queue: {
    forwarded: "报送待收件", at_window: "窗口办理中", ready: "结果待送还", overdue: "已超期", complaints: "投诉待处理",
    to_receive: "待收件", in_progress: "办理中（出结果或不予办理）", decided: "已出结果",
  },
  search: "搜索", searchHint: "编号、申请人或事项", filters: "筛选", apply: "筛选", all: "全部",
  filter: { light: "期限", window: "审批窗口", sort: "排序", state: "状态" },
  sort: { due: "期限最早在前", "-due": "期限最晚在前", opened: "最早登记在前", "-opened": "最新登记在前", code: "按编号", created: "最早收到在前", "-created": "最新收到在前" },
  state: { open: "未办结", closed: "已办结", all: "全部" },
  windows: "各审批窗口", windowOpen: (n) => `${n} 件`, count: (n) => `${n} 件`, firstOnly: (n) => `（显示前 ${n} 件）`,
  empty: "这个队列是空的。",
  col: { code: "编号", station: "站点", window: "审批窗口", light: "期限提示", opened: "登记时间", about: "被投诉人", text: "投诉内容", received: "收到时间" },
  keys: "键盘：↑↓ 选择，Enter 打开，N 打开下一件，/ 搜索；办件页 N 下一件，Esc 返回队列。",
  sending: "正在提交…", complaint: "投诉", complainant: "投诉人", history: "处理记录", backToQueue: "返回队列", next: "下一件", last: "已是队列最后一件",
  outcome: { upheld: "属实", partly_upheld: "部分属实", not_upheld: "不属实" },
};
zh.complaintAction = { investigate: "开始调查", reply: "答复投诉人", close: "办结投诉（记录结果）", receive: "收到投诉" };
Object.assign(zh, { reply: "答复内容", outcome: "处理结果" });
Object.assign(zh.statusName, { received: "已收到", investigating: "调查中", replied: "已答复" });
en.desk = {
  title: "Desk", figures: "This month", onTime: "On time", onTimeOf: (a, b) => `${a} of ${b} completed this month on time`,
  overdueNow: "Overdue now", figuresSource: "from the supervision figures", queues: "Queues", none: "You have no desk queues.",
  queue: {
    forwarded: "Forwarded to us", at_window: "At the windows", ready: "Ready to hand back", overdue: "Overdue", complaints: "Complaints to handle",
    to_receive: "To receive", in_progress: "In progress (ready or refuse)", decided: "Decided",
  },
  search: "Search", searchHint: "code, applicant or item", filters: "Filters", apply: "Filter", all: "All",
  filter: { light: "Deadline", window: "Window", sort: "Sort", state: "State" },
  sort: { due: "Due first", "-due": "Due last", opened: "Oldest first", "-opened": "Newest first", code: "By code", created: "Oldest first", "-created": "Newest first" },
  state: { open: "Open", closed: "Closed", all: "All" },
  windows: "Approval windows", windowOpen: (n) => `${n} open`, count: (n) => `${n}`, firstOnly: (n) => `(first ${n} shown)`,
  empty: "This queue is empty.",
  col: { code: "Code", station: "Station", window: "Window", light: "Deadline", opened: "Registered", about: "About", text: "Complaint", received: "Received" },
  keys: "Keys: ↑↓ select, Enter opens, N opens the next, / searches; on a matter N next, Esc back to the queue.",
  sending: "Sending…", complaint: "Complaint", complainant: "Complainant", history: "History", backToQueue: "Back to the queue", next: "Next", last: "Last in the queue",
  outcome: { upheld: "upheld", partly_upheld: "partly upheld", not_upheld: "not upheld" },
};
en.complaintAction = { investigate: "Investigate", reply: "Reply to the complainant", close: "Close with the outcome", receive: "Received" };
Object.assign(en, { reply: "Reply", outcome: "Outcome" });

let lang = localStorage.getItem("fieldapp.lang") || "zh";

export function t(key, ...args) {
  const table = lang === "en" ? en : zh;
  let value = key.split(".").reduce((o, k) => (o == null ? o : o[k]), table);
  if (value == null) value = key.split(".").reduce((o, k) => (o == null ? o : o[k]), zh);
  if (typeof value === "function") return value(...args);
  return value == null ? key.split(".").pop() : value;
}

export const language = () => lang;
export function setLanguage(value) {
  lang = value === "en" ? "en" : "zh";
  localStorage.setItem("fieldapp.lang", lang);
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
}
export const acceptLanguage = () => (lang === "en" ? "en" : "zh-hans");

/**
 * Strings of the web pages in zh-CN (the default) and English, and `t(key, vars)`. Pure data and functions at
 * module level (no DOM access until a function is called): the build also loads this module in Node to write
 * dist/web/i18n.json, from which the gateway renders the consumer page server-side.
 *
 * Adding a string: add the key to `zh` and to `en` (the compiler refuses an English dictionary that misses a key
 * or has an extra one; a unit test checks the built JSON too). `{name}` placeholders are replaced by `t`'s vars.
 * The choice of language lives in sessionStorage only ('upoint.lang'), or in `?lang=en`.
 */

import { DEFAULT_LANG, rememberLang, type Lang } from './lang.js';

export { DEFAULT_LANG, initialLang, isLang, LANGS, type Lang } from './lang.js';

const zh = {
    // ---- common
    'app.name': 'U-Point',
    'lang.switch': 'English',
    'lang.switch.label': '切换到英文',
    'common.loading': '加载中…',
    'common.none': '无',
    'common.retry': '重试',
    'common.close': '关闭',
    'common.back': '返回',
    'common.submit': '提交',
    'common.cancel': '取消',
    'common.more': '加载更多',
    'common.yes': '是',
    'common.no': '否',

    // ---- problems (error view): one per gateway code, plus the client's own
    'problem.title': '出错了',
    'problem.NOT_FOUND': '未找到',
    'problem.FORBIDDEN': '无权执行此操作',
    'problem.INVALID_ARGUMENT': '参数无效',
    'problem.INVALID_STATE': '当前状态不允许此操作',
    'problem.CONFLICT': '与已有记录冲突',
    'problem.DUPLICATE_REQUEST': '重复的请求',
    'problem.INSUFFICIENT_FUNDS': '余额不足',
    'problem.UNAUTHENTICATED': 'API 密钥无效或缺失，请重新登录',
    'problem.VALIDATION_FAILED': '输入有误',
    'problem.IDEMPOTENCY_KEY_REUSED': '此幂等键已用于另一个请求',
    'problem.RATE_LIMITED': '请求过于频繁，请稍后再试',
    'problem.UNAVAILABLE': '服务暂不可用',
    'problem.TIMEOUT': '请求超时',
    'problem.INTERNAL': '服务器内部错误',
    'problem.NETWORK': '无法连接到网关',
    'problem.BAD_RESPONSE': '网关返回了无法识别的应答',

    // ---- consumer verification page
    'verify.title': '正品验证',
    'verify.serial': '序列号',
    'verdict.GENUINE': '正品',
    'verdict.SUSPECT': '可疑',
    'verdict.UNKNOWN': '无法识别',
    'verdict.GENUINE.detail': '此产品的验证码与区块链上的记录一致。',
    'verdict.SUSPECT.detail': '验证码有效，但发现以下异常，请谨慎购买：',
    'verdict.UNKNOWN.detail': '没有与此序列号和验证码匹配的产品。它可能是仿冒品，或二维码已损坏。',
    'reason.LOT_RECALLED': '该批次已被召回',
    'reason.SCAN_LIMIT_EXCEEDED': '扫描次数过多，验证码可能已被复制',
    'reason.LOCATION_CHANGED': '此前曾在其他地点被扫描',
    'reason.PREVIOUSLY_SUSPECT': '此前已被判定为可疑',
    'verify.scanCount': '有效扫描次数：{n}',
    'verify.previousScan': '上次扫描：{time}，{place}',
    'verify.scanNotice': '提示：每次打开本页面都会记录一次扫描，扫描过多会使结果变为"可疑"。',
    'verify.noCode.title': '缺少验证码',
    'verify.noCode.body': '链接中没有验证码。请用手机扫描产品标签上的二维码打开本页面。',
    'verify.rateLimited.title': '查询过于频繁',
    'verify.rateLimited.body': '请在 {seconds} 秒后重试。',
    'verify.error.title': '暂时无法验证',
    'verify.error.body': '验证服务暂不可用，请稍后重试。',
    'verify.invalid.title': '链接无效',
    'verify.invalid.body': '此验证链接的格式不正确。请重新扫描产品标签上的二维码。',
    'section.product': '产品',
    'section.lot': '批次',
    'section.timeline': '溯源记录',
    'section.ancestors': '来源批次 {id}',
    'section.fees': '费用与税金',
    'field.name': '名称',
    'field.sku': 'SKU',
    'field.model': '型号',
    'field.lot': '批次号',
    'field.quantity': '数量',
    'field.status': '状态',
    'field.manufacturer': '生产方',
    'field.holder': '当前持有方',
    'field.by': '记录方',
    'field.place': '地点',
    'field.time': '时间',
    'field.from': '发出方',
    'field.to': '接收方',
    'field.inspection': '检验',
    'field.result': '结果',
    'field.inputs': '原料',
    'field.note': '备注',
    'field.documents': '文件',
    'field.fees': '费用与税金',
    'field.payee': '收款方',
    'field.recall': '召回原因',
    'inspection.CONFORMANT': '合格',
    'inspection.NONCONFORMANT': '不合格',
    'event.CREATED': '批次创建',
    'event.OBJECT': '记录',
    'event.TRANSFORMATION': '加工',
    'event.INSPECTION': '检验',
    'event.CUSTODY': '交接',
    'event.RECALL': '召回',
    'event.COMMISSION_UNITS': '赋码',
    'step.commissioning': '投产',
    'step.receiving': '收货',
    'step.inspecting': '检验',
    'step.packing': '包装',
    'step.shipping': '发运',
    'step.retail_selling': '零售',
    'step.transforming': '加工',
    'step.storing': '仓储',
    'step.holding': '暂扣',
    'step.repairing': '返工',
    'step.destroying': '销毁',
    'step.recalling': '召回',
    'step.creating_class_instance': '批次创建',
    'step.encoding': '赋码',
    'step.loading': '装货',
    'step.unloading': '卸货',
    'step.sampling': '抽样送检',
    'status.CREATED': '已创建',
    'status.IN_PROCESS': '生产中',
    'status.QC_PENDING': '待检验',
    'status.RELEASED': '已放行',
    'status.QUARANTINED': '隔离中',
    'status.SHIPPED': '运输中',
    'status.RECEIVED': '已收货',
    'status.SOLD_OUT': '已售罄',
    'status.RECALLED': '已召回',
    'fee.FEE': '费用',
    'fee.TAX': '税',
    'fee.DUTY': '关税',
    'fee.FREIGHT': '运费',
    'fee.INSURANCE': '保险',
    'doc.CERTIFICATE': '证书',
    'doc.INVOICE': '发票',
    'doc.BILL_OF_LADING': '提单',
    'doc.CUSTOMS': '报关单',
    'doc.LAB_REPORT': '检测报告',
    'doc.PHOTO': '照片',
    'doc.OTHER': '其他文件',
    'doc.check': '选择文件核对 SHA-256',
    'doc.checking': '正在计算…',
    'doc.match': '一致：该文件与记录相符',
    'doc.noMatch': '不一致：该文件与记录不符',
    'doc.unsupported': '此浏览器无法计算文件哈希',

    // ---- labels sheet
    'labels.title': '二维码标签',
    'labels.hint': '打印后请覆盖刮刮层或防拆贴。每个验证码只会显示一次，请勿截图外传。',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof zh;
export type Dictionary = Readonly<Record<MessageKey, string>>;

const en: Dictionary = {
    'app.name': 'U-Point',
    'lang.switch': '中文',
    'lang.switch.label': 'Switch to Chinese',
    'common.loading': 'Loading…',
    'common.none': 'None',
    'common.retry': 'Retry',
    'common.close': 'Close',
    'common.back': 'Back',
    'common.submit': 'Submit',
    'common.cancel': 'Cancel',
    'common.more': 'Load more',
    'common.yes': 'Yes',
    'common.no': 'No',

    'problem.title': 'Something went wrong',
    'problem.NOT_FOUND': 'Not found',
    'problem.FORBIDDEN': 'You may not do this',
    'problem.INVALID_ARGUMENT': 'Invalid argument',
    'problem.INVALID_STATE': 'Not allowed in the current state',
    'problem.CONFLICT': 'Conflicts with an existing record',
    'problem.DUPLICATE_REQUEST': 'Duplicate request',
    'problem.INSUFFICIENT_FUNDS': 'Insufficient funds',
    'problem.UNAUTHENTICATED': 'The API key is missing or unknown: sign in again',
    'problem.VALIDATION_FAILED': 'Some fields are invalid',
    'problem.IDEMPOTENCY_KEY_REUSED': 'This Idempotency-Key was used for a different request',
    'problem.RATE_LIMITED': 'Too many requests: try again shortly',
    'problem.UNAVAILABLE': 'The service is unavailable',
    'problem.TIMEOUT': 'The request timed out',
    'problem.INTERNAL': 'Internal error',
    'problem.NETWORK': 'The gateway cannot be reached',
    'problem.BAD_RESPONSE': 'The gateway gave an unexpected answer',

    'verify.title': 'Product verification',
    'verify.serial': 'Serial',
    'verdict.GENUINE': 'Genuine',
    'verdict.SUSPECT': 'Suspect',
    'verdict.UNKNOWN': 'Unknown',
    'verdict.GENUINE.detail': "This product's code matches the record on the ledger.",
    'verdict.SUSPECT.detail': 'The code is valid, but something is wrong — be careful:',
    'verdict.UNKNOWN.detail': 'No product matches this serial and code. It may be counterfeit, or the QR code is damaged.',
    'reason.LOT_RECALLED': 'This lot has been recalled',
    'reason.SCAN_LIMIT_EXCEEDED': 'Scanned too many times: the code may have been copied',
    'reason.LOCATION_CHANGED': 'Scanned from another place before',
    'reason.PREVIOUSLY_SUSPECT': 'Found suspect before',
    'verify.scanCount': 'Valid scans: {n}',
    'verify.previousScan': 'Last scan: {time}, {place}',
    'verify.scanNotice': 'Note: each time this page is opened a scan is recorded; too many scans make the result "suspect".',
    'verify.noCode.title': 'No verification code',
    'verify.noCode.body': 'The link has no verification code. Open this page by scanning the QR code on the product label.',
    'verify.rateLimited.title': 'Too many checks',
    'verify.rateLimited.body': 'Please try again in {seconds} s.',
    'verify.error.title': 'Verification is unavailable',
    'verify.error.body': 'The verification service does not answer right now. Please try again later.',
    'verify.invalid.title': 'Invalid link',
    'verify.invalid.body': 'This verification link is malformed. Scan the QR code on the product label again.',
    'section.product': 'Product',
    'section.lot': 'Lot',
    'section.timeline': 'Provenance',
    'section.ancestors': 'Source lot {id}',
    'section.fees': 'Fees and taxes',
    'field.name': 'Name',
    'field.sku': 'SKU',
    'field.model': 'Model',
    'field.lot': 'Lot',
    'field.quantity': 'Quantity',
    'field.status': 'Status',
    'field.manufacturer': 'Manufacturer',
    'field.holder': 'Held by',
    'field.by': 'Recorded by',
    'field.place': 'Place',
    'field.time': 'Time',
    'field.from': 'From',
    'field.to': 'To',
    'field.inspection': 'Inspection',
    'field.result': 'Result',
    'field.inputs': 'Inputs',
    'field.note': 'Note',
    'field.documents': 'Documents',
    'field.fees': 'Fees and taxes',
    'field.payee': 'Payee',
    'field.recall': 'Recall reason',
    'inspection.CONFORMANT': 'Conformant',
    'inspection.NONCONFORMANT': 'Non-conformant',
    'event.CREATED': 'Lot created',
    'event.OBJECT': 'Event',
    'event.TRANSFORMATION': 'Transformation',
    'event.INSPECTION': 'Inspection',
    'event.CUSTODY': 'Custody',
    'event.RECALL': 'Recall',
    'event.COMMISSION_UNITS': 'Units serialized',
    'step.commissioning': 'Production started',
    'step.receiving': 'Received',
    'step.inspecting': 'Inspected',
    'step.packing': 'Packed',
    'step.shipping': 'Shipped',
    'step.retail_selling': 'Sold at retail',
    'step.transforming': 'Transformed',
    'step.storing': 'Stored',
    'step.holding': 'Held',
    'step.repairing': 'Reworked',
    'step.destroying': 'Destroyed',
    'step.recalling': 'Recalled',
    'step.creating_class_instance': 'Lot created',
    'step.encoding': 'Serialized',
    'step.loading': 'Loaded',
    'step.unloading': 'Unloaded',
    'step.sampling': 'Sampled for inspection',
    'status.CREATED': 'Created',
    'status.IN_PROCESS': 'In process',
    'status.QC_PENDING': 'Awaiting inspection',
    'status.RELEASED': 'Released',
    'status.QUARANTINED': 'Quarantined',
    'status.SHIPPED': 'In transit',
    'status.RECEIVED': 'Received',
    'status.SOLD_OUT': 'Sold out',
    'status.RECALLED': 'Recalled',
    'fee.FEE': 'Fee',
    'fee.TAX': 'Tax',
    'fee.DUTY': 'Duty',
    'fee.FREIGHT': 'Freight',
    'fee.INSURANCE': 'Insurance',
    'doc.CERTIFICATE': 'Certificate',
    'doc.INVOICE': 'Invoice',
    'doc.BILL_OF_LADING': 'Bill of lading',
    'doc.CUSTOMS': 'Customs declaration',
    'doc.LAB_REPORT': 'Lab report',
    'doc.PHOTO': 'Photo',
    'doc.OTHER': 'Document',
    'doc.check': 'Check a file against its SHA-256',
    'doc.checking': 'Hashing…',
    'doc.match': 'Match: this file is the recorded one',
    'doc.noMatch': 'No match: this file is not the recorded one',
    'doc.unsupported': 'This browser cannot hash files',

    'labels.title': 'QR labels',
    'labels.hint': 'Cover each code with a scratch-off or tamper-evident seal after printing. The codes are shown once: do not share this page.',
};

export const MESSAGES: Readonly<Record<Lang, Dictionary>> = { 'zh-CN': zh, en };

let current: Lang = DEFAULT_LANG;

export function isMessageKey(value: string): value is MessageKey {
    return Object.prototype.hasOwnProperty.call(zh, value);
}

/** The current language (module state; `setLang` changes it). */
export function getLang(): Lang {
    return current;
}

/** `{name}` placeholders replaced by `vars`; a missing key falls back to the key itself (never throws). */
export function t(key: MessageKey, vars?: Readonly<Record<string, string | number>>, lang: Lang = current): string {
    const text = MESSAGES[lang][key] ?? MESSAGES[DEFAULT_LANG][key] ?? key;
    return vars === undefined ? text : text.replace(/\{([A-Za-z0-9_]+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Translates a key built at run time (e.g. `status.${lot.status}`), falling back to `fallback` (default: the raw value). */
export function tDynamic(key: string, fallback?: string, lang: Lang = current): string {
    return isMessageKey(key) ? t(key, undefined, lang) : (fallback ?? key);
}

/** Sets the language, remembers it for this browser session only, and sets <html lang>. */
export function setLang(lang: Lang, remember = true): void {
    current = lang;
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
    if (remember) rememberLang(lang);
}

/**
 * Re-translates the server- or script-rendered elements under `root`: `data-i18n="key"` sets the text (with
 * `data-i18n-vars='{"n":"3"}'` for placeholders); `data-i18n-attr="aria-label:key;title:key"` sets attributes.
 * Only textContent and setAttribute are used: nothing is parsed as HTML.
 */
export function applyTranslations(root: ParentNode, lang: Lang = current): void {
    for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
        const key = el.dataset.i18n ?? '';
        if (!isMessageKey(key)) continue;
        let vars: Record<string, string> | undefined;
        if (el.dataset.i18nVars !== undefined) {
            try {
                vars = JSON.parse(el.dataset.i18nVars) as Record<string, string>;
            } catch {
                vars = undefined;
            }
        }
        el.textContent = t(key, vars, lang);
    }
    for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
        for (const pair of (el.dataset.i18nAttr ?? '').split(';')) {
            const [attr, key] = pair.split(':');
            if (attr !== undefined && key !== undefined && /^[a-z-]+$/.test(attr) && isMessageKey(key)) el.setAttribute(attr, t(key, undefined, lang));
        }
    }
}

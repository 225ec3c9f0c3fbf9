import type { Entries } from './entry.js';

/**
 * Config validation problems (src/config/load.ts: path, message, expected, found, suggestion) as
 * anjuctl prints them. `message` is a stable English phrase from load.ts; its translation is keyed
 * by it. A schema's own rules (refinements, formats) come by their code: config-rules.ts.
 */
export const problemMessages = {
  required: { en: 'required', zh: '缺少此项' },
  'wrong type': { en: 'wrong type', zh: '类型错误' },
  'unknown key': { en: 'unknown key', zh: '未知的键' },
  'not an allowed value': { en: 'not an allowed value', zh: '不是允许的值' },
  'out of range': { en: 'out of range', zh: '超出范围' },
  'wrong format': { en: 'wrong format', zh: '格式错误' },
  // zod's own word for an input no option of a union takes (load.ts words the usual cases itself).
  'Invalid input': { en: 'Invalid input', zh: '输入无效' },
  'found string': { en: 'string', zh: '字符串' },
  'found number': { en: 'number', zh: '数字' },
  'found boolean': { en: 'boolean', zh: '布尔值' },
  'found a mapping': { en: 'a mapping', zh: '映射' },
  'found a list': { en: 'a list', zh: '列表' },
  'found null': { en: 'null', zh: '空值' },
  // zod's names of the type a key expects ("wrong type (expected number, ...)").
  'type string': { en: 'string', zh: '字符串' },
  'type number': { en: 'number', zh: '数字' },
  'type boolean': { en: 'boolean', zh: '布尔值' },
  'type object': { en: 'object', zh: '映射' },
  'type array': { en: 'array', zh: '列表' },
  'type int': { en: 'int', zh: '整数' },
} as const satisfies Entries;

export const problemWords = {
  cpExpected: { en: 'expected {x}', zh: '应为 {x}' },
  cpFound: { en: 'found {x}', zh: '实际为 {x}' },
  cpDidYouMean: { en: 'did you mean {x}?', zh: '您是否想写 {x}？' },
  cpOneOf: { en: 'one of: ', zh: '以下之一：' },
  cpNoSuchKey: { en: 'no such key', zh: '此处没有键' },
  cpNothing: { en: 'nothing', zh: '空' },
  cpDocument: { en: '(document)', zh: '（整个文件）' },
  cpCount: { en: '{n} problem(s); nothing was started.', zh: '共 {n} 个问题；未启动任何内容。' },
  cpWarnings: { en: '{n} warning(s): the hub runs with this config, but check them', zh: '{n} 个警告：网关可以用此配置运行，但请检查' },
  cpValid: { en: '{file}: OK (hub {hub}, {n} device(s))', zh: '{file}：有效（网关 {hub}，{n} 台设备）' },
} as const satisfies Entries;

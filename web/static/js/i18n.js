// The phone's words in the page's language. Modules are written in Chinese, like the templates:
// t("请填写{name}的身份证号", { name }) answers the English of the catalogue when the page is in
// English, else the Chinese itself, with {placeholders} filled in. A word defined in one place and
// shown in another is marked N_("…") where it is defined and goes through t() where it is shown.
// `make messages` extracts both into the templates' catalogue (web/locales/pairs/*.tsv); the server
// answers one language's words at /i18n/<locale>.json, which the service worker precaches, so a
// page opens in its language offline too. The page says its language in <html lang>.
// Not for the service worker's modules (sync-client.js, outbox.js, db.js): the words are loaded
// with a top-level await, which a service worker may not use. Those keep the Chinese (marked
// N_), and the page translates it where it shows it.
const lang = globalThis.document?.documentElement.lang || "zh-CN";
export const locale = lang.toLowerCase().startsWith("zh") ? "zh_CN" : lang;

async function load() {
  if (locale === "zh_CN") return {};
  try {
    const response = await fetch(`/i18n/${locale}.json`, { credentials: "same-origin" });
    return response.ok ? await response.json() : {};
  } catch {
    return {}; // neither reachable nor cached: the Chinese, rather than nothing
  }
}

const messages = await load();
const PLACEHOLDER = /\{(\w+)\}/g;
const fill = (text, params) => text.replace(PLACEHOLDER, (whole, key) => (key in params ? String(params[key]) : whole));

// Words put together in Chinese where they could not be translated (by the server, or by the
// service worker's modules) are found by their pattern: "请填写王伟的身份证号" is
// "请填写{name}的身份证号" with name "王伟", each value translated in turn. Only patterns with
// Chinese words of their own take part ("{name}：{reason}" would match too much), the most
// specific first.
let patterns = null;
function byPattern(message) {
  patterns ??= Object.keys(messages)
    .map((key) => ({ key, literal: key.replace(PLACEHOLDER, "") }))
    .filter(({ key, literal }) => key !== literal && /[\u3400-\u9fff]{2}/.test(literal))
    .sort((a, b) => b.literal.length - a.literal.length)
    .map(({ key }) => ({
      key,
      names: [...key.matchAll(PLACEHOLDER)].map((m) => m[1]),
      regex: new RegExp(`^${key.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("(.+?)")}$`, "s"),
    }));
  for (const { key, names, regex } of patterns) {
    const found = message.match(regex);
    if (found) return fill(messages[key], Object.fromEntries(names.map((name, i) => [name, t(found[i + 1])])));
  }
  return message;
}

export function t(message, params = {}) {
  if (typeof message !== "string") return message; // a reason the server did not give
  if (message in messages) return fill(messages[message], params);
  return fill(locale === "zh_CN" ? message : byPattern(message), params);
}

// Marks a word for the catalogue where it is defined; t() translates it where it is shown.
export const N_ = (message) => message;

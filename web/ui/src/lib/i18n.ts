// Chinese by default, English on request (?lang=en, or the language switch, remembered).
export type Lang = 'zh-CN' | 'en';

type Dict = Record<string, string>;

let lang: Lang = 'zh-CN';
let dicts: Record<Lang, Dict> = { 'zh-CN': {}, en: {} };

export function setDictionaries(d: Record<Lang, Dict>): void {
  dicts = d;
}

export function initLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  const saved = localStorage.getItem('griddispatch.lang');
  const pick = q ?? saved;
  lang = pick === 'en' ? 'en' : 'zh-CN';
  if (q) localStorage.setItem('griddispatch.lang', lang);
  document.documentElement.lang = lang;
  return lang;
}

export function currentLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem('griddispatch.lang', l);
  document.documentElement.lang = l;
}

// t looks a key up and fills {name} placeholders. A missing key shows itself, so it is noticed.
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const s = dicts[lang][key] ?? dicts['zh-CN'][key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function formatTime(iso: string | number): string {
  const d = new Date(iso);
  return d.toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/**
 * The page's languages: the message catalogue of the language in force, `tr(key, params)` to
 * say a message, and the document's language and direction.
 *
 * Catalogues are JSON (`static/locales/{lang}.json`), the same files the server reads for its
 * error messages. A message has `{name}` placeholders; one that depends on a number is an
 * object of plural categories chosen with `Intl.PluralRules` (its `{count}`). A key missing
 * from a language is said in English, so a half-translated language still works. The
 * language is chosen once, before anything is drawn: a change reloads the page, which
 * rebuilds every panel in the new language from the link.
 */

/** The languages in the picker: id, own name, direction. */
export const LANGUAGES = [
  { id: 'en', name: 'English', dir: 'ltr' },
  { id: 'bs', name: 'Bosanski', dir: 'ltr' },
  { id: 'hr', name: 'Hrvatski', dir: 'ltr' },
  { id: 'sr', name: 'Srpski', dir: 'ltr' },
  { id: 'uk', name: 'Українська', dir: 'ltr' },
  { id: 'fa', name: 'فارسی', dir: 'rtl' },
];
export const DEFAULT_LANGUAGE = 'en';
const IDS = LANGUAGES.map((l) => l.id);
/** BCP 47 tags for `lang` attributes and `Intl` (Serbian is written in Latin script). */
const TAGS = { sr: 'sr-Latn' };

let language = DEFAULT_LANGUAGE;
let messages = {};
let english = {};
let plurals = new Intl.PluralRules('en');

/** Our language for a browser's tag (`uk-UA` → `uk`, `sr-Latn-RS` → `sr`), or null. */
export function matchLanguage(tag) {
  const lower = String(tag || '').toLowerCase();
  if (lower.startsWith('sr-cyrl')) return null;
  const base = lower.split(/[-_]/)[0];
  return IDS.includes(base) ? base : null;
}

/** The first of the browser's languages the lab speaks, else English. */
export function browserLanguage() {
  if (typeof navigator === 'undefined') return DEFAULT_LANGUAGE;
  const tags = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of tags) {
    const found = matchLanguage(tag);
    if (found) return found;
  }
  return DEFAULT_LANGUAGE;
}

/** The language in force. */
export const currentLanguage = () => language;
/** Its tag for `Intl` and the `lang` attribute. */
export const languageTag = () => TAGS[language] || language;

async function fetchCatalogue(lang) {
  const response = await fetch(`static/locales/${lang}.json`);
  if (!response.ok) throw new Error(`no messages for ${lang} (HTTP ${response.status})`);
  return response.json();
}

/**
 * Read `lang`'s messages (and English, for what it lacks), and set the document's language
 * and direction. Plots stay left to right: they carry their own `dir` in the stylesheet.
 */
export async function loadLanguage(lang) {
  language = IDS.includes(lang) ? lang : DEFAULT_LANGUAGE;
  english = await fetchCatalogue(DEFAULT_LANGUAGE);
  messages = language === DEFAULT_LANGUAGE ? english : await fetchCatalogue(language);
  plurals = new Intl.PluralRules(languageTag());
  const root = document.documentElement;
  root.lang = languageTag();
  root.dir = LANGUAGES.find((l) => l.id === language).dir;
}

/** Say the message `key` with `params` filled in; the key itself if no language has it. */
export function tr(key, params = {}) {
  let text = messages[key] ?? english[key];
  if (text === undefined) return key;
  if (typeof text === 'object') {
    const chosen = plurals.select(Number(params.count ?? 0));
    text = text[chosen] ?? text.other;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name])
    : whole));
}

/** A surface's or dataset's parameter as a field's label: its word in the language in force
 * where the catalogues have one (`param.noise`), else its name as the API takes it. */
export function paramLabel(name) {
  const key = `param.${name}`;
  const text = tr(key);
  return text === key ? name : text;
}

/** Whether the language in force has its own text for `key` (not the English fallback). */
export const has = (key) => key in messages;

/**
 * Translate the static page: `data-i18n` sets the text, `data-i18n-title`, `data-i18n-label`
 * (aria-label) and `data-i18n-tab` (a panel's tab name) the attributes.
 */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = tr(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    el.title = tr(el.dataset.i18nTitle);
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', tr(el.dataset.i18nLabel));
  }
  for (const el of root.querySelectorAll('[data-i18n-tab]')) el.dataset.tab = tr(el.dataset.i18nTab);
  const description = document.querySelector('meta[name=description]');
  if (description) description.content = tr('page.description');
  document.title = tr('page.title');
}

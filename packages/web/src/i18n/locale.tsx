import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, zhCN, type MessageKey } from './messages';

export type Locale = 'en' | 'zh-CN';
export const locales: readonly Locale[] = ['en', 'zh-CN'];
const tables: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
const storageKey = 'registry.locale';

/** The remembered choice, else the browser's preference, else English. */
export function initialLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(storageKey);
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

interface LocaleContextValue {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  formatDate(isoDate: string): string;
  formatDateTime(isoDateTime: string): string;
  formatNumber(value: number): string;
}

const LocaleContext = createContext<LocaleContextValue | null>(null);

export function LocaleProvider(props: {
  locale: Locale;
  onChange(locale: Locale): void;
  children: ReactNode;
}) {
  const { locale, onChange } = props;
  const value = useMemo<LocaleContextValue>(() => {
    const table = tables[locale];
    const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    return {
      locale,
      setLocale(next) {
        localStorage.setItem(storageKey, next);
        document.documentElement.lang = next;
        onChange(next);
      },
      t(key, values) {
        const text = table[key];
        return values
          ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''))
          : text;
      },
      // Dates (no time) are calendar days: format them in UTC so no time zone shifts the day.
      formatDate: (isoDate) => dates.format(new Date(`${isoDate}T00:00:00Z`)),
      formatDateTime: (isoDateTime) => dateTimes.format(new Date(isoDateTime)),
      formatNumber: (value) => numbers.format(value),
    };
  }, [locale, onChange]);
  return <LocaleContext.Provider value={value}>{props.children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleContextValue {
  const value = useContext(LocaleContext);
  if (!value) throw new Error('useLocale outside LocaleProvider');
  return value;
}

/** Keeps the chosen locale in React state; the provider persists changes. */
export function useLocaleState(): [Locale, (locale: Locale) => void] {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  return [locale, useCallback((next: Locale) => setLocale(next), [])];
}

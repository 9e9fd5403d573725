/** Strings of the school, trainer, teacher and public verification screens, in English and Simplified Chinese (same keys in both). */
export const en = {} as const;

export const zhCN: Record<keyof typeof en, string> = {};

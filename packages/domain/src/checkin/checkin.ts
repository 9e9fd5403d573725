import { formatDateTime, type Locale } from '../i18n/locale';

/**
 * The rotating session check-in code a trainer shows on screen (and as a QR code) and teachers
 * type on their phones. It works like a TOTP: HMAC-SHA-256 over the session id and the current
 * 60-second step, keyed by the session's secret (sessions.checkin_secret, never shown).
 *
 * Six characters from a 32-letter alphabet without look-alikes (no 0/O, no 1/I): 30 bits, so
 * a guess succeeds about once in a billion, and 32 = 2^5 means each character takes exactly
 * five bits of the MAC with no modulo bias.
 *
 * The Web Crypto API (globalThis.crypto.subtle) is used, present in Node 20 and in browsers,
 * so the domain package imports nothing from node:. It is asynchronous, hence async functions.
 */

export const checkinAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const checkinCodeLength = 6;
export const checkinStepSeconds = 60;

const bitsPerChar = 5;

/** The 60-second step a moment falls in (steps count from the Unix epoch). */
export function checkinStep(at: Date): number {
  return Math.floor(at.getTime() / (checkinStepSeconds * 1000));
}

const encoder = new TextEncoder();

async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}

/** The code of one session for one time step. */
export async function checkinCode(
  secret: string,
  sessionId: number,
  timeStep: number,
): Promise<string> {
  // The session id is in the message so two sessions that shared a secret still differ.
  const mac = await hmacSha256(secret, `checkin:${sessionId}:${timeStep}`);
  let code = '';
  for (let i = 0; i < checkinCodeLength; i += 1) {
    const bit = i * bitsPerChar;
    const byte = bit >> 3;
    // Read 16 bits starting at the byte holding this character's first bit, then shift down.
    const word = ((mac[byte] ?? 0) << 8) | (mac[byte + 1] ?? 0);
    const index = (word >> (16 - bitsPerChar - (bit & 7))) & 0b11111;
    code += checkinAlphabet[index] ?? '';
  }
  return code;
}

/**
 * What people type, made comparable: full-width characters (a Chinese input method) folded to
 * ASCII, spaces and dashes dropped, lower case raised.
 */
export function normalizeCheckinCode(input: string): string {
  return input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
}

export interface CheckinWindow {
  startsAt: Date;
  endsAt: Date;
}

export interface VerifyOptions {
  /** Minutes before the start a teacher may already check in (arriving early). */
  graceBeforeMinutes?: number;
  /** Minutes after the end a check-in is still accepted (a slow phone, a queue at the door). */
  graceAfterMinutes?: number;
  /** Earlier steps accepted besides the current one; 1 = the code shown a minute ago. */
  skewSteps?: number;
}

export const defaultCheckinGraceMinutes = 15;

export type CheckinRefusal =
  { code: 'OUTSIDE_WINDOW'; opensAt: Date; closesAt: Date } | { code: 'WRONG_CODE' };

export type CheckinResult = { ok: true; timeStep: number } | { ok: false; refusal: CheckinRefusal };

/** Compares without stopping at the first difference, so timing reveals nothing. */
function sameCode(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Accepts a typed code when `now` is inside the session's window (with grace) and the code is
 * the one of the current step or of one of the `skewSteps` previous steps (the code on screen
 * may have just rotated). Never accepts future steps. The window is checked first: outside it,
 * even a right code is refused, so codes photographed and shared later are useless.
 */
export async function verifyCheckin(
  code: string,
  now: Date,
  session: { id: number; secret: string; window: CheckinWindow },
  options: VerifyOptions = {},
): Promise<CheckinResult> {
  const before = (options.graceBeforeMinutes ?? defaultCheckinGraceMinutes) * 60_000;
  const after = (options.graceAfterMinutes ?? defaultCheckinGraceMinutes) * 60_000;
  const opensAt = new Date(session.window.startsAt.getTime() - before);
  const closesAt = new Date(session.window.endsAt.getTime() + after);
  if (now.getTime() < opensAt.getTime() || now.getTime() > closesAt.getTime()) {
    return { ok: false, refusal: { code: 'OUTSIDE_WINDOW', opensAt, closesAt } };
  }
  const typed = normalizeCheckinCode(code);
  if (typed.length !== checkinCodeLength) return { ok: false, refusal: { code: 'WRONG_CODE' } };
  const current = checkinStep(now);
  const skew = Math.max(0, Math.floor(options.skewSteps ?? 1));
  let accepted: number | null = null;
  // Every candidate is computed and compared, accepted or not, to keep timing uniform.
  for (let step = current - skew; step <= current; step += 1) {
    const expected = await checkinCode(session.secret, session.id, step);
    if (sameCode(typed, expected)) accepted = step;
  }
  return accepted === null
    ? { ok: false, refusal: { code: 'WRONG_CODE' } }
    : { ok: true, timeStep: accepted };
}

/** Renders a refusal for the teacher holding the phone. */
export function describeCheckinRefusal(
  refusal: CheckinRefusal,
  locale: Locale,
  formatTime: (at: Date) => string = (at) => formatDateTime(at),
): string {
  const zh = locale === 'zh-CN';
  switch (refusal.code) {
    case 'OUTSIDE_WINDOW':
      return zh
        ? `签到时间为 ${formatTime(refusal.opensAt)} 至 ${formatTime(refusal.closesAt)}，当前不在签到时间内。`
        : `Check-in is open from ${formatTime(refusal.opensAt)} to ${formatTime(refusal.closesAt)}; it is not open now.`;
    case 'WRONG_CODE':
      return zh
        ? '签到码不正确或已过期，请输入屏幕上当前显示的签到码。'
        : 'The check-in code is wrong or has expired; type the code shown on the screen now.';
    default: {
      const never: never = refusal;
      throw new Error(`unknown check-in refusal ${JSON.stringify(never)}`);
    }
  }
}

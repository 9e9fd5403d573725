import type { Locale } from './context';

/** A message for people, in every language the registry speaks. */
export type Localized = Record<Locale, string>;

/**
 * Expected failures of a mutation. They become typed members of the mutation's result union
 * (Pothos errors plugin), carry a stable `code` for programs and a localized message for people,
 * and never change anything: a resolver throws them before it writes.
 */
export abstract class RegistryError extends Error {
  abstract readonly code: string;
  constructor(readonly localized: Localized) {
    super(localized.en);
  }
}

export interface FieldIssue {
  /** Path of the offending input field, e.g. ['input', 'sessions', '2', 'endsAt']. */
  path: string[];
  localized: Localized;
}

export class ValidationError extends RegistryError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly issues: FieldIssue[]) {
    super({
      en: `The input is not valid: ${issues.map((i) => `${i.path.join('.')}: ${i.localized.en}`).join('; ')}`,
      'zh-CN': `输入有误：${issues.map((i) => `${i.path.join('.')}：${i.localized['zh-CN']}`).join('；')}`,
    });
  }
}

export class NotFoundError extends RegistryError {
  readonly code = 'NOT_FOUND';
  constructor(what: Localized) {
    super({ en: `${what.en} was not found.`, 'zh-CN': `未找到${what['zh-CN']}。` });
  }
}

export class ForbiddenError extends RegistryError {
  readonly code = 'FORBIDDEN';
  constructor(
    localized: Localized = { en: 'You may not do this.', 'zh-CN': '您无权执行此操作。' },
  ) {
    super(localized);
  }
}

export class ConflictError extends RegistryError {
  readonly code = 'CONFLICT';
}

/** One reason a teacher may not take part, already in words for each language. */
export interface ReasonView {
  code: string;
  localized: Localized;
}

export class NotEligibleError extends RegistryError {
  readonly code = 'NOT_ELIGIBLE';
  constructor(readonly reasons: ReasonView[]) {
    super({
      en: `Not eligible: ${reasons.map((r) => r.localized.en).join(' ')}`,
      'zh-CN': `不符合参训条件：${reasons.map((r) => r.localized['zh-CN']).join('')}`,
    });
  }
}

export class InvalidCredentialsError extends RegistryError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    // One message whether the account exists or not: login must not reveal accounts.
    super({ en: 'Username or password is wrong.', 'zh-CN': '用户名或密码错误。' });
  }
}

export class TooManyAttemptsError extends RegistryError {
  readonly code = 'THROTTLED';
  constructor(readonly retryAfterSeconds: number) {
    super({
      en: `Too many failed sign-ins. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
      'zh-CN': `登录失败次数过多，请${Math.ceil(retryAfterSeconds / 60)}分钟后再试。`,
    });
  }
}

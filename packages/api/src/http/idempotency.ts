import { createHash } from 'node:crypto';
import {
  findIdempotencyRecord,
  storeIdempotentResponse,
  withIdempotencyKey,
  type IdempotencyRecord,
  type IdempotencyScope,
} from '@registry/db';
import type { Kysely } from 'kysely';
import type { DB } from '@registry/db';
import type { Context } from '../context';
import type { Localized } from '../errors';

/**
 * `Idempotency-Key` on POST /graphql (issue 7, point 4). A client that may resend a request (a
 * timeout, a lost answer, a crashed process) sends the same key again, and:
 * - the first request that changes something claims the key in its write transaction (see
 *   claimIdempotencyKey in @registry/db) and its answer is kept;
 * - a resend with the same body gets that answer again (`idempotent-replayed: true`), and the
 *   registry changes nothing;
 * - the same key with another body is refused (422 IDEMPOTENCY_KEY_REUSED);
 * - a resend while the first is still running, or after it committed but died before its answer
 *   was kept, is refused with 409 and changes nothing.
 * Keys belong to the signed-in account: two accounts never see each other's answers.
 */
export const idempotencyHeader = 'idempotency-key';
const keyPattern = /^[A-Za-z0-9_.:-]{8,200}$/;
/** How long a resend waits for the first request's answer before it is told to come back. */
const inFlightWaitMs = 2_000;
/** After this, a claimed key without an answer belongs to a request that will never answer. */
const abandonedAfterMs = 30_000;

export interface IdempotentAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function refusal(status: number, code: string, message: Localized, context: Context | null) {
  const text = message[context?.locale ?? 'en'];
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ errors: [{ message: text, extensions: { code } }] }),
  };
}

/** A malformed key, or a key without a signed-in caller; null when the key can be used. */
export function refuseKey(key: string, context: Context): IdempotentAnswer | null {
  if (!keyPattern.test(key)) {
    return refusal(
      400,
      'BAD_REQUEST',
      {
        en: 'Idempotency-Key must be 8 to 200 letters, digits or the characters _ . : -',
        'zh-CN': 'Idempotency-Key 须为 8 至 200 个字母、数字或 _ . : - 字符。',
      },
      context,
    );
  }
  if (!context.viewer) {
    return refusal(
      401,
      'UNAUTHENTICATED',
      {
        en: 'Idempotency-Key needs a signed-in caller: keys belong to an account.',
        'zh-CN': '使用 Idempotency-Key 须先登录：幂等键归属于账号。',
      },
      context,
    );
  }
  return null;
}

/** The body as the client meant it: JSON whitespace does not make another request. */
export function requestHashOf(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Answers a request whose key already has a record: replay, refuse as reused, or refuse as in
 * use. Waits a little for a concurrent first request to keep its answer.
 */
export async function answerFromRecord(
  db: Kysely<DB>,
  context: Context,
  key: string,
  requestHash: string,
  record: IdempotencyRecord,
): Promise<IdempotentAnswer> {
  const deadline = Date.now() + inFlightWaitMs;
  let current: IdempotencyRecord | null = record;
  while (current && !current.response && current.requestHash === requestHash) {
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    current = await findIdempotencyRecord(db, context.viewer!.id, key);
  }
  if (!current) {
    // The holder rolled back after all; the client may send the request again.
    return inUse(context, false);
  }
  if (current.requestHash !== requestHash) {
    return refusal(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      {
        en: 'This Idempotency-Key was already used with a different request; use a new key.',
        'zh-CN': '该 Idempotency-Key 已用于另一个不同的请求，请换用新的键。',
      },
      context,
    );
  }
  if (current.response) {
    return {
      status: current.response.status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'idempotent-replayed': 'true',
      },
      body: current.response.body,
    };
  }
  return inUse(context, Date.now() - current.createdAt.getTime() > abandonedAfterMs);
}

function inUse(context: Context, abandoned: boolean): IdempotentAnswer {
  return abandoned
    ? refusal(
        409,
        'IDEMPOTENCY_KEY_ANSWER_LOST',
        {
          en: 'The request with this Idempotency-Key was carried out, but its answer was lost; read the current state instead of resending.',
          'zh-CN':
            '使用该 Idempotency-Key 的请求已执行，但其应答未能保存；请查询当前状态，不要重复提交。',
        },
        context,
      )
    : refusal(
        409,
        'IDEMPOTENCY_KEY_IN_USE',
        {
          en: 'A request with this Idempotency-Key is still being carried out; try again in a moment.',
          'zh-CN': '使用该 Idempotency-Key 的请求仍在处理中，请稍后再试。',
        },
        context,
      );
}

/**
 * Runs `execute` with the key claimed on first write, keeps its answer when the claim
 * committed, and turns a lost race for the key into the winner's answer.
 */
export async function executeIdempotently(
  db: Kysely<DB>,
  context: Context,
  key: string,
  requestHash: string,
  execute: () => Promise<{ status: number; body: string | null }>,
): Promise<{ raced: IdempotentAnswer | null; scope: IdempotencyScope }> {
  return withIdempotencyKey(
    db,
    { accountId: context.viewer!.id, key, requestHash },
    async (scope) => {
      const answer = await execute();
      if (!scope.takenByAnother && scope.claimAttempted && answer.body !== null) {
        // Only a committed claim has a row to update; a rolled-back one leaves nothing to keep.
        const kept = await storeIdempotentResponse(db, scope, {
          status: answer.status,
          body: answer.body,
        });
        if (kept) return { raced: null, scope };
      }
      // Nothing of this request was kept. If another request holds the key by now, its answer is
      // the answer: a racing resend may have failed on what the first one wrote (a code already
      // taken) before reaching its own claim, and must not report that as the outcome.
      const record = await findIdempotencyRecord(db, scope.accountId, key);
      if (record && record.claimToken !== scope.claimToken) {
        return { raced: await answerFromRecord(db, context, key, requestHash, record), scope };
      }
      if (scope.takenByAnother) return { raced: inUse(context, false), scope };
      return { raced: null, scope };
    },
  );
}

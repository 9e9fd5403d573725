import { createHash, sign } from 'node:crypto';
import type { CertificateFacts } from '@registry/db';
import type { SigningKey } from './signing-key';
import { verificationPath } from './public-url';

/**
 * An award as an Open Badges 3.0 OpenBadgeCredential (VC data model 2.0), signed as a VC-JWT
 * with EdDSA. The JWT payload is the credential itself with the registered claims beside it
 * (iss = issuer.id, jti = id, nbf = validFrom), as Open Badges 3.0 §8.2 asks.
 *
 * The issuer is the registry, whose key signs: its id is the public URL, so a verifier finds
 * the key at `${iss}/.well-known/jwks.json`. The training institution that ran the activity is
 * the achievement's creator.
 */

export const registryName = '教师继续教育学分登记系统 · Continuing-education credit registry';

export interface OpenBadgeCredential {
  id: string;
  issuer: { id: string; [property: string]: unknown };
  validFrom: string;
  [property: string]: unknown;
}

/** China has one time zone and no daylight saving: a calendar date starts at +08:00. */
const chinaOffset = '+08:00';

/** The credential for a completion certificate; null for a transcript, which is no award. */
export function openBadgeCredential(
  facts: CertificateFacts,
  publicUrl: string,
): OpenBadgeCredential | null {
  const { certificate, teacher, completion } = facts;
  if (certificate.kind !== 'completion' || !completion) return null;
  const { activity, provider, award, category } = completion;
  const code = certificate.verificationCode;
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id: `${publicUrl}${verificationPath(code)}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `${activity.title} · 结业证书`,
    issuer: {
      id: publicUrl,
      type: ['Profile'],
      name: registryName,
      url: publicUrl,
    },
    validFrom: certificate.issuedAt.toISOString(),
    awardedDate: award.recordedAt.toISOString(),
    credentialSubject: {
      type: ['AchievementSubject'],
      // No subject id: teachers have no DID. They are named, and their teacher ID is given
      // salted and hashed, so a verifier can check an ID the holder shows without reading it.
      identifier: [
        { type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: teacher.name },
        {
          type: 'IdentityObject',
          identityType: 'identifier',
          hashed: true,
          identityHash: `sha256$${createHash('sha256')
            .update(teacher.nationalId + code)
            .digest('hex')}`,
          salt: code,
        },
      ],
      creditsEarned: award.hours,
      activityStartDate: `${activity.startsOn}T00:00:00${chinaOffset}`,
      activityEndDate: `${activity.endsOn}T23:59:59${chinaOffset}`,
      achievement: {
        id: `${publicUrl}/activities/${encodeURIComponent(activity.code)}`,
        type: ['Achievement'],
        achievementType: 'CertificateOfCompletion',
        name: activity.title,
        description:
          activity.description ||
          `继续教育培训活动“${activity.title}”，${activity.creditHours} 学时（${category.nameZh}）。`,
        criteria: {
          narrative:
            'Completed the activity under its completion rules (attendance, online study, assignments, assessment), confirmed by the school and the education office. 按活动结业规则完成培训，经学校和教育行政部门确认。',
        },
        creditsAvailable: activity.creditHours,
        fieldOfStudy: category.nameZh,
        humanCode: activity.code,
        inLanguage: 'zh-CN',
        creator: {
          id: `${publicUrl}/organizations/${encodeURIComponent(provider.code)}`,
          type: ['Profile'],
          name: provider.name,
        },
      },
    },
    // One list per credential: a verifier learns about this credential and nothing else.
    credentialStatus: {
      id: `${publicUrl}/credentials/status/${code}`,
      type: '1EdTechRevocationList',
    },
  };
}

/** Compact JWS over the credential. Ed25519 signatures are deterministic: same input, same JWT. */
export function signCredential(credential: OpenBadgeCredential, key: SigningKey): string {
  const header = { alg: 'EdDSA', typ: 'JWT', kid: key.jwk.kid };
  const payload = {
    ...credential,
    iss: credential.issuer.id,
    jti: credential.id,
    nbf: Math.floor(Date.parse(credential.validFrom) / 1000),
  };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const signature = sign(null, Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The 1EdTech revocation list of one credential: empty while it verifies, one entry once the
 * certificate or its award is revoked.
 */
export function revocationList(facts: CertificateFacts, publicUrl: string) {
  const code = facts.certificate.verificationCode;
  return {
    id: `${publicUrl}/credentials/status/${code}`,
    issuer: publicUrl,
    revokedCredentials: facts.revocation
      ? [
          {
            id: `${publicUrl}${verificationPath(code)}`,
            revoked: true,
            revocationReason: 'Revoked by the issuer.',
          },
        ]
      : [],
  };
}

import type { Config } from '../../config';
import { NotConfiguredError } from './signing-key';

/**
 * The registry's public address: verification links printed as QR codes and the issuer of every
 * credential hang off it, so it must be the address people reach, not what a request's Host
 * header claims. Development and test fall back to the local server.
 */
export function publicUrlOf(config: Config): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL;
  if (config.NODE_ENV === 'production') {
    throw new NotConfiguredError(
      'Certificates are not configured: set PUBLIC_URL to the address people reach the registry at, e.g. https://credits.example.edu.cn.',
    );
  }
  return `http://localhost:${config.PORT}`;
}

/** The SPA's public verification page of a code. */
export function verificationPath(code: string): string {
  return `/verify/${code}`;
}

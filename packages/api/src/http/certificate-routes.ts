import type { Route } from './routes';

/** Certificate PDFs and the credential-signing JWKS (issue 4, point 8). */
export const certificateRoutes: Route[] = [];

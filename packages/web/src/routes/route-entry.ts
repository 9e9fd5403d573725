import type { ComponentType, LazyExoticComponent } from 'react';
import type { MessageKey } from '../i18n/messages';

/** Roles as the API names them (enum Role). */
export type Role =
  | 'PLATFORM_ADMIN'
  | 'OFFICE_OFFICER'
  | 'INSTITUTION_ADMIN'
  | 'TRAINER'
  | 'SCHOOL_ADMIN'
  | 'TEACHER';

/**
 * One screen of the app. Areas list their screens in their own file (routes/*.tsx) and the
 * shell renders them all: a route is reachable by deep link, and shows in the navigation of the
 * roles named in `roles` when it has a `nav` label.
 */
export interface RouteEntry {
  /** wouter pattern, e.g. '/sessions/:id/attendance'. */
  path: string;
  /** A lazily loaded screen (one chunk per route); receives the pattern's parameters. */
  screen: LazyExoticComponent<ComponentType<{ params: Record<string, string | undefined> }>>;
  /** Who may open it; the API still decides what they see. */
  roles: readonly Role[];
  /** Label in the navigation bar; routes without one are reached by links. */
  nav?: MessageKey;
  /** Renders without signing in too (e.g. certificate verification); the API still decides. */
  public?: boolean;
}

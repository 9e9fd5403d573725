import type { Activity, Confirmation } from '@registry/db';
import { audience, builder } from '../../builder';
import { ActivityRef } from '../activities/activity.schema';
import type { CreditingSummary } from '../credits/crediting';
import { ConfirmationRef } from './confirmation.schema';

export interface RosterConfirmation {
  confirmation: Confirmation;
  activity: Activity;
  crediting: CreditingSummary;
}

export const CreditingSummaryRef = builder
  .objectRef<CreditingSummary>('CreditingSummary')
  .implement({
    description:
      'What crediting a confirmed roster did: participants evaluated against the completion rules and the ledger entries written.',
    extensions: audience.signedIn,
    fields: (t) => ({
      evaluated: t.exposeInt('evaluated', {
        description: 'Participants (eligibility confirmed) evaluated against the completion rules.',
      }),
      completed: t.exposeInt('completed', { description: 'Participants who completed.' }),
      notCompleted: t.exposeInt('notCompleted', {
        description: 'Participants who did not complete; their reasons are on their progress.',
      }),
      unconfirmed: t.exposeInt('unconfirmed', {
        description:
          'Registrations whose eligibility the school never confirmed: not evaluated and not credited.',
      }),
      awardsWritten: t.exposeInt('awardsWritten', {
        description: 'Awards written by this confirmation.',
      }),
      awardsAlreadyPresent: t.exposeInt('awardsAlreadyPresent', {
        description: 'Completed participants whose award the ledger already held.',
      }),
      adjustmentsWritten: t.exposeInt('adjustmentsWritten', {
        description: 'Adjustments written because an amendment changed an outcome or its hours.',
      }),
      revocationsWritten: t.exposeInt('revocationsWritten', {
        description: 'Awards revoked because an amended participant no longer completes.',
      }),
      hoursWritten: t.exposeFloat('hoursWritten', {
        description: 'Net credit hours of every entry written now.',
      }),
    }),
  });

export const RosterConfirmationRef = builder
  .objectRef<RosterConfirmation>('RosterConfirmation')
  .implement({
    description: 'The education office’s confirmation of a roster, and the crediting it ran.',
    extensions: audience.signedIn,
    fields: (t) => ({
      confirmation: t.field({
        type: ConfirmationRef,
        description: 'The office’s link of the confirmation chain.',
        resolve: (result) => result.confirmation,
      }),
      activity: t.field({
        type: ActivityRef,
        description: 'The activity, credited.',
        resolve: (result) => result.activity,
      }),
      crediting: t.field({
        type: CreditingSummaryRef,
        description: 'What the crediting did.',
        resolve: (result) => result.crediting,
      }),
    }),
  });

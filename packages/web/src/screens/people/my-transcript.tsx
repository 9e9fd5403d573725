import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import './people.css';

const MyCyclesQuery = graphql(`
  query MyCycles {
    me {
      teacher {
        id
        school {
          id
          region {
            id
          }
        }
        progress {
          policy {
            id
          }
        }
      }
    }
  }
`);

const PoliciesQuery = graphql(`
  query Policies($regionId: ID!) {
    requirementPolicies(regionId: $regionId) {
      id
      name
      cycleStartsOn
      cycleEndsOn
      totalHours
    }
  }
`);

const TranscriptQuery = graphql(`
  query Transcript($teacherId: ID!, $policyId: ID!) {
    node(id: $teacherId) {
      id
      ... on Teacher {
        progress(policyId: $policyId) {
          awardedHours
          adjustedHours
          revokedHours
          total {
            counted
            required
            status
          }
        }
        creditEntries(first: 100) {
          totalCount
          edges {
            node {
              id
              kind
              hours
              earnedOn
              reason
              category {
                code
                nameEn
                nameZh
              }
              activity {
                id
                code
                title
              }
            }
          }
        }
      }
    }
  }
`);

/**
 * The ledger of one cycle: every entry (awards, adjustments, revocations) whose day falls in
 * the cycle, and the sums the gateway computes over them. The transcript is always a sum over
 * the ledger, so the lines shown add up to the totals (before caps).
 */
export default function MyTranscriptScreen() {
  const { t, locale, formatDate, formatNumber } = useLocale();
  const [me, refetchMe] = useQuery({ query: MyCyclesQuery });
  const teacher = me.data?.me?.teacher;
  const [policies, refetchPolicies] = useQuery({
    query: PoliciesQuery,
    variables: { regionId: teacher?.school.region.id ?? '' },
    pause: !teacher,
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const policyId =
    chosen ?? teacher?.progress?.policy.id ?? policies.data?.requirementPolicies[0]?.id;
  const [transcript, refetchTranscript] = useQuery({
    query: TranscriptQuery,
    variables: { teacherId: teacher?.id ?? '', policyId: policyId ?? '' },
    pause: !teacher || !policyId,
  });

  if (!me.data)
    return <QueryState result={me} retry={() => refetchMe({ requestPolicy: 'network-only' })} />;
  if (!teacher) return <p>{t('people.common.noTeacher')}</p>;
  if (!policies.data) {
    return (
      <QueryState
        result={policies}
        retry={() => refetchPolicies({ requestPolicy: 'network-only' })}
      />
    );
  }
  const policy = policies.data.requirementPolicies.find((p) => p.id === policyId);
  const node = transcript.data?.node;
  const data = node && 'progress' in node ? node : null;
  const entries = (data?.creditEntries.edges ?? [])
    .map((edge) => edge.node)
    .filter(
      (entry) =>
        policy && entry.earnedOn >= policy.cycleStartsOn && entry.earnedOn <= policy.cycleEndsOn,
    );

  return (
    <section className="people">
      <h1>{t('people.transcript.title')}</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          <span>{t('people.transcript.cycle')}</span>
          <select value={policyId ?? ''} onChange={(event) => setChosen(event.target.value)}>
            {policies.data.requirementPolicies.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({formatDate(p.cycleStartsOn)} – {formatDate(p.cycleEndsOn)})
              </option>
            ))}
          </select>
        </label>
      </form>
      {!data ? (
        <QueryState
          result={transcript}
          retry={() => refetchTranscript({ requestPolicy: 'network-only' })}
        />
      ) : (
        <>
          {data.progress && (
            <dl className="facts panel">
              <dt>{t('people.transcript.awarded')}</dt>
              <dd>{formatNumber(data.progress.awardedHours)}</dd>
              <dt>{t('people.transcript.adjusted')}</dt>
              <dd>{formatNumber(data.progress.adjustedHours)}</dd>
              <dt>{t('people.transcript.revoked')}</dt>
              <dd>{formatNumber(data.progress.revokedHours)}</dd>
              <dt>{t('people.progress.counted')}</dt>
              <dd>
                {t('people.progress.ofRequired', {
                  counted: formatNumber(data.progress.total.counted),
                  required: formatNumber(data.progress.total.required),
                })}
              </dd>
            </dl>
          )}
          {entries.length === 0 ? (
            <p>{t('people.transcript.empty')}</p>
          ) : (
            <table className="list">
              <caption className="visually-hidden">{t('people.transcript.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('people.transcript.date')}</th>
                  <th scope="col">{t('people.common.activity')}</th>
                  <th scope="col">{t('people.transcript.category')}</th>
                  <th scope="col">{t('people.transcript.kind')}</th>
                  <th scope="col" className="number">
                    {t('people.common.hours')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td>{formatDate(entry.earnedOn)}</td>
                    <td>
                      {entry.activity?.title ?? '—'}
                      {entry.reason && <div className="hint">{entry.reason}</div>}
                    </td>
                    <td>{locale === 'zh-CN' ? entry.category.nameZh : entry.category.nameEn}</td>
                    <td>{t(`people.ledger.${entry.kind}`)}</td>
                    <td className="number">{formatNumber(entry.hours)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.creditEntries.totalCount > data.creditEntries.edges.length && (
            <p className="hint">
              {t('people.transcript.truncated', {
                count: formatNumber(data.creditEntries.edges.length),
              })}
            </p>
          )}
        </>
      )}
    </section>
  );
}

import fc from 'fast-check';
import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
} from 'graphql';

/**
 * fast-check arbitraries for hostile GraphQL input, built by walking the schema's input types
 * (issue 7, point 3). Every leaf is biased toward what breaks servers: empty and huge strings,
 * SQL and script fragments, Chinese, emoji and broken Unicode, numbers at and past their limits,
 * impossible or malformed dates, IDs of other organizations and garbage base64. A few fields
 * get targeted arbitraries (attendance CSV files, the online platform's feed, idempotency keys,
 * national teacher IDs) because a generic string would never reach the code behind them.
 *
 * Two modes per value: well typed (every value passes GraphQL's coercion, so the request reaches
 * the resolvers, where the interesting failures are) and ill typed (some values have the wrong
 * JSON type, required fields are null or missing, unknown fields appear).
 */

/** Real data the generators draw from: IDs and codes of the seeded database. */
export interface FuzzWorld {
  /** Global IDs per GraphQL type: rows the demo accounts' organizations own, and all others. */
  ids: { own: Record<string, string[]>; other: Record<string, string[]> };
  nationalIds: { own: string[]; other: string[] };
  categories: string[];
  usernames: string[];
}

/** Which GraphQL type an ID input field names, by `Type.field` or by field name. */
export const idTargets: Record<string, string> = {
  activityId: 'Activity',
  sessionId: 'Session',
  enrollmentId: 'Enrollment',
  teacherId: 'Teacher',
  teacherIds: 'Teacher',
  trainerIds: 'Trainer',
  providerId: 'Organization',
  schoolId: 'Organization',
  schoolIds: 'Organization',
  regionId: 'Region',
  regionIds: 'Region',
  entryId: 'CreditEntry',
  certificateId: 'Certificate',
  attendanceId: 'Attendance',
  policyId: 'RequirementPolicy',
  'UpdateActivityInput.id': 'Activity',
};

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

// Fragments that try to end a string literal or a statement. None uses a double-quoted
// identifier or a `$n` placeholder, so the leak check can tell generated SQL from an echo.
export const sqlFragments = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE credit_ledger; --",
  '1; DELETE FROM audit_log',
  "' UNION SELECT password_hash, username FROM user_accounts --",
  "'); select pg_sleep(0); --",
  '$$; truncate credit_ledger; $$',
  "\\'; --",
  '%',
  '_%_',
  '\\',
  "E'\\\\x00'",
  "' || current_user || '",
  "1' AND (SELECT count(*) FROM pg_catalog.pg_tables) > 0 AND '1'='1",
  '); COMMIT; BEGIN; --',
  '1 OR 1=1',
  "admin'--",
  '0x27',
];

export const scriptFragments = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '__proto__',
  'constructor',
  '{"__proto__":{"polluted":true}}',
  '../../../../etc/passwd',
  '%00',
  '%s%s%s%n',
  '=HYPERLINK("http://x","y")',
  '@SUM(1+1)',
  '+cmd|"/c calc"!A1',
];

export const unicodeSamples = [
  '继续教育学分',
  '临江市第一实验小学 数学 教研组',
  '张三',
  '👩‍🏫📚✅',
  '🧑🏽‍🔬',
  '𠀀𪚥𠮷',
  'e\u0301',
  '\u202eevil.exe',
  'zero\u200bwidth',
  '１２３４５',
  'Ｔ００１',
  '\ufeffbom',
  '\ud800',
  'x\udfffy',
  'a\u0000b',
  '\u0000',
  '\uffff',
  'İıß',
  'مرحبا',
  '\r\n',
  '\t',
  ' ',
  '   padded   ',
];

const emptyish = ['', ' ', '\n', '\u3000', 'null', 'undefined', 'NaN', '0', '-1', 'true'];

/** Long strings: past every documented limit, some past the 1 MB body limit. */
const hugeString = fc
  .tuple(
    fc.constantFrom(1001, 1001, 4097, 4097, 70_000, 200_000),
    fc.constantFrom('x', '汉', '👩‍🏫', "'", '\\'),
  )
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

function stringArbitrary(small: boolean): fc.Arbitrary<string> {
  const pieces = fc.oneof(
    fc.constantFrom(...emptyish),
    fc.constantFrom(...sqlFragments),
    fc.constantFrom(...scriptFragments),
    fc.constantFrom(...unicodeSamples),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...emptyish) },
    { weight: 4, arbitrary: fc.constantFrom(...sqlFragments) },
    { weight: 2, arbitrary: fc.constantFrom(...scriptFragments) },
    { weight: 4, arbitrary: fc.constantFrom(...unicodeSamples) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
    {
      weight: 3,
      arbitrary: fc.array(pieces, { minLength: 2, maxLength: 5 }).map((p) => p.join('')),
    },
    { weight: small ? 0 : 1, arbitrary: hugeString },
  );
}

export const hostileString = stringArbitrary(false);
const smallHostileString = stringArbitrary(true);

export const hostileInt = fc.oneof(
  fc.constantFrom(0, -1, 1, 2, 5, 59, 60, 100, 180, 1440, 1441, 2_147_483_647, -2_147_483_648),
  fc.integer({ min: -5, max: 500 }),
  fc.integer(),
);

export const hostileFloat = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    0.001,
    0.005,
    0.01,
    0.5,
    1,
    1.005,
    2.5,
    12,
    24,
    99.99,
    1000,
    1e6,
    1e15,
    1e308,
    -1,
    -0.01,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER,
    2 ** 53 + 1,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -100, max: 100, noNaN: true }),
);

const calendarDate = fc
  .date({
    min: new Date('2019-01-01T00:00:00Z'),
    max: new Date('2032-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));

/**
 * Dates the Date scalar accepts (so the resolver sees them), at the edges of the calendar and
 * of PostgreSQL's range; pairs of them come out of order as often as not.
 */
export const hostileDate = fc.oneof(
  { weight: 3, arbitrary: calendarDate },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '2024-02-29',
      '0000-01-01',
      '0001-01-01',
      '9999-12-31',
      '1900-01-01',
      '1970-01-01',
      '2038-01-19',
    ),
  },
);

/** Dates the Date scalar must refuse (ill-typed runs only). */
const malformedDate = fc.oneof(
  fc.constantFrom(
    '2026-02-29',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-3-1',
    '2026/03/01',
    '20260301',
    ' 2026-03-01',
    '2026-03-01T00:00:00Z',
    '２０２６-０３-０１',
    '+10000-01-01',
    '-0001-01-01',
    '5874897-12-31',
  ),
  smallHostileString,
);

/**
 * Instants the DateTime scalar accepts, zones and the far past and future included, and one
 * boundary probe it refuses (an instant that ends in the year 10000 in UTC).
 */
export const hostileDateTime = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .date({
        min: new Date('2019-01-01T00:00:00Z'),
        max: new Date('2032-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .chain((d) =>
        fc.constantFrom(
          d.toISOString(),
          new Date(d.getTime() + 8 * 3600_000).toISOString().replace('Z', '+08:00'),
        ),
      ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '2026-03-01T09:00:00+08:00',
      '2026-03-01T09:00+08:00',
      '2024-02-29T23:30:00-05:30',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999-14:00',
      '1969-12-31T23:59:59Z',
      '2026-03-01T09:00:00.123456789Z',
    ),
  },
);

/** Instants the DateTime scalar must refuse (ill-typed runs only). */
const malformedDateTime = fc.oneof(
  fc.constantFrom(
    // No offset (it would be the server's local time), and fields Date would roll over.
    '2026-03-01T09:00:00',
    '2026-02-30T09:00:00Z',
    '2026-03-01T24:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-03-01T25:00:00Z',
    '2026-03-01T09:00:00+99:00',
    '2026-03-01T',
    '2026-03-01Tfoo',
    '2026-03-01T09:00:00Z[Asia/Shanghai]',
    '1772355600000',
    '2026-03-01',
  ),
  smallHostileString,
);

/** Values of the wrong JSON type for whatever the schema expects. */
const wrongType = fc.constantFrom<unknown>(
  123,
  -1.5,
  2_147_483_648,
  1e21,
  true,
  false,
  {},
  { $gt: '' },
  [],
  ['a', 1],
  'not a number',
  '',
  'PRESENT; DROP',
);

// ---------------------------------------------------------------------------------------------
// Global IDs.

function idArbitrary(world: FuzzWorld, typename: string): fc.Arbitrary<string> {
  const own = world.ids.own[typename] ?? [];
  const other = world.ids.other[typename] ?? [];
  const anyType = Object.entries(world.ids.other)
    .filter(([name]) => name !== typename)
    .flatMap(([, ids]) => ids.slice(0, 5));
  const garbage = fc.constantFrom(
    '',
    'AAAA',
    '====',
    'not base64!',
    '👩‍🏫',
    b64(`${typename}:0`),
    b64(`${typename}:-1`),
    b64(`${typename}:99999999`),
    b64(`${typename}:2147483648`),
    b64(`${typename}:99999999999999999999`),
    b64(`${typename}:1.5`),
    b64(`${typename}:1e3`),
    b64(`${typename}:01`),
    b64(`${typename}:１`),
    b64(`${typename}: 1`),
    b64(`${typename}:1:2`),
    b64(`${typename}:1 OR 1=1`),
    b64(`${typename}:`),
    b64(`:1`),
    b64('Nope:1'),
    b64('__proto__:1'),
    b64(`${typename.toLowerCase()}:1`),
    Buffer.from(`${typename}:1`).toString('base64url'),
    `${b64(`${typename}:1`)}\n`,
    `${typename}:1`,
    '1',
  );
  const entries: Array<fc.WeightedArbitrary<string>> = [
    { weight: 2, arbitrary: garbage },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(b64) },
    { weight: 1, arbitrary: smallHostileString },
  ];
  if (own.length) entries.push({ weight: 5, arbitrary: fc.constantFrom(...own) });
  if (other.length) entries.push({ weight: 3, arbitrary: fc.constantFrom(...other) });
  if (anyType.length) entries.push({ weight: 1, arbitrary: fc.constantFrom(...anyType) });
  return fc.oneof(...entries);
}

// ---------------------------------------------------------------------------------------------
// Attendance CSV files and the online platform's feed.

let gbkTable: Map<string, number[]> | undefined;

/** GBK bytes of a text (what a Chinese Excel "CSV" save writes); ASCII passes through. */
export function gbk(text: string): Buffer {
  if (!gbkTable) {
    // Node decodes GBK but does not encode it: invert the decoder over the two-byte range once.
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const char = decoder.decode(Uint8Array.of(lead, trail));
        if (char.length === 1 && char !== '\ufffd' && !gbkTable.has(char)) {
          gbkTable.set(char, [lead, trail]);
        }
      }
    }
  }
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else bytes.push(...(gbkTable.get(char) ?? [0x3f]));
  }
  return Buffer.from(bytes);
}

const attendanceHeaders = fc.constantFrom(
  ['教师编号', '姓名', '场次', '状态', '分钟'],
  ['teacher_national_id', 'session_sequence', 'status', 'minutes'],
  ['Teacher National ID', 'Session', 'Status', 'Minutes'],
  ['教师编号', '场次编号', '状态', '时长(分钟)'],
  ['教师编号', '教师编号', '场次', '状态', '分钟'],
  ['教师编号', '场次', '状态'],
  ['教师编号', '场次', '状态', '分钟', '未知列'],
  ['', '', '', ''],
  ['ｔｅａｃｈｅｒ＿ｎａｔｉｏｎａｌ＿ｉｄ', 'session', 'status', 'minutes'],
  ['"教师编号', '场次', '状态', '分钟'],
  [],
);

function attendanceCells(world: FuzzWorld) {
  const nationalId = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...world.nationalIds.own, 'T999999') },
    { weight: 2, arbitrary: fc.constantFrom(...world.nationalIds.other) },
    { weight: 1, arbitrary: fc.constantFrom('', ' t0001 ', 'Ｔ０００１') },
    { weight: 1, arbitrary: smallHostileString },
  );
  return fc.tuple(
    nationalId,
    fc.constantFrom('张三', '"引号"', 'a,b', 'line\nbreak', '👩‍🏫', "O'Brien", 'José Müller', ''),
    fc.constantFrom('1', '2', '3', '0', '-1', '99999999999999999999', '1.5', '一', '', '１'),
    fc.constantFrom('出勤', '迟到', '缺勤', '请假', 'present', 'LATE', '在场', '', '出 勤'),
    fc.constantFrom('0', '60', '150', '180', '1440', '1441', '-5', '1e3', '', 'NaN', '０６０'),
  );
}

/** How a cell is written: plain, RFC 4180 quoted, or with a quote that never closes. */
const quoting = fc.constantFrom('plain', 'plain', 'plain', 'quoted', 'broken', 'stray');
function writeCell(value: string, how: string): string {
  if (how === 'quoted') return `"${value.replace(/"/g, '""')}"`;
  if (how === 'broken') return `"${value}`;
  if (how === 'stray') return `${value}"x`;
  return value;
}
const lineEnding = fc.constantFrom('\r\n', '\r\n', '\n', '\r', '\r\n\r\n', '\n\n');

function csvText(world: FuzzWorld): fc.Arbitrary<string> {
  const row = fc
    .tuple(
      attendanceCells(world),
      fc.array(quoting, { minLength: 6, maxLength: 6 }),
      fc.integer({ min: -1, max: 1 }),
      lineEnding,
    )
    .map(([cells, how, width, end]) => {
      const fields = cells.map((cell, i) => writeCell(cell, how[i] ?? 'plain'));
      if (width < 0) fields.pop();
      if (width > 0) fields.push('extra');
      return fields.join(',') + end;
    });
  return fc
    .tuple(attendanceHeaders, lineEnding, fc.array(row, { maxLength: 8 }), fc.boolean())
    .map(([header, end, rows, trailingEnd]) => {
      const body = header.join(',') + end + rows.join('');
      return trailingEnd ? body : body.replace(/[\r\n]+$/, '');
    });
}

/** The bytes of an attendance file: its text in some encoding, or bytes that are no text. */
function csvBytes(world: FuzzWorld): fc.Arbitrary<Buffer> {
  const encoded = fc
    .tuple(
      csvText(world),
      fc.constantFrom('utf8', 'utf8', 'utf8', 'bom', 'gbk', 'latin1', 'utf16le', 'cut', 'nul'),
    )
    .map(([text, encoding]) => {
      switch (encoding) {
        case 'bom':
          return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
        case 'gbk':
          return gbk(text);
        case 'latin1':
          // Characters latin1 cannot hold become é, so the bytes are never valid UTF-8 there.
          return Buffer.from(
            [...text].map((char) => (char.charCodeAt(0) > 0xff ? 'é' : char)).join(''),
            'latin1',
          );
        case 'utf16le':
          return Buffer.from(`\ufeff${text}`, 'utf16le');
        case 'cut': {
          // A multi-byte character cut in half, and a byte that never starts UTF-8.
          const bytes = Buffer.from(text, 'utf8');
          return Buffer.concat([
            bytes.subarray(0, Math.max(0, bytes.length - 1)),
            Buffer.from([0xe6, 0x95, 0xff]),
          ]);
        }
        case 'nul':
          // In the last row's last cell, past the header, where a row's values are read.
          return Buffer.from(text.replace(/,([^,]*)$/, ',\u0000$1'), 'utf8');
        default:
          return Buffer.from(text, 'utf8');
      }
    });
  const huge = fc
    .tuple(csvText(world), fc.constantFrom(300 * 1024, 600 * 1024))
    .map(([text, size]) => {
      const line = `${world.nationalIds.own[0] ?? 'T0001'},张三,1,出勤,60\r\n`;
      return Buffer.from(
        text + '\r\n' + line.repeat(Math.ceil(size / Buffer.byteLength(line))),
        'utf8',
      );
    });
  return fc.oneof(
    { weight: 12, arbitrary: encoded },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        Buffer.alloc(0),
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('\r\n\r\n\n'),
        Buffer.from('教师编号,场次,状态,分钟'),
        Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000', 'latin1'),
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
        Buffer.from('"'),
        Buffer.from(',,,,\n,,,,'),
      ),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: huge },
  );
}

/** The `csv` argument: base64 of the file, mostly; sometimes not base64 at all. */
export function csvArgument(world: FuzzWorld): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: csvBytes(world).map((bytes) => bytes.toString('base64')) },
    { weight: 1, arbitrary: csvBytes(world).map((bytes) => bytes.toString('base64url')) },
    {
      weight: 1,
      arbitrary: csvBytes(world).map((bytes) =>
        bytes.toString('base64').replace(/(.{76})/g, '$1\n'),
      ),
    },
    { weight: 1, arbitrary: csvText(world) },
    { weight: 1, arbitrary: fc.constantFrom('', '====', '!!!', 'data:text/csv;base64,AAAA', '🙂') },
  );
}

/** The online platform's batch: CSV or JSON text, well formed or not, whatever `format` says. */
export function onlineStudyPayload(world: FuzzWorld): fc.Arbitrary<string> {
  const nationalId = fc.oneof(
    fc.constantFrom(
      ...world.nationalIds.own,
      ...world.nationalIds.other.slice(0, 5),
      'T999999',
      '',
    ),
    smallHostileString,
  );
  const minutes = fc.oneof(
    fc.constantFrom<unknown>(0, 60, 90, 1440, 1441, -1, 1.5, '60', null, 1e300),
    hostileInt,
  );
  const record = fc.record(
    {
      teacherNationalId: fc.oneof(nationalId, wrongType),
      date: fc.oneof(hostileDate, malformedDate, wrongType),
      minutes,
    },
    { requiredKeys: [] },
  );
  const json = fc.oneof(
    fc.array(record, { maxLength: 6 }).map((records) => JSON.stringify(records)),
    fc.array(record, { maxLength: 6 }).map((records) => JSON.stringify({ records })),
    fc.constantFrom(
      '',
      '[',
      '[{"teacherNationalId":',
      '{',
      'null',
      '1',
      '"text"',
      '[]',
      '{}',
      '{"records": null}',
      '{"records": {}}',
      '{"__proto__": {"polluted": true}, "records": []}',
      '[{"__proto__": {"minutes": 60}, "constructor": {"prototype": {"x": 1}}}]',
      '[1, "a", null, [], true]',
      '['.repeat(5000) + ']'.repeat(5000),
      '['.repeat(200_000),
      '{"a":'.repeat(50_000),
      '[' + '{"teacherNationalId":"T0001","date":"2026-03-02","minutes":60},'.repeat(8000) + '{}]',
    ),
  );
  const csv = fc
    .tuple(
      fc.constantFrom(
        'teacher_national_id,date,minutes',
        '教师编号,日期,分钟',
        'date,minutes,teacher_national_id',
        'teacher_national_id,date',
        '\ufeffteacher_national_id,date,minutes',
        '',
      ),
      fc.array(
        fc.tuple(
          nationalId,
          fc.oneof(hostileDate, malformedDate),
          fc.constantFrom('60', '0', '-1', '1441', '', 'x', '1,5'),
          lineEnding,
        ),
        {
          maxLength: 6,
        },
      ),
      lineEnding,
      fc.boolean(),
    )
    .map(([header, rows, end, mojibake]) => {
      const text = header + end + rows.map(([id, date, m, e]) => `${id},${date},${m}${e}`).join('');
      // A UTF-8 file read as latin1 on the way: what a misconfigured exporter sends.
      return mojibake ? Buffer.from(text, 'utf8').toString('latin1') : text;
    });
  return fc.oneof(
    { weight: 3, arbitrary: json },
    { weight: 3, arbitrary: csv },
    { weight: 1, arbitrary: hostileString },
  );
}

// ---------------------------------------------------------------------------------------------
// The schema walk.

export interface WalkOptions {
  world: FuzzWorld;
  /** Ill typed: leaves sometimes take a value of the wrong JSON type, required fields go missing. */
  illTyped: boolean;
  /**
   * Mild: most leaves take plausible values (own IDs, dates of the coming year, small numbers,
   * short text), a few stay hostile. Fully hostile inputs are nearly always refused by the first
   * rule they break; mild ones get written, with Chinese, emoji and SQL fragments in them, so
   * the write paths and their answers are fuzzed too.
   */
  mild?: boolean;
  /** ID targets of root arguments named `id` and the like, given by the fuzz entry. */
  rootIds?: Record<string, string>;
}

/** Marks an input object field left out of the value. */
const omitted = Symbol('omitted');

/**
 * Targeted arbitraries for leaves whose meaning a generic string cannot reach, by `Type.field`
 * or by field name. Each still mixes in generic hostile strings.
 */
function targetedLeaf(
  world: FuzzWorld,
  owner: string,
  field: string,
): fc.Arbitrary<unknown> | null {
  const withHostile = (...values: string[]) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...values) },
      { weight: 1, arbitrary: hostileString },
    );
  switch (`${owner}.${field}`) {
    case 'PreviewAttendanceImportInput.csv':
    case 'CommitAttendanceImportInput.csv':
      return csvArgument(world);
    case 'ImportOnlineStudyInput.payload':
      return onlineStudyPayload(world);
    case 'CheckInInput.code':
      return withHostile('ABC123', 'abc-123', '０１２３４５', ' 1 2 3 4 5 6 ', '000000');
    case 'CreateActivityInput.code':
      return withHostile('FUZZ-0001', 'FUZZ-0002', 'fuzz 0003');
    case 'LoginInput.username':
      return withHostile(...world.usernames, 'ADMIN', ' admin', 'admin\u0000', 'nobody');
    case 'LoginInput.password':
      return withHostile('demo1234', 'demo1234 ', 'wrong', '');
  }
  switch (field) {
    case 'idempotencyKey':
      return withHostile(
        'fuzz-key-00000001',
        'fuzz-key-00000002',
        'fuzz-key-00000003',
        '1234567',
        'k'.repeat(200),
        'k'.repeat(201),
        '        ',
        '密钥密钥密钥密钥',
        '🔑🔑🔑🔑🔑🔑🔑🔑',
      );
    case 'category':
      return withHostile(...world.categories);
    case 'nationalIds':
      return withHostile(
        ...world.nationalIds.own,
        ...world.nationalIds.other.slice(0, 10),
        'T999999',
      );
    case 'subjects':
      return withHostile('数学', '语文', '英语', 'mathematics');
    case 'reason':
    case 'note':
    case 'comment':
    case 'title':
    case 'description':
    case 'location':
      return withHostile('补录：签到表遗漏', 'fuzz', '线下 第一教室');
  }
  return null;
}

function scalarLeaf(
  name: string,
  options: WalkOptions,
  owner: string,
  field: string,
  small: boolean,
): fc.Arbitrary<unknown> {
  const hostile = hostileLeaf(name, options, owner, field, small);
  const plausible = options.mild ? plausibleLeaf(name, options, owner, field) : null;
  return plausible
    ? fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: hostile })
    : hostile;
}

const plausibleText = fc.oneof(
  fc.constantFrom(
    '继续教育 数学研修',
    '线上研修 👩‍🏫',
    'Fuzz activity',
    "O'Brien",
    '补录：签到表遗漏',
    "'; DROP TABLE credit_ledger; --",
    '<b>粗体</b>',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
);
const comingYear = {
  min: new Date('2026-12-02T00:00:00Z'),
  max: new Date('2027-12-31T00:00:00Z'),
  noInvalidDate: true,
};

/** A value a careful client might send, or null where the generic hostile one must do. */
function plausibleLeaf(
  name: string,
  options: WalkOptions,
  owner: string,
  field: string,
): fc.Arbitrary<unknown> | null {
  switch (name) {
    case 'String':
      return targetedLeaf(options.world, owner, field) ? null : plausibleText;
    case 'Int':
      return fc.integer({ min: 1, max: 120 });
    case 'Float':
      return fc.integer({ min: 1, max: 4800 }).map((n) => n / 100);
    case 'Date':
      return fc.date(comingYear).map((d) => d.toISOString().slice(0, 10));
    case 'DateTime':
      return fc.date(comingYear).map((d) => d.toISOString());
    case 'ID': {
      const own = options.world.ids.own[idTarget(options, owner, field)] ?? [];
      return own.length ? fc.constantFrom(...own) : null;
    }
    default:
      return null;
  }
}

function idTarget(options: WalkOptions, owner: string, field: string): string {
  const target =
    (owner === '' ? options.rootIds?.[field] : undefined) ??
    idTargets[`${owner}.${field}`] ??
    idTargets[field];
  if (!target) {
    throw new Error(
      `ID field ${owner || 'argument'}.${field} names no type: add it to idTargets in test/testkit/fuzz-inputs.ts (or rootIds of its fuzz entry)`,
    );
  }
  return target;
}

function hostileLeaf(
  name: string,
  options: WalkOptions,
  owner: string,
  field: string,
  small: boolean,
): fc.Arbitrary<unknown> {
  const targeted = small ? null : targetedLeaf(options.world, owner, field);
  if (targeted) return targeted;
  switch (name) {
    case 'String':
      return small ? smallHostileString : hostileString;
    case 'Int':
      return hostileInt;
    case 'Float':
      return hostileFloat;
    case 'Boolean':
      return fc.boolean();
    case 'Date':
      return options.illTyped ? fc.oneof(hostileDate, malformedDate) : hostileDate;
    case 'DateTime':
      return options.illTyped ? fc.oneof(hostileDateTime, malformedDateTime) : hostileDateTime;
    case 'ID':
      return idArbitrary(options.world, idTarget(options, owner, field));
    default:
      throw new Error(
        `scalar ${name} has no hostile arbitrary: add one to test/testkit/fuzz-inputs.ts`,
      );
  }
}

/**
 * An arbitrary for values of a GraphQL input type. `owner` and `field` name the input object
 * field the value fills (owner '' for a root argument) so leaves can be targeted; `small`
 * keeps huge values out of list elements that are repeated a thousand times.
 */
export function inputArbitrary(
  type: GraphQLInputType,
  options: WalkOptions,
  owner: string,
  field: string,
  small = false,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    const value = valueArbitrary(type.ofType, options, owner, field, small, depth);
    return options.illTyped
      ? fc.oneof({ weight: 12, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) })
      : value;
  }
  return fc.oneof(
    { weight: 5, arbitrary: valueArbitrary(type, options, owner, field, small, depth) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

/** A non-null value of a nullable or list, input object, enum or scalar type. */
function valueArbitrary(
  type: GraphQLInputType,
  options: WalkOptions,
  owner: string,
  field: string,
  small: boolean,
  depth: number,
): fc.Arbitrary<unknown> {
  const wrong = (typed: fc.Arbitrary<unknown>) =>
    options.illTyped
      ? fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: wrongType })
      : typed;

  if (isListType(type)) {
    const element = inputArbitrary(type.ofType, options, owner, field, small, depth + 1);
    const smallElement = inputArbitrary(type.ofType, options, owner, field, true, depth + 1);
    const list = fc.oneof(
      { weight: 6, arbitrary: fc.array(element, { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.constant([]) },
      // The same element many times: duplicates, and past "at most 1000" limits.
      {
        weight: small || options.mild ? 0 : 1,
        arbitrary: fc
          .tuple(smallElement, fc.constantFrom(2, 1001))
          .map(([value, count]) => Array.from({ length: count }, () => value)),
      },
    );
    // A single value where a list is expected is legal GraphQL input coercion.
    return wrong(fc.oneof({ weight: 8, arbitrary: list }, { weight: 1, arbitrary: element }));
  }
  if (isInputObjectType(type)) {
    if (depth > 6) return fc.constant({});
    const fields = Object.values(type.getFields());
    const parts = fields.map((f) => {
      const value = inputArbitrary(f.type, options, type.name, f.name, small, depth + 1);
      const required = isNonNullType(f.type) && f.defaultValue === undefined;
      const omit = required ? (options.illTyped ? 1 : 0) : 2;
      return fc.oneof(
        { weight: 6, arbitrary: value },
        { weight: omit, arbitrary: fc.constant(omitted) },
      );
    });
    const extra = options.illTyped
      ? fc.option(
          fc.constantFrom<[string, unknown]>(
            ['unknownField', 1],
            ['__proto__', { x: 1 }],
            ['constructor', 'x'],
          ),
          { nil: undefined },
        )
      : fc.constant(undefined);
    const object = fc.tuple(fc.tuple(...parts), extra).map(([values, more]) => {
      const result: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        if (values[i] !== omitted) result[f.name] = values[i];
      });
      // defineProperty: `result.__proto__ = …` would set the prototype, not send a key.
      if (more) Object.defineProperty(result, more[0], { value: more[1], enumerable: true });
      return result;
    });
    return wrong(object);
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    return wrong(
      options.illTyped
        ? fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...values) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(...values.map((v) => v.toLowerCase()), 'DROP', ''),
            },
          )
        : fc.constantFrom(...values),
    );
  }
  if (isScalarType(type)) return wrong(scalarLeaf(type.name, options, owner, field, small));
  throw new Error(`input type ${String(type)} is not handled`);
}

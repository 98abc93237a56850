import { jsonpath } from 'json-p3';
import { describe, expect, it } from 'vitest';
import { compilePath, JsonPathError, NOTHING } from '../../src/mapping/jsonpath.js';

// JSON.parse, not object literals: documents reach the mapper from a parser, and
// "__proto__" is then an ordinary own key.
const THERMAL = JSON.parse(`{
  "@odata.id": "/redfish/v1/Chassis/1U/Thermal",
  "Id": "Thermal",
  "a.b": { "c": 1, "@x": [10, 20] },
  "Fans": [
    { "Name": "Fan1", "Reading": 2100, "ReadingUnits": "RPM", "Status": { "Health": "OK" } },
    { "Name": "Fan2", "Reading": 40, "ReadingUnits": "Percent", "Status": null },
    { "Name": "Fan3", "Reading": null, "ReadingUnits": "RPM", "Status": { "Health": "Critical" } }
  ],
  "Temperatures": [],
  "Status": { "Health": "OK", "State": "Enabled" },
  "Links": { "Chassis": [{ "@odata.id": "/redfish/v1/Chassis/1U" }, { "@odata.id": "/redfish/v1/Chassis/2U" }] },
  "Members": { "x": { "@odata.id": "/m/x" }, "y": { "@odata.id": "/m/y" }, "10": { "@odata.id": "/m/10" } },
  "nothing": null,
  "zero": 0,
  "flag": false,
  "text": "abc",
  "__proto__": { "polluted": true },
  "empty": {}
}`) as unknown;

const ARRAY = JSON.parse('[1, [2, 3], {"a": [4, {"b": null}]}, null, "x", true]') as unknown;

const DOCS: Record<string, unknown> = {
  thermal: THERMAL,
  array: ARRAY,
  number: 42,
  null: null,
  string: 'text',
  emptyObject: {},
  emptyArray: [],
};

// Paths made of names, indexes and wildcards only: these must take the fast walker.
const SIMPLE = [
  '$',
  '$.Id',
  '$["@odata.id"]',
  "$['@odata.id']",
  '$["a.b"]',
  "$['a.b'].c",
  '$["a.b"]["@x"][1]',
  '$["a.b"]["@x"][-1]',
  '$["a.b"]["@x"][-2]',
  '$["a.b"]["@x"][-3]',
  '$["a.b"]["@x"][2]',
  '$.a',
  '$.Fans[0].Name',
  '$.Fans[2].Reading',
  '$.Fans[-1].Name',
  '$.Fans[-3].ReadingUnits',
  '$.Fans[3]',
  '$.Fans[-4]',
  '$.Fans[*]',
  '$.Fans[*].Name',
  '$.Fans.*.Reading',
  '$.Fans[*].Status',
  '$.Fans[*].Status.Health',
  '$.Fans[*].*',
  '$.Fans.Name',
  '$.Status.*',
  '$.Status[0]',
  '$.Status[*]',
  '$.Members[*]["@odata.id"]',
  '$.Members.*',
  '$.Links.Chassis[*]["@odata.id"]',
  '$.Temperatures[*]',
  '$.Temperatures[0]',
  '$.empty.*',
  '$.*',
  '$[*]',
  '$.*.*',
  '$[0]',
  '$[-1]',
  '$[1][1]',
  '$[1][-2]',
  '$[2].a[1].b',
  '$[2].a[1].b.c',
  '$[3].a',
  '$[3][0]',
  '$[3].*',
  '$.nothing',
  '$.nothing.x',
  '$.nothing[0]',
  '$.nothing.*',
  '$.zero',
  '$.zero.x',
  '$.flag',
  '$.flag[*]',
  '$.text[0]',
  '$.text.length',
  '$.text.*',
  '$.constructor',
  '$.Fans.length',
  '$.Status.toString',
  '$.__proto__',
  '$.__proto__.polluted',
  '$.missing',
  '$.missing.deeper[0]',
];

// Anything else goes through json-p3 itself.
const LIBRARY = [
  '$.Fans[?@.ReadingUnits == "RPM"]',
  '$.Fans[?@.ReadingUnits == "RPM"].Name',
  '$.Fans[?@.Reading > 100].Name',
  '$.Fans[?@.Status.Health].Name',
  '$..Health',
  '$..["@odata.id"]',
  '$..*',
  '$..constructor',
  '$.Fans[0:2].Name',
  '$.Fans[::-1].Name',
  '$.Fans[1:].Reading',
  '$.Fans[0,2].Name',
  '$["Id","text"]',
  '$[1:3]',
];

function reference(path: string, doc: unknown): { values: unknown[]; keys: Array<string | number | undefined> } {
  const nodes = jsonpath.query(path, doc as never);
  return { values: nodes.values(), keys: nodes.locations().map((loc) => loc[loc.length - 1]) };
}

describe('compilePath agrees with json-p3', () => {
  it('compiles name/index/wildcard-only paths to the fast walker and others to the library', () => {
    // Without this the agreement tests below could silently compare json-p3 with itself.
    for (const p of SIMPLE) expect(compilePath(p).constructor.name, p).toBe('WalkPath');
    for (const p of LIBRARY) expect(compilePath(p).constructor.name, p).toBe('LibraryPath');
  });

  for (const [docName, doc] of Object.entries(DOCS)) {
    it(`finds the same values and keys as jsonpath.query on the ${docName} document`, () => {
      for (const p of [...SIMPLE, ...LIBRARY]) {
        const ref = reference(p, doc);
        const got = compilePath(p).all(doc);
        expect(got.map((m) => m.value), `${p} values`).toEqual(ref.values);
        expect(got.map((m) => m.key), `${p} keys`).toEqual(ref.keys);
        // The values are the document's own objects, not copies.
        got.forEach((m, i) => expect(m.value, `${p} identity`).toBe(ref.values[i]));
        expect(compilePath(p).first(doc), `${p} first`).toBe(ref.values.length ? ref.values[0] : NOTHING);
      }
    });
  }

  it('the comparison above is not vacuous: the simple paths do find values in the documents', () => {
    const found = SIMPLE.filter((p) => Object.values(DOCS).some((d) => compilePath(p).all(d).length > 0));
    expect(found.length).toBeGreaterThan(SIMPLE.length / 2);
  });
});

describe('compilePath on the fast walker', () => {
  it('keys a wildcard over an array by index and over an object by property name', () => {
    expect(compilePath('$.Fans[*].Name').all(THERMAL)).toEqual([
      { value: 'Fan1', key: 'Name' },
      { value: 'Fan2', key: 'Name' },
      { value: 'Fan3', key: 'Name' },
    ]);
    expect(compilePath('$.Fans[*]').all(THERMAL).map((m) => m.key)).toEqual([0, 1, 2]);
    expect(compilePath('$.Status.*').all(THERMAL)).toEqual([
      { value: 'OK', key: 'Health' },
      { value: 'Enabled', key: 'State' },
    ]);
  });

  it('reads quoted names holding "@" and dots as one name', () => {
    expect(compilePath('$["@odata.id"]').first(THERMAL)).toBe('/redfish/v1/Chassis/1U/Thermal');
    expect(compilePath("$['a.b'].c").first(THERMAL)).toBe(1);
    expect(compilePath('$.Links.Chassis[*]["@odata.id"]').all(THERMAL).map((m) => m.value)).toEqual([
      '/redfish/v1/Chassis/1U',
      '/redfish/v1/Chassis/2U',
    ]);
  });

  it('counts negative indexes from the end and reports the normalized index as key', () => {
    expect(compilePath('$.Fans[-1]').all(THERMAL)).toEqual([{ value: (THERMAL as { Fans: unknown[] }).Fans[2], key: 2 }]);
    expect(compilePath('$.Fans[-3].Name').first(THERMAL)).toBe('Fan1');
    expect(compilePath('$.Fans[-4]').all(THERMAL)).toEqual([]);
    expect(compilePath('$.Fans[3]').all(THERMAL)).toEqual([]);
  });

  it('finds nothing through null and scalars', () => {
    for (const p of ['$.nothing.x', '$.zero.x', '$.text[0]', '$.flag[*]', '$.nothing.*']) {
      expect(compilePath(p).all(THERMAL), p).toEqual([]);
      expect(compilePath(p).first(THERMAL), p).toBe(NOTHING);
    }
  });

  it('does not see inherited properties', () => {
    expect(compilePath('$.constructor').first({})).toBe(NOTHING);
    expect(compilePath('$.length').first([1, 2])).toBe(NOTHING);
    expect(compilePath('$.toString').first(THERMAL)).toBe(NOTHING);
  });
});

describe('compilePath through json-p3', () => {
  it('applies filters', () => {
    expect(compilePath('$.Fans[?@.ReadingUnits == "RPM"]').all(THERMAL).map((m) => [m.key, (m.value as { Name: string }).Name])).toEqual([
      [0, 'Fan1'],
      [2, 'Fan3'],
    ]);
    expect(compilePath('$.Fans[?@.Reading > 100].Name').all(THERMAL).map((m) => m.value)).toEqual(['Fan1']);
  });

  it('descends with ..', () => {
    // Document order: Fans (with Fan1 and Fan3 health) come before the top-level Status.
    expect(compilePath('$..Health').all(THERMAL).map((m) => m.value)).toEqual(['OK', 'Critical', 'OK']);
    expect(compilePath('$..Health').all(THERMAL).every((m) => m.key === 'Health')).toBe(true);
  });

  it('slices', () => {
    expect(compilePath('$.Fans[0:2].Name').all(THERMAL).map((m) => m.value)).toEqual(['Fan1', 'Fan2']);
    expect(compilePath('$.Fans[::-1].Name').all(THERMAL).map((m) => m.value)).toEqual(['Fan3', 'Fan2', 'Fan1']);
    expect(compilePath('$[1:3]').all(ARRAY).map((m) => m.key)).toEqual([1, 2]);
  });
});

describe('first()', () => {
  it('returns NOTHING when nothing matches and null for a JSON null, on both implementations', () => {
    expect(compilePath('$.missing').first(THERMAL)).toBe(NOTHING);
    expect(compilePath('$.Fans[*].Missing').first(THERMAL)).toBe(NOTHING);
    expect(compilePath('$..Missing').first(THERMAL)).toBe(NOTHING);
    expect(compilePath('$.Fans[?@.Name == "Fan9"]').first(THERMAL)).toBe(NOTHING);

    expect(compilePath('$.nothing').first(THERMAL)).toBeNull();
    expect(compilePath('$.Fans[2].Reading').first(THERMAL)).toBeNull();
    expect(compilePath('$.Fans[*].Status').first({ Fans: [{ Status: null }, { Status: 'OK' }] })).toBeNull();
    expect(compilePath('$.Fans[?@.Name == "Fan3"].Reading').first(THERMAL)).toBeNull();
    expect(compilePath('$..nothing').first(THERMAL)).toBeNull();
  });

  it('returns falsy values as they are', () => {
    expect(compilePath('$.zero').first(THERMAL)).toBe(0);
    expect(compilePath('$.flag').first(THERMAL)).toBe(false);
    expect(compilePath('$[?@ == 0]').first([0])).toBe(0);
  });

  it('returns the first match of a wildcard in document order', () => {
    expect(compilePath('$.Fans[*].Name').first(THERMAL)).toBe('Fan1');
    expect(compilePath('$.Fans[*].Status.Health').first(THERMAL)).toBe('OK');
    expect(compilePath('$.Fans[1:].Name').first(THERMAL)).toBe('Fan2');
  });
});

describe('invalid JSONPath', () => {
  for (const bad of ['$.', '$[', '$.Fans[?]', 'Status.Health', '$["unterminated]', '$.Fans[0', '$[01]', '$..']) {
    it(`throws JsonPathError naming ${JSON.stringify(bad)}`, () => {
      let caught: unknown;
      try {
        compilePath(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(JsonPathError);
      expect((caught as Error).message).toContain(`invalid JSONPath ${JSON.stringify(bad)}`);
    });
  }
});

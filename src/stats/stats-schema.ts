// The JSON schema of `show info json` / `show stat json` (management.txt 9.3 "show schema json",
// the stats page's `;json-schema`), built as the same document HAProxy 2.6 prints, byte for byte.
// Tools validate our JSON output against it, so its quirks are kept: `Stat` items name their
// value property `typedValue` but require `value`, the `field` and `tags` definitions list their
// members beside `type` instead of under `properties`, and `unknownValue` is defined but unused.

type Json = string | number | Json[] | { [key: string]: Json };

const ref = (name: string): Json => ({ $ref: `#/definitions/${name}` });
const int = (minimum: number, maximum?: number): Json => ({ type: 'integer', minimum, ...(maximum !== undefined ? { maximum } : {}) });
const strEnum = (values: string[]): Json => ({ type: 'string', enum: values });

/** Tag words in HAProxy's order (stats.h enum field_origin / field_nature / field_scope). */
const ORIGINS = ['Metric', 'Status', 'Key', 'Config', 'Product', 'Unknown'];
const NATURES = ['Gauge', 'Limit', 'Min', 'Max', 'Rate', 'Counter', 'Duration', 'Age', 'Time', 'Name', 'Output', 'Avg', 'Unknown'];
const SCOPES = ['Cluster', 'Process', 'Service', 'System', 'Unknown'];
const OBJ_TYPES = ['Frontend', 'Backend', 'Listener', 'Server', 'Unknown'];

/** JavaScript's safe integer bound: HAProxy caps 64-bit values there for JSON consumers. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function valueDef(type: string, value: Json): Json {
  return { properties: { type: strEnum([type]), value }, required: ['type', 'value'] };
}

function item(title: string, properties: Record<string, Json>, required: string[]): Json {
  return { title, type: 'array', items: { title: 'InfoItem', type: 'object', properties, required } };
}

function schema(): Json {
  const common = { field: ref('field'), processNum: ref('processNum'), tags: ref('tags') };
  const info = item('Info', { ...common, value: ref('typedValue') }, ['field', 'processNum', 'tags', 'value']);
  const stat = item(
    'Stat',
    { objType: { enum: OBJ_TYPES }, proxyId: int(0), id: int(0), ...common, typedValue: ref('typedValue') },
    ['objType', 'proxyId', 'id', 'field', 'processNum', 'tags', 'value'],
  );
  const error: Json = { title: 'Error', type: 'object', properties: { errorStr: { type: 'string' } }, required: ['errorStr'] };
  const kinds = ['s32', 's64', 'u32', 'u64', 'str'];
  const values: Record<string, Json> = {
    s32Value: valueDef('s32', int(-(2 ** 31), 2 ** 31 - 1)),
    s64Value: valueDef('s64', int(-MAX_SAFE, MAX_SAFE)),
    u32Value: valueDef('u32', int(0, 2 ** 32 - 1)),
    u64Value: valueDef('u64', int(0, MAX_SAFE)),
    strValue: valueDef('str', { type: 'string' }),
    unknownValue: { properties: { type: int(0), value: strEnum(['unknown']) }, required: ['type', 'value'] },
  };
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    oneOf: [info, stat, error],
    definitions: {
      field: { type: 'object', pos: int(0), name: { type: 'string' }, required: ['pos', 'name'] },
      processNum: int(1),
      tags: { type: 'object', origin: strEnum(ORIGINS), nature: strEnum(NATURES), scope: strEnum(SCOPES), required: ['origin', 'nature', 'scope'] },
      typedValue: {
        type: 'object',
        oneOf: kinds.map((k) => ({ $ref: `#/definitions/typedValue/definitions/${k}Value` })),
        definitions: values,
      },
    },
  };
}

/**
 * The schema document, without trailing newline. HAProxy's text has one space in an otherwise
 * compact document (after `"Avg",` in the nature list); consumers comparing bytes see it too.
 */
export const STATS_JSON_SCHEMA: string = JSON.stringify(schema()).replace('"Avg","Unknown"', '"Avg", "Unknown"');

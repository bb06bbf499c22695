/** Public API of the parameter module: value types, the table, the URL codec, derived quantities, presets. */
export * from './types';
export {
  DEFAULT_PARAMS,
  effectiveMax,
  isValidParams,
  PARAM_NAMES,
  PARAM_TABLE,
  specFor,
  specForKey,
  type DependentMax,
  type EnumName,
  type EnumOption,
  type EnumSpec,
  type NumberSpec,
  type NumericName,
  type ParamSpec,
  type ParamTable,
  type SpecOf,
} from './table';
export { parseEntries, parseQuery, PRESENTATION_KEYS, serializeParams, URL_VERSION, validateParams, VERSION_KEY, type ParseResult } from './url';
export { residualCoefficients, sparseKeepThreshold } from './derived';
export { PRESETS, type Preset } from './presets';

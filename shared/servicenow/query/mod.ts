/**
 * ServiceNow encoded queries: parse to a typed AST, format back, resolve relative
 * dates for a given "now", and evaluate in memory.
 *
 * @module
 */

export {
  type AndGroup,
  type ConditionTerm,
  DATE_GRANULARITIES,
  DATE_PART_COMPARATORS,
  DATE_PARTS,
  type DateGranularity,
  type DatePartComparator,
  type DatePartName,
  EMPTY_QUERY,
  type EncodedQuery,
  GLIDE_DATE_FUNCTIONS,
  type GlideFunction,
  type LiteralValue,
  OPERATOR_ALIASES,
  type OrCluster,
  type OrderBy,
  QUERY_OPERATORS,
  type QueryOperator,
  type QueryTerm,
  RELATED_COMPARATORS,
  type RelatedComparator,
  type RelatedTerm,
  RELATIVE_UNITS,
  type RelativeUnit,
  type ScalarValue,
  type ScriptCall,
  type ScriptValue,
  type TermValue,
  type TextTerm,
} from "./ast.ts";
export { parseEncodedQuery, QueryParseError } from "./parse.ts";
export { formatEncodedQuery, formatScriptCall } from "./format.ts";
export {
  DYNAMIC_ME,
  formatGlideDateTime,
  parseGlideDateTime,
  relativeThreshold,
  type ResolveDatesOptions,
  resolveQueryDates,
  resolveScalar,
  resolveScriptCall,
  shiftDate,
  unitBounds,
} from "./dates.ts";
export {
  compareFieldValues,
  type CompiledQuery,
  compileQuery,
  type CompileQueryOptions,
  datePartTarget,
  type FieldAccessor,
  type FieldType,
  type QueryResolver,
} from "./evaluate.ts";

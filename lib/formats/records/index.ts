/**
 * `providers.manifest.yaml`, the infra's records: parsed and edited through yaml's Document API
 * (edit.ts), read as typed records (read.ts), written back as a minimal splice of the user's
 * bytes (text.ts).
 */
export {
  deleteRecord,
  emptyRecordsFile,
  type Flag,
  FLAGS,
  getFlag,
  getMark,
  type Mark,
  MARKS,
  nullProviders,
  parseRecordsFile,
  type RecordsFile,
  setFlag,
  setMark,
  setRecord,
} from './edit.ts';
export { getRecord, type InstallMode, listRecords, type ProviderRecord, type RecordEntry, recordFields } from './read.ts';
export { type EmptyProvidersForm, emptyProvidersForm, recordsText } from './text.ts';

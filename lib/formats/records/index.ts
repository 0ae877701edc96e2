/**
 * `providers.manifest.yaml`, the infra's records: parsed and edited through yaml's Document API
 * (edit.ts), read as typed records (read.ts), written back as a minimal splice of the user's
 * bytes (text.ts).
 */
export { deleteRecord, emptyRecordsFile, FLAGS, getFlag, getMark, MARKS, nullProviders, parseRecordsFile, setFlag, setMark, setRecord, type Flag, type Mark, type RecordsFile } from './edit.ts';
export { getRecord, listRecords, recordFields, type InstallMode, type ProviderRecord, type RecordEntry } from './read.ts';
export { emptyProvidersForm, recordsText, type EmptyProvidersForm } from './text.ts';

/**
 * `providers.manifest.yaml`, the infra's records: parsed and edited through yaml's Document API
 * (edit.ts), read as typed records (read.ts), written back as a minimal splice of the user's
 * bytes (text.ts).
 */
export { deleteRecord, emptyRecordsFile, FLAGS, getFlag, parseRecordsFile, setFlag, setRecord, type Flag, type RecordsFile } from './edit.ts';
export { getRecord, listRecords, recordFields, type InstallMode, type ProviderRecord, type RecordEntry } from './read.ts';
export { emptyMapOnOwnLine, recordsText } from './text.ts';

/** Where packs come from, as vendoring sees it: one interface for every kind of registry. */
import type { PackMetadata, VersionRecord } from '../formats/metadata.ts';

export interface PackSource {
  /** What people see: a folder, a URL, or `distribution/` for the local one. */
  label: string;
  /** The metadata of `module`, or undefined when the source has no such module. */
  metadata(module: string): Promise<PackMetadata | undefined>;
  /** Modules the source offers (for "did you mean"). */
  modules(): Promise<string[]>;
  /** Where a version's pack is, as recorded in the yaml's `source`. */
  where(record: VersionRecord): string;
  /** Copies the pack to `dest`; more than `maxBytes` is INTEGRITY_MISMATCH. */
  fetchPackage(record: VersionRecord, dest: string, maxBytes: number): Promise<void>;
  /** Copies the `.minisig` to `dest`; false when the pack is not signed. */
  fetchSignature(record: VersionRecord, dest: string): Promise<boolean>;
}

// The bundle's manifest: the SHA-256 of every file (manifest.json), and the SHA-256 of the
// manifest itself in manifest.sha256, in the format `sha256sum -c` reads. Editing any file, the
// list of files, or the manifest is then visible; what hashes cannot show is a bundle whose
// files and manifest were all rewritten together (docs/evidence.md says what does).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_CHECKSUM_FILE = 'manifest.sha256';
export const MANIFEST_FORMAT = 'trailwarden-evidence-manifest';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const Manifest = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    formatVersion: z.literal(1),
    algorithm: z.literal('sha256'),
    createdAt: z.string(),
    tool: z.object({ name: z.literal('trailwarden'), version: z.string() }).strict(),
    files: z.array(z.object({ path: z.string(), sha256: Sha256, bytes: z.number().int().min(0) }).strict()),
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256Text = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export interface ListedFile {
  /** Bundle-relative, with forward slashes. */
  path: string;
  bytes: number;
  /** Anything that is not a regular file (symlink, socket...) is listed, never followed. */
  regular: boolean;
}

/** Every file under `dir`, sorted, directories walked, symlinks not followed. */
export async function listFiles(dir: string): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      const st = await lstat(full);
      out.push({ path: relative(dir, full).split(sep).join(posix.sep), bytes: st.size, regular: entry.isFile() });
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Hashes every file of the bundle (except the manifest pair) and writes manifest.json, then manifest.sha256. */
export async function writeManifest(dir: string, meta: { createdAt: string; toolVersion: string }): Promise<Manifest> {
  const files: Manifest['files'] = [];
  for (const f of await listFiles(dir)) {
    if (f.path === MANIFEST_FILE || f.path === MANIFEST_CHECKSUM_FILE) continue;
    if (!f.regular) throw new Error(`evidence bundle: ${f.path} is not a regular file`);
    files.push({ path: f.path, sha256: await sha256File(join(dir, f.path)), bytes: f.bytes });
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    formatVersion: 1,
    algorithm: 'sha256',
    createdAt: meta.createdAt,
    tool: { name: 'trailwarden', version: meta.toolVersion },
    files,
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFileAtomic(join(dir, MANIFEST_FILE), text);
  await writeFileAtomic(join(dir, MANIFEST_CHECKSUM_FILE), `${sha256Text(text)}  ${MANIFEST_FILE}\n`);
  return manifest;
}

/** The hash recorded in manifest.sha256 (sha256sum format), or null when the file is not that. */
export async function readManifestChecksum(dir: string): Promise<string | null> {
  const text = await readFile(join(dir, MANIFEST_CHECKSUM_FILE), 'utf8');
  const m = /^([0-9a-f]{64}) [ *]manifest\.json\n?$/.exec(text);
  return m ? m[1]! : null;
}

/** A manifest path must stay inside the bundle. */
export function isSafeBundlePath(path: string): boolean {
  if (!path || path.startsWith('/') || path.includes('\\') || /^[a-zA-Z]:/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

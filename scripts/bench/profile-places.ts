// What profile-compare.ts reads a V8 CPU profile into: busy CPU a call, by where the sampled code lives.
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The native frames of one socket write, each a single system call: the scan's requests go out
 * through writev, the baseline's (one string each) through a string write. Counted as one place,
 * so the comparison does not show the same work twice under two names.
 */
const SOCKET_WRITES = new Set(['writev', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeBuffer']);

/** Where a frame's code lives: its package, its file in this project, or the native frame's name. */
export function placeOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return SOCKET_WRITES.has(functionName) ? '(socket write)' : functionName || '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const own = /.*\/((?:dist|src|scripts)\/.*)$/.exec(url);
  return own ? own[1]! : url;
}

/** Busy microseconds a call by place (the idle samples left out). */
export function perCall(profile: Profile, calls: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') return;
    const place = placeOf(node);
    out.set(place, (out.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0) / calls);
  });
  return out;
}

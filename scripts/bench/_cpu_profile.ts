/**
 * Where a process's CPU went, from a V8 CPU profile (`deno run --cpu-prof`):
 * self time by module (an npm package, a Deno extension, a folder of ours, or
 * a native activity such as the garbage collector), counting only the samples
 * taken inside the given time windows (so a load step is not mixed with start-up
 * or sign-in). Sample times are V8's monotonic clock in microseconds, the clock
 * of `/proc/uptime` on Linux.
 *
 * @module
 */

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A module's share of the samples in the windows. */
export interface ModuleTime {
  module: string;
  ms: number;
  share: number;
}

/**
 * Self time by module within `windows` ([start, end] in µs of the monotonic
 * clock), biggest first; idle time is left out of the shares.
 *
 * @param profile the parsed profile
 * @param windows the time windows to count
 */
export function timeByModule(profile: CpuProfile, windows: [number, number][]): ModuleTime[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byModule = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (!windows.some(([from, to]) => at >= from && at <= to)) continue;
    const frame = frames.get(profile.samples[i]!);
    if (!frame || frame.functionName === "(idle)") continue;
    const name = moduleOf(frame);
    byModule.set(name, (byModule.get(name) ?? 0) + delta);
  }
  const busy = [...byModule.values()].reduce((a, b) => a + b, 0) || 1;
  return [...byModule].sort((a, b) => b[1] - a[1])
    .map(([module, us]) => ({
      module,
      ms: +(us / 1000).toFixed(1),
      share: +(us / busy).toFixed(3),
    }));
}

/** The module a frame belongs to: `npm:<package>`, `ext:<extension>`, a folder of ours, or a native activity. */
export function moduleOf(frame: { functionName: string; url: string }): string {
  const { url, functionName } = frame;
  if (!url) return `(native) ${functionName || "anonymous"}`;
  const npm = /node_modules\/\.deno\/([^/]+)\//.exec(url) ??
    /registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\/[^/]+\//.exec(url);
  if (npm) return `npm:${npm[1]!.replace(/(.)@[^@]+$/, "$1")}`;
  if (url.startsWith("ext:")) return url.split("/")[0]!;
  if (url.startsWith("node:")) return "node:";
  const path = url.replace(/^file:\/\//, "");
  const parts = path.split("/");
  const root = parts.findIndex((p) => ["shared", "functions", "scripts", "web"].includes(p));
  return root >= 0 ? parts.slice(root, root + 2).join("/") : path;
}

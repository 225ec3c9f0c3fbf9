/**
 * A commander action whose implementation is imported when the command runs, not when anjuctl
 * starts. commander must know every command, option and description up front (for --help, shell
 * completion and "did you mean"), so those stay as plain registrations in src/cli/command-tree.ts;
 * what a command needs to do its work (zod and yaml for a config, the detector pipeline for replay,
 * crypto for init, chart rendering for reports) is loaded only by the command that uses it. Before
 * this, every spawn (`--help` included) loaded ~180 of our modules plus zod and yaml (issue 14 point 5).
 *
 * `lazy(() => import('./commands/status.js'), 'statusCommand')`: the compiler checks that the module
 * exports a function of that name; commander's arguments (the command's arguments, its options, the
 * Command) are passed on unchanged.
 */
// A function of any parameters (a parameter list of `never` accepts every signature).
type Fn = (...args: never[]) => unknown;

export function lazy<K extends string, M extends { readonly [k in K]: Fn }>(load: () => Promise<M>, name: K): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const m = await load();
    await (m[name] as unknown as (...a: unknown[]) => unknown)(...args);
  };
}

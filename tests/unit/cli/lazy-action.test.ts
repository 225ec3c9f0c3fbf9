/**
 * src/cli/lazy-action.ts: a command's module is imported when the command runs, once per run, and
 * gets commander's arguments as they came; a failure reaches commander's parseAsync (and so the
 * process's exit code), it is not swallowed. The module lists of the built CLI:
 * tests/integration/anjuctl-lazy.test.ts.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { lazy } from '../../../src/cli/lazy-action.js';

describe('lazy command actions', () => {
  it('imports on the run, not at registration, and passes the arguments, options and command on', async () => {
    let loads = 0;
    const calls: unknown[][] = [];
    const program = new Command().exitOverride();
    program.command('check').argument('<file>').option('--fast').action(lazy(async () => {
      loads++;
      return { checkCommand: async (...args: unknown[]) => { calls.push(args); } };
    }, 'checkCommand'));
    expect(loads).toBe(0);
    await program.parseAsync(['check', 'a.yaml', '--fast'], { from: 'user' });
    expect(loads).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(0, 2)).toEqual(['a.yaml', { fast: true }]);
    expect((calls[0]![2] as Command).name()).toBe('check');
  });

  it('a command that throws, or a module that fails to load, rejects parseAsync', async () => {
    const program = new Command().exitOverride();
    program.command('boom').action(lazy(async () => ({ boomCommand: () => { throw new Error('boom'); } }), 'boomCommand'));
    program.command('missing').action(lazy(async (): Promise<{ missingCommand: () => void }> => { throw new Error('cannot load'); }, 'missingCommand'));
    await expect(program.parseAsync(['boom'], { from: 'user' })).rejects.toThrow('boom');
    await expect(program.parseAsync(['missing'], { from: 'user' })).rejects.toThrow('cannot load');
  });
});

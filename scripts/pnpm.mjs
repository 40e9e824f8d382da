// How to run pnpm from a script: the very pnpm that runs us. `npx -y pnpm@<version> test` (the
// README's command on a fresh machine) puts no `pnpm` on PATH, but sets `npm_execpath` to its CLI.

/**
 * The command and arguments that run `pnpm ...args`.
 *
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
export function pnpmCommand(args) {
  const { npm_execpath: cli } = process.env
  return cli !== undefined && /pnpm\.c?js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['pnpm', args]
}

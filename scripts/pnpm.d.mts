/** The command and arguments that run `pnpm ...args` with the pnpm that runs this process. */
export function pnpmCommand(args: string[]): [string, string[]]

// TEMPORARY: a positional-only stand-in until the shared compiler lands in
// `cached/key-template.ts` (cache area). Delete this file and import that one instead.
import { CacheKeyError } from '../errors'

const PLACEHOLDER = /\{([^{}]*)\}/g

function render(value: unknown): string {
  if (value === undefined || value === null) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** Compiles `'report:{0}'` / `'a:{}:{}'` / `'u:{0.id}'` into a function of the arguments. */
export function compileKeyTemplate(template: string): (args: readonly unknown[]) => string {
  let next = 0
  const parts = [...template.matchAll(PLACEHOLDER)].map((match) => {
    const [head = '', ...path] = (match[1] ?? '').split('.')
    const index = head === '' ? next++ : Number(head)
    if (!Number.isInteger(index) || index < 0) {
      throw new CacheKeyError(`Unsupported placeholder ${match[0]} in key template "${template}"`, {
        template,
        placeholder: match[0],
      })
    }
    return { index, path }
  })
  const literals = template.split(PLACEHOLDER).filter((_, i) => i % 2 === 0)
  return (args) => {
    let key = literals[0] ?? ''
    parts.forEach(({ index, path }, i) => {
      let value: unknown = args[index]
      for (const step of path) value = (value as Record<string, unknown> | undefined)?.[step]
      key += render(value) + (literals[i + 1] ?? '')
    })
    return key
  }
}

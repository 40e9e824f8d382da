import { CacheConfigError, CacheKeyError } from '../errors'
import { defaultKeyBuilder } from './default-key'
import { type DeclaredParameter, declaredParameters } from './parameter-names'
import { stableJson } from './stable-json'

/**
 * How a cached function names its entries: a template such as `'user:{0}'` or `'user:{id}'`, or a
 * function that receives the same arguments (and `this`) as the cached function.
 */
export type KeySpec<A extends unknown[] = any[]> = string | ((...args: A) => string)

/** Builds the full store key (instance prefix included) for one call. */
export type KeyBuilder = (thisArg: unknown, args: ArrayLike<unknown>) => string

/** A key spec compiled at decoration time. */
export interface CompiledKey {
  /** Builds the key for a call. */
  readonly build: KeyBuilder
  /** The key, when it does not depend on the arguments. */
  readonly constant: string | undefined
}

interface Placeholder {
  /** The placeholder as written, braces included, for error messages. */
  text: string
  /** The whole template, for error messages. */
  template: string
  /** The argument position. */
  index: number
  /** Whether it collects every argument from `index` on (a rest parameter). */
  rest: boolean
  /** Property path after the argument, e.g. `['org', 'id']`. */
  path: string[]
}

type Segment = string | Placeholder

const PLACEHOLDER_BODY = /^(?:(\d+)|([\p{ID_Start}$_][\p{ID_Continue}$]*))?((?:\.[\p{ID_Continue}$]+)*)$/u

/**
 * Renders one placeholder value into key text: strings as they are, `undefined` (an absent
 * argument) as `''`, numbers, booleans and bigints with `String()`, `null` as `'null'`, a value
 * whose `toJSON()` gives a string (a `Date`) as that string, anything else as stable JSON.
 */
function renderKeyPart(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${value}`
  if (value !== null && typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value)
      if (typeof json === 'string') return json
    }
  }
  return stableJson(value)
}

/**
 * Follows `placeholder.path` from `value`. `null`/`undefined` or a missing property on the way
 * gives `undefined` (rendered as `''`); a primitive on the way throws, since reading a property of
 * it would give every call the same key.
 */
function readPath(value: unknown, placeholder: Placeholder): unknown {
  let current = value
  for (const [depth, segment] of placeholder.path.entries()) {
    if (current === null || current === undefined) return undefined
    if (typeof current !== 'object' && typeof current !== 'function') {
      const reached = depth === 0 ? 'the argument' : `"${placeholder.path.slice(0, depth).join('.')}"`
      throw new CacheKeyError(
        `Key template ${JSON.stringify(placeholder.template)}: ${placeholder.text} cannot read "${segment}" because ${reached} is a ${typeof current} (${String(current)}), not an object; every call would get the same key`,
        { template: placeholder.template, placeholder: placeholder.text },
      )
    }
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

function placeholderValue(placeholder: Placeholder, args: ArrayLike<unknown>): unknown {
  const raw = placeholder.rest ? Array.prototype.slice.call(args, placeholder.index) : args[placeholder.index]
  return placeholder.path.length === 0 ? raw : readPath(raw, placeholder)
}

function looksMinified(parameters: readonly DeclaredParameter[]): boolean {
  return parameters.length > 0 && parameters.every((p) => p.name !== undefined && p.name.length <= 2)
}

/**
 * Parses a template. With `fn`, `{name}` placeholders resolve against its declared parameters and
 * an index beyond them (without a rest parameter) is an error; without `fn` (`lock('report:{0}')`)
 * only positional placeholders are allowed.
 */
function parseTemplate(template: string, fn: Function | undefined, fnName: string): Segment[] {
  const segments: Segment[] = []
  let literal = ''
  let autoIndex = 0
  let numbering: 'auto' | 'explicit' | undefined
  let parameters: DeclaredParameter[] | undefined | null = null
  const keyError = (message: string, placeholder?: string) =>
    new CacheKeyError(
      `Invalid key template ${JSON.stringify(template)} for ${fnName || 'an anonymous function'}: ${message}`,
      {
        template,
        ...(placeholder === undefined ? {} : { placeholder }),
      },
    )

  for (let i = 0; i < template.length; i++) {
    const char = template[i]!
    if (char === '}') {
      if (template[i + 1] === '}') {
        literal += '}'
        i++
        continue
      }
      throw keyError(`unmatched '}' at position ${i} (write '}}' for a literal brace)`)
    }
    if (char !== '{') {
      literal += char
      continue
    }
    if (template[i + 1] === '{') {
      literal += '{'
      i++
      continue
    }
    const close = template.indexOf('}', i)
    if (close === -1) throw keyError(`unclosed '{' at position ${i} (write '{{' for a literal brace)`)
    const text = template.slice(i, close + 1)
    const body = text.slice(1, -1).trim()
    const match = PLACEHOLDER_BODY.exec(body)
    if (!match || (match[1] === undefined && match[2] === undefined && match[3] !== '')) {
      throw keyError(
        `cannot read placeholder ${text}: expected {}, {0}, {name} or a path such as {0.id}`,
        text,
      )
    }
    const path = match[3] ? match[3].slice(1).split('.') : []
    let index: number
    let rest = false
    if (match[1] !== undefined) {
      if (numbering === 'auto') throw keyError(`cannot mix {} with explicit indexes such as ${text}`, text)
      numbering = 'explicit'
      index = Number(match[1])
    } else if (match[2] !== undefined) {
      const name = match[2]
      if (fn === undefined) {
        throw keyError(
          `cannot resolve ${text}: there is no function whose parameter names it could name; use {0}-style indexes over the arguments`,
          text,
        )
      }
      if (parameters === null) parameters = declaredParameters(fn)
      if (parameters === undefined) {
        throw keyError(
          `cannot resolve ${text}: the function's parameter names are not readable (native or bound function); use {0}-style indexes`,
          text,
        )
      }
      const position = parameters.findIndex((p) => p.name === name)
      if (position === -1) {
        const declared = parameters.map((p) =>
          p.name === undefined ? '<destructured>' : p.rest ? `...${p.name}` : p.name,
        )
        const hints: string[] = []
        if (declared.includes('<destructured>'))
          hints.push('destructured parameters have no name: use {0.field}-style paths')
        if (looksMinified(parameters))
          hints.push('the code looks minified: use {0}-style indexes or a key function')
        throw keyError(
          `cannot resolve ${text}: no parameter named "${name}" (declared: ${declared.join(', ') || 'none'})${hints.length ? `; ${hints.join('; ')}` : ''}`,
          text,
        )
      }
      index = position
      rest = parameters[position]!.rest
    } else {
      if (numbering === 'explicit') throw keyError(`cannot mix {} with explicit indexes`, text)
      numbering = 'auto'
      index = autoIndex++
    }
    if (literal !== '') segments.push(literal)
    literal = ''
    segments.push({ text, template, index, rest, path })
    i = close
  }
  if (literal !== '') segments.push(literal)
  if (fn !== undefined) checkDeclared(segments, fn, keyError)
  return segments
}

/**
 * Throws when a placeholder's index is beyond the declared parameters of a function without a
 * rest parameter: it would render every call as `''` there, and the calls would share one key.
 * Functions whose parameters cannot be read (native, bound) are not checked.
 */
function checkDeclared(
  segments: readonly Segment[],
  fn: Function,
  keyError: (message: string, placeholder?: string) => CacheKeyError,
): void {
  const parameters = declaredParameters(fn)
  if (parameters === undefined || parameters.some((p) => p.rest)) return
  for (const segment of segments) {
    if (typeof segment === 'string' || segment.index < parameters.length) continue
    const count = parameters.length === 1 ? '1 parameter' : `${parameters.length} parameters`
    throw keyError(
      `${segment.text} reads argument ${segment.index}, but the function declares ${count} and no rest parameter (every call would render it as ''); use an index below ${parameters.length} or a key function`,
      segment.text,
    )
  }
}

/**
 * Wraps `build` so that a call leaving out an argument the template reads throws: without a
 * function's parameter list (`lock('report:{0}').acquire()`) an absent argument is a mistake, and
 * rendering it as `''` would make unrelated callers share a key.
 */
function requireArguments(build: KeyBuilder, segments: readonly Segment[], template: string): KeyBuilder {
  const read = [...new Set(segments.flatMap((s) => (typeof s === 'string' || s.rest ? [] : [s.index])))]
  if (read.length === 0) return build
  return (thisArg, args) => {
    for (const index of read) {
      if (args[index] === undefined) {
        throw new CacheKeyError(
          `Key template ${JSON.stringify(template)} needs argument ${index}, got ${args.length === 0 ? 'no arguments' : `undefined at position ${index}`}`,
          { template },
        )
      }
    }
    return build(thisArg, args)
  }
}

/**
 * Compiles a key spec once, at decoration time, into a specialised builder: a constant for a
 * template without placeholders, one concatenation for a single placeholder, a loop otherwise.
 * Nothing is parsed per call.
 *
 * @param spec - a template, a key function, or `undefined` for `name:<arguments>` (see `default-key.ts`)
 * @param fn - the function being cached (its parameter names resolve `{name}` placeholders, and
 *   placeholders beyond them are an error); `undefined` for a bare template (`lock('report:{0}')`),
 *   which then takes positional placeholders only and requires every argument it reads
 * @param name - the cache's name (`options.name ?? fn.name`), used by the omitted-key form
 * @param keyPrefix - the instance prefix with its separator (`'app:'`), or `''`
 * @throws {@link CacheKeyError} for a template that cannot be resolved, naming the placeholder;
 *   the builder throws it for a path that meets a primitive, and (without `fn`) for a missing argument
 * @throws {@link CacheConfigError} for an omitted key on an anonymous function without `name`
 * @example
 * ```ts
 * compileKey('user:{id}', async (id: number) => id, 'getUser', '').build(undefined, [42]) // 'user:42'
 * ```
 */
export function compileKey(
  spec: KeySpec | undefined,
  fn: Function | undefined,
  name: string,
  keyPrefix: string,
): CompiledKey {
  if (spec === undefined) return argumentsKey(name, keyPrefix)
  if (typeof spec === 'function') return functionKey(spec, name, keyPrefix)
  if (typeof spec !== 'string') {
    throw new CacheConfigError(
      `Invalid "key": expected a template string or a function, got ${typeof spec}`,
      {
        option: 'key',
      },
    )
  }
  const segments = parseTemplate(spec, fn, name)
  const compiled = compileTemplate(segments, keyPrefix)
  if (fn !== undefined || compiled.constant !== undefined) return compiled
  return { build: requireArguments(compiled.build, segments, spec), constant: undefined }
}

/** The omitted-key form: `name:<arguments>` (see `default-key.ts`). */
function argumentsKey(name: string, keyPrefix: string): CompiledKey {
  if (name === '') {
    throw new CacheConfigError(
      'An anonymous function needs a `name` or a `key` to be cached (the default key is `name:<arguments>`)',
      { option: 'name' },
    )
  }
  return { build: defaultKeyBuilder(`${keyPrefix}${name}:`), constant: undefined }
}

/** A key function, called with the call's `this` and arguments; it must return a string. */
function functionKey(spec: (...args: any[]) => string, name: string, keyPrefix: string): CompiledKey {
  return {
    build: (thisArg, args) => {
      const key: unknown = spec.apply(thisArg, args as unknown[])
      if (typeof key !== 'string') {
        throw new CacheKeyError(
          `The key function of ${name || 'a cached function'} returned ${typeof key}, not a string`,
        )
      }
      return keyPrefix + key
    },
    constant: undefined,
  }
}

/** A parsed template as a builder specialised to its shape. */
function compileTemplate(segments: readonly Segment[], keyPrefix: string): CompiledKey {
  const placeholders = segments.filter((s): s is Placeholder => typeof s !== 'string')
  if (placeholders.length === 0) {
    const constant = keyPrefix + segments.join('')
    return { build: () => constant, constant }
  }
  if (placeholders.length === 1) {
    const at = segments.findIndex((s) => typeof s !== 'string')
    const head = keyPrefix + segments.slice(0, at).join('')
    const tail = segments.slice(at + 1).join('')
    const only = placeholders[0]!
    if (!only.rest && only.path.length === 0) {
      const index = only.index
      // The common `prefix:{0}` shape: a string argument inline, one concatenation.
      if (tail === '') {
        return {
          build: (_thisArg, args) => {
            const value = args[index]
            return typeof value === 'string' ? head + value : head + renderKeyPart(value)
          },
          constant: undefined,
        }
      }
      return { build: (_thisArg, args) => head + renderKeyPart(args[index]) + tail, constant: undefined }
    }
    return {
      build: (_thisArg, args) => head + renderKeyPart(placeholderValue(only, args)) + tail,
      constant: undefined,
    }
  }
  const parts = keyPrefix === '' ? segments : [keyPrefix, ...segments]
  return {
    build: (_thisArg, args) => {
      let key = ''
      for (const part of parts)
        key += typeof part === 'string' ? part : renderKeyPart(placeholderValue(part, args))
      return key
    },
    constant: undefined,
  }
}

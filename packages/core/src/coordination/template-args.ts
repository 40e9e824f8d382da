/**
 * Type-level reading of a bare key template (`lock('report:{0}')`, `pool({ key: 'api:{0}' })`):
 * the argument list its positional placeholders read, so `acquire()` is typed from the template.
 * @packageDocumentation
 */

/** The bodies of the template's `{…}` placeholders, in order. */
type Placeholders<
  T extends string,
  Found extends string[] = [],
> = T extends `${string}{${infer Body}}${infer Rest}` ? Placeholders<Rest, [...Found, Body]> : Found

/** The argument index a placeholder body names (`'0'`, `'1.id'`), or `never`. */
type IndexOf<Body extends string> = Body extends `${infer N extends number}.${string}`
  ? N
  : Body extends `${infer N extends number}`
    ? N
    : never

/** A tuple of `unknown` long enough to hold index `N`. */
type UpTo<N extends number, T extends unknown[] = []> = number extends N
  ? unknown[]
  : T['length'] extends N
    ? [...T, unknown]
    : UpTo<N, [...T, unknown]>

/** The longer of two tuples. */
type Longer<A extends unknown[], B extends unknown[]> = B extends [...A, ...unknown[]] ? B : A

type ArgumentsOf<Bodies extends string[], Args extends unknown[] = []> = Bodies extends [
  infer Body extends string,
  ...infer Rest extends string[],
]
  ? Body extends ''
    ? ArgumentsOf<Rest, [...Args, unknown]>
    : [IndexOf<Body>] extends [never]
      ? ArgumentsOf<Rest, Args>
      : ArgumentsOf<Rest, Longer<Args, UpTo<IndexOf<Body>>>>
  : Args

/**
 * The arguments a bare key template reads: `'report:{0}:{1}'` → `[unknown, unknown]`,
 * `'{}-{}'` → `[unknown, unknown]`, `'nightly'` → `[]`; a template typed only as `string` → `unknown[]`.
 *
 * @example
 * ```ts
 * type Args = TemplateArgs<'report:{0}'> // [unknown]
 * ```
 */
export type TemplateArgs<T extends string> = string extends T ? unknown[] : ArgumentsOf<Placeholders<T>>

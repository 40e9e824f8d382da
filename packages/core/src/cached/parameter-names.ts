/**
 * Reads a function's declared parameter names from its source text (`fn.toString()`), once, at
 * decoration time, so that key templates can say `{id}` instead of `{0}`.
 * @packageDocumentation
 */

/** One declared parameter. */
export interface DeclaredParameter {
  /** The parameter's name; `undefined` when it is destructured (`{ id }` or `[a, b]`). */
  name: string | undefined
  /** Whether it is a rest parameter (`...rest`), which collects every argument from its position on. */
  rest: boolean
}

const IDENTIFIER_START = /[\p{ID_Start}$_]/u
const IDENTIFIER_PART = /[\p{ID_Continue}$\u200c\u200d]/u

/**
 * A small scanner over source text that skips comments, string and template literals.
 * It understands just enough JavaScript to find a parameter list and split it at top-level commas.
 */
class SourceScanner {
  index = 0

  constructor(readonly source: string) {}

  get done(): boolean {
    return this.index >= this.source.length
  }

  /** Skips whitespace and comments. */
  skipTrivia(): void {
    const { source } = this
    while (this.index < source.length) {
      const char = source[this.index]!
      if (char === '/' && source[this.index + 1] === '/') {
        const end = source.indexOf('\n', this.index)
        this.index = end === -1 ? source.length : end + 1
      } else if (char === '/' && source[this.index + 1] === '*') {
        const end = source.indexOf('*/', this.index + 2)
        this.index = end === -1 ? source.length : end + 2
      } else if (/\s/.test(char)) {
        this.index++
      } else {
        return
      }
    }
  }

  /** Reads an identifier at the cursor, or returns `undefined` (cursor unchanged). */
  readIdentifier(): string | undefined {
    const { source } = this
    const start = this.index
    if (start >= source.length || !IDENTIFIER_START.test(this.charAt(start))) return undefined
    let end = start + this.charAt(start).length
    while (end < source.length && IDENTIFIER_PART.test(this.charAt(end))) end += this.charAt(end).length
    this.index = end
    return source.slice(start, end)
  }

  /** The code point at `index`, as a string of one or two UTF-16 units. */
  charAt(index: number): string {
    return String.fromCodePoint(this.source.codePointAt(index) ?? 0)
  }

  /** Skips a string or template literal starting at the cursor (which is on its quote). */
  skipLiteral(): void {
    const { source } = this
    const quote = source[this.index]
    this.index++
    while (this.index < source.length) {
      const char = source[this.index]!
      if (char === '\\') {
        this.index += 2
      } else if (char === quote) {
        this.index++
        return
      } else if (quote === '`' && char === '$' && source[this.index + 1] === '{') {
        this.index += 2
        this.skipUntilClose('}')
      } else {
        this.index++
      }
    }
  }

  /**
   * Advances past the `close` bracket that balances an already consumed opening bracket.
   * Calls `onTopLevelComma` with the cursor position of each comma at depth 0.
   */
  skipUntilClose(close: string, onTopLevelComma?: (at: number) => void): void {
    const { source } = this
    let depth = 0
    while (this.index < source.length) {
      this.skipTrivia()
      if (this.done) return
      const char = source[this.index]!
      if (char === '"' || char === "'" || char === '`') {
        this.skipLiteral()
        continue
      }
      if (char === '(' || char === '[' || char === '{') depth++
      else if (char === ')' || char === ']' || char === '}') {
        if (depth === 0) {
          if (char === close) {
            this.index++
            return
          }
          // Unbalanced source: stop rather than loop.
          this.index = source.length
          return
        }
        depth--
      } else if (char === ',' && depth === 0) onTopLevelComma?.(this.index)
      this.index++
    }
  }
}

/** Strips comments from a slice of source, leaving string literals as they are. */
function stripComments(text: string): string {
  const scanner = new SourceScanner(text)
  let out = ''
  while (!scanner.done) {
    const before = scanner.index
    scanner.skipTrivia()
    if (scanner.index > before) out += ' '
    if (scanner.done) break
    const char = text[scanner.index]!
    if (char === '"' || char === "'" || char === '`') {
      const start = scanner.index
      scanner.skipLiteral()
      out += text.slice(start, scanner.index)
    } else {
      out += char
      scanner.index++
    }
  }
  return out.trim()
}

function parseOne(text: string): DeclaredParameter {
  const clean = stripComments(text)
  const rest = clean.startsWith('...')
  const body = rest ? clean.slice(3).trim() : clean
  const scanner = new SourceScanner(body)
  const name = scanner.readIdentifier()
  return { name, rest }
}

/**
 * The parameters `fn` declares, in order, read from its source text.
 *
 * Understands function declarations and expressions, `async` and generator forms, arrow
 * functions (with and without parentheses), methods (including computed names, getters and
 * setters), default values, rest parameters and comments. Destructured parameters are listed
 * with `name: undefined`.
 *
 * @returns the parameters, or `undefined` when the source is not available (native or bound
 * functions) or cannot be read as a function.
 * @example
 * ```ts
 * declaredParameters(async (id: string, { page }: { page?: number } = {}, ...rest: string[]) => page)
 * // [{ name: 'id', rest: false }, { name: undefined, rest: false }, { name: 'rest', rest: true }]
 * ```
 */
export function declaredParameters(fn: Function): DeclaredParameter[] | undefined {
  let source: string
  try {
    source = Function.prototype.toString.call(fn)
  } catch {
    return undefined
  }
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) return undefined
  const scanner = new SourceScanner(source)
  scanner.skipTrivia()
  if (source.startsWith('class', scanner.index) && !IDENTIFIER_PART.test(source[scanner.index + 5] ?? ''))
    return undefined

  // A parenthesis-free arrow: `x => …` or `async x => …`.
  const start = scanner.index
  let word = scanner.readIdentifier()
  if (word === 'async') {
    scanner.skipTrivia()
    // `async x => …`, or an arrow whose only parameter is named `async`.
    word = scanner.readIdentifier() ?? word
  }
  if (word !== undefined) {
    scanner.skipTrivia()
    if (source.startsWith('=>', scanner.index)) return [{ name: word, rest: false }]
  }
  scanner.index = start

  // Otherwise the parameter list is the first `(` outside a computed method name `[…]`.
  while (!scanner.done) {
    scanner.skipTrivia()
    if (scanner.done) break
    const char = source[scanner.index]!
    if (char === '"' || char === "'" || char === '`') {
      scanner.skipLiteral()
    } else if (char === '[') {
      scanner.index++
      scanner.skipUntilClose(']')
    } else if (char === '(') {
      scanner.index++
      const listStart = scanner.index
      const commas: number[] = []
      scanner.skipUntilClose(')', (at) => commas.push(at))
      const listEnd = scanner.index - 1
      const pieces: string[] = []
      let from = listStart
      for (const comma of commas) {
        pieces.push(source.slice(from, comma))
        from = comma + 1
      }
      pieces.push(source.slice(from, listEnd))
      const parameters = pieces.filter((piece) => stripComments(piece) !== '').map(parseOne)
      return parameters
    } else if (char === '{' || char === '=') {
      return undefined
    } else {
      scanner.index++
    }
  }
  return undefined
}

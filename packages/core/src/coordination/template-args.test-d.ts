import { describe, expectTypeOf, it } from 'vitest'
import { lock, pool } from '../create-cache'
import type { TemplateArgs } from './template-args'

describe('bare key templates type their arguments', () => {
  it('reads positional and automatic placeholders', () => {
    expectTypeOf<TemplateArgs<'report:{0}'>>().toEqualTypeOf<[unknown]>()
    expectTypeOf<TemplateArgs<'{1}/{0.id}'>>().toEqualTypeOf<[unknown, unknown]>()
    expectTypeOf<TemplateArgs<'{}-{}'>>().toEqualTypeOf<[unknown, unknown]>()
    expectTypeOf<TemplateArgs<'nightly'>>().toEqualTypeOf<[]>()
    expectTypeOf<TemplateArgs<string>>().toEqualTypeOf<unknown[]>()
  })

  it("types lock('report:{0}').acquire with one required argument", () => {
    const reports = lock('report:{0}')
    expectTypeOf(reports.acquire).parameters.toEqualTypeOf<[unknown]>()
    expectTypeOf(lock('nightly').acquire).parameters.toEqualTypeOf<[]>()
    // @ts-expect-error the template reads argument 0
    void reports.acquire()
  })

  it('takes the argument types as a type parameter, or from a key function', () => {
    expectTypeOf(lock<[year: number]>('report:{0}').acquire).parameters.toEqualTypeOf<[year: number]>()
    expectTypeOf(lock((year: number) => `report:${year}`).key).parameters.toEqualTypeOf<[year: number]>()
  })

  it('types pool({ key }) alike', () => {
    expectTypeOf(pool({ key: 'api:{0}', maxSize: 2 }).acquire).parameters.toEqualTypeOf<[unknown]>()
    expectTypeOf(pool<[userId: string]>({ key: 'api:{0}', maxSize: 2 }).size).parameters.toEqualTypeOf<
      [userId: string]
    >()
  })
})

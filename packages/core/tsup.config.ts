import { packageBuild } from '../../tsup.base'

export default packageBuild({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'msgpack/index': 'src/serializers/msgpack.ts',
    'scope/index': 'src/scope/index.ts',
  },
  external: ['vitest', 'msgpackr'],
})

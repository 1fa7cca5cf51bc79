// Backend tests run against a real PostgreSQL (DATABASE_URL) or, when unset, embedded PGlite.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  // contracts/ holds code both apps run (the client catch-up rules); its specs run here.
  roots: ['<rootDir>', '<rootDir>/../contracts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/../contracts/**/*.spec.ts'],
  // openapi-backend (the e2e response checks) requires json-schema-ref-parser, which ships only as
  // ES modules: Jest on Node 20 cannot require those, so that package is compiled like our code.
  transformIgnorePatterns: ['/node_modules/(?!@apidevtools/json-schema-ref-parser/)'],
  transform: {
    '/node_modules/@apidevtools/json-schema-ref-parser/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: { '^@clinic/contracts$': '<rootDir>/../contracts/index.ts' },
  testTimeout: 30000,
};

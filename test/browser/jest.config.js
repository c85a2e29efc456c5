/**
 * Browser journeys (issue 15): `npm run test:browser`. Kept out of the default projects so the
 * unit suites stay fast; `npm test` runs it after them. Fails when /usr/bin/chromium is missing
 * (.ci/run installs Debian's chromium) unless GRIDLINK_BROWSER_TESTS=0 opts out by name.
 */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

module.exports = {
  rootDir: '../..',
  displayName: 'browser',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@noble)/)'],
  setupFiles: ['<rootDir>/test/helpers/node-setup.ts'],
  testTimeout: 60_000,
};
